import type { Notification, OrderSystem, StorageAdapter } from 'orderflow';
import { fakePaymentProvider, manualClock, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  closeSystems,
  recordingNotifier,
  survivingStorage,
  testStorage,
  testSystem,
} from '../managers/setup.js';

afterEach(closeSystems);

/** The default `outboxLeaseMs`: how long the committing process owns its outbox rows. */
const LEASE_MS = 30_000;

/**
 * A store whose next transaction commits and then fails, as a connection lost while the
 * database answered COMMIT: the command's writes are durable, but its process never
 * hears so and dispatches nothing — as if it died right after the commit.
 */
function losingCommitAnswers(base: StorageAdapter) {
  let loseNext = false;
  const storage: StorageAdapter = {
    ...base,
    transaction: async (fn) => {
      const lose = loseNext;
      loseNext = false;
      const result = await base.transaction(fn);
      if (lose) throw new Error('connection lost while committing');
      return result;
    },
  };
  return { storage, loseNextCommitAnswer: () => (loseNext = true) };
}

/** The notifications of an order moving to `cancelled`. */
const cancellations = (received: readonly Notification[]) =>
  received.filter(
    (n) => n.name === 'order.state_changed' && (n.payload as { to?: string }).to === 'cancelled',
  );

/** Cancels the order through the real command, whose commit answer is lost. */
async function cancelWithoutDispatch(
  oms: OrderSystem,
  loseNextCommitAnswer: () => void,
  orderId: string,
): Promise<void> {
  loseNextCommitAnswer();
  await expect(oms.orders.cancel(orderId, { reason: 'crash test' })).rejects.toThrow(
    'connection lost while committing',
  );
  expect((await oms.orders.get(orderId)).state).toBe('cancelled');
}

describe('workflow: an event committed but never dispatched is delivered later', () => {
  it('delivers the row to listeners, the notifier and the jobs it starts', async () => {
    const notifier = recordingNotifier();
    const { storage, loseNextCommitAnswer } = losingCommitAnswers(await testStorage());
    const { oms, clock, provider } = await testSystem({ notifier, storage });
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('order.state_changed', (e) => heard.push(`${e.from}→${e.to}`));

    await cancelWithoutDispatch(oms, loseNextCommitAnswer, order.id);
    await oms.idle();
    expect(heard).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(1);

    clock.advance(LEASE_MS + 1);
    await oms.sweep();
    await oms.idle();

    expect(heard).toEqual(['confirmed→cancelled']);
    expect(cancellations(notifier.received)).toHaveLength(1);
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

  it('delivers an event whose command wrote no history row, such as a dispute opened', async () => {
    const { storage, loseNextCommitAnswer } = losingCommitAnswers(await testStorage());
    const { oms, clock, provider } = await testSystem({ storage });
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('payment.disputed', (e) => heard.push(`${e.id}:${e.dispute.state}`));
    const historyBefore = await oms.payments.history(payment.id);

    loseNextCommitAnswer();
    const opened = provider.openDispute(payment.providerReference!, 1000);
    await expect(oms.payments.applyProviderEvent(opened)).rejects.toThrow(
      'connection lost while committing',
    );
    expect(await oms.payments.history(payment.id)).toEqual(historyBefore);
    expect(await oms.storage.outbox.count()).toBe(1);

    clock.advance(LEASE_MS + 1);
    await oms.sweep();
    await oms.idle();

    expect(heard).toEqual([`${payment.id}:open`]);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('waits out the lease of the dispatcher that died, then the sweep delivers', async () => {
    const notifier = recordingNotifier();
    const { storage, loseNextCommitAnswer } = losingCommitAnswers(await testStorage());
    const { oms, clock } = await testSystem({ notifier, storage });
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('order.state_changed', (e) => heard.push(e.to));

    await cancelWithoutDispatch(oms, loseNextCommitAnswer, order.id);
    clock.advance(LEASE_MS - 1);
    await oms.sweep();
    await oms.jobs.idle();
    expect(heard).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(1);

    clock.advance(2);
    await oms.sweep();
    await oms.idle();

    expect(heard).toEqual(['cancelled']);
    expect(cancellations(notifier.received)).toHaveLength(1);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('delivers rows left behind by a dead process when the next one starts', async () => {
    const clock = manualClock();
    const storage = await testStorage();
    const provider = fakePaymentProvider();
    const { storage: dying, loseNextCommitAnswer } = losingCommitAnswers(survivingStorage(storage));
    const dead = await testSystem({ clock, payments: provider, storage: dying });
    const order = await dead.oms.orders.create(orderInput());
    const payment = await dead.oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await dead.oms.idle();
    await cancelWithoutDispatch(dead.oms, loseNextCommitAnswer, order.id);
    await dead.oms.close();
    clock.advance(LEASE_MS + 1);

    const notifier = recordingNotifier();
    const next = await testSystem({ clock, payments: provider, storage, notifier });
    // Start-up alone picks the row up; no sweep, no idle() drain.
    await next.oms.jobs.idle();

    expect(cancellations(notifier.received)).toHaveLength(1);
    // The rows of the refund it set off are deleted a few milliseconds after dispatch.
    await vi.waitFor(async () => expect(await next.oms.storage.outbox.count()).toBe(0));
    expect((await next.oms.payments.get(payment.id)).state).toBe('refunded');
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 1 });
  });
});
