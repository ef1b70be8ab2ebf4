import { newId } from '../../domain/ids.js';
import type { StorageAdapter } from '../../ports/storage.js';
import type { InventoryRecord, StockMovement } from '../../schemas/inventory.js';
import { orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData, withCode } from './assert.js';
import { at, useStorage } from './fixtures.js';
import { assertStockInvariants } from './stock-invariants.js';
import { outcomes, type SystemFixture, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

function stock(sku: string, overrides: Partial<InventoryRecord> = {}): InventoryRecord {
  return {
    sku,
    onHand: 10,
    reserved: 0,
    allowBackorder: false,
    version: 1,
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

function movement(sku: string, overrides: Partial<StockMovement> = {}): StockMovement {
  return {
    id: newId('movement'),
    sku,
    onHandDelta: 0,
    reservedDelta: 0,
    reason: 'reserve',
    at: at(1),
    ...overrides,
  };
}

/** Stock records and the ledger in storage, and reservations under parallel commands. */
export function inventoryCases(test: TestApi, factory: StorageFactory): void {
  const { describe } = test;
  describe('storage', () => storageCases(test, useStorage(test, factory)));
  describe('through the managers', () => managerCases(test, useSystem(test, factory)));
  describe('with requireStock and a low-stock threshold', () =>
    strictCases(
      test,
      useSystem(test, factory, { inventory: { requireStock: true, lowStockThreshold: 2 } }),
    ));
}

function storageCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;

  it('round-trips stock records and updates them only at the expected version', async () => {
    const s = storage();
    const record = stock('SKU-“Ä”', { allowBackorder: true, onHand: 3, reserved: 5 });
    await s.inventory.insert(record);
    sameData(await s.inventory.get(record.sku), record);
    assert.equal(await s.inventory.get('missing'), undefined);
    const next = { ...record, reserved: 6, version: 2, updatedAt: at(2) };
    assert.equal(await s.inventory.update(next, 1), true);
    assert.equal(await s.inventory.update({ ...next, reserved: 7, version: 3 }, 1), false);
    sameData(await s.inventory.get(record.sku), next);
  });

  it('reads several stock records at once, in SKU order, leaving out untracked SKUs', async () => {
    const s = storage();
    for (const sku of ['M', 'A', 'Z']) await s.inventory.insert(stock(sku, { onHand: sku.length }));
    const getMany = s.inventory.getMany?.bind(s.inventory);
    if (!getMany) return; // optional: the core falls back to one get per SKU
    sameData(
      (await getMany(['Z', 'missing', 'A', 'M'])).map((r) => r.sku),
      ['A', 'M', 'Z'],
    );
    sameData(await getMany(['M']), [stock('M', { onHand: 1 })]);
    sameData(await getMany([]), []);
    const locked = await s.transaction(async (tx) =>
      tx.inventory.getMany!(['Z', 'A'], { forUpdate: true }),
    );
    sameData(
      locked.map((r) => r.sku),
      ['A', 'Z'],
    );
  });

  it('writes stock movements with a command log, in the ledger and what an order holds', async () => {
    const s = storage();
    await s.inventory.insert(stock('LOG'));
    const reserve = movement('LOG', { reservedDelta: 3, orderId: 'ord_log', at: at(1) });
    const release = movement('LOG', { reservedDelta: -1, orderId: 'ord_log', at: at(2) });
    await s.transaction(async (tx) => {
      if (tx.appendLog) {
        await tx.appendLog({
          history: [],
          movements: [reserve, release],
          events: [],
          deletedOutbox: [],
        });
      } else await tx.inventory.appendMovements([reserve, release]);
    });
    sameData((await s.inventory.movements('LOG', { limit: 10 })).data, [release, reserve]);
    sameData([...(await s.inventory.reservedForOrder('ord_log'))], [['LOG', 2]]);
  });

  it('writes the stock records a command log carries at their expected version, or none of the log', async () => {
    const s = storage();
    await s.inventory.insert(stock('LOG-A'));
    await s.inventory.insert(stock('LOG-B'));
    // Only stores that say so take stock writes in the log (else the core writes them).
    const inLog = await s.transaction(async (tx) => tx.stockWritesInLog === true);
    if (!inLog) return;
    const reserved = (sku: string, version: number) =>
      stock(sku, { reserved: 2, version, updatedAt: at(1) });
    const held = movement('LOG-A', { reservedDelta: 2, orderId: 'ord_log', at: at(1) });
    const log = (stale: boolean) => ({
      history: [],
      movements: [held],
      events: [],
      deletedOutbox: [],
      stock: [
        { record: reserved('LOG-A', 2), expectedVersion: 1 },
        { record: reserved('LOG-B', 2), expectedVersion: stale ? 7 : 1 },
      ],
    });

    await assert.rejects(
      s.transaction(async (tx) => tx.appendLog!(log(true))),
      withCode('concurrency_conflict'),
    );
    sameData(await s.inventory.getMany!(['LOG-A', 'LOG-B']), [stock('LOG-A'), stock('LOG-B')]);
    sameData((await s.inventory.movements('LOG-A', { limit: 10 })).data, []);

    await s.transaction(async (tx) => tx.appendLog!(log(false)));
    sameData(await s.inventory.getMany!(['LOG-A', 'LOG-B']), [
      reserved('LOG-A', 2),
      reserved('LOG-B', 2),
    ]);
    sameData((await s.inventory.movements('LOG-A', { limit: 10 })).data, [held]);
  });

  it('makes the reservations a command log carries where enough is available, answering the levels each left', async () => {
    const s = storage();
    await s.inventory.insert(stock('RES-A', { onHand: 5, reserved: 1 }));
    await s.inventory.insert(stock('RES-B', { onHand: 1, allowBackorder: true }));
    await s.inventory.insert(stock('RES-C', { onHand: 2 }));
    // Only stores that say so make reservations in the log (else the core locks and writes).
    const inLog = await s.transaction(async (tx) => tx.stockReservationsInLog === true);
    if (!inLog) return;
    const log = (reservations: { sku: string; quantity: number }[]) => ({
      history: [],
      movements: [],
      events: [],
      deletedOutbox: [],
      reservations: reservations.map((r) => ({ ...r, at: at(1) })),
    });

    const answer = await s.transaction(async (tx) =>
      tx.appendLog!(
        log([
          { sku: 'RES-A', quantity: 4 },
          { sku: 'RES-B', quantity: 3 },
          { sku: 'RES-C', quantity: 3 },
        ]),
      ),
    );
    sameData(answer, {
      reserved: [
        { onHand: 5, reserved: 5, allowBackorder: false, version: 2 },
        { onHand: 1, reserved: 3, allowBackorder: true, version: 2 },
        undefined,
      ],
    });
    sameData(await s.inventory.getMany!(['RES-A', 'RES-B', 'RES-C']), [
      stock('RES-A', { onHand: 5, reserved: 5, version: 2, updatedAt: at(1) }),
      stock('RES-B', {
        onHand: 1,
        reserved: 3,
        allowBackorder: true,
        version: 2,
        updatedAt: at(1),
      }),
      stock('RES-C', { onHand: 2 }),
    ]);
    // Nothing left to reserve on RES-A: the answer says so, and nothing moves.
    const short = await s.transaction(async (tx) =>
      tx.appendLog!(log([{ sku: 'RES-A', quantity: 1 }])),
    );
    sameData(short, { reserved: [undefined] });
    assert.equal((await s.inventory.get('RES-A'))?.reserved, 5);
  });

  it('lists SKUs in order, page by page, and those whose available is below a bound', async () => {
    const s = storage();
    for (const [sku, onHand, reserved] of [
      ['C', 5, 5],
      ['A', 10, 1],
      ['B', 2, 0],
      ['D', 0, 3],
    ] as const) {
      await s.inventory.insert(stock(sku, { onHand, reserved, allowBackorder: sku === 'D' }));
    }
    const first = await s.inventory.list({ limit: 3 });
    sameData(
      first.data.map((r) => r.sku),
      ['A', 'B', 'C'],
    );
    assert.ok(first.nextCursor);
    const second = await s.inventory.list({ limit: 3, cursor: first.nextCursor });
    sameData(
      second.data.map((r) => r.sku),
      ['D'],
    );
    assert.equal(second.nextCursor, null);
    // A page that takes exactly the rest has no next page.
    const whole = await s.inventory.list({ limit: 4 });
    assert.equal(whole.data.length, 4);
    assert.equal(whole.nextCursor, null);
    const low = await s.inventory.list({ limit: 10, belowAvailable: 1 });
    sameData(
      low.data.map((r) => r.sku),
      ['C', 'D'],
    );
  });

  it("lists a SKU's movements newest first and sums what each order holds reserved", async () => {
    const s = storage();
    const [order, other] = [newId('order'), newId('order')];
    const moves = [
      movement('A', { reason: 'set', onHandDelta: 10, at: at(1) }),
      movement('A', { reservedDelta: 3, orderId: order, at: at(2) }),
      movement('B', { reservedDelta: 1, orderId: order, at: at(2) }),
      movement('A', { reservedDelta: 2, orderId: other, at: at(3) }),
      movement('A', { reason: 'release', reservedDelta: -1, orderId: order, at: at(4) }),
      movement('A', {
        reason: 'ship',
        onHandDelta: -2,
        reservedDelta: -2,
        orderId: order,
        shipmentId: newId('shipment'),
        note: 'partial',
        at: at(5),
      }),
    ];
    await s.inventory.appendMovements(moves);
    await s.inventory.appendMovements([]); // writes nothing
    const first = await s.inventory.movements('A', { limit: 3 });
    sameData(first.data, [moves[5], moves[4], moves[3]]);
    const rest = await s.inventory.movements('A', { limit: 3, cursor: first.nextCursor! });
    sameData(rest.data, [moves[1], moves[0]]);
    assert.equal(rest.nextCursor, null);
    const whole = await s.inventory.movements('A', { limit: 5 });
    sameData(whole.data, [moves[5], moves[4], moves[3], moves[1], moves[0]]);
    assert.equal(whole.nextCursor, null);
    sameData([...(await s.inventory.reservedForOrder(order))].sort(), [
      ['A', 0],
      ['B', 1],
    ]);
    sameData([...(await s.inventory.reservedForOrder(newId('order')))], []);
  });
}

function managerCases(test: TestApi, fixture: SystemFixture): void {
  const { it } = test;
  const { system } = fixture;
  const cups = (quantity: number) =>
    orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 }] });

  it('lets exactly 10 of 40 parallel one-unit orders through on 10 units', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 10 });
    const { ok, codes } = await outcomes(
      Array.from({ length: 40 }, () => oms.orders.create(cups(1))),
    );
    assert.equal(ok.length, 10);
    sameData(codes, Array(30).fill('insufficient_stock'));
    const stock = await oms.inventory.get('CUP');
    sameData([stock.onHand, stock.reserved, stock.available], [10, 10, 0]);
    await assertStockInvariants(oms, ['CUP']);
  });

  it('lets parallel orders of two SKUs, listed in either order, through until one runs out', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 10 });
    await oms.inventory.set('PLATE', { onHand: 10 });
    const line = (sku: string) => ({ sku, name: sku, quantity: 1, unitPrice: 1000 });
    const { ok, codes } = await outcomes(
      Array.from({ length: 14 }, (_, i) =>
        oms.orders.create(
          orderInput({
            items: i % 2 ? [line('CUP'), line('PLATE')] : [line('PLATE'), line('CUP')],
          }),
        ),
      ),
    );
    assert.equal(ok.length, 10);
    sameData(codes, Array(4).fill('insufficient_stock'));
    for (const sku of ['CUP', 'PLATE']) assert.equal((await oms.inventory.get(sku)).reserved, 10);
    await assertStockInvariants(oms, ['CUP', 'PLATE']);
  });

  it('refuses an order it cannot fill with insufficient_stock and writes nothing', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 2 });
    const before = await oms.inventory.movements('CUP');
    const seen: string[] = [];
    oms.events.on('order.created', () => seen.push('order.created'));
    await assert.rejects(
      oms.orders.create(cups(3)),
      (error: { code?: string; details?: unknown }) => {
        assert.equal(error.code, 'insufficient_stock');
        sameData(error.details, { sku: 'CUP', requested: 3, available: 2 });
        return true;
      },
    );
    await oms.idle();
    sameData((await oms.orders.list()).data, []);
    sameData(await oms.inventory.movements('CUP'), before);
    sameData(seen, []);
    assert.equal(await oms.storage.outbox.count(), 0);
  });

  it('keeps reserved equal to what live orders hold while cancels race new orders', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 6 });
    const placed = await Promise.all(Array.from({ length: 6 }, () => oms.orders.create(cups(1))));
    await outcomes([
      ...placed.map((o) => oms.orders.cancel(o.id)),
      ...Array.from({ length: 10 }, () => oms.orders.create(cups(1))),
    ]);
    await oms.idle();
    await assertStockInvariants(oms, ['CUP']);
    const stock = await oms.inventory.get('CUP');
    assert.ok(stock.reserved <= 6);
  });

  it('lets cancels of two-SKU orders race new ones listed the other way round, without a deadlock', async () => {
    const oms = system();
    await oms.inventory.set('cup', { onHand: 6 });
    await oms.inventory.set('CUP-B', { onHand: 6 });
    const line = (sku: string) => ({ sku, name: sku, quantity: 1, unitPrice: 1000 });
    const placed = await Promise.all(
      Array.from({ length: 6 }, () =>
        oms.orders.create(orderInput({ items: [line('cup'), line('CUP-B')] })),
      ),
    );
    const { codes } = await outcomes([
      ...placed.map((o) => oms.orders.cancel(o.id)),
      ...Array.from({ length: 10 }, () =>
        oms.orders.create(orderInput({ items: [line('CUP-B'), line('cup')] })),
      ),
    ]);
    await oms.idle();
    // Only short stock may refuse a new order: no deadlock, no conflict.
    assert.ok(codes.every((code) => code === 'insufficient_stock'));
    await assertStockInvariants(oms, ['cup', 'CUP-B']);
  });

  it('never lets available fall below zero while an adjustment races orders', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 10 });
    const [adjusted, ...orders] = await Promise.allSettled<unknown>([
      oms.inventory.adjust('CUP', { delta: -6, reason: 'water damage' }),
      ...Array.from({ length: 10 }, () => oms.orders.create(cups(1))),
    ]);
    await oms.idle();
    await assertStockInvariants(oms, ['CUP']);
    const stock = await oms.inventory.get('CUP');
    assert.equal(stock.onHand, adjusted?.status === 'fulfilled' ? 4 : 10);
    assert.equal(stock.reserved, orders.filter((o) => o.status === 'fulfilled').length);
  });

  it('takes shipped units out of onHand and reserved, and restocks a received return unless damaged', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 5 });
    await oms.inventory.set('MUG', { onHand: 5 });
    const order = await oms.orders.create(
      orderInput({
        items: [
          { sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 },
          { sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 500 },
        ],
      }),
    );
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    const [cup, mug] = order.items;
    const part = await oms.shipments.create(order.id, {
      items: [
        { orderItemId: cup!.id, quantity: 2 },
        { orderItemId: mug!.id, quantity: 2 },
      ],
    });
    await oms.shipments.transition(part.id, { state: 'shipped' });
    sameData(
      [await oms.inventory.get('CUP'), await oms.inventory.get('MUG')].map((s) => [
        s.onHand,
        s.reserved,
      ]),
      [
        [3, 1],
        [3, 0],
      ],
    );
    await oms.shipments.transition(part.id, { state: 'delivered' });
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [
        { orderItemId: cup!.id, quantity: 1, reason: 'no_longer_needed' },
        { orderItemId: mug!.id, quantity: 1, reason: 'damaged' },
      ],
    });
    for (const state of ['approved', 'pickup_scheduled', 'in_transit', 'received'] as const) {
      await oms.returns.transition(ret.id, { state });
    }
    sameData(
      [(await oms.inventory.get('CUP')).onHand, (await oms.inventory.get('MUG')).onHand],
      [4, 3],
    );
    await assertStockInvariants(oms, ['CUP', 'MUG']);
  });

  it('lets a SKU that allows backorders go below zero available', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 1, allowBackorder: true });
    await oms.orders.create(cups(3));
    assert.equal((await oms.inventory.get('CUP')).available, -2);
    await assertStockInvariants(oms, ['CUP']);
  });

  it('leaves untracked SKUs unlimited', async () => {
    const oms = system();
    const order = await oms.orders.create(cups(1_000_000));
    assert.equal(order.state, 'pending');
    await assert.rejects(oms.inventory.get('CUP'), withCode('not_found'));
  });
}

function strictCases(test: TestApi, fixture: SystemFixture): void {
  const { it } = test;
  const { system } = fixture;

  it('refuses an order line whose SKU has no stock record with sku_not_stocked', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 5 });
    await assert.rejects(
      oms.orders.create(
        orderInput({
          items: [
            { sku: 'CUP', name: 'Cup', quantity: 1, unitPrice: 1000 },
            { sku: 'GHOST', name: 'Ghost', quantity: 1, unitPrice: 1000 },
          ],
        }),
      ),
      withCode('sku_not_stocked'),
    );
    assert.equal((await oms.inventory.get('CUP')).reserved, 0);
  });

  it('emits inventory.low_stock once when parallel orders take available to the threshold and past it', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 10 });
    const seen: { available: number; reserved: number }[] = [];
    oms.events.on('inventory.low_stock', (e) =>
      seen.push({ available: e.available, reserved: e.entity.reserved }),
    );
    const { ok, codes } = await outcomes(
      Array.from({ length: 12 }, () =>
        oms.orders.create(
          orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity: 1, unitPrice: 1000 }] }),
        ),
      ),
    );
    await oms.idle();
    assert.equal(ok.length, 10);
    sameData(codes, ['insufficient_stock', 'insufficient_stock']);
    sameData(seen, [{ available: 2, reserved: 8 }]);
  });

  it('emits inventory.low_stock once when available falls to the threshold', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 5 });
    const seen: number[] = [];
    oms.events.on('inventory.low_stock', (e) => seen.push(e.available));
    for (let i = 0; i < 4; i++) {
      await oms.orders.create(
        orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity: 1, unitPrice: 1000 }] }),
      );
    }
    await oms.idle();
    sameData(seen, [2]);
  });
}
