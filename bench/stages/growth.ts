/**
 * List and get latency as the orders table grows: at BENCH_ORDERS (default 100,000; the
 * README reports 1,000,000) vs at a hundredth of that, on SQLite and Postgres. Rows are
 * bulk-loaded with the shape the library writes; Postgres gets VACUUM ANALYZE after each
 * load (this machine runs it with autovacuum off, so plans would otherwise use stale
 * statistics and reads would pay for the hint bits the load left unset).
 */
import { sql } from 'kysely';
import { newId } from '../../src/domain/ids.js';
import type { OrderSystem } from '../../src/index.js';
import { type BenchStorage, openSystem, SQL_BACKENDS } from '../lib/backends.js';
import { latency, round } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

const STATES = ['pending', 'confirmed', 'processing', 'shipped', 'delivered', 'cancelled'];
const BATCH = 1000;
/** Few customers: each has 2 full pages of orders or more at every size (1,000 up). */
const CUSTOMERS = 20;

function orderRow(n: number, base: number) {
  const items = [
    {
      id: newId('orderLine'),
      sku: 'TSHIRT-M',
      name: 'T-shirt',
      quantity: 2,
      unitPrice: 1999,
      lineTotal: 3998,
      returnable: true,
    },
    {
      id: newId('orderLine'),
      sku: 'MUG',
      name: 'Mug',
      quantity: 1,
      unitPrice: 1250,
      lineTotal: 1250,
      returnable: true,
    },
  ];
  const at = new Date(base + n * 1000).toISOString();
  return {
    id: newId('order'),
    customer_id: `cus_${n % CUSTOMERS}`,
    currency: 'USD',
    items: JSON.stringify(items),
    subtotal: 5248,
    shipping_total: 0,
    tax_total: 0,
    discount_total: 0,
    total: 5248,
    state: STATES[n % STATES.length]!,
    version: 1,
    shipping_address: null,
    cancellation_reason: null,
    delivered_at: null,
    metadata: '{}',
    credit_total: 0,
    exchange_for_return_id: null,
    created_at: at,
    updated_at: at,
  };
}

export async function load(
  store: BenchStorage,
  from: number,
  to: number,
  ids: string[],
): Promise<void> {
  const db = store.db!;
  const base = Date.UTC(2024, 0, 1);
  for (let start = from; start < to; start += BATCH) {
    const rows = [];
    for (let n = start; n < Math.min(to, start + BATCH); n++) rows.push(orderRow(n, base));
    // A sample of ids to get (about 1 in 100), spread over the whole table.
    for (const r of rows) if (ids.length < 5000 && Math.random() < 0.01) ids.push(r.id);
    await db.insertInto('orderflow_orders').values(rows).execute();
  }
  // Fresh statistics for the planner and, on Postgres (which runs here with autovacuum
  // off), the visibility map and hint bits a bulk load leaves unset: without VACUUM the
  // first reads of every new page write it back.
  await sql.raw(store.backend === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db);
}

type Measured = Awaited<ReturnType<typeof measure>>;

async function measure(oms: OrderSystem, ids: readonly string[]) {
  const samples = 200;
  const pick = (i: number) => ids[(i * 7919) % ids.length]!;
  const list = await latency(samples, () => oms.orders.list({ limit: 20 }));
  const next = await latency(samples, async (i) => {
    const first = await oms.orders.list({ limit: 20, customerId: `cus_${i % CUSTOMERS}` });
    if (first.nextCursor) await oms.orders.list({ limit: 20, cursor: first.nextCursor });
  });
  const byState = await latency(samples, (i) =>
    oms.orders.list({ limit: 20, state: STATES[i % STATES.length] as 'pending' }),
  );
  const get = await latency(samples, (i) => oms.orders.get(pick(i)));
  return { list, customerTwoPages: next, byState, get };
}

export const growthStage: Stage = {
  name: 'growth',
  description: `list/get latency at BENCH_ORDERS (${process.env.BENCH_ORDERS ?? '100000'}) vs a hundredth of it`,
  async run(ctx) {
    const large = Number(process.env.BENCH_ORDERS ?? '100000');
    const small = Math.max(1000, Math.round(large / 100));
    for (const backend of SQL_BACKENDS) {
      // Two stores side by side, measured in alternating rounds: the latencies compared
      // are taken minutes apart otherwise, and load on a shared machine moves more than that.
      // No jobs: the sweep would take the loaded pending orders for unpaid ones and
      // cancel them while latencies are measured.
      const smallSys = await openSystem(backend, { startJobs: false });
      const largeSys = await openSystem(backend, { startJobs: false });
      try {
        const smallIds: string[] = [];
        const largeIds: string[] = [];
        let t = performance.now();
        await load(smallSys, 0, small, smallIds);
        await load(largeSys, 0, large, largeIds);
        ctx.log(
          `${backend}: loaded ${small} and ${large} orders in ${((performance.now() - t) / 1000).toFixed(1)} s`,
        );
        t = performance.now();
        await measure(smallSys.oms, smallIds); // warm-up
        await measure(largeSys.oms, largeIds);
        const rounds: { before: Measured; after: Measured }[] = [];
        for (let r = 0; r < 3; r++) {
          rounds.push({
            before: await measure(smallSys.oms, smallIds),
            after: await measure(largeSys.oms, largeIds),
          });
        }
        const sum = (m: Measured) =>
          m.list.p50Ms + m.customerTwoPages.p50Ms + m.byState.p50Ms + m.get.p50Ms;
        // The middle round by ratio.
        rounds.sort((a, b) => sum(a.after) / sum(a.before) - sum(b.after) / sum(b.before));
        const { before, after } = rounds[1]!;
        for (const key of Object.keys(before) as (keyof Measured)[]) {
          ctx.log(
            `${backend}: ${key} p50 ${before[key].p50Ms} ms → ${after[key].p50Ms} ms (p99 ${before[key].p99Ms} → ${after[key].p99Ms})`,
          );
        }
        ctx.figure({
          name: `${backend}: list+get latency ${large.toLocaleString('en-US')} vs ${small.toLocaleString('en-US')}`,
          value: round(sum(after) / sum(before)),
          unit: 'x',
          target: { op: '<=', value: 1.5 },
          detail: { small, large, before, after },
        });
      } finally {
        await smallSys.close();
        await largeSys.close();
      }
    }
  },
};
