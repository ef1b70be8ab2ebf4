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
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (let i = 0; i < n; i++) await oms.orders.create(input);
      const seconds = (performance.now() - t) / 1000;
      const used = process.cpuUsage(cpu);
      const cpuSeconds = (used.user + used.system) / 1e6;
      await oms.idle();
      ctx.log(
        `wall clock: ${round(n / seconds, 0)} ops/s; CPU: ${round((cpuSeconds / n) * 1e6, 1)} µs per create`,
      );
      // One caller keeps one core busy: ops per CPU-second is the one-core figure, and it
      // does not drop when other processes on the machine take the core away.
      ctx.figure({
        name: 'memory: create-order ops per CPU-second (one core)',
        value: round(n / cpuSeconds, 0),
        unit: 'ops/s',
        target: { op: '>=', value: 30_000 },
        detail: { wallOpsPerSec: round(n / seconds, 0) },
      });
      ctx.figure({
        name: 'memory: create-order ops/s, wall clock',
        value: round(n / seconds, 0),
        unit: 'ops/s',
      });
    } finally {
      await sys.close();
    }
  },
};
