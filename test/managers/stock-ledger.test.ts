import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandLog, OutboxRecord, Repositories } from '../../src/ports/storage.js';
import { closeSystems, testStorage, testSystem, walkReturn } from './setup.js';

afterEach(closeSystems);

const cups = (quantity: number) =>
  orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 }] });

describe('stock counts and refusals', () => {
  it('changes only allowBackorder when a recount gives the same count', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 2 });
    const opened = await oms.inventory.set('CUP', { onHand: 2, allowBackorder: true });
    expect(opened).toMatchObject({ onHand: 2, allowBackorder: true, version: 2 });
    const order = await oms.orders.create(cups(5));
    expect(order.state).toBe('pending');
    expect(await oms.inventory.get('CUP')).toMatchObject({ reserved: 5, available: -3 });
  });

  it('never adjusts the count on hand below zero, even with backorders allowed', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 3, allowBackorder: true });
    await oms.orders.create(cups(1));
    const refusal = oms.inventory.adjust('CUP', { delta: -5, reason: 'lost' });
    await expect(refusal).rejects.toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'CUP', requested: 5, available: 2 },
    });
    await expect(refusal).rejects.toThrow('SKU CUP: cannot take 5 from 3 on hand');
    const emptied = await oms.inventory.adjust('CUP', { delta: -3, reason: 'lost' });
    expect(emptied).toMatchObject({ onHand: 0, reserved: 1, available: -1 });
  });

  it('releases what an edit takes off an order of one SKU', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('CUP', { onHand: 5 });
    const order = await oms.orders.create(cups(3));
    await oms.orders.edit(order.id, { items: [{ orderItemId: order.items[0]!.id, quantity: 1 }] });
    expect(await oms.inventory.get('CUP')).toMatchObject({ reserved: 1, available: 4 });
    expect((await oms.inventory.movements('CUP', { limit: 1 })).data[0]).toMatchObject({
      reason: 'release',
      reservedDelta: -2,
      orderId: order.id,
    });
  });

  it('names the SKU, what was asked and what is available when an order cannot have it', async () => {
    const { oms } = await testSystem({ config: { inventory: { requireStock: true } } });
    await oms.inventory.set('CUP', { onHand: 5 });
    await oms.orders.create(cups(3));
    const refusal = oms.orders.create(cups(3));
    await expect(refusal).rejects.toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'CUP', requested: 3, available: 2 },
    });
    await expect(refusal).rejects.toThrow('SKU CUP: 3 requested, 2 available');
    await expect(
      oms.orders.create(
        orderInput({ items: [{ sku: 'NEW', name: 'New', quantity: 1, unitPrice: 100 }] }),
      ),
    ).rejects.toMatchObject({ code: 'sku_not_stocked', details: { sku: 'NEW' } });
  });
});

describe('the stock ledger', () => {
  it('links each movement to the order, shipment or return that made it', async () => {
    const { oms } = await testSystem();
    await oms.inventory.set('MUG', { onHand: 10 });
    const order = await deliveredOrder(oms);
    const mug = order.items.find((i) => i.sku === 'MUG')!;
    const [shipment] = await oms.shipments.listByOrder(order.id);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: mug.id, quantity: 1, reason: 'wrong_item' }],
    });
    await walkReturn(oms, ret.id, 'received');
    const cancelled = await oms.orders.create(
      orderInput({ items: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 1200 }] }),
    );
    await oms.orders.cancel(cancelled.id);

    const { data } = await oms.inventory.movements('MUG');
    const links = data.map((m) => [m.reason, m.orderId, m.shipmentId, m.returnId]);
    expect(links.reverse()).toEqual([
      ['set', undefined, undefined, undefined],
      ['reserve', order.id, undefined, undefined],
      ['ship', order.id, shipment!.id, undefined],
      ['restock', order.id, undefined, ret.id],
      ['reserve', cancelled.id, undefined, undefined],
      ['release', cancelled.id, undefined, undefined],
    ]);
    expect(await oms.inventory.get('MUG')).toMatchObject({ onHand: 10, reserved: 0 });
  });

  it('releases nothing of a SKU the order never held (it was not tracked when ordered)', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(
      orderInput({ items: [{ sku: 'LATE', name: 'Late', quantity: 2, unitPrice: 100 }] }),
    );
    await oms.inventory.set('LATE', { onHand: 10 });
    await oms.orders.edit(order.id, {
      items: [{ orderItemId: order.items[0]!.id, quantity: 1 }],
    });
    expect(await oms.inventory.get('LATE')).toMatchObject({ reserved: 0, version: 1 });
    expect((await oms.inventory.movements('LATE')).data.map((m) => m.reason)).toEqual(['set']);
  });

  it('ships from reserved only what the order still holds after an earlier shipment of the same command', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(
      orderInput({ items: [{ sku: 'LATE', name: 'Late', quantity: 1, unitPrice: 100 }] }),
    );
    await oms.inventory.set('LATE', { onHand: 10 });
    // Tracked only now: the order holds the 2 units the edit adds, not the first one.
    const edited = await oms.orders.edit(order.id, {
      items: [{ orderItemId: order.items[0]!.id, quantity: 3 }],
    });
    expect(await oms.inventory.get('LATE')).toMatchObject({ onHand: 10, reserved: 2 });
    await oms.orders.transition(order.id, { state: 'confirmed' });
    await oms.shipments.create(order.id, {
      items: [{ orderItemId: edited.items[0]!.id, quantity: 2 }],
    });

    // One command ships the pending shipment (2 units, both held), then the unit left.
    await oms.orders.transition(order.id, { state: 'shipped' });

    expect(await oms.inventory.get('LATE')).toMatchObject({ onHand: 7, reserved: 0 });
    const moves = (await oms.inventory.movements('LATE')).data.filter((m) => m.reason === 'ship');
    expect(moves).toHaveLength(2);
    expect(moves.reduce((sum, m) => sum + m.reservedDelta, 0)).toBe(-2);
  });
});

describe('the low-stock event of a reservation', () => {
  it('is written to the outbox in the command that reserved, not only dispatched', async () => {
    const storage = await testStorage();
    const written: string[] = [];
    const record = (events: readonly { name: string }[] = []) => {
      for (const e of events) written.push(e.name);
    };
    // The command's transaction, with every outbox write it makes recorded.
    const spied = new Proxy(storage, {
      get(target, key, receiver) {
        if (key !== 'transaction') return Reflect.get(target, key, receiver);
        return (fn: (tx: Repositories) => Promise<unknown>) =>
          target.transaction((tx) =>
            fn(
              new Proxy(tx, {
                get(t, k, r) {
                  const value = Reflect.get(t, k, r);
                  if (k === 'appendLog' && value) {
                    return (log: CommandLog) => {
                      record(log.events);
                      return t.appendLog!(log);
                    };
                  }
                  if (k !== 'outbox') return value;
                  return {
                    ...t.outbox,
                    insert: (events: OutboxRecord[]) => {
                      record(events);
                      return t.outbox.insert(events);
                    },
                  };
                },
              }),
            ),
          );
      },
    });
    const { oms } = await testSystem({
      storage: spied,
      config: { inventory: { lowStockThreshold: 2 } },
    });
    await oms.inventory.set('CUP', { onHand: 3 });
    written.length = 0;

    await oms.orders.create(cups(1));

    expect(written).toContain('order.created');
    expect(written).toContain('inventory.low_stock');
  });
});
