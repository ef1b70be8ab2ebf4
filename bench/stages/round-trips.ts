/**
 * SQL statements (round trips, BEGIN and COMMIT included) per command, on SQLite and
 * Postgres, for one order walked through its lifecycle: those sent before the command
 * returns, and with them everything it sets off until jobs are idle (outbox deletes, the
 * jobs' own commands).
 */
import { type Backend, openSystem, orderInput, SQL_BACKENDS } from '../lib/backends.js';
import type { Stage } from '../lib/report.js';

export const roundTripsStage: Stage = {
  name: 'round-trips',
  description: 'SQL statements per command (one order, its lifecycle)',
  async run(ctx) {
    const counts: Record<string, Record<string, Count>> = {};
    for (const backend of SQL_BACKENDS) {
      counts[backend] = await countCommands(backend);
    }
    const commands = Object.keys(counts.sqlite!);
    ctx.log(`${''.padEnd(28)} own (with what it sets off)`);
    for (const command of commands) {
      const cell = (backend: Backend) => {
        const { own, total } = counts[backend]![command]!;
        return `${String(own).padStart(3)} (${String(total).padStart(3)})`;
      };
      ctx.log(`${command.padEnd(28)} sqlite ${cell('sqlite')}   postgres ${cell('postgres')}`);
    }
    for (const backend of SQL_BACKENDS) {
      const c = counts[backend]!;
      ctx.figure({
        name: `${backend}: statements, create + pay`,
        value: c['orders.create']!.total + c['payments.process']!.total,
        unit: 'stmts',
        detail: c,
      });
    }
  },
};

interface Count {
  /** Statements sent before the command returned. */
  own: number;
  /** With those that followed until jobs were idle. */
  total: number;
}

async function countCommands(backend: Backend): Promise<Record<string, Count>> {
  const sys = await openSystem(backend);
  const { oms, counter } = sys;
  const counts: Record<string, Count> = {};
  // What idle() itself sends with nothing to do (a claim, a count): not the command's.
  await oms.idle();
  counter.reset();
  await oms.idle();
  const idleCost = counter.count;
  const measure = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    await oms.idle();
    counter.reset();
    const value = await fn();
    const own = counter.count;
    await oms.idle();
    counts[name] = { own, total: counter.count - idleCost };
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
    return counts;
  } finally {
    await sys.close();
  }
}
