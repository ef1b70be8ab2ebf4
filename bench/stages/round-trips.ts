/**
 * SQL statements (round trips, BEGIN and COMMIT included) per command, on SQLite and
 * Postgres, for one order walked through its lifecycle. Dispatch after commit (the outbox
 * delete, jobs' own commands) is counted with the command that caused it once jobs are idle.
 */
import { type Backend, openSystem, orderInput, SQL_BACKENDS } from '../lib/backends.js';
import type { Stage } from '../lib/report.js';

export const roundTripsStage: Stage = {
  name: 'round-trips',
  description: 'SQL statements per command (one order, its lifecycle)',
  async run(ctx) {
    const counts: Record<string, Record<string, number>> = {};
    for (const backend of SQL_BACKENDS) {
      counts[backend] = await countCommands(backend);
    }
    const commands = Object.keys(counts.sqlite!);
    for (const command of commands) {
      ctx.log(
        `${command.padEnd(28)} sqlite ${String(counts.sqlite![command]).padStart(3)}   postgres ${String(counts.postgres![command]).padStart(3)}`,
      );
    }
    for (const backend of SQL_BACKENDS) {
      ctx.figure({
        name: `${backend}: statements, create + pay`,
        value: counts[backend]!['orders.create']! + counts[backend]!['payments.process']!,
        unit: 'stmts',
        detail: counts[backend]!,
      });
    }
  },
};

async function countCommands(backend: Backend): Promise<Record<string, number>> {
  const sys = await openSystem(backend);
  const { oms, counter } = sys;
  const counts: Record<string, number> = {};
  const measure = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    await oms.idle();
    counter.reset();
    const value = await fn();
    counts[name] = counter.count;
    // What the command left for jobs (outbox delete, notifications) is counted apart.
    counter.reset();
    await oms.idle();
    counts[`  then jobs/dispatch`] = (counts['  then jobs/dispatch'] ?? 0) + counter.count;
    return value;
  };
  try {
    await oms.orders.create(orderInput(0)); // warm-up
    const order = await measure('orders.create', () => oms.orders.create(orderInput(1)));
    await measure('orders.create (idem key)', () =>
      oms.orders.create(orderInput(2), { idempotencyKey: `key-${Date.now()}` }),
    );
    await measure('orders.get', () => oms.orders.get(order.id));
    await measure('orders.list (20)', () => oms.orders.list({ limit: 20 }));
    await measure('payments.process', () =>
      oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } }),
    );
    await measure('orders.transition confirm', () =>
      oms.orders.transition(order.id, { state: 'confirmed' }),
    );
    await measure('orders.transition processing', () =>
      oms.orders.transition(order.id, { state: 'processing' }),
    );
    await measure('orders.transition ship', () =>
      oms.orders.transition(order.id, { state: 'shipped' }),
    );
    await measure('orders.transition deliver', () =>
      oms.orders.transition(order.id, { state: 'delivered' }),
    );
    const ret = await measure('returns.create', () =>
      oms.returns.create({
        orderId: order.id,
        items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
      }),
    );
    await measure('returns.transition approve', () =>
      oms.returns.transition(ret.id, { state: 'approved' }),
    );
    await oms.inventory.set('STOCKED', { onHand: 1_000_000 });
    await measure('orders.create (3 stocked)', () =>
      oms.orders.create({
        ...orderInput(3),
        items: orderInput(3).items.map((l) => ({ ...l, sku: 'STOCKED' })),
      }),
    );
    const jobs = counts['  then jobs/dispatch']!;
    delete counts['  then jobs/dispatch'];
    counts['(jobs and dispatch, all)'] = jobs;
    return counts;
  } finally {
    await sys.close();
  }
}
