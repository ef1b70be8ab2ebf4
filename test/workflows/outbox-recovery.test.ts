import { newId, type Order, type OrderRecord } from 'orderflow';
import { fakePaymentProvider, manualClock, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeSystems,
  recordingNotifier,
  survivingStorage,
  testStorage,
  testSystem,
} from '../managers/setup.js';

afterEach(closeSystems);

/**
 * Commits a cancellation the way a command does — order row, history row and outbox row
 * in one transaction — but never dispatches it, as if the process died right after commit.
 */
async function commitCancellationWithoutDispatch(
  system: Awaited<ReturnType<typeof testSystem>>,
  order: Order,
  availableAt: number,
): Promise<string> {
  const { oms, clock } = system;
  const now = new Date(clock.now()).toISOString();
  const { paidTotal, refundedTotal, ...record } = order;
  const next: OrderRecord = {
    ...record,
    state: 'cancelled',
    version: order.version + 1,
    cancellationReason: 'crash test',
    updatedAt: now,
  };
  const eventId = newId('event');
  await oms.storage.transaction(async (tx) => {
    expect(await tx.orders.update(next, order.version)).toBe(true);
    await tx.history.append({
      entity: 'order',
      entityId: order.id,
      from: order.state,
      to: 'cancelled',
      event: 'CANCEL',
      at: now,
    });
    await tx.outbox.insert([
      {
        id: eventId,
        name: 'order.state_changed',
        payload: {
          id: order.id,
          from: order.state,
          to: 'cancelled',
          event: 'CANCEL',
          at: now,
          entity: { ...next, paidTotal, refundedTotal },
        },
        createdAt: now,
        availableAt: new Date(availableAt).toISOString(),
        attempts: 0,
      },
    ]);
  });
  return eventId;
}

describe('workflow: an event committed but never dispatched is delivered later', () => {
  it('delivers the row to listeners, the notifier and the jobs it starts', async () => {
    const notifier = recordingNotifier();
    const system = await testSystem({ notifier });
    const { oms, clock, provider } = system;
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('order.state_changed', (e) => heard.push(`${e.from}→${e.to}`));

    const eventId = await commitCancellationWithoutDispatch(
      system,
      await oms.orders.get(order.id),
      clock.now() - 1_000,
    );
    expect(heard).toEqual([]);
    await oms.idle();

    expect(heard).toEqual(['confirmed→cancelled']);
    expect(notifier.received.filter((n) => n.id === eventId)).toHaveLength(1);
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: order.total,
    });
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 1 });
    expect(await oms.storage.outbox.count()).toBe(0);

    // Delivered once: later sweeps send nothing again.
    await oms.sweep();
    await oms.idle();
    expect(heard).toHaveLength(1);
  });

  it('waits out the lease of the dispatcher that died, then the sweep delivers', async () => {
    const notifier = recordingNotifier();
    const system = await testSystem({ notifier });
    const { oms, clock } = system;
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('order.state_changed', (e) => heard.push(e.to));

    const eventId = await commitCancellationWithoutDispatch(system, order, clock.now() + 10_000);
    await oms.sweep();
    await oms.jobs.idle();
    expect(heard).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(1);

    clock.advance(10_001);
    await oms.sweep();
    await oms.idle();

    expect(heard).toEqual(['cancelled']);
    expect(notifier.received.map((n) => n.id)).toContain(eventId);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('delivers rows left behind by a dead process when the next one starts', async () => {
    const clock = manualClock();
    const storage = await testStorage();
    const provider = fakePaymentProvider();
    const dead = await testSystem({
      clock,
      payments: provider,
      storage: survivingStorage(storage),
    });
    const order = await dead.oms.orders.create(orderInput());
    const payment = await dead.oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await dead.oms.idle();
    const eventId = await commitCancellationWithoutDispatch(
      dead,
      await dead.oms.orders.get(order.id),
      clock.now() - 1,
    );
    await dead.oms.close();

    const notifier = recordingNotifier();
    const next = await testSystem({ clock, payments: provider, storage, notifier });
    // Start-up alone picks the row up; no sweep, no idle() drain.
    await next.oms.jobs.idle();

    expect(notifier.received.filter((n) => n.id === eventId)).toEqual([
      expect.objectContaining({ name: 'order.state_changed' }),
    ]);
    expect(await next.oms.storage.outbox.count()).toBe(0);
    expect((await next.oms.payments.get(payment.id)).state).toBe('refunded');
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 1 });
  });
});
