import { isReplayed, type OrderSystem } from 'orderflow';
import {
  deliveredOrder,
  type FakePaymentProvider,
  fakeCarrier,
  fakePaymentProvider,
  manualClock,
  orderInput,
} from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeSystems,
  DAY,
  MINUTE,
  survivingStorage,
  type TestSystemOptions,
  testStorage,
  testSystem,
  walkReturn,
} from '../managers/setup.js';

afterEach(closeSystems);

/** The recurring sweep is pushed out of the way so each test calls `oms.sweep()` itself. */
const CONFIG = { sweepIntervalMs: 30 * DAY };
const GRACE = 120_000;

/**
 * Runs `work` in a process whose job runner never starts, then "kills" it: the jobs it
 * enqueued die with its in-memory queue. Returns a second process on the same data.
 */
async function lostJobs<T>(
  work: (oms: OrderSystem, provider: FakePaymentProvider) => Promise<T>,
  options: Omit<TestSystemOptions, 'clock' | 'storage' | 'payments' | 'startJobs'> = {},
) {
  const clock = manualClock();
  const provider = fakePaymentProvider();
  const storage = await testStorage();
  const config = { ...CONFIG, ...options.config };
  const crashed = await testSystem({
    ...options,
    config,
    clock,
    payments: provider,
    storage: survivingStorage(storage),
    startJobs: false,
  });
  const result = await work(crashed.oms, provider);
  await crashed.oms.close();
  const next = await testSystem({ ...options, config, clock, payments: provider, storage });
  await next.oms.idle();
  return { ...next, result };
}

describe('workflow: the sweep re-enqueues work whose job was lost', () => {
  it('refunds a cancelled, paid order', async () => {
    const { oms, clock, provider, result } = await lostJobs(async (oms) => {
      const order = await oms.orders.create(orderInput());
      const payment = await oms.payments.process({
        orderId: order.id,
        paymentMethod: { token: 'tok_visa' },
      });
      await oms.orders.cancel(order.id);
      return { order, payment };
    });
    // Nothing happens by itself: the refund job is gone.
    expect((await oms.payments.get(result.payment.id)).state).toBe('captured');

    clock.advance(GRACE + 1);
    expect(await oms.sweep()).toBeGreaterThan(0);
    await oms.idle();

    expect(await oms.payments.get(result.payment.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: result.order.total,
    });
    expect(provider.ledger(result.payment.id)).toMatchObject({
      refunded: result.order.total,
      refunds: 1,
    });
  });

  it('leaves work alone during the grace period', async () => {
    const { oms, clock, result } = await lostJobs(async (oms) => {
      const order = await oms.orders.create(orderInput());
      const payment = await oms.payments.process({
        orderId: order.id,
        paymentMethod: { token: 'tok_visa' },
      });
      await oms.orders.cancel(order.id);
      return payment;
    });

    clock.advance(GRACE - 1_000);
    await oms.sweep();
    await oms.idle();

    expect((await oms.payments.get(result.id)).state).toBe('captured');
  });

  it('refunds a processed return and marks the fully returned order returned', async () => {
    const { oms, clock, result } = await lostJobs(async (oms) => {
      const order = await deliveredOrder(oms);
      const ret = await oms.returns.create({
        orderId: order.id,
        items: order.items.map((i) => ({
          orderItemId: i.id,
          quantity: i.quantity,
          reason: 'wrong_item' as const,
        })),
      });
      await walkReturn(oms, ret.id, 'processed');
      return { order, ret };
    });
    expect((await oms.returns.get(result.ret.id)).state).toBe('processed');

    clock.advance(GRACE + 1);
    await oms.sweep();
    await oms.idle();

    expect((await oms.returns.get(result.ret.id)).state).toBe('refunded');
    expect(await oms.orders.get(result.order.id)).toMatchObject({
      state: 'returned',
      refundedTotal: result.ret.refundAmount,
    });
  });

  it('books the pickup of an approved return', async () => {
    const carrier = fakeCarrier();
    const { oms, clock, result } = await lostJobs(
      async (oms) => {
        const order = await deliveredOrder(oms);
        const ret = await oms.returns.create({
          orderId: order.id,
          items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' }],
        });
        await oms.returns.transition(ret.id, { state: 'approved' });
        return ret;
      },
      { carrier },
    );
    expect((await oms.returns.get(result.id)).state).toBe('approved');

    clock.advance(GRACE + 1);
    await oms.sweep();
    await oms.idle();

    expect(await oms.returns.get(result.id)).toMatchObject({
      state: 'pickup_scheduled',
      pickup: carrier.bookings.get(result.id),
    });
  });

  it('confirms a pending order that was paid in full', async () => {
    const { oms, clock, result } = await lostJobs(async (oms) => {
      const order = await oms.orders.create(orderInput());
      await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
      return order;
    });
    expect((await oms.orders.get(result.id)).state).toBe('pending');

    clock.advance(GRACE + 1);
    await oms.sweep();
    await oms.idle();

    expect((await oms.orders.get(result.id)).state).toBe('confirmed');
  });

  it('cancels an unpaid order past its TTL', async () => {
    const { oms, clock, result } = await lostJobs((oms) => oms.orders.create(orderInput()));

    clock.advance(61 * MINUTE);
    await oms.sweep();
    await oms.idle();

    expect(await oms.orders.get(result.id)).toMatchObject({
      state: 'cancelled',
      cancellationReason: 'unpaid_timeout',
    });
  });

  it('settles a payment whose process died before the provider answer was recorded', async () => {
    const { oms, clock, provider, result } = await lostJobs(
      async (oms, provider) => {
        const order = await oms.orders.create(orderInput());
        provider.failNext('authorize', 'timeout_after_success');
        const error = await oms.payments
          .process(
            { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
            { idempotencyKey: 'checkout-1' },
          )
          .catch((e) => e);
        expect(error).toMatchObject({ code: 'provider_unavailable' });
        return { order, paymentId: error.details.paymentId as string };
      },
      { config: { providerRetries: 0 } },
    );
    const { order, paymentId } = result;
    expect((await oms.payments.get(paymentId)).state).toBe('pending');

    clock.advance(GRACE + 1);
    await oms.sweep();
    await oms.idle();

    expect(await oms.payments.get(paymentId)).toMatchObject({
      state: 'captured',
      capturedAmount: order.total,
    });
    expect(provider.ledger(paymentId).captured).toBe(order.total);
    expect(provider.calls.filter((c) => c.operation === 'capture')).toHaveLength(1);
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');

    // The client retrying with its key gets the settled payment, not a second charge.
    const retried = await oms.payments.process(
      { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
      { idempotencyKey: 'checkout-1' },
    );
    expect(retried).toMatchObject({ id: paymentId, state: 'captured' });
    expect(isReplayed(retried)).toBe(true);
    expect(provider.ledger(paymentId).captured).toBe(order.total);
  });

  it('runs on its own schedule, with no explicit call', async () => {
    const { oms, clock, result } = await lostJobs(
      async (oms) => {
        const order = await oms.orders.create(orderInput());
        await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
        return order;
      },
      { config: { sweepIntervalMs: MINUTE } },
    );

    for (let i = 0; i < 4; i++) {
      clock.advance(MINUTE);
      await oms.idle();
    }

    expect((await oms.orders.get(result.id)).state).toBe('confirmed');
  });
});
