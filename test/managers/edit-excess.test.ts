import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

describe('refunds of what an edit left over-paid', () => {
  it('takes the excess from the payment with most left to refund, and only the excess', async () => {
    const { oms, provider } = await testSystem();
    // 2 shirts at 1999 and a mug at 1200, shipping 500: total 5698.
    const order = await oms.orders.create(orderInput());
    const small = await oms.payments.process({
      orderId: order.id,
      amount: 1000,
      paymentMethod: visa,
    });
    const large = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();
    const mug = order.items.find((i) => i.sku === 'MUG')!;

    await oms.orders.edit(order.id, { items: [{ orderItemId: mug.id, quantity: 0 }] });
    await oms.idle();

    expect((await oms.payments.get(small.id)).refunds).toEqual([]);
    expect((await oms.payments.get(large.id)).refunds).toEqual([
      expect.objectContaining({ amount: mug.lineTotal, reason: 'order_edit', state: 'succeeded' }),
    ]);
    expect(provider.ledger(small.id).refunded).toBe(0);
    expect(provider.ledger(large.id).refunded).toBe(mug.lineTotal);
    expect(await oms.orders.get(order.id)).toMatchObject({
      total: order.total - mug.lineTotal,
      refundedTotal: mug.lineTotal,
      balanceDue: 0,
    });
  });

  it('spreads an excess larger than one payment’s refundable over the next one, and stops there', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const first = await oms.payments.process({
      orderId: order.id,
      amount: 3000,
      paymentMethod: visa,
    });
    const second = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();
    const [shirt, mug] = [
      order.items.find((i) => i.sku === 'TSHIRT-M')!,
      order.items.find((i) => i.sku === 'MUG')!,
    ];

    // Left: one shirt and shipping, 2499 of the 5698 paid; 3199 to give back.
    await oms.orders.edit(order.id, {
      items: [
        { orderItemId: shirt.id, quantity: 1 },
        { orderItemId: mug.id, quantity: 0 },
      ],
    });
    await oms.idle();

    expect(provider.ledger(first.id).refunded).toBe(3000);
    expect(provider.ledger(second.id).refunded).toBe(199);
    expect((await oms.orders.get(order.id)).refundedTotal).toBe(3199);
  });
});
