/**
 * `kill -9` under load, then a restart on the same database: the example server runs as a
 * real child process (in-process jobs, so every queued job dies with it), the test fires
 * bounded concurrent requests at it over 127.0.0.1, kills it mid-load, starts it again on
 * the same SQLite file (or Postgres schema) and checks that every acknowledged write is
 * still there and that the work the dead process owed — confirmations, refunds of
 * cancelled orders, unsettled provider calls — is finished by the restarted process's
 * outbox drain and sweep (their timings shortened through the ORDERFLOW_* variables).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../../examples/express/config.js';
import {
  backendEnabled,
  dropSchema,
  PG_URL,
  postgresEnabled,
  scratchSchema,
} from '../support/backends.js';
import {
  killServerProcesses,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.js';

const API_KEY = 'crash_restart_key_0123456789';
/**
 * Short sweep, outbox and idempotency-claim timings, so lost work is found in about a
 * second, not minutes.
 */
const TIMINGS = {
  ORDERFLOW_SWEEP_INTERVAL_MS: '300',
  ORDERFLOW_SWEEP_GRACE_MS: '1000',
  ORDERFLOW_OUTBOX_LEASE_MS: '1000',
  ORDERFLOW_IDEMPOTENCY_LEASE_MS: '2000',
};
/** Orders in the plan: 100 creations, 67 payments, 33 cancellations of paid orders. */
const ORDERS = 100;
const CONCURRENCY = 10;
/** The server is killed when this many requests have been answered (or failed). */
const KILL_AFTER = 100;
const REQUEST_TIMEOUT_MS = 15_000;
/**
 * How long the restarted server may take to finish what the dead one owed. Mostly it takes
 * a second or two, but a job killed between claiming its internal idempotency key and
 * committing its first effect leaves that key locked for the claim lease (60 s, in
 * src/managers/idempotency.ts) before the sweep's retry may take it over.
 */
const SETTLE_TIMEOUT_MS = 100_000;

const postgres = await postgresEnabled();

let workDir: string | undefined;
let schema: string | undefined;

afterEach(async () => {
  await killServerProcesses();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
  if (schema) await dropSchema(schema);
  schema = undefined;
});

interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
  body: any;
}

async function call(base: string, method: string, path: string, body?: unknown, key?: string) {
  const headers: Record<string, string> = { Authorization: `Bearer ${API_KEY}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (key !== undefined) headers['Idempotency-Key'] = key;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined } as Reply;
}

const ok = (reply: Reply | undefined): reply is Reply =>
  reply !== undefined && reply.status >= 200 && reply.status < 300;

/** One order's part of the load: create it, maybe pay it, maybe cancel it once paid. */
interface Chain {
  index: number;
  input: { customerId: string; currency: string; items: object[]; shippingTotal: number };
  total: number;
  pay: boolean;
  cancel: boolean;
  attempted: { create: boolean; pay: boolean; cancel: boolean };
  /** What a 2xx answer acknowledged. */
  acked: {
    order?: { id: string; state: string; total: number };
    payment?: { id: string; state: string; amount: number; capturedAmount: number };
    cancel?: { state: string };
  };
}

function plan(customerId: string): Chain[] {
  return Array.from({ length: ORDERS }, (_, index) => {
    const quantity = 1 + (index % 3);
    const unitPrice = 500 + index;
    return {
      index,
      input: {
        customerId,
        currency: 'USD',
        items: [{ sku: `SKU-${index}`, name: `Widget ${index}`, quantity, unitPrice }],
        shippingTotal: 300,
      },
      total: quantity * unitPrice + 300,
      pay: index % 3 !== 0,
      cancel: index % 3 === 1,
      attempted: { create: false, pay: false, cancel: false },
      acked: {},
    };
  });
}

interface LoadResult {
  settled: number;
  inFlightAtKill: number;
}

/**
 * Runs the chains with CONCURRENCY workers and sends `kill -9` to the server from inside
 * the KILL_AFTER-th answer, while the other workers' requests are still in flight. No
 * request starts after the kill.
 */
async function loadThenKill(server: ServerProcess, chains: Chain[], tag: string) {
  const result: LoadResult = { settled: 0, inFlightAtKill: -1 };
  let killed = false;
  let inFlight = 0;
  let next = 0;
  const send = async (request: () => Promise<Reply>): Promise<Reply | undefined> => {
    if (killed) return undefined;
    inFlight += 1;
    try {
      return await request();
    } catch {
      return undefined; // refused or reset by the dying server: not acknowledged
    } finally {
      inFlight -= 1;
      result.settled += 1;
      if (!killed && result.settled >= KILL_AFTER) {
        killed = true;
        result.inFlightAtKill = inFlight;
        process.kill(server.pid, 'SIGKILL');
      }
    }
  };
  const runChain = async (chain: Chain) => {
    if (killed) return;
    chain.attempted.create = true;
    const created = await send(() =>
      call(server.url, 'POST', '/api/v1/orders', chain.input, `crash-order-${tag}-${chain.index}`),
    );
    if (!ok(created)) return;
    const order = created.body;
    chain.acked.order = { id: order.id, state: order.state, total: order.total };
    if (!chain.pay || killed) return;
    chain.attempted.pay = true;
    const paid = await send(() =>
      call(
        server.url,
        'POST',
        '/api/v1/payments',
        { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
        `crash-pay-${tag}-${chain.index}`,
      ),
    );
    if (!ok(paid)) return;
    const p = paid.body;
    chain.acked.payment = {
      id: p.id,
      state: p.state,
      amount: p.amount,
      capturedAmount: p.capturedAmount,
    };
    if (!chain.cancel || killed) return;
    chain.attempted.cancel = true;
    const cancelled = await send(() =>
      call(server.url, 'POST', `/api/v1/orders/${order.id}/cancel`, { reason: 'crash test' }),
    );
    if (ok(cancelled)) chain.acked.cancel = { state: cancelled.body.state };
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (!killed && next < chains.length) {
        const chain = chains[next++] as Chain;
        await runChain(chain);
      }
    }),
  );
  await server.kill(); // resolves once the process is gone
  return result;
}

/** Every order of this run, through the paginated list endpoint. */
async function listOrders(base: string, customerId: string) {
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
  const all: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const query = new URLSearchParams({ customerId, limit: '100' });
    if (cursor) query.set('cursor', cursor);
    const reply = await call(base, 'GET', `/api/v1/orders?${query}`);
    expect(reply.status).toBe(200);
    all.push(...reply.body.data);
    cursor = reply.body.nextCursor ?? undefined;
    if (!cursor) return all;
  }
  throw new Error('more pages of orders than this test ever creates');
}

/** What must hold the moment the restarted server answers: acknowledged writes are there. */
async function durabilityProblems(base: string, chains: Chain[]): Promise<string[]> {
  const problems: string[] = [];
  for (const chain of chains) {
    const { order, payment, cancel } = chain.acked;
    if (!order) continue;
    const got = await call(base, 'GET', `/api/v1/orders/${order.id}`);
    if (got.status !== 200) {
      problems.push(`order ${order.id} (#${chain.index}) acknowledged, now ${got.status}`);
      continue;
    }
    if (got.body.total !== order.total) problems.push(`order ${order.id}: total changed`);
    // The acknowledged state or a later one (pending → confirmed once paid → cancelled);
    // a later one only through a request that was sent, answered or not.
    const allowed = cancel
      ? ['cancelled']
      : chain.attempted.cancel
        ? ['pending', 'confirmed', 'cancelled']
        : chain.attempted.pay
          ? ['pending', 'confirmed']
          : ['pending'];
    if (!allowed.includes(got.body.state)) {
      problems.push(`order ${order.id}: acknowledged ${order.state}, now ${got.body.state}`);
    }
    if (payment) {
      const p = await call(base, 'GET', `/api/v1/payments/${payment.id}`);
      if (p.status !== 200) {
        problems.push(`payment ${payment.id} acknowledged, now ${p.status}`);
      } else if (
        p.body.orderId !== order.id ||
        p.body.capturedAmount !== payment.capturedAmount ||
        !['captured', 'partially_refunded', 'refunded'].includes(p.body.state)
      ) {
        problems.push(
          `payment ${payment.id}: acknowledged ${payment.state} ${payment.capturedAmount}, now ${p.body.state} ${p.body.capturedAmount}`,
        );
      }
    }
  }
  return problems;
}

/**
 * What must hold once the restarted server has caught up: acknowledged cancellations of
 * paid orders refunded in full, acknowledged payments confirming their orders, and across
 * every order of the run (acknowledged or not) no second charge, no cancelled order
 * holding money, no provider call left unsettled.
 */
async function settledProblems(
  base: string,
  chains: Chain[],
  customerId: string,
): Promise<string[]> {
  const problems: string[] = [];
  const orders = new Map((await listOrders(base, customerId)).map((o) => [o.id, o]));
  // biome-ignore lint/suspicious/noExplicitAny: JSON from the API under test
  const paymentsByOrder = new Map<string, any[]>();
  for (const order of orders.values()) {
    const reply = await call(base, 'GET', `/api/v1/orders/${order.id}/payments`);
    expect(reply.status).toBe(200);
    paymentsByOrder.set(order.id, reply.body.data);
  }

  for (const chain of chains) {
    const { order, payment, cancel } = chain.acked;
    if (!order) continue;
    const now = orders.get(order.id);
    if (!now) {
      problems.push(`order ${order.id} missing from the list`);
      continue;
    }
    const p = payment && paymentsByOrder.get(order.id)?.find((x) => x.id === payment.id);
    if (payment && !p) problems.push(`payment ${payment.id} missing from its order`);
    if (cancel && p && (p.state !== 'refunded' || now.refundedTotal !== now.total)) {
      problems.push(
        `cancelled order ${order.id}: payment ${p.state}, refunded ${now.refundedTotal} of ${now.total}`,
      );
    }
    if (cancel && now.state !== 'cancelled') problems.push(`order ${order.id} not cancelled`);
    if (
      payment &&
      !chain.attempted.cancel &&
      (now.state !== 'confirmed' || p?.state !== 'captured')
    ) {
      problems.push(`paid order ${order.id} is ${now.state}, payment ${p?.state}`);
    }
  }

  for (const order of orders.values()) {
    const payments = paymentsByOrder.get(order.id) ?? [];
    const captured = payments.reduce((sum, p) => sum + p.capturedAmount, 0);
    if (payments.length > 1) problems.push(`order ${order.id} has ${payments.length} payments`);
    if (captured > order.total)
      problems.push(`order ${order.id} charged ${captured} of ${order.total}`);
    for (const p of payments) {
      if (p.state === 'pending' || p.pendingCapture || p.pendingVoid) {
        problems.push(`payment ${p.id} still unsettled (${p.state})`);
      }
      if (p.refunds.some((r: { state: string }) => r.state === 'pending')) {
        problems.push(`payment ${p.id} has a pending refund`);
      }
    }
    if (order.state === 'cancelled' && order.refundedTotal !== order.paidTotal) {
      problems.push(
        `cancelled order ${order.id} holds money: paid ${order.paidTotal}, refunded ${order.refundedTotal}`,
      );
    }
    if (order.state === 'pending' && captured >= order.total) {
      problems.push(`fully paid order ${order.id} still pending`);
    }
  }
  return problems;
}

async function crashAndRestart(env: Record<string, string>) {
  workDir = mkdtempSync(join(tmpdir(), 'orderflow-crash-'));
  const tag = randomBytes(4).toString('hex');
  const customerId = `crash-${tag}`;
  const serverEnv = { ORDERFLOW_API_KEY: API_KEY, ...TIMINGS, ...env };
  const chains = plan(customerId);

  const first = await startServerProcess({ cwd: workDir, env: serverEnv });
  const load = await loadThenKill(first, chains, tag);
  expect(first.child.signalCode, first.output()).toBe('SIGKILL');

  const acked = {
    orders: chains.filter((c) => c.acked.order).length,
    payments: chains.filter((c) => c.acked.payment).length,
    cancels: chains.filter((c) => c.acked.cancel).length,
    unacknowledged: chains.filter(
      (c) =>
        (c.attempted.create && !c.acked.order) ||
        (c.attempted.pay && !c.acked.payment) ||
        (c.attempted.cancel && !c.acked.cancel),
    ).length,
  };
  // The kill really landed mid-load, after every kind of write had been acknowledged.
  expect(load.inFlightAtKill).toBeGreaterThan(0);
  expect(acked.orders).toBeGreaterThan(20);
  expect(acked.payments).toBeGreaterThan(10);
  expect(acked.cancels).toBeGreaterThan(5);
  expect(acked.unacknowledged).toBeGreaterThan(0);

  const second = await startServerProcess({ cwd: workDir, env: serverEnv });
  expect((await fetch(`${second.url}/health`)).status).toBe(200);
  expect(await durabilityProblems(second.url, chains)).toEqual([]);

  let problems: string[] = [];
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  do {
    problems = await settledProblems(second.url, chains, customerId);
    if (problems.length === 0) break;
    await sleep(250);
  } while (Date.now() < deadline);
  expect(problems, `not settled after ${SETTLE_TIMEOUT_MS} ms:\n${second.output()}`).toEqual([]);

  expect(await second.stop()).toBe(0);
  return acked;
}

describe('the example server killed with kill -9 under load, then restarted', () => {
  it.skipIf(!backendEnabled('sqlite'))(
    'on its SQLite file: acknowledged writes survive and owed refunds complete',
    async () => {
      await crashAndRestart({});
      expect(existsSync(join(workDir as string, 'data', 'orderflow.db'))).toBe(true);
    },
    180_000,
  );

  it.skipIf(!postgres)(
    'on Postgres: acknowledged writes survive and owed refunds complete',
    async () => {
      schema = scratchSchema();
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      try {
        await admin.query(`create schema "${schema}"`);
      } finally {
        await admin.end();
      }
      // The server takes no schema setting: the connection's search_path picks it.
      const url = new URL(PG_URL);
      url.searchParams.set('options', `-c search_path=${schema}`);
      await crashAndRestart({ DATABASE_URL: url.toString() });
    },
    180_000,
  );
});

describe('sweep and outbox timings from the environment (examples/express/config.ts)', () => {
  it('takes the ORDERFLOW_SWEEP_*, ORDERFLOW_OUTBOX_LEASE_MS and ORDERFLOW_IDEMPOTENCY_LEASE_MS timings', () => {
    expect(configFromEnv({}).orderflow).toBeUndefined();
    expect(
      configFromEnv({ ORDERFLOW_SWEEP_GRACE_MS: '', ORDERFLOW_SWEEP_INTERVAL_MS: ' ' }).orderflow,
    ).toBeUndefined();
    expect(configFromEnv(TIMINGS).orderflow).toEqual({
      sweepIntervalMs: 300,
      sweepGraceMs: 1000,
      outboxLeaseMs: 1000,
      idempotencyLeaseMs: 2000,
    });
    expect(configFromEnv({ ORDERFLOW_SWEEP_GRACE_MS: '0' }).orderflow).toEqual({ sweepGraceMs: 0 });
  });

  it('refuses values that cannot work, naming the variable', () => {
    expect(() => configFromEnv({ ORDERFLOW_SWEEP_INTERVAL_MS: '0' })).toThrow(
      /ORDERFLOW_SWEEP_INTERVAL_MS/,
    );
    expect(() => configFromEnv({ ORDERFLOW_SWEEP_GRACE_MS: '1.5' })).toThrow(
      /ORDERFLOW_SWEEP_GRACE_MS/,
    );
    expect(() => configFromEnv({ ORDERFLOW_OUTBOX_LEASE_MS: '-1' })).toThrow(
      /ORDERFLOW_OUTBOX_LEASE_MS/,
    );
    expect(() => configFromEnv({ ORDERFLOW_OUTBOX_LEASE_MS: '30s' })).toThrow(
      /ORDERFLOW_OUTBOX_LEASE_MS/,
    );
  });
});
