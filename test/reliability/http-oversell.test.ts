/**
 * Overselling over HTTP, across processes: three example servers (`examples/express/server.ts`,
 * started as `npm start` would) share one Postgres database and one BullMQ queue, as in a
 * scaled-out deployment, and take parallel `POST /api/v1/orders` for a SKU with little
 * stock, spread over all three. Exactly the stock's worth succeeds, every other order is
 * 409 `insufficient_stock` with its details, nothing else answers; then cancels race a second
 * wave of orders, and an adjustment races a third. After each wave the stock record agrees
 * with the orders (reserved = units of live orders) and with its ledger (the movements sum to
 * onHand and reserved).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  killServerProcesses,
  type ServerProcess,
  startServerProcess,
} from '../e2e/support/server-process.js';
import { PG_URL, postgresEnabled } from '../support/backends.js';
import { deleteTestKeys, REDIS_URL, redisEnabled, uniquePrefix } from '../support/redis.js';

const enabled = (await postgresEnabled()) && (await redisEnabled());

const API_KEY = 'oversell_test_key_0123456789';
const SKU = 'HOT-1';
const STOCK = 10;
const FIRST_WAVE = 60;

interface OrderRow {
  id: string;
  state: string;
  items: { quantity: number }[];
}

interface Reply {
  status: number;
  body: Record<string, unknown> & { error?: { code: string; details?: unknown } };
}

/** A database of this test's own: the servers migrate it as `npm start` would. */
async function scratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `orderflow_http_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`drop database if exists "${name}" with (force)`),
  };
}

describe.skipIf(!enabled)('example servers in three processes on one Postgres database', () => {
  const prefix = uniquePrefix();
  const servers: ServerProcess[] = [];
  let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  let workDir: string | undefined;

  async function call(
    server: ServerProcess,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Reply> {
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${API_KEY}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Reply['body'] };
  }

  const order = (n: number, quantity = 1) => ({
    customerId: `cus_${n}`,
    currency: 'USD',
    items: [{ sku: SKU, name: 'Limited edition', quantity, unitPrice: 5000 }],
  });

  /** `count` parallel orders, spread over every server in turn. */
  async function orderWave(from: number, count: number): Promise<Reply[]> {
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        call(servers[i % servers.length]!, 'POST', '/orders', order(from + i)),
      ),
    );
  }

  async function stock() {
    const res = await call(servers[0]!, 'GET', `/inventory/${SKU}`);
    expect(res.status).toBe(200);
    return res.body as { onHand: number; reserved: number; available: number };
  }

  /** Every order of the database, page by page (through another process than the writes). */
  async function allOrders(): Promise<OrderRow[]> {
    const all: OrderRow[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor
        ? `?limit=100&cursor=${encodeURIComponent(cursor)}`
        : '?limit=100';
      const res = await call(servers[1]!, 'GET', `/orders${query}`);
      expect(res.status).toBe(200);
      all.push(...(res.body.data as typeof all));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  async function ledger() {
    const all: { onHandDelta: number; reservedDelta: number; reason: string }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor
        ? `?limit=100&cursor=${encodeURIComponent(cursor)}`
        : '?limit=100';
      const res = await call(servers[2]!, 'GET', `/inventory/${SKU}/movements${query}`);
      expect(res.status).toBe(200);
      all.push(...(res.body.data as typeof all));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    return all;
  }

  /** The record agrees with the orders and with its ledger, and never went below zero. */
  async function expectConsistent() {
    const record = await stock();
    const live = (await allOrders()).filter((o) => o.state !== 'cancelled');
    const liveUnits = live.reduce((sum, o) => sum + o.items[0]!.quantity, 0);
    expect(record.reserved).toBe(liveUnits);
    expect(record.available).toBe(record.onHand - record.reserved);
    expect(record.available).toBeGreaterThanOrEqual(0);
    const movements = await ledger();
    expect({
      onHand: movements.reduce((sum, m) => sum + m.onHandDelta, 0),
      reserved: movements.reduce((sum, m) => sum + m.reservedDelta, 0),
    }).toEqual({ onHand: record.onHand, reserved: record.reserved });
    return { record, live, movements };
  }

  /** Every refusal is 409 insufficient_stock naming the SKU; nothing else but 201. */
  function expectOnlyCreatedOrOutOfStock(replies: Reply[]) {
    for (const reply of replies) {
      if (reply.status === 201) continue;
      expect(reply.status, JSON.stringify(reply.body)).toBe(409);
      expect(reply.body.error).toMatchObject({
        code: 'insufficient_stock',
        details: { sku: SKU, requested: 1 },
      });
    }
  }

  beforeAll(async () => {
    database = await scratchDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'orderflow-oversell-'));
    const env = {
      ORDERFLOW_API_KEY: API_KEY,
      DATABASE_URL: database.url,
      REDIS_URL,
      ORDERFLOW_QUEUE_PREFIX: prefix,
    };
    // The first creates the tables; the others start on a migrated database.
    servers.push(await startServerProcess({ cwd: workDir, env }));
    servers.push(
      ...(await Promise.all([
        startServerProcess({ cwd: workDir, env }),
        startServerProcess({ cwd: workDir, env }),
      ])),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.stop(15_000)));
    await killServerProcesses();
    await database?.drop();
    await deleteTestKeys(prefix);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('sells exactly the stock to parallel orders over every process; cancels and adjustments racing orders keep the record right', async () => {
    const set = await call(servers[0]!, 'PUT', `/inventory/${SKU}`, { onHand: STOCK });
    expect(set.status).toBe(200);

    // Wave 1: 60 orders for 10 units.
    const first = await orderWave(0, FIRST_WAVE);
    expectOnlyCreatedOrOutOfStock(first);
    const created = first.filter((r) => r.status === 201);
    expect(created).toHaveLength(STOCK);
    let state = await expectConsistent();
    expect(state.record).toMatchObject({ onHand: STOCK, reserved: STOCK, available: 0 });
    expect(state.movements.filter((m) => m.reason === 'reserve')).toHaveLength(STOCK);

    // Wave 2: four cancels race twenty new orders; at most the four released units sell.
    const cancelled = created.slice(0, 4).map((r) => r.body.id as string);
    const [cancels, second] = await Promise.all([
      Promise.all(
        cancelled.map((id, i) =>
          call(servers[(i + 1) % servers.length]!, 'POST', `/orders/${id}/cancel`, {
            reason: 'changed their mind',
          }),
        ),
      ),
      orderWave(FIRST_WAVE, 20),
    ]);
    expect(cancels.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expectOnlyCreatedOrOutOfStock(second);
    const resold = second.filter((r) => r.status === 201).length;
    expect(resold).toBeLessThanOrEqual(cancelled.length);
    state = await expectConsistent();
    expect(state.live).toHaveLength(STOCK - cancelled.length + resold);

    // Wave 3: a delivery of five races twenty orders; at most what is there sells.
    const before = state.record.available;
    const [adjusted, third] = await Promise.all([
      call(servers[2]!, 'POST', `/inventory/${SKU}/adjustments`, {
        delta: 5,
        reason: 'delivery',
      }),
      orderWave(FIRST_WAVE + 20, 20),
    ]);
    expect(adjusted.status).toBe(200);
    expectOnlyCreatedOrOutOfStock(third);
    const sold = third.filter((r) => r.status === 201).length;
    expect(sold).toBeLessThanOrEqual(before + 5);
    state = await expectConsistent();
    expect(state.record.onHand).toBe(STOCK + 5);
    expect(state.record.available).toBe(before + 5 - sold);

    // Once it settles, what is left sells exactly: no unit is lost or invented.
    const rest = await orderWave(FIRST_WAVE + 40, state.record.available + 5);
    expectOnlyCreatedOrOutOfStock(rest);
    expect(rest.filter((r) => r.status === 201)).toHaveLength(state.record.available);
    state = await expectConsistent();
    expect(state.record).toMatchObject({ onHand: STOCK + 5, reserved: STOCK + 5, available: 0 });
  }, 180_000);
});
