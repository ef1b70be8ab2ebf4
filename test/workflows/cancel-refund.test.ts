import { DEFAULT_CONFIG } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, DAY, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

describe('workflow: an order cancelled after capture is refunded by a job', () => {
  it('refunds the whole capture once: payment refunded, refundedTotal = total', async () => {
    const { oms, provider, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();
    const refunded: string[] = [];
    oms.events.on('refund.succeeded', (e) => refunded.push(e.refund.reason ?? ''));

    await oms.orders.cancel(order.id, { reason: 'customer request' });
    await oms.idle();

    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: order.total,
    });
    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'cancelled',
      paidTotal: order.total,
      refundedTotal: order.total,
    });
    expect(refunded).toEqual(['order_cancelled']);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 1 });

    // Later sweeps find nothing left to give back.
    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 1 });
  });

  it('refunds what is left of every payment, after a partial refund by hand', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const first = await oms.payments.process({
      orderId: order.id,
      amount: 2000,
      paymentMethod: visa,
    });
    const second = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.payments.refund(first.id, { amount: 500, reason: 'goodwill' });
    await oms.idle();

    await oms.orders.cancel(order.id);
    await oms.idle();

    expect(await oms.payments.get(first.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: 2000,
    });
    expect(await oms.payments.get(second.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: order.total - 2000,
    });
    expect((await oms.orders.get(order.id)).refundedTotal).toBe(order.total);
    expect(provider.ledger(first.id)).toMatchObject({ refunded: 2000, refunds: 2 });
    expect(provider.ledger(second.id)).toMatchObject({ refunded: order.total - 2000, refunds: 1 });
  });

  it('voids an authorization that was never captured', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });

    await oms.orders.cancel(order.id);
    await oms.idle();

    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'voided',
      capturedAmount: 0,
      refunds: [],
    });
    expect(provider.calls.map((c) => c.operation)).toEqual(['authorize', 'void']);
    expect(provider.ledger(payment.id)).toMatchObject({ captured: 0, refunded: 0 });
  });

  it('gives nothing back when refundOnCancel is off', async () => {
    const { oms, provider } = await testSystem({ config: { refundOnCancel: false } });
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();

    await oms.orders.cancel(order.id);
    await oms.idle();

    expect((await oms.payments.get(payment.id)).state).toBe('captured');
    expect(provider.ledger(payment.id).refunded).toBe(0);
  });

  it('refunds a payment whose capture is recorded only after the cancel, however late', async () => {
    const { oms, provider, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    // The capture's answer is lost on every try: the payment stays pending in our records.
    provider.failNext('capture', 'timeout', DEFAULT_CONFIG.providerRetries + 1);
    const failure = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'provider_unavailable' });
    const [payment] = await oms.payments.listByOrder(order.id);
    await oms.orders.cancel(order.id);
    await oms.idle();

    // The sweep finishes the capture more than a week later (the sweep's window for
    // cancelled orders): the capture itself must bring the refund.
    clock.advance(8 * DAY);
    await oms.sweep();
    await oms.idle();

    expect(await oms.payments.get(payment!.id)).toMatchObject({
      state: 'refunded',
      capturedAmount: order.total,
      refundedAmount: order.total,
    });
    expect(provider.ledger(payment!.id)).toMatchObject({
      captured: order.total,
      refunded: order.total,
      refunds: 1,
    });
  });
});
