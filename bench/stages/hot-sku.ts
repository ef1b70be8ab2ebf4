/**
 * Stock reservations under contention: orders/s when every order takes one unit of the same
 * hot SKU vs when each order takes its own SKU, 8 concurrent callers, on SQLite and
 * Postgres (aim: hot ≥ 0.5 × cold), and the memory adapter's figure.
 */
import { type Backend, openSystem } from '../lib/backends.js';
import { alternate, round, runConcurrent, scaled } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

const CONCURRENCY = 8;

function stockedOrder(i: number, sku: string) {
  return {
    customerId: `cus_${i % 500}`,
    currency: 'USD',
    items: [{ sku, name: 'Stocked item', quantity: 1, unitPrice: 1500 }],
  };
}

export const hotSkuStage: Stage = {
  name: 'hot-sku',
  description: 'stock reservations: one hot SKU vs a SKU per order, 8 callers',
  async run(ctx) {
    for (const backend of ['memory', 'sqlite', 'postgres'] as Backend[]) {
      const n = scaled(backend === 'memory' ? 20_000 : 1500);
      const sys = await openSystem(backend);
      try {
        const { oms } = sys;
        // Plenty of stock everywhere, so no order is refused or crosses the low-stock mark.
        // Cold orders take SKUs by their index, and indexes run over both sides' rounds.
        await oms.inventory.set('HOT', { onHand: 100_000_000 });
        for (let i = 0; i < 2 * n + 100; i++) {
          await oms.inventory.set(`COLD-${i}`, { onHand: 100_000_000 });
        }
        await runConcurrent(100, CONCURRENCY, (i) => oms.orders.create(stockedOrder(i, 'HOT')));
        await runConcurrent(100, CONCURRENCY, (i) =>
          oms.orders.create(stockedOrder(i, `COLD-${2 * n + i}`)),
        );
        await oms.idle();
        const { a: hot, b: cold } = await alternate(
          n,
          CONCURRENCY,
          (i) => oms.orders.create(stockedOrder(i, 'HOT')),
          (i) => oms.orders.create(stockedOrder(i, `COLD-${i}`)),
          { between: () => oms.idle() },
        );
        const stock = await oms.inventory.get('HOT');
        if (stock.reserved !== hot.ops + 100) {
          throw new Error(`HOT reserved ${stock.reserved}, expected ${hot.ops + 100}`);
        }
        ctx.log(
          `${backend}: hot ${hot.opsPerSec}/s (p99 ${hot.p99Ms} ms), cold ${cold.opsPerSec}/s`,
        );
        ctx.figure({
          name: `${backend}: hot-SKU/cold-SKU orders/s`,
          value: round(hot.opsPerSec / cold.opsPerSec),
          unit: 'x',
          ...(backend === 'memory' ? {} : { target: { op: '>=' as const, value: 0.5 } }),
          detail: { hot, cold },
        });
        if (backend === 'memory') {
          ctx.figure({ name: 'memory: hot-SKU orders/s', value: hot.opsPerSec, unit: 'ops/s' });
        }
      } finally {
        await sys.close();
      }
    }
  },
};
