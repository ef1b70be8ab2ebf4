import type { OrderSystem } from '../../create-order-system.js';
import type { Order } from '../../schemas/order.js';
import { orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData, withCode } from './assert.js';
import { assertStockInvariants } from './stock-invariants.js';
import { outcomes, type SystemFixture, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

/** Order edits and exchanges through the managers, with the races that touch their money. */
export function editCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  const fixture: SystemFixture = useSystem(test, factory);
  const { system, provider } = fixture;

  /** 3 cups at 1000 and shipping 500 (total 3500), paid in full and confirmed. */
  async function paidOrder(oms: OrderSystem, quantity = 3): Promise<Order> {
    const order = await oms.orders.create(
      orderInput({
        items: [{ sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 }],
        shippingTotal: 500,
      }),
    );
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    return oms.orders.get(order.id);
  }

  /** Money moved for the order: captured, and refunded at the provider (from its ledger). */
  async function money(oms: OrderSystem, orderId: string) {
    const payments = await oms.payments.listByOrder(orderId);
    let captured = 0;
    let refunded = 0;
    for (const p of payments) {
      const ledger = provider().ledger(p.id);
      captured += ledger.captured;
      refunded += ledger.refunded;
      assert.equal(ledger.captured, p.capturedAmount, `${p.id}: provider and record agree`);
      assert.equal(ledger.refunded, p.refundedAmount, `${p.id}: provider and record agree`);
    }
    return { captured, refunded, refunds: payments.flatMap((p) => p.refunds) };
  }

  it('refunds what an edit leaves over-paid exactly once, by a job', async () => {
    const oms = system();
    const order = await paidOrder(oms);
    assert.equal(order.state, 'confirmed');
    const cup = order.items[0]!;
    const edited = await oms.orders.edit(order.id, {
      items: [{ orderItemId: cup.id, quantity: 1 }],
    });
    assert.equal(edited.total, 1500);
    await oms.idle();
    await oms.sweep();
    await oms.idle();
    const after = await money(oms, order.id);
    sameData([after.captured, after.refunded], [3500, 2000]);
    sameData(
      after.refunds.map((r) => [r.reason, r.amount, r.state]),
      [['order_edit', 2000, 'succeeded']],
    );
    assert.equal((await oms.orders.get(order.id)).balanceDue, 0);
  });

  it('charges what an edit added when payments.process is called without an amount', async () => {
    const oms = system();
    const order = await paidOrder(oms, 1);
    const edited = await oms.orders.edit(order.id, {
      add: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 700 }],
    });
    assert.equal(edited.total, 2900);
    assert.equal(edited.balanceDue, 1400);
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    assert.equal(payment.capturedAmount, 1400);
    assert.equal((await oms.orders.get(order.id)).balanceDue, 0);
    await assert.rejects(
      oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } }),
      withCode('amount_exceeds_balance'),
    );
  });

  it('never refunds twice when an edit races a cancel', async () => {
    const oms = system();
    for (let round = 0; round < 4; round++) {
      const order = await paidOrder(oms);
      const cup = order.items[0]!;
      await Promise.allSettled([
        oms.orders.edit(order.id, { items: [{ orderItemId: cup.id, quantity: 1 }] }),
        oms.orders.cancel(order.id, { reason: 'changed mind' }),
      ]);
      await oms.idle();
      await oms.sweep();
      await oms.idle();
      const now = await oms.orders.get(order.id);
      const { captured, refunded } = await money(oms, order.id);
      assert.ok(refunded <= captured, `refunded ${refunded} of ${captured}`);
      if (now.state === 'cancelled') assert.equal(refunded, captured);
      else assert.equal(refunded, captured - now.total);
    }
  });

  it('never refunds twice when several edits race each other', async () => {
    const oms = system();
    const order = await paidOrder(oms, 5);
    const cup = order.items[0]!;
    await outcomes(
      [4, 3, 2, 1].map((quantity) =>
        oms.orders.edit(order.id, { items: [{ orderItemId: cup.id, quantity }] }),
      ),
    );
    await oms.idle();
    await oms.sweep();
    await oms.idle();
    // The edits apply one at a time in lock order, and the excess job may run between
    // them: 5 → 1 refunds 4000, and a later 1 → 2 then leaves 1000 owed. What holds in every
    // order: never more given back than the largest excess the order ever had, nothing
    // left over-paid, and the ledger and the balance agree.
    const now = await oms.orders.get(order.id);
    const { captured, refunded, refunds } = await money(oms, order.id);
    const lowestTotal = 1 * 1000 + 500;
    assert.ok(refunded <= captured - lowestTotal, `refunded ${refunded} of ${captured}`);
    assert.ok(
      refunded >= captured - now.total,
      `over-paid: ${captured - refunded} for ${now.total}`,
    );
    assert.equal(captured - refunded, now.total - now.balanceDue, 'ledger and balance agree');
    assert.ok(
      refunds.every((r) => r.state === 'succeeded' && r.reason === 'order_edit'),
      'only settled edit refunds',
    );
  });

  it('never lets an edit and a shipment both take the same units', async () => {
    const oms = system();
    for (let round = 0; round < 4; round++) {
      const order = await paidOrder(oms, 3);
      const cup = order.items[0]!;
      const [edit, ship] = await Promise.allSettled([
        oms.orders.edit(order.id, { items: [{ orderItemId: cup.id, quantity: 1 }] }),
        oms.shipments.create(order.id, { items: [{ orderItemId: cup.id, quantity: 3 }] }),
      ]);
      assert.ok(edit.status === 'rejected' || ship.status === 'rejected', 'one of them lost');
      const now = await oms.orders.get(order.id);
      const line = now.items.find((i) => i.id === cup.id)!;
      const live = (await oms.shipments.listByOrder(order.id))
        .filter((s) => s.state !== 'cancelled')
        .reduce((a, s) => a + s.items.reduce((b, i) => b + i.quantity, 0), 0);
      assert.ok(live <= line.quantity, `${live} units in shipments of a line of ${line.quantity}`);
    }
  });

  it('ships an order whose edit removes its last unshipped units', async () => {
    const oms = system();
    const order = await oms.orders.create(
      orderInput({
        items: [
          { sku: 'CUP', name: 'Cup', quantity: 2, unitPrice: 1000 },
          { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 500 },
        ],
      }),
    );
    await oms.orders.transition(order.id, { state: 'confirmed' });
    const [cup, mug] = order.items;
    const part = await oms.shipments.create(order.id, {
      items: [{ orderItemId: cup!.id, quantity: 2 }],
    });
    await oms.shipments.transition(part.id, { state: 'shipped' });
    await assert.rejects(
      oms.orders.edit(order.id, { items: [{ orderItemId: cup!.id, quantity: 1 }] }),
      withCode('edit_below_fulfilled'),
    );
    const edited = await oms.orders.edit(order.id, {
      items: [{ orderItemId: mug!.id, quantity: 0 }],
    });
    assert.equal(edited.state, 'shipped');
    sameData(
      edited.items.map((i) => i.id),
      [cup!.id],
    );
    sameData(
      (await oms.orders.history(order.id)).map((h) => h.event),
      ['CREATE', 'CONFIRM', 'PROCESS', 'EDIT', 'SHIP'],
    );
  });

  it('reserves and releases stock by the difference an edit makes', async () => {
    const oms = system();
    await oms.inventory.set('CUP', { onHand: 5 });
    await oms.inventory.set('MUG', { onHand: 1 });
    const order = await oms.orders.create(
      orderInput({ items: [{ sku: 'CUP', name: 'Cup', quantity: 4, unitPrice: 1000 }] }),
    );
    const cup = order.items[0]!;
    await assert.rejects(
      oms.orders.edit(order.id, {
        add: [{ sku: 'MUG', name: 'Mug', quantity: 2, unitPrice: 500 }],
      }),
      withCode('insufficient_stock'),
    );
    assert.equal((await oms.orders.get(order.id)).version, order.version);
    await oms.orders.edit(order.id, {
      items: [{ orderItemId: cup.id, quantity: 1 }],
      add: [{ sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 500 }],
    });
    sameData(
      [(await oms.inventory.get('CUP')).reserved, (await oms.inventory.get('MUG')).reserved],
      [1, 1],
    );
    await assertStockInvariants(oms, ['CUP', 'MUG']);
  });

  it('exchanges for another size: a replacement on approval, no money moved for an even swap', async () => {
    const oms = system();
    await oms.inventory.set('SHIRT-L', { onHand: 1 });
    const order = await oms.orders.create(
      orderInput({
        items: [{ sku: 'SHIRT-M', name: 'Shirt M', quantity: 1, unitPrice: 2000 }],
        shippingTotal: 0,
      }),
    );
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    for (const state of ['processing', 'shipped', 'delivered'] as const) {
      await oms.orders.transition(order.id, { state });
    }
    const exchange = {
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' as const }],
      exchangeItems: [{ sku: 'SHIRT-L', name: 'Shirt L', quantity: 1, unitPrice: 2000 }],
    };
    const preview = await oms.returns.preview(exchange);
    sameData(
      [preview.exchangeTotal, preview.creditTotal, preview.refundAmount, preview.balanceDue],
      [2000, 2000, 0, 0],
    );
    const ret = await oms.returns.create(exchange);
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });
    assert.ok(approved.exchangeOrderId);
    const replacement = await oms.orders.get(approved.exchangeOrderId);
    sameData(
      [
        replacement.state,
        replacement.creditTotal,
        replacement.balanceDue,
        replacement.exchangeForReturnId,
      ],
      ['pending', 2000, 0, ret.id],
    );
    assert.equal((await oms.inventory.get('SHIRT-L')).available, 0);
    for (const state of ['pickup_scheduled', 'in_transit', 'received'] as const) {
      await oms.returns.transition(ret.id, { state });
    }
    await oms.idle();
    assert.equal((await oms.orders.get(replacement.id)).state, 'confirmed');
    await oms.returns.transition(ret.id, { state: 'processed' });
    await oms.idle();
    assert.equal((await oms.returns.get(ret.id)).state, 'refunded');
    assert.equal((await oms.orders.get(order.id)).state, 'returned');
    const { refunded } = await money(oms, order.id);
    assert.equal(refunded, 0);
  });

  it('has a dearer replacement paid like any order, and a cancelled exchange cancels its replacement', async () => {
    const oms = system();
    const order = await oms.orders.create(
      orderInput({
        items: [{ sku: 'SHIRT-M', name: 'Shirt M', quantity: 2, unitPrice: 2000 }],
        shippingTotal: 0,
      }),
    );
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    for (const state of ['processing', 'shipped', 'delivered'] as const) {
      await oms.orders.transition(order.id, { state });
    }
    const line = order.items[0]!;
    const dearer = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: line.id, quantity: 1, reason: 'wrong_item' }],
      exchangeItems: [{ sku: 'JACKET', name: 'Jacket', quantity: 1, unitPrice: 3500 }],
    });
    sameData([dearer.creditTotal, dearer.refundAmount], [2000, 0]);
    const approved = await oms.returns.transition(dearer.id, { state: 'approved' });
    const replacementId = approved.exchangeOrderId!;
    for (const state of ['pickup_scheduled', 'in_transit', 'received'] as const) {
      await oms.returns.transition(dearer.id, { state });
    }
    await oms.idle();
    const owing = await oms.orders.get(replacementId);
    sameData([owing.state, owing.balanceDue], ['pending', 1500]);
    const paid = await oms.payments.process({
      orderId: replacementId,
      paymentMethod: { token: 'tok_visa' },
    });
    assert.equal(paid.capturedAmount, 1500);
    await oms.idle();
    assert.equal((await oms.orders.get(replacementId)).state, 'confirmed');

    const dropped = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: line.id, quantity: 1, reason: 'wrong_item' }],
      exchangeItems: [{ sku: 'SHIRT-S', name: 'Shirt S', quantity: 1, unitPrice: 2000 }],
    });
    const second = await oms.returns.transition(dropped.id, { state: 'approved' });
    await oms.returns.transition(dropped.id, { state: 'cancelled', reason: 'kept it after all' });
    assert.equal((await oms.orders.get(second.exchangeOrderId!)).state, 'cancelled');
  });
}
