/**
 * Library overhead on SQLite and Postgres: create-order and the full lifecycle (create →
 * pay → confirm → ship → deliver → return → refund) through the managers vs the
 * hand-written kysely baseline on the same tables, 8 concurrent callers. Also reports the
 * SQL statements (round trips) per create.
 */

import {
  type BenchSystem,
  openStorage,
  openSystem,
  orderInput,
  SQL_BACKENDS,
} from '../lib/backends.js';
import { kyselyBaseline } from '../lib/baseline.js';
import { alternate, round, runConcurrent, scaled } from '../lib/measure.js';
import type { Stage } from '../lib/report.js';

const CONCURRENCY = 8;

/** The library's lifecycle of one order; resolves when the return's refund has settled. */
export function libraryLifecycle(sys: BenchSystem) {
  const { oms } = sys;
  const refunded = new Map<string, () => void>();
  oms.events.on('return.state_changed', (event) => {
    if (event.to === 'refunded') refunded.get(event.id)?.();
  });
  return async (i: number) => {
    const order = await oms.orders.create(orderInput(i));
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.orders.transition(order.id, { state: 'confirmed' });
    await oms.orders.transition(order.id, { state: 'processing' });
    await oms.orders.transition(order.id, { state: 'shipped' });
    await oms.orders.transition(order.id, { state: 'delivered' });
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    const done = new Promise<void>((resolve) => refunded.set(ret.id, resolve));
    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.returns.transition(ret.id, {
      state: 'pickup_scheduled',
      pickupAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    await oms.returns.transition(ret.id, { state: 'in_transit' });
    await oms.returns.transition(ret.id, { state: 'received' });
    await oms.returns.transition(ret.id, { state: 'processed' });
    await done;
    refunded.delete(ret.id);
  };
}

export const createStage: Stage = {
  name: 'create',
  description: 'create-order: library vs hand-written kysely, 8 callers',
  async run(ctx) {
    const n = scaled(2000);
    for (const backend of SQL_BACKENDS) {
      const sys = await openSystem(backend);
      try {
        // The baseline writes to its own copy of the tables (same schema, same indexes), so
        // the library's dispatcher never sees its outbox rows.
        const baseStore = await openStorage(backend);
        await baseStore.storage.migrate();
        const base = kyselyBaseline(baseStore.db!, backend);
        // Warm both paths up (JIT, connections, plans); then measure them in alternating rounds.
        await runConcurrent(200, CONCURRENCY, (i) => sys.oms.orders.create(orderInput(i)));
        await runConcurrent(200, CONCURRENCY, (i) => base.createOrder(i));
        await sys.oms.idle();
        // Statements per command, counted on a run of each (dispatch and jobs included).
        sys.counter.reset();
        await runConcurrent(100, CONCURRENCY, (i) => sys.oms.orders.create(orderInput(i)));
        await sys.oms.idle();
        const libStatements = sys.counter.count / 100;
        baseStore.counter.reset();
        await runConcurrent(100, CONCURRENCY, (i) => base.createOrder(i));
        const handStatements = baseStore.counter.count / 100;
        const { a: lib, b: hand } = await alternate(
          n,
          CONCURRENCY,
          (i) => sys.oms.orders.create(orderInput(i)),
          (i) => base.createOrder(i),
          { between: () => sys.oms.idle() },
        );
        ctx.figure({
          name: `${backend}: create library/kysely`,
          value: round(lib.opsPerSec / hand.opsPerSec),
          unit: 'x',
          target: { op: '>=', value: 0.8 },
          detail: { library: lib, kysely: hand },
        });
        ctx.log(
          `${backend}: library ${lib.opsPerSec}/s (p50 ${lib.p50Ms} ms, ${lib.cpuMsPerOp} ms CPU), kysely ${hand.opsPerSec}/s (p50 ${hand.p50Ms} ms, ${hand.cpuMsPerOp} ms CPU)`,
        );
        ctx.figure({
          name: `${backend}: Node CPU per create, library/kysely`,
          value: round(lib.cpuMsPerOp! / hand.cpuMsPerOp!),
          unit: 'x',
        });
        ctx.figure({
          name: `${backend}: SQL statements per create, library`,
          value: round(libStatements, 1),
          unit: 'stmts',
        });
        ctx.figure({
          name: `${backend}: SQL statements per create, kysely`,
          value: round(handStatements, 1),
          unit: 'stmts',
        });
        await baseStore.close();
      } finally {
        await sys.close();
      }
    }
  },
};

export const lifecycleStage: Stage = {
  name: 'lifecycle',
  description: 'full lifecycle: library vs hand-written kysely, 8 callers',
  async run(ctx) {
    // 800 lifecycles: with fewer, each alternating round lasts a fraction of a second and
    // JIT warm-up and GC pauses decide the ratio more than the code does.
    const n = scaled(800);
    for (const backend of SQL_BACKENDS) {
      const sys = await openSystem(backend);
      try {
        // The baseline writes to its own copy of the tables (same schema, same indexes), so
        // the library's dispatcher never sees its outbox rows.
        const baseStore = await openStorage(backend);
        await baseStore.storage.migrate();
        const base = kyselyBaseline(baseStore.db!, backend);
        const lifecycle = libraryLifecycle(sys);
        await runConcurrent(100, CONCURRENCY, lifecycle);
        await runConcurrent(100, CONCURRENCY, (i) => base.lifecycle(i));
        await sys.oms.idle();
        sys.counter.reset();
        await runConcurrent(16, CONCURRENCY, lifecycle);
        await sys.oms.idle();
        const libStatements = sys.counter.count / 16;
        baseStore.counter.reset();
        await runConcurrent(16, CONCURRENCY, (i) => base.lifecycle(i));
        const handStatements = baseStore.counter.count / 16;
        const { a: lib, b: hand } = await alternate(
          n,
          CONCURRENCY,
          lifecycle,
          (i) => base.lifecycle(i),
          {
            between: () => sys.oms.idle(),
          },
        );
        ctx.figure({
          name: `${backend}: lifecycle library/kysely`,
          value: round(lib.opsPerSec / hand.opsPerSec),
          unit: 'x',
          target: { op: '>=', value: 0.8 },
          detail: { library: lib, kysely: hand },
        });
        ctx.log(
          `${backend}: library ${lib.opsPerSec} lifecycles/s (${lib.cpuMsPerOp} ms CPU), kysely ${hand.opsPerSec}/s (${hand.cpuMsPerOp} ms CPU)`,
        );
        ctx.figure({
          name: `${backend}: Node CPU per lifecycle, library/kysely`,
          value: round(lib.cpuMsPerOp! / hand.cpuMsPerOp!),
          unit: 'x',
        });
        ctx.figure({
          name: `${backend}: SQL statements per lifecycle, library`,
          value: round(libStatements, 1),
          unit: 'stmts',
        });
        ctx.figure({
          name: `${backend}: SQL statements per lifecycle, kysely`,
          value: round(handStatements, 1),
          unit: 'stmts',
        });
        await baseStore.close();
      } finally {
        await sys.close();
      }
    }
  },
};
