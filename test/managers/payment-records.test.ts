import { DEFAULT_CONFIG } from 'orderflow';
import { type FakePaymentProvider, fakePaymentProvider, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

describe('capture answers', () => {
  it('fails the payment, captures nothing and drops the intent when the provider declines a manual capture', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    provider.failNext('capture', 'decline');

    await expect(oms.payments.capture(authorized.id, { amount: 1000 })).rejects.toMatchObject({
      code: 'payment_declined',
    });

    const after = await oms.payments.get(authorized.id);
    expect(after).toMatchObject({ state: 'failed', capturedAmount: 0 });
    expect(after.failureCode).toBeTruthy();
    expect(after.pendingCapture).toBeUndefined();
    expect(provider.ledger(authorized.id).captured).toBe(0);
  });

  it('keeps an automatic capture the provider answers later as an intent of the whole amount, which the sweep captures', async () => {
    const fake = fakePaymentProvider();
    let slow = true;
    /** The fake, except that its first capture answers `processing` without moving money. */
    const provider: FakePaymentProvider = {
      ...fake,
      async capture(request) {
        if (slow) {
          slow = false;
          return { status: 'processing', reference: request.providerReference };
        }
        return fake.capture(request);
      },
    };
    const { oms, clock } = await testSystem({ payments: provider });
    const order = await oms.orders.create(orderInput());

    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'provider_unavailable' });
    const [waiting] = await oms.payments.listByOrder(order.id);
    expect(waiting).toMatchObject({
      state: 'authorized',
      capturedAmount: 0,
      pendingCapture: { amount: order.total },
    });

    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();
    const settled = await oms.payments.get(waiting!.id);
    expect(settled).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(settled.pendingCapture).toBeUndefined();
    expect(fake.ledger(waiting!.id).captured).toBe(order.total);
  });

  it('writes a history row for a move of state only, not for a partial refund that stays partially_refunded', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.payments.refund(payment.id, { amount: 100 });
    await oms.payments.refund(payment.id, { amount: 200 });
    expect((await oms.payments.history(payment.id)).map((h) => [h.from, h.to])).toEqual([
      [null, 'pending'],
      ['pending', 'captured'],
      ['captured', 'partially_refunded'],
    ]);
  });

  it('counts one version per write of a payment', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    expect(payment.version).toBe(2);
    await oms.payments.refund(payment.id, { amount: 100 });
    // The refund intent, then its answer.
    expect((await oms.payments.get(payment.id)).version).toBe(4);
  });
});
