/** Memory adapter: create-order operations per second, one caller, one core. */
import { openSystem, orderInput } from '../lib/backends.js';
import { round, scaled } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

export const memoryStage: Stage = {
  name: 'memory',
  description: 'memory adapter create-order ops/s (one caller)',
  async run(ctx) {
    const sys = await openSystem('memory');
    try {
      const { oms } = sys;
      const input = orderInput(1);
      for (let i = 0; i < 3000; i++) await oms.orders.create(input);
      await oms.idle();
      const n = scaled(30_000, 1000);
      const t = performance.now();
      for (let i = 0; i < n; i++) await oms.orders.create(input);
      const seconds = (performance.now() - t) / 1000;
      await oms.idle();
      ctx.figure({
        name: 'memory: create-order ops/s',
        value: round(n / seconds, 0),
        unit: 'ops/s',
        target: { op: '>=', value: 30_000 },
      });
    } finally {
      await sys.close();
    }
  },
};
