import type { Order, OrderflowEventMap } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, DAY, recordingNotifier, testSystem } from './setup.js';

afterEach(closeSystems);

/** An order of 3 cups and 1 mug, moved to confirmed. */
async function confirmed(oms: Awaited<ReturnType<typeof testSystem>>['oms']): Promise<Order> {
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

describe('shipments.create', () => {
  it('takes every unit not yet in a live shipment when no items are given', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const [cup, mug] = order.items;
    await oms.shipments.create(order.id, { items: [{ orderItemId: cup!.id, quantity: 1 }] });

    const rest = await oms.shipments.create(order.id, { carrier: 'UPS' });

    expect(rest).toMatchObject({
      id: expect.stringMatching(/^shp_/),
      orderId: order.id,
      state: 'pending',
      carrier: 'UPS',
      version: 1,
      items: [
        { orderItemId: cup!.id, quantity: 2 },
        { orderItemId: mug!.id, quantity: 1 },
      ],
    });
  });

  it('refuses bad input with a validation error naming the field, and writes nothing', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const cup = order.items[0]!.id;
    const bad = [
      [{ items: [] }, ['items']],
      [{ items: [{ orderItemId: cup, quantity: 0 }] }, ['items', 0, 'quantity']],
      [{ items: [{ orderItemId: cup, quantity: 1.5 }] }, ['items', 0, 'quantity']],
      [{ items: [{ orderItemId: 'ord_x', quantity: 1 }] }, ['items', 0, 'orderItemId']],
      [
        {
          items: [
            { orderItemId: cup, quantity: 1 },
            { orderItemId: cup, quantity: 1 },
          ],
        },
        ['items'],
      ],
      [{ trackingUrl: 'javascript:alert(1)' }, ['trackingUrl']],
      [{ carrier: '' }, ['carrier']],
      [{ warehouse: 'north' }, ['warehouse']],
    ] as const;
    for (const [input, path] of bad) {
      await expect(
        oms.shipments.create(order.id, input as never),
        JSON.stringify(input),
      ).rejects.toMatchObject({
        code: 'validation_error',
        details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
      });
    }
    expect(await oms.shipments.listByOrder(order.id)).toEqual([]);
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });

  it('names an unknown order and an unknown line', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    await expect(oms.shipments.create('ord_unknown')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      oms.shipments.create(order.id, { items: [{ orderItemId: 'oli_unknown', quantity: 1 }] }),
    ).rejects.toMatchObject({
      code: 'order_item_not_found',
      details: { orderItemId: 'oli_unknown' },
    });
    await expect(oms.shipments.listByOrder('ord_unknown')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('refuses an order that cannot ship and an order whose units are all in shipments, naming the order', async () => {
    const { oms } = await testSystem();
    const pending = await oms.orders.create(orderInput());
    await expect(oms.shipments.create(pending.id)).rejects.toMatchObject({
      code: 'order_not_fulfillable',
      details: { orderId: pending.id, state: 'pending' },
    });
    const order = await confirmed(oms);
    await oms.shipments.create(order.id);
    await expect(oms.shipments.create(order.id)).rejects.toMatchObject({
      code: 'shipment_quantity_exceeded',
      details: { orderId: order.id, remaining: 0 },
    });
    expect(await oms.shipments.listByOrder(order.id)).toHaveLength(1);
  });

  it('replays the first shipment for a repeated idempotency key', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const first = await oms.shipments.create(order.id, {}, { idempotencyKey: 'ship-1' });
    const again = await oms.shipments.create(order.id, {}, { idempotencyKey: 'ship-1' });
    expect(again).toEqual(first);
    expect(await oms.shipments.listByOrder(order.id)).toHaveLength(1);
    await expect(
      oms.shipments.create(order.id, { carrier: 'DHL' }, { idempotencyKey: 'ship-1' }),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });
});

describe('shipments.transition', () => {
  it('stamps shippedAt and deliveredAt and records every move in the history', async () => {
    const { oms, clock } = await testSystem();
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id);
    clock.advance(60_000);
    const shipped = await oms.shipments.transition(shipment.id, { state: 'shipped' });
    clock.advance(DAY);
    const delivered = await oms.shipments.transition(
      shipment.id,
      { event: 'DELIVER' },
      { expectedVersion: shipped.version, actor: 'courier' },
    );

    expect(shipped.shippedAt).toBe(new Date(Date.parse(shipment.createdAt) + 60_000).toISOString());
    expect(shipped.deliveredAt).toBeUndefined();
    expect(delivered.shippedAt).toBe(shipped.shippedAt);
    expect(delivered).toMatchObject({ state: 'delivered', version: 3 });
    expect(delivered.deliveredAt).toBe(
      new Date(Date.parse(shipped.shippedAt!) + DAY).toISOString(),
    );
    expect((await oms.shipments.history(shipment.id)).map((h) => [h.event, h.actor])).toEqual([
      ['CREATE', undefined],
      ['SHIP', undefined],
      ['DELIVER', 'courier'],
    ]);
    expect((await oms.orders.get(order.id)).deliveredAt).toBe(delivered.deliveredAt);
  });

  it('refuses a move the machine does not allow, a stale version, and is a no-op for the same state', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id);
    await expect(
      oms.shipments.transition(shipment.id, { state: 'delivered' }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { allowed: ['shipped', 'cancelled'] },
    });
    await expect(
      oms.shipments.transition(shipment.id, { state: 'shipped' }, { expectedVersion: 7 }),
    ).rejects.toMatchObject({ code: 'concurrency_conflict' });
    const same = await oms.shipments.transition(shipment.id, { state: 'pending' });
    expect(same).toEqual(shipment);
    const shipped = await oms.shipments.transition(shipment.id, { state: 'shipped' });
    await expect(
      oms.shipments.transition(shipment.id, { state: 'cancelled' }),
    ).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    expect(await oms.shipments.get(shipment.id)).toEqual(shipped);
  });

  it('names an unknown shipment on every call', async () => {
    const { oms } = await testSystem();
    const missing = 'shp_0000000000000000000000000';
    const notFound = { code: 'not_found', details: { entity: 'shipment', id: missing } };
    await expect(oms.shipments.get(missing)).rejects.toMatchObject(notFound);
    await expect(oms.shipments.history(missing)).rejects.toMatchObject(notFound);
    await expect(oms.shipments.transition(missing, { state: 'shipped' })).rejects.toMatchObject(
      notFound,
    );
    await expect(oms.shipments.updateTracking(missing, { carrier: 'DHL' })).rejects.toMatchObject(
      notFound,
    );
  });

  it('leaves a delivered shipment unchanged when it is moved to delivered again', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id);
    await oms.shipments.transition(shipment.id, { state: 'shipped' });
    const delivered = await oms.shipments.transition(shipment.id, { state: 'delivered' });
    expect(await oms.shipments.transition(shipment.id, { state: 'delivered' })).toEqual(delivered);
  });

  it('refuses the CANCEL event of a partly shipped order as a cancel is, and ships the rest with SHIP', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const cup = order.items[0]!;
    const first = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup.id, quantity: 1 }],
    });
    await oms.shipments.transition(first.id, { state: 'shipped' });
    const partlyShipped = {
      code: 'order_partially_shipped',
      details: { orderId: order.id, shippedUnits: 1 },
    };
    await expect(oms.orders.transition(order.id, { event: 'CANCEL' })).rejects.toMatchObject(
      partlyShipped,
    );
    await expect(oms.orders.cancel(order.id)).rejects.toMatchObject(partlyShipped);
    expect((await oms.orders.get(order.id)).state).toBe('processing');

    const shipped = await oms.orders.transition(order.id, { event: 'SHIP' });
    expect(shipped).toMatchObject({ state: 'shipped', fulfillmentStatus: 'shipped' });
    expect(await oms.shipments.listByOrder(order.id)).toHaveLength(2);
  });

  it('stores carrier and tracking given with a move as a tracking correction, then moves', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id, { carrier: 'UPS' });
    const shipped = await oms.shipments.transition(shipment.id, {
      state: 'shipped',
      carrier: 'DHL',
      trackingNumber: 'JD0001',
    });
    expect(shipped).toMatchObject({
      state: 'shipped',
      carrier: 'DHL',
      trackingNumber: 'JD0001',
      version: 3,
    });
    expect((await oms.shipments.history(shipment.id)).map((h) => h.event)).toEqual([
      'CREATE',
      'UPDATE_TRACKING',
      'SHIP',
    ]);
  });
});

describe('shipments.updateTracking', () => {
  it('corrects tracking with a history row and a shipment.tracking_updated event carrying before and after', async () => {
    const notifier = recordingNotifier();
    const { oms } = await testSystem({ notifier });
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id, {
      carrier: 'UPS',
      trackingNumber: '1Z-WRONG',
    });
    await oms.shipments.transition(shipment.id, { state: 'shipped' });
    const seen: OrderflowEventMap['shipment.tracking_updated'][] = [];
    oms.events.on('shipment.tracking_updated', (e) => seen.push(e));

    const fixed = await oms.shipments.updateTracking(
      shipment.id,
      { trackingNumber: '1Z-RIGHT', trackingUrl: 'https://track.example/1Z-RIGHT' },
      { actor: 'support' },
    );
    await oms.idle();

    expect(fixed).toMatchObject({
      carrier: 'UPS',
      trackingNumber: '1Z-RIGHT',
      trackingUrl: 'https://track.example/1Z-RIGHT',
      state: 'shipped',
      version: 3,
    });
    expect(seen).toEqual([
      expect.objectContaining({
        id: shipment.id,
        orderId: order.id,
        actor: 'support',
        before: { carrier: 'UPS', trackingNumber: '1Z-WRONG' },
        entity: fixed,
      }),
    ]);
    const last = (await oms.shipments.history(shipment.id)).at(-1);
    expect(last).toMatchObject({
      from: 'shipped',
      to: 'shipped',
      event: 'UPDATE_TRACKING',
      actor: 'support',
    });
    expect(notifier.received.map((n) => n.name)).toEqual(
      expect.arrayContaining([
        'shipment.created',
        'shipment.state_changed',
        'shipment.tracking_updated',
      ]),
    );
  });

  it('changes nothing when nothing changes, and refuses a delivered shipment', async () => {
    const { oms } = await testSystem();
    const order = await confirmed(oms);
    const shipment = await oms.shipments.create(order.id, { carrier: 'UPS', trackingNumber: '1Z' });
    expect(await oms.shipments.updateTracking(shipment.id, { carrier: 'UPS' })).toEqual(shipment);
    expect(await oms.shipments.updateTracking(shipment.id, { trackingNumber: '1Z' })).toEqual(
      shipment,
    );
    await expect(oms.shipments.updateTracking(shipment.id, {})).rejects.toMatchObject({
      code: 'validation_error',
    });
    await oms.shipments.transition(shipment.id, { state: 'shipped' });
    await oms.shipments.transition(shipment.id, { state: 'delivered' });
    await expect(
      oms.shipments.updateTracking(shipment.id, { trackingNumber: 'late' }),
    ).rejects.toMatchObject({ code: 'shipment_not_updatable', details: { state: 'delivered' } });
  });
});

describe('returns of split shipments', () => {
  it('counts the return window of each line from its own last delivery', async () => {
    const { oms, clock } = await testSystem({ config: { returnWindowDays: 10 } });
    const order = await confirmed(oms);
    const [cup, mug] = order.items;
    const first = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup!.id, quantity: 3 }],
    });
    await oms.shipments.transition(first.id, { state: 'shipped' });
    await oms.shipments.transition(first.id, { state: 'delivered' });
    clock.advance(8 * DAY);
    const second = await oms.shipments.create(order.id);
    await oms.shipments.transition(second.id, { state: 'shipped' });
    await oms.shipments.transition(second.id, { state: 'delivered' });
    clock.advance(3 * DAY);

    const line = (orderItemId: string) => ({
      orderId: order.id,
      items: [{ orderItemId, quantity: 1, reason: 'damaged' as const }],
    });
    await expect(oms.returns.preview(line(cup!.id))).rejects.toMatchObject({
      code: 'return_window_closed',
      details: { orderItemId: cup!.id },
    });
    await expect(oms.returns.preview(line(mug!.id))).resolves.toMatchObject({ refundAmount: 1200 });
  });
});
