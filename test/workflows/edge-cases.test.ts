import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, MINUTE, testSystem, walkReturn } from '../managers/setup.js';

afterEach(closeSystems);

describe('start', () => {
  it('does nothing in the background until start() when built with startJobs: false', async () => {
    const { oms } = await testSystem({ startJobs: false });
    const order = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    expect((await oms.orders.get(order.id)).state).toBe('pending');

    await oms.start();
    await oms.start(); // a second call changes nothing
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });
});

describe('zero-total orders', () => {
  it('confirms a zero-total order at once instead of expiring it: it owes nothing', async () => {
    const { oms, clock } = await testSystem();
    const order = await oms.orders.create(
      orderInput({
        items: [{ sku: 'GIFT', name: 'Gift', quantity: 1, unitPrice: 0 }],
        shippingTotal: 0,
      }),
    );
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
    clock.advance(24 * 60 * MINUTE);
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });
});

describe('refund jobs after a decline', () => {
  it('tries a declined return refund again instead of replaying the decline', async () => {
    const { oms, provider } = await testSystem();
    const order = await deliveredOrder(oms);
    const item = order.items[0]!;
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: item.id, quantity: 1, reason: 'damaged' }],
    });
    provider.failNext('refund', 'decline');
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();

    const refunded = await oms.returns.get(ret.id);
    expect(refunded.state).toBe('refunded');
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment!.refunds.map((r) => r.state)).toEqual(['failed', 'succeeded']);
    expect(provider.ledger(payment!.id).refunded).toBe(ret.refundAmount);
  });

  it('tries a declined cancellation refund again', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    provider.failNext('refund', 'decline');
    await oms.orders.cancel(order.id, { reason: 'customer asked' });
    await oms.idle();

    const after = await oms.payments.get(payment.id);
    expect(after.state).toBe('refunded');
    expect(after.refunds.map((r) => r.state)).toEqual(['failed', 'succeeded']);
    expect(provider.ledger(payment.id).refunded).toBe(order.total);
  });
});

describe('return lines', () => {
  it('keeps the value and restocking fee of each returned line', async () => {
    const { oms } = await testSystem({
      config: { restockingFeePercent: { no_longer_needed: 10 } },
    });
    const order = await deliveredOrder(oms);
    const [shirt, mug] = order.items;
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [
        { orderItemId: shirt!.id, quantity: 1, reason: 'damaged' },
        { orderItemId: mug!.id, quantity: 1, reason: 'no_longer_needed' },
      ],
    });
    expect(ret.items.map((i) => [i.value, i.restockingFee])).toEqual([
      [1999, 0],
      [1200, 120],
    ]);
    expect(ret.refundAmount).toBe(1999 + 1200 - 120);
  });
});
