import { createOrderSystem, type OrderSystem, silentLogger } from 'orderflow';
import { bullmqJobs } from 'orderflow/adapters/bullmq';
import { postgresStorage } from 'orderflow/adapters/postgres';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';
import {
  createLedger,
  ledgerProvider,
  readLedger,
  readViolations,
} from '../support/ledger-provider.js';
import { redisEnabled, uniquePrefix } from '../support/redis.js';
import {
  eventually,
  type PrivateRedis,
  privateRedis,
  startWorker,
  type Worker,
} from './processes.js';

const enabled = (await postgresEnabled()) && (await redisEnabled());

/** Everything one fault test starts, stopped in afterEach whatever happened. */
interface Rig {
  schema: string;
  prefix: string;
  redis: PrivateRedis;
  workers: Worker[];
  producer?: OrderSystem;
  provider: ReturnType<typeof ledgerProvider>;
}
let rig: Rig | undefined;

async function setUp(): Promise<Rig> {
  const schema = scratchSchema();
  await createLedger(PG_URL, schema);
  rig = {
    schema,
    prefix: uniquePrefix(),
    redis: await privateRedis(),
    workers: [],
    provider: ledgerProvider({ connectionString: PG_URL, schema }),
  };
  return rig;
}

function workerEnv(r: Rig, extra: Record<string, string> = {}) {
  return {
    ORDERFLOW_PG_URL: PG_URL,
    ORDERFLOW_PG_SCHEMA: r.schema,
    ORDERFLOW_REDIS_URL: r.redis.url,
    ORDERFLOW_BULLMQ_PREFIX: r.prefix,
    ...extra,
  };
}

async function producerFor(r: Rig): Promise<OrderSystem> {
  r.producer = await createOrderSystem({
    storage: postgresStorage({ connectionString: PG_URL, schema: r.schema }),
    jobs: bullmqJobs({ url: r.redis.url, prefix: r.prefix, logger: silentLogger }),
    payments: r.provider,
    logger: silentLogger,
    startJobs: false,
  });
  return r.producer;
}

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query(query, params)).rows as T[];
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  if (!rig) return;
  const r = rig;
  rig = undefined;
  await Promise.all(r.workers.map((w) => w.kill()));
  await r.producer?.close().catch(() => undefined);
  await r.provider.close();
  await r.redis.stop();
  // Whatever the faults, the provider was never asked to move money twice or too much.
  const violations = await readViolations(PG_URL, r.schema);
  await dropSchema(r.schema);
  expect(violations).toEqual([]);
}, 60_000);

describe.skipIf(!enabled)('faults on a private redis-server', () => {
  it('finishes a refund exactly once when its worker is killed -9 in the middle of it', async () => {
    const r = await setUp();
    // A slow provider keeps the first worker inside the refund call when it is killed.
    const slow = await startWorker(
      workerEnv(r, {
        ORDERFLOW_PROVIDER_LATENCY_MS: '4000',
        ORDERFLOW_LOCK_MS: '1000',
        ORDERFLOW_WORKER_NAME: 'slow',
      }),
    );
    r.workers.push(slow);
    const producer = await producerFor(r);
    const order = await producer.orders.create({
      customerId: 'c_1',
      currency: 'USD',
      items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 2500 }],
    });
    const payment = await producer.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await producer.orders.cancel(order.id);

    // The refund intent is saved: the worker is now waiting on the provider.
    await eventually(
      async () =>
        (
          await sql(`select 1 from "${r.schema}".orderflow_refunds where payment_id = $1`, [
            payment.id,
          ])
        ).length > 0,
      30_000,
      'the refund intent',
    );
    await slow.kill();
    r.workers.push(
      await startWorker(
        workerEnv(r, { ORDERFLOW_LOCK_MS: '1000', ORDERFLOW_WORKER_NAME: 'rescuer' }),
      ),
    );

    await eventually(
      async () => (await producer.payments.get(payment.id)).state === 'refunded',
      60_000,
      'the refund',
    );
    const refunds = (await readLedger(PG_URL, r.schema)).filter(
      (row) => row.operation === 'refund',
    );
    expect(refunds.map((row) => [row.payment_id, row.amount, row.actor])).toEqual([
      [payment.id, 2500, 'rescuer'],
    ]);
    expect((await producer.payments.get(payment.id)).refunds).toHaveLength(1);
  }, 120_000);

  it('loses nothing when Redis is down for a few seconds under load', async () => {
    const r = await setUp();
    r.workers.push(await startWorker(workerEnv(r, { ORDERFLOW_WORKER_NAME: 'worker' })));
    const producer = await producerFor(r);
    const orders: { id: string; cancelled: boolean }[] = [];
    const place = async (n: number) => {
      const order = await producer.orders.create({
        customerId: `c_${n}`,
        currency: 'USD',
        items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 1000 + n }],
      });
      await producer.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
      const cancelled = n % 3 === 0;
      if (cancelled) await producer.orders.cancel(order.id);
      orders.push({ id: order.id, cancelled });
    };

    for (let n = 0; n < 20; n++) await place(n);
    await r.redis.stop(); // every job queued in Redis so far is gone with it
    for (let n = 20; n < 40; n++) await place(n); // commands still commit; their events wait in the outbox
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await r.redis.start();

    await eventually(
      async () => {
        const states = await Promise.all(orders.map((o) => producer.orders.get(o.id)));
        return states.every((o, i) =>
          orders[i]!.cancelled ? o.refundedTotal === o.total : o.state === 'confirmed',
        );
      },
      90_000,
      'every order confirmed or refunded after the outage',
    );
    const refunds = (await readLedger(PG_URL, r.schema)).filter(
      (row) => row.operation === 'refund',
    );
    expect(refunds).toHaveLength(orders.filter((o) => o.cancelled).length);
    expect(new Set(refunds.map((row) => row.payment_id)).size).toBe(refunds.length);
  }, 150_000);

  it('delivers the events of a process killed -9 between commit and dispatch after a restart', async () => {
    const r = await setUp();
    // This process dies the moment it dispatches the capture event, after the commit.
    const doomed = await startWorker(
      workerEnv(r, {
        ORDERFLOW_KILL_ON_ENQUEUE: 'orderflow.confirm-paid-order',
        ORDERFLOW_START_JOBS: 'false',
      }),
    );
    r.workers.push(doomed);
    doomed.send({ id: 1, op: 'createAndPay' });
    const created = JSON.parse(await doomed.waitFor((l) => l.includes('"orderId"'))) as {
      orderId: string;
    };
    await new Promise<void>((resolve) => doomed.child.once('exit', () => resolve()));
    expect(doomed.child.signalCode).toBe('SIGKILL');

    const waiting = await sql<{ name: string }>(`select name from "${r.schema}".orderflow_outbox`);
    expect(waiting.map((row) => row.name)).toContain('payment.state_changed');

    r.workers.push(await startWorker(workerEnv(r, { ORDERFLOW_WORKER_NAME: 'restarted' })));
    const producer = await producerFor(r);
    await eventually(
      async () => (await producer.orders.get(created.orderId)).state === 'confirmed',
      60_000,
      'the order confirmed from the recovered outbox',
    );
    await eventually(
      async () => (await sql(`select 1 from "${r.schema}".orderflow_outbox`)).length === 0,
      30_000,
      'an empty outbox',
    );
  }, 120_000);
});
