import { newId } from '../../domain/ids.js';
import type { StorageAdapter } from '../../ports/storage.js';
import { orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData, withCode } from './assert.js';
import { at, orderRecord, shipmentRecord, useStorage } from './fixtures.js';
import { outcomes, type SystemFixture, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

/** Shipments in storage, and the rules that hold them under parallel commands. */
export function shipmentCases(test: TestApi, factory: StorageFactory): void {
  const { describe } = test;
  describe('storage', () => storageCases(test, useStorage(test, factory)));
  describe('through the managers', () => managerCases(test, useSystem(test, factory)));
}

function storageCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;

  it('round-trips shipments with and without tracking, deep-equal', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const bare = shipmentRecord(order.id);
    const delivered = shipmentRecord(order.id, {
      state: 'delivered',
      items: order.items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })),
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
      shippedAt: at(2),
      deliveredAt: at(3),
      version: 3,
      createdAt: at(2),
      updatedAt: at(3),
    });
    await s.shipments.insert(bare);
    await s.shipments.insert(delivered);
    sameData(await s.shipments.get(bare.id), bare);
    sameData(await s.shipments.get(delivered.id), delivered);
    assert.equal(await s.shipments.get(newId('shipment')), undefined);
  });

  it('updates a shipment only at the expected version', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const shipment = shipmentRecord(order.id);
    await s.shipments.insert(shipment);
    const shipped = { ...shipment, state: 'shipped' as const, shippedAt: at(5), version: 2 };
    assert.equal(await s.shipments.update(shipped, 1), true);
    assert.equal(await s.shipments.update({ ...shipped, carrier: 'DHL', version: 3 }, 1), false);
    sameData(await s.shipments.get(shipment.id), shipped);
  });

  it("lists an order's shipments oldest first, and the shipments of many orders", async () => {
    const s = storage();
    const [a, b, c] = [orderRecord(), orderRecord(), orderRecord()];
    for (const o of [a, b, c]) await s.orders.insert(o);
    const second = shipmentRecord(a.id, { createdAt: at(5), updatedAt: at(5) });
    const first = shipmentRecord(a.id, { createdAt: at(2), updatedAt: at(2) });
    const other = shipmentRecord(b.id);
    for (const sh of [second, first, other]) await s.shipments.insert(sh);
    sameData(
      (await s.shipments.listByOrder(a.id)).map((x) => x.id),
      [first.id, second.id],
    );
    sameData(await s.shipments.listByOrder(c.id), []);
    const many = await s.shipments.listByOrders([a.id, b.id, c.id, a.id]);
    sameData(many.map((x) => x.id).sort(), [first.id, second.id, other.id].sort());
    sameData(await s.shipments.listByOrders([]), []);
  });
}

function managerCases(test: TestApi, fixture: SystemFixture): void {
  const { it } = test;
  const { system } = fixture;

  /** A paid, confirmed order with one line of `quantity` units (and a mug). */
  async function confirmedOrder(quantity = 3) {
    const oms = system();
    const order = await oms.orders.create(
      orderInput({
        items: [
          { sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 },
          { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
        ],
      }),
    );
    await oms.orders.transition(order.id, { state: 'confirmed' });
    return oms.orders.get(order.id);
  }

  async function liveUnits(orderId: string): Promise<Map<string, number>> {
    const units = new Map<string, number>();
    for (const s of await system().shipments.listByOrder(orderId)) {
      if (s.state === 'cancelled') continue;
      for (const i of s.items)
        units.set(i.orderItemId, (units.get(i.orderItemId) ?? 0) + i.quantity);
    }
    return units;
  }

  it('puts a unit in at most one live shipment: 3 of 10 parallel one-unit shipments of a 3-unit line', async () => {
    const oms = system();
    const order = await confirmedOrder(3);
    const cup = order.items[0]!;
    const { ok, codes } = await outcomes(
      Array.from({ length: 10 }, () =>
        oms.shipments.create(order.id, { items: [{ orderItemId: cup.id, quantity: 1 }] }),
      ),
    );
    assert.equal(ok.length, 3);
    sameData(codes, Array(7).fill('shipment_quantity_exceeded'));
    assert.equal((await liveUnits(order.id)).get(cup.id), 3);
    assert.equal((await oms.orders.get(order.id)).state, 'processing');
  });

  it('creates exactly one of 8 parallel shipments of everything left', async () => {
    const oms = system();
    const order = await confirmedOrder(2);
    const { ok, codes } = await outcomes(
      Array.from({ length: 8 }, () => oms.shipments.create(order.id)),
    );
    assert.equal(ok.length, 1);
    sameData(codes, Array(7).fill('shipment_quantity_exceeded'));
    sameData(
      ok[0]?.items,
      order.items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })),
    );
    const processing = (await oms.orders.history(order.id)).filter((h) => h.event === 'PROCESS');
    assert.equal(processing.length, 1);
  });

  it('says how many units are left when a shipment asks for too many, and writes nothing', async () => {
    const oms = system();
    const order = await confirmedOrder(3);
    const cup = order.items[0]!;
    await oms.shipments.create(order.id, { items: [{ orderItemId: cup.id, quantity: 2 }] });
    const before = await oms.shipments.listByOrder(order.id);
    const history = await oms.orders.history(order.id);
    await assert.rejects(
      oms.shipments.create(order.id, { items: [{ orderItemId: cup.id, quantity: 2 }] }),
      (error: { code?: string; details?: { remaining?: number } }) => {
        assert.equal(error.code, 'shipment_quantity_exceeded');
        assert.equal(error.details?.remaining, 1);
        return true;
      },
    );
    await oms.idle();
    sameData(await oms.shipments.listByOrder(order.id), before);
    sameData(await oms.orders.history(order.id), history);
  });

  it('refuses to ship an order that is not confirmed or processing', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    await assert.rejects(oms.shipments.create(order.id), withCode('order_not_fulfillable'));
    sameData(await oms.shipments.listByOrder(order.id), []);
    await oms.orders.cancel(order.id);
    await assert.rejects(oms.shipments.create(order.id), withCode('order_not_fulfillable'));
  });

  it('moves the order through processing, shipped and delivered as its split shipments go', async () => {
    const oms = system();
    const order = await confirmedOrder(2);
    const [cup, mug] = order.items;
    const first = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup!.id, quantity: 2 }],
    });
    assert.equal((await oms.orders.get(order.id)).state, 'processing');
    await oms.shipments.transition(first.id, { state: 'shipped' });
    let now = await oms.orders.get(order.id);
    assert.equal(now.state, 'processing');
    assert.equal(now.fulfillmentStatus, 'partially_shipped');
    sameData(
      now.items.map((i) => [i.shippedQuantity, i.deliveredQuantity]),
      [
        [2, 0],
        [0, 0],
      ],
    );

    const second = await oms.shipments.create(order.id, { carrier: 'DHL' });
    sameData(second.items, [{ orderItemId: mug!.id, quantity: 1 }]);
    await oms.shipments.transition(second.id, { state: 'shipped' });
    now = await oms.orders.get(order.id);
    assert.equal(now.state, 'shipped');
    assert.equal(now.fulfillmentStatus, 'shipped');

    await oms.shipments.transition(first.id, { state: 'delivered' });
    now = await oms.orders.get(order.id);
    assert.equal(now.state, 'shipped');
    assert.equal(now.fulfillmentStatus, 'partially_delivered');
    const last = await oms.shipments.transition(second.id, { state: 'delivered' });
    now = await oms.orders.get(order.id);
    assert.equal(now.state, 'delivered');
    assert.equal(now.fulfillmentStatus, 'delivered');
    assert.equal(now.deliveredAt, last.deliveredAt);
    sameData(
      (await oms.orders.history(order.id)).map((h) => h.event),
      ['CREATE', 'CONFIRM', 'PROCESS', 'SHIP', 'DELIVER'],
    );
  });

  it("lets a cancelled shipment's units go in another shipment", async () => {
    const oms = system();
    const order = await confirmedOrder(1);
    const first = await oms.shipments.create(order.id);
    await assert.rejects(oms.shipments.create(order.id), withCode('shipment_quantity_exceeded'));
    await oms.shipments.transition(first.id, { state: 'cancelled' });
    const again = await oms.shipments.create(order.id);
    sameData(again.items, first.items);
  });

  it('never both cancels an order and ships its units when the two race', async () => {
    const oms = system();
    for (let round = 0; round < 5; round++) {
      const order = await confirmedOrder(2);
      const shipment = await oms.shipments.create(order.id);
      const [cancel, ship] = await Promise.allSettled([
        oms.orders.cancel(order.id, { reason: 'changed mind' }),
        oms.shipments.transition(shipment.id, { state: 'shipped' }),
      ]);
      const after = await oms.orders.get(order.id);
      const stored = await oms.shipments.get(shipment.id);
      if (cancel.status === 'fulfilled') {
        assert.equal(ship.status, 'rejected');
        assert.equal(after.state, 'cancelled');
        assert.equal(stored.state, 'cancelled');
      } else {
        assert.equal(ship.status, 'fulfilled');
        // Every unit went out: the order is shipped, which the machine never cancels.
        withCode('invalid_transition')(cancel.reason);
        assert.equal(after.state, 'shipped');
        assert.equal(stored.state, 'shipped');
      }
    }
    await oms.idle();
  });

  it('refuses to cancel an order once part of it has shipped, and cancels only pending shipments', async () => {
    const oms = system();
    const order = await confirmedOrder(2);
    const cup = order.items[0]!;
    const gone = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup.id, quantity: 1 }],
    });
    await oms.shipments.transition(gone.id, { state: 'shipped' });
    await assert.rejects(oms.orders.cancel(order.id), withCode('order_partially_shipped'));
    assert.equal((await oms.orders.get(order.id)).state, 'processing');

    const other = await confirmedOrder(2);
    const waiting = await oms.shipments.create(other.id);
    const cancelled = await oms.orders.cancel(other.id, { reason: 'out of stock' });
    assert.equal(cancelled.state, 'cancelled');
    assert.equal((await oms.shipments.get(waiting.id)).state, 'cancelled');
  });

  it('ships everything left as one shipment when the order is moved to shipped', async () => {
    const oms = system();
    const order = await confirmedOrder(3);
    const cup = order.items[0]!;
    const pending = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup.id, quantity: 1 }],
    });
    const shipped = await oms.orders.transition(order.id, {
      state: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z1',
    });
    assert.equal(shipped.state, 'shipped');
    const all = await oms.shipments.listByOrder(order.id);
    assert.equal(all.length, 2);
    assert.equal(all[0]?.id, pending.id);
    assert.equal(all[0]?.state, 'shipped');
    sameData(all[1]?.items, [
      { orderItemId: cup.id, quantity: 2 },
      { orderItemId: order.items[1]!.id, quantity: 1 },
    ]);
    assert.equal(all[1]?.trackingNumber, '1Z1');
    const delivered = await oms.orders.transition(order.id, { state: 'delivered' });
    assert.equal(delivered.state, 'delivered');
    assert.ok((await oms.shipments.listByOrder(order.id)).every((s) => s.state === 'delivered'));
  });

  it('takes a return of the delivered part while the rest of the order is on its way', async () => {
    const oms = system();
    const order = await oms.orders.create(
      orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 }] }),
    );
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    const cup = order.items[0]!;
    const part = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup.id, quantity: 2 }],
    });
    await oms.shipments.transition(part.id, { state: 'shipped' });
    const line = (quantity: number) => ({
      orderId: order.id,
      items: [{ orderItemId: cup.id, quantity, reason: 'damaged' as const }],
    });
    await assert.rejects(oms.returns.create(line(1)), withCode('order_not_delivered'));
    await oms.shipments.transition(part.id, { state: 'delivered' });
    assert.equal((await oms.orders.get(order.id)).state, 'processing');
    await assert.rejects(oms.returns.create(line(3)), withCode('return_quantity_exceeded'));
    const { ok, codes } = await outcomes([1, 2, 3].map(() => oms.returns.create(line(1))));
    assert.equal(ok.length, 2);
    sameData(codes, ['return_quantity_exceeded']);
    await oms.idle();
  });
}
