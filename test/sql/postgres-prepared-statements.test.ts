import { createOrderSystem, type OrderSystem, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { orderInput } from 'orderflow/testing';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';

const enabled = await postgresEnabled();
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** An order system on a one-connection pool of our own, so its session can be inspected. */
async function openOnOneConnection(
  preparedStatements?: boolean,
): Promise<{ oms: OrderSystem; pool: pg.Pool; schema: string }> {
  const schema = scratchSchema();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  cleanup.push(async () => {
    await pool.end();
    await dropSchema(schema);
  });
  const oms = await createOrderSystem({
    storage: postgresStorage({
      pool,
      schema,
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
    }),
    jobs: inProcessJobs({ logger: silentLogger }),
    logger: silentLogger,
  });
  cleanup.push(() => oms.close());
  return { oms, pool, schema };
}

describe.skipIf(!enabled)('postgres: prepared statements', () => {
  it('parses each statement once per connection and runs it again from then on', async () => {
    const { oms, pool } = await openOnOneConnection();
    for (let i = 0; i < 4; i++) await oms.orders.create(orderInput());
    await oms.idle();
    const { rows } = await pool.query<{ statement: string; runs: number }>(
      `select statement, (generic_plans + custom_plans)::int as runs
         from pg_prepared_statements where name like 'orderflow_%'`,
    );
    const stockReads = rows.filter((r) =>
      /^select \* from "[^"]+"\."orderflow_inventory" where "sku" in \([^)]*\) order by "sku"$/.test(
        r.statement,
      ),
    );
    // One prepared read of the order's stock records (without a lock), run by all four creates.
    expect(stockReads).toHaveLength(1);
    expect(stockReads[0]?.runs).toBe(4);
  });

  it('prepares nothing with preparedStatements: false', async () => {
    const { oms, pool } = await openOnOneConnection(false);
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    expect((await oms.orders.get(order.id)).id).toBe(order.id);
    const { rows } = await pool.query(`select name from pg_prepared_statements`);
    expect(rows).toEqual([]);
  });

  it('drops a connection whose prepared statement a migration made stale, and goes on', async () => {
    const { oms, schema } = await openOnOneConnection();
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    expect((await oms.orders.get(order.id)).id).toBe(order.id);

    // Another process adds a column to a table this connection selects `*` from.
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`alter table "${schema}".orderflow_orders add column added_later text`);
    } finally {
      await admin.end();
    }

    await expect(oms.orders.get(order.id)).rejects.toMatchObject({ code: '0A000' });
    // The connection was discarded: the next one prepares afresh.
    expect((await oms.orders.get(order.id)).id).toBe(order.id);
    const next = await oms.orders.create(orderInput());
    expect((await oms.orders.get(next.id)).total).toBe(next.total);
  });
});
