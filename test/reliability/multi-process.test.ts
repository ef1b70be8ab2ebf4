import { createOrderSystem, type OrderSystem, silentLogger } from 'orderflow';
import { bullmqJobs } from 'orderflow/adapters/bullmq';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';
import {
  createLedger,
  ledgerProvider,
  readLedger,
  readViolations,
} from '../support/ledger-provider.js';
import { deleteTestKeys, REDIS_URL, redisEnabled, uniquePrefix } from '../support/redis.js';
import { eventually, startWorker, type Worker } from './processes.js';

const enabled = (await postgresEnabled()) && (await redisEnabled());
const ORDERS = 200;

describe.skipIf(!enabled)('two worker processes on one Postgres database and one Redis', () => {
  const schema = scratchSchema();
  const prefix = uniquePrefix();
  const workers: Worker[] = [];
  let producer: OrderSystem;
  let provider: ReturnType<typeof ledgerProvider>;

  beforeAll(async () => {
    await createLedger(PG_URL, schema);
    const env = {
      ORDERFLOW_PG_URL: PG_URL,
      ORDERFLOW_PG_SCHEMA: schema,
      ORDERFLOW_REDIS_URL: REDIS_URL,
      ORDERFLOW_BULLMQ_PREFIX: prefix,
    };
    workers.push(
      ...(await Promise.all([
        startWorker({ ...env, ORDERFLOW_WORKER_NAME: 'worker-a' }),
        startWorker({ ...env, ORDERFLOW_WORKER_NAME: 'worker-b' }),
      ])),
    );
    provider = ledgerProvider({ connectionString: PG_URL, schema });
    // The producer (an API process) only enqueues: its runner never starts a worker.
    producer = await createOrderSystem({
      storage: postgresStorage({ connectionString: PG_URL, schema }),
      jobs: bullmqJobs({ url: REDIS_URL, prefix, logger: silentLogger }),
      payments: provider,
      logger: silentLogger,
      startJobs: false,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await producer?.close();
    await provider?.close();
    await dropSchema(schema);
    await deleteTestKeys(prefix);
  }, 60_000);

  it('refunds every cancelled payment exactly once and confirms every other order', async () => {
    const orders: { id: string; total: number; cancelled: boolean }[] = [];
    for (let batch = 0; batch < ORDERS; batch += 20) {
      const made = await Promise.all(
        Array.from({ length: 20 }, async (_, k) => {
          const n = batch + k;
          const order = await producer.orders.create({
            customerId: `c_${n}`,
            currency: 'USD',
            items: [{ sku: `SKU-${n}`, name: 'Item', quantity: 1 + (n % 3), unitPrice: 1000 + n }],
          });
          await producer.payments.process({
            orderId: order.id,
            paymentMethod: { token: 'tok_visa' },
          });
          const cancelled = n % 2 === 1;
          if (cancelled) await producer.orders.cancel(order.id, { reason: 'changed mind' });
          return { id: order.id, total: order.total, cancelled };
        }),
      );
      orders.push(...made);
    }

    await eventually(
      async () => {
        const states = await Promise.all(orders.map((o) => producer.orders.get(o.id)));
        return states.every((o, i) =>
          orders[i]!.cancelled
            ? o.state === 'cancelled' && o.refundedTotal === o.total
            : o.state === 'confirmed',
        );
      },
      120_000,
      'every order confirmed or refunded',
    );

    const ledger = await readLedger(PG_URL, schema);
    for (const order of orders) {
      const [payment] = await producer.payments.listByOrder(order.id);
      const moves = ledger.filter((row) => row.payment_id === payment!.id);
      const refunds = moves.filter((row) => row.operation === 'refund');
      expect(moves.filter((row) => row.operation === 'capture')).toHaveLength(1);
      if (order.cancelled) {
        expect(refunds.map((r) => r.amount)).toEqual([order.total]);
        expect(payment!.state).toBe('refunded');
      } else {
        expect(refunds).toEqual([]);
      }
    }
    expect(await readViolations(PG_URL, schema)).toEqual([]);
    // Both worker processes shared the refunds.
    const refunders = new Set(ledger.filter((r) => r.operation === 'refund').map((r) => r.actor));
    expect([...refunders].sort()).toEqual(['worker-a', 'worker-b']);
  }, 180_000);
});
