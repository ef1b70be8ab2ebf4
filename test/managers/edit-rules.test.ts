import type { OrderflowEventMap } from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

describe('orders.edit reports and refuses precisely', () => {
  it('lists in order.edited only what really changed', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const seen: OrderflowEventMap['order.edited'][] = [];
    oms.events.on('order.edited', (e) => seen.push(e));

    await oms.orders.edit(
      order.id,
      {
        items: order.items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })),
        taxTotal: 300,
        shippingTotal: order.shippingTotal,
      },
      { reason: 'tax corrected' },
    );
    await oms.idle();

    expect(seen).toHaveLength(1);
    expect(seen[0]!.reason).toBe('tax corrected');
    expect(seen[0]!.changes).toEqual({ taxTotal: { from: order.taxTotal, to: 300 } });
  });

  it('leaves a confirmed order without shipments confirmed', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await oms.orders.transition(order.id, { state: 'confirmed' });
    const edited = await oms.orders.edit(order.id, { taxTotal: 100 });
    expect(edited).toMatchObject({ state: 'confirmed', fulfillmentStatus: 'unfulfilled' });
  });

  it('names the line, the order and the units in its refusals', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.transition((await oms.orders.create(orderInput())).id, {
      state: 'confirmed',
    });
    const [shirt, mug] = order.items;
    await oms.shipments.create(order.id, { items: [{ orderItemId: shirt!.id, quantity: 2 }] });

    await expect(
      oms.orders.edit(order.id, { items: [{ orderItemId: shirt!.id, quantity: 1 }] }),
    ).rejects.toMatchObject({
      code: 'edit_below_fulfilled',
      details: { orderItemId: shirt!.id, requested: 1, inShipments: 2 },
    });
    await expect(
      oms.orders.edit(order.id, { items: [{ orderItemId: 'oli_unknown', quantity: 1 }] }),
    ).rejects.toMatchObject({
      code: 'order_item_not_found',
      details: { orderId: order.id, orderItemId: 'oli_unknown' },
    });
    const unshipped = await oms.orders.create(orderInput());
    await expect(
      oms.orders.edit(unshipped.id, {
        items: unshipped.items.map((i) => ({ orderItemId: i.id, quantity: 0 })),
      }),
    ).rejects.toMatchObject({ code: 'edit_empties_order', details: { orderId: unshipped.id } });
    expect((await oms.orders.get(order.id)).items.map((i) => i.quantity)).toEqual([
      shirt!.quantity,
      mug!.quantity,
    ]);
  });

  it('lets an order grow to 500 lines and no further', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(
      orderInput({ items: [{ sku: 'PIN', name: 'Pin', quantity: 1, unitPrice: 100 }] }),
    );
    const pins = (n: number) =>
      Array.from({ length: n }, () => ({ sku: 'PIN', name: 'Pin', quantity: 1, unitPrice: 100 }));

    const full = await oms.orders.edit(order.id, { add: pins(499) });
    expect(full.items).toHaveLength(500);

    await expect(oms.orders.edit(order.id, { add: pins(1) })).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['add'], code: 'too_big' })] },
    });
    expect((await oms.orders.get(order.id)).items).toHaveLength(500);
  });

  it('never takes a replacement paid by return credit below that credit', async () => {
    const { oms } = await testSystem();
    const delivered = await deliveredOrder(oms);
    const line = delivered.items[0]!;
    const ret = await oms.returns.create({
      orderId: delivered.id,
      items: [{ orderItemId: line.id, quantity: 1, reason: 'wrong_item' }],
      exchangeItems: [{ sku: 'OTHER', name: 'Other size', quantity: 1, unitPrice: line.unitPrice }],
    });
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });
    const replacement = await oms.orders.get(approved.exchangeOrderId!);
    expect(replacement.creditTotal).toBe(replacement.total);

    // Down to exactly the credit is fine; a cent below is not.
    const same = await oms.orders.edit(replacement.id, { taxTotal: replacement.taxTotal + 1 });
    const back = await oms.orders.edit(replacement.id, { taxTotal: replacement.taxTotal });
    expect([same.total, back.total]).toEqual([replacement.total + 1, replacement.total]);
    await expect(
      oms.orders.edit(replacement.id, { discountTotal: replacement.discountTotal + 1 }),
    ).rejects.toMatchObject({
      code: 'edit_below_credit',
      details: {
        orderId: replacement.id,
        creditTotal: replacement.creditTotal,
        total: replacement.total - 1,
      },
    });
    expect((await oms.orders.get(replacement.id)).total).toBe(replacement.total);
  });
});
