import { DEFAULT_CONFIG, type OrderflowEventMap } from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem, walkReturn } from './setup.js';

afterEach(closeSystems);

/** 2 shirts at 1999 and a mug at 1200, shipping 500: total 5698. */
const input = () => orderInput();

describe('orders.edit', () => {
  it('recomputes totals, writes an EDIT history row and order.edited with before, after and changes', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(input());
    const [shirt, mug] = order.items;
    const seen: OrderflowEventMap['order.edited'][] = [];
    oms.events.on('order.edited', (e) => seen.push(e));

    const edited = await oms.orders.edit(
      order.id,
      {
        items: [
          { orderItemId: shirt!.id, quantity: 1 },
          { orderItemId: mug!.id, quantity: 0 },
        ],
        add: [{ sku: 'CAP', name: 'Cap', quantity: 2, unitPrice: 800 }],
        shippingTotal: 0,
        shippingAddress: {
          line1: '1 Main St',
          city: 'Springfield',
          postalCode: '12345',
          country: 'US',
        },
      },
      { expectedVersion: 1, actor: 'support', reason: 'customer called' },
    );
    await oms.idle();

    expect(edited).toMatchObject({ subtotal: 3599, shippingTotal: 0, total: 3599, version: 2 });
    expect(edited.items.map((i) => [i.sku, i.quantity, i.lineTotal])).toEqual([
      ['TSHIRT-M', 1, 1999],
      ['CAP', 2, 1600],
    ]);
    expect(edited.items[1]!.id).toMatch(/^oli_/);
    expect(edited.shippingAddress?.city).toBe('Springfield');
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'pending',
      event: 'EDIT',
      actor: 'support',
      reason: 'customer called',
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      id: order.id,
      actor: 'support',
      before: { total: 5698 },
      after: { total: 3599 },
      changes: {
        items: [
          { orderItemId: shirt!.id, from: 2, to: 1 },
          { orderItemId: mug!.id, from: 1, to: 0 },
        ],
        added: [expect.objectContaining({ sku: 'CAP', quantity: 2 })],
        shippingTotal: { from: 500, to: 0 },
        shippingAddress: { from: null, to: expect.objectContaining({ city: 'Springfield' }) },
      },
      entity: expect.objectContaining({ total: 3599, version: 2 }),
    });
  });

  it('refuses edits the rules do not allow, and writes nothing', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(input());
    const [shirt, mug] = order.items;
    const refusals: [Parameters<typeof oms.orders.edit>[1], string][] = [
      [
        {
          items: [
            { orderItemId: shirt!.id, quantity: 0 },
            { orderItemId: mug!.id, quantity: 0 },
          ],
        },
        'edit_empties_order',
      ],
      [{ items: [{ orderItemId: 'oli_unknown', quantity: 1 }] }, 'order_item_not_found'],
      [{ discountTotal: 10_000 }, 'discount_exceeds_subtotal'],
    ];
    for (const [edit, code] of refusals) {
      await expect(oms.orders.edit(order.id, edit)).rejects.toMatchObject({ code });
    }
    await expect(
      oms.orders.edit(order.id, { taxTotal: 1 }, { expectedVersion: 9 }),
    ).rejects.toMatchObject({
      code: 'concurrency_conflict',
    });
    await expect(oms.orders.edit('ord_unknown', { taxTotal: 1 })).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await oms.orders.get(order.id)).toMatchObject({ version: 1, total: 5698 });
    expect((await oms.orders.history(order.id)).map((h) => h.event)).toEqual(['CREATE']);
  });

  it('refuses bad input with a validation error naming the field', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(input());
    const shirt = order.items[0]!;
    const bad: [unknown, (string | number)[]][] = [
      [{}, []],
      [{ items: [{ orderItemId: shirt.id, quantity: -1 }] }, ['items', 0, 'quantity']],
      [{ items: [{ orderItemId: shirt.id, quantity: 1.5 }] }, ['items', 0, 'quantity']],
      [{ add: [{ sku: 'X', name: 'X', quantity: 1, unitPrice: 1.5 }] }, ['add', 0, 'unitPrice']],
      [{ shippingTotal: -1 }, ['shippingTotal']],
      [{ total: 5 }, ['total']],
    ];
    for (const [edit, path] of bad) {
      await expect(
        oms.orders.edit(order.id, edit as never),
        JSON.stringify(edit),
      ).rejects.toMatchObject({
        code: 'validation_error',
        details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
      });
    }
  });

  it('edits only pending, confirmed and processing orders', async () => {
    const { oms } = await testSystem();
    const delivered = await deliveredOrder(oms);
    await expect(oms.orders.edit(delivered.id, { taxTotal: 1 })).rejects.toMatchObject({
      code: 'order_not_editable',
      details: { state: 'delivered' },
    });
    const cancelled = await oms.orders.create(input());
    await oms.orders.cancel(cancelled.id);
    await expect(oms.orders.edit(cancelled.id, { taxTotal: 1 })).rejects.toMatchObject({
      code: 'order_not_editable',
    });
  });

  it('replays an edit for a repeated idempotency key and refuses the key with another edit', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(input());
    const first = await oms.orders.edit(order.id, { taxTotal: 100 }, { idempotencyKey: 'edit-1' });
    const again = await oms.orders.edit(order.id, { taxTotal: 100 }, { idempotencyKey: 'edit-1' });
    expect(again).toEqual(first);
    expect((await oms.orders.get(order.id)).version).toBe(2);
    await expect(
      oms.orders.edit(order.id, { taxTotal: 200 }, { idempotencyKey: 'edit-1' }),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });

  it('refunds what an edit left over-paid once a refund that was in flight during the edit fails', async () => {
    const { oms, provider, clock } = await testSystem();
    const order = await oms.orders.create(input());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    // A goodwill refund of everything whose answer is lost: it stays pending.
    provider.failNext('refund', 'timeout', DEFAULT_CONFIG.providerRetries + 1);
    await expect(oms.payments.refund(payment.id, { reason: 'goodwill' })).rejects.toMatchObject({
      code: 'provider_unavailable',
    });
    // The edit leaves 1200 over-paid, but the pending refund already covers it.
    const mug = order.items.find((i) => i.sku !== order.items[0]!.sku) ?? order.items[1]!;
    const edited = await oms.orders.edit(order.id, {
      items: [{ orderItemId: mug.id, quantity: 0 }],
    });
    expect(edited.total).toBe(order.total - mug.lineTotal);
    await oms.idle();

    // The sweep finishes the pending refund: the provider declines it.
    provider.failNext('refund', 'decline');
    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const [after] = await oms.payments.listByOrder(order.id);
    expect(after!.refunds.map((r) => [r.reason, r.amount, r.state])).toEqual([
      ['goodwill', order.total, 'failed'],
      ['order_edit', mug.lineTotal, 'succeeded'],
    ]);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: mug.lineTotal, refunds: 1 });
    expect((await oms.orders.get(order.id)).balanceDue).toBe(0);
  });
});

describe('balanceDue', () => {
  it('follows payments, refunds and edits, and never counts a return refund as owed again', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(input());
    expect(order.balanceDue).toBe(5698);
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    expect((await oms.orders.get(order.id)).balanceDue).toBe(0);

    const delivered = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: delivered.id,
      items: [{ orderItemId: delivered.items[1]!.id, quantity: 1, reason: 'damaged' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();
    const afterReturn = await oms.orders.get(delivered.id);
    expect(afterReturn.refundedTotal).toBe(1200);
    expect(afterReturn.balanceDue).toBe(0);

    // A goodwill refund gives money back without units: it is owed again.
    const [payment] = await oms.payments.listByOrder(delivered.id);
    await oms.payments.refund(payment!.id, { amount: 300, reason: 'goodwill' });
    expect((await oms.orders.get(delivered.id)).balanceDue).toBe(300);
  });
});
