import type { Order, OrderflowEventMap, Shipment } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, DAY, testSystem } from './setup.js';

afterEach(closeSystems);

type Oms = Awaited<ReturnType<typeof testSystem>>['oms'];

/** An order of 3 cups and 1 mug, moved to confirmed. */
async function confirmed(oms: Oms): Promise<Order> {
  const order = await oms.orders.create(
    orderInput({
      items: [
        { sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 },
        { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
      ],
    }),
  );
  return oms.orders.transition(order.id, { state: 'confirmed' });
}

async function moves(oms: Oms, shipment: Shipment): Promise<[string, string | undefined][]> {
  return (await oms.shipments.history(shipment.id)).map((h) => [h.event, h.actor]);
}

describe('an order shipped or delivered as a whole', () => {
  it('ships pending shipments as they are and the rest as one new shipment; cancelled and shipped ones stay', async () => {
    const { oms, clock } = await testSystem();
    const order = await confirmed(oms);
    const [cup, mug] = order.items;
    const pending = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup!.id, quantity: 1 }],
    });
    const early = await oms.shipments.transition(
      (await oms.shipments.create(order.id, { items: [{ orderItemId: cup!.id, quantity: 1 }] })).id,
      { state: 'shipped' },
    );
    const dropped = await oms.shipments.transition(
      (await oms.shipments.create(order.id, { items: [{ orderItemId: mug!.id, quantity: 1 }] })).id,
      { state: 'cancelled' },
    );
    clock.advance(DAY);

    const shipped = await oms.orders.transition(
      order.id,
      { state: 'shipped', carrier: 'DHL' },
      { actor: 'warehouse' },
    );

    expect(shipped.state).toBe('shipped');
    const after = await oms.shipments.listByOrder(order.id);
    expect(after).toHaveLength(4);
    expect(after.find((s) => s.id === early.id)).toEqual(early);
    expect(after.find((s) => s.id === dropped.id)).toEqual(dropped);
    expect(after.find((s) => s.id === pending.id)).toMatchObject({ state: 'shipped', version: 2 });
    expect(await moves(oms, pending)).toEqual([
      ['CREATE', undefined],
      ['SHIP', 'warehouse'],
    ]);
    const rest = after.find((s) => ![pending.id, early.id, dropped.id].includes(s.id))!;
    // Only the units in no live shipment, and no line with nothing left.
    expect(rest).toMatchObject({
      state: 'shipped',
      carrier: 'DHL',
      items: [
        { orderItemId: cup!.id, quantity: 1 },
        { orderItemId: mug!.id, quantity: 1 },
      ],
    });
    expect(await moves(oms, rest)).toEqual([
      ['CREATE', 'warehouse'],
      ['SHIP', 'warehouse'],
    ]);
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      to: 'shipped',
      actor: 'warehouse',
    });

    clock.advance(DAY);
    const delivered = await oms.orders.transition(
      order.id,
      { state: 'delivered' },
      { actor: 'courier' },
    );

    expect(delivered).toMatchObject({
      state: 'delivered',
      deliveredAt: new Date(clock.now()).toISOString(),
    });
    const final = await oms.shipments.listByOrder(order.id);
    expect(final.find((s) => s.id === dropped.id)).toEqual(dropped);
    expect(final.filter((s) => s.state === 'delivered')).toHaveLength(3);
    expect(await moves(oms, rest)).toEqual([
      ['CREATE', 'warehouse'],
      ['SHIP', 'warehouse'],
      ['DELIVER', 'courier'],
    ]);
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      to: 'delivered',
      actor: 'courier',
    });
  });

  it('makes no new shipment when every unit is already in one', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const created: OrderflowEventMap['shipment.created'][] = [];
    oms.events.on('shipment.created', (e) => created.push(e));
    const all = await oms.shipments.create(order.id);

    await oms.orders.transition(order.id, { state: 'shipped' });

    const after = await oms.shipments.listByOrder(order.id);
    expect(after.map((s) => [s.id, s.state])).toEqual([[all.id, 'shipped']]);
    expect(created).toEqual([
      expect.objectContaining({ id: all.id, at: all.createdAt, entity: all }),
    ]);
  });
});

describe('an edit that removes the last undelivered units', () => {
  it('delivers the order at its last delivery, not at the time of the edit', async () => {
    const { oms, clock } = await testSystem();
    const order = await confirmed(oms);
    const [cup, mug] = order.items;
    const first = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup!.id, quantity: 3 }],
    });
    await oms.shipments.transition(first.id, { state: 'shipped' });
    clock.advance(DAY);
    const delivered = await oms.shipments.transition(first.id, { state: 'delivered' });
    clock.advance(DAY);

    const edited = await oms.orders.edit(order.id, {
      items: [{ orderItemId: mug!.id, quantity: 0 }],
    });

    expect(edited).toMatchObject({ state: 'delivered', deliveredAt: delivered.deliveredAt });
  });
});

describe('order stamps', () => {
  it('sets deliveredAt only on delivery and cancellationReason only on a cancel', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const moved = await oms.orders.transition(
      order.id,
      { state: 'confirmed' },
      { reason: 'phone order' },
    );
    expect(moved.deliveredAt).toBeUndefined();
    expect(moved.cancellationReason).toBeUndefined();
    const cancelled = await oms.orders.cancel(order.id, { reason: 'changed mind' });
    expect(cancelled).toMatchObject({ state: 'cancelled', cancellationReason: 'changed mind' });
    expect(cancelled.deliveredAt).toBeUndefined();
  });
});

describe('cancelling an order with shipments', () => {
  it('cancels its pending shipments with the reason order_cancelled and leaves cancelled ones alone', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const [cup, mug] = order.items;
    const dropped = await oms.shipments.transition(
      (await oms.shipments.create(order.id, { items: [{ orderItemId: cup!.id, quantity: 1 }] })).id,
      { state: 'cancelled' },
    );
    const pending = await oms.shipments.create(order.id, {
      items: [{ orderItemId: mug!.id, quantity: 1 }],
    });

    const cancelled = await oms.orders.cancel(
      order.id,
      { reason: 'customer changed mind' },
      { actor: 'support' },
    );

    expect(cancelled.state).toBe('cancelled');
    expect(await oms.shipments.get(dropped.id)).toEqual(dropped);
    expect(await oms.shipments.get(pending.id)).toMatchObject({ state: 'cancelled' });
    expect((await oms.shipments.history(pending.id)).at(-1)).toMatchObject({
      event: 'CANCEL',
      actor: 'support',
      reason: 'order_cancelled',
    });
  });
});
