import fc from 'fast-check';
import type { CreateReturnInput, Order, Return, StateChangedPayload } from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, DAY, systemBackend, testSystem, walkReturn } from './setup.js';

afterEach(closeSystems);

/**
 * T-shirt 2 × 1999 and mug 1 × 1200, shipping 500, tax 520, discount 300: total 5918.
 * Discount shares (by line total) are 231 / 69 and tax shares (by net) 400 / 120, so the
 * lines are worth 4167 and 1251 — together total − shipping = 5418. The first T-shirt is
 * worth ⌊4167 / 2⌋ = 2083, the second 2084.
 */
const PRICED = { shippingTotal: 500, taxTotal: 520, discountTotal: 300 };

const FEES = { restockingFeePercent: { no_longer_needed: 10, damaged: 0 } };

function lines(order: Order) {
  const [shirt, mug] = order.items;
  return { shirt: shirt!, mug: mug! };
}

function returnOf(
  order: Order,
  items: { orderItemId: string; quantity: number; reason?: string }[],
): CreateReturnInput {
  return {
    orderId: order.id,
    items: items.map((i) => ({
      ...i,
      reason: i.reason ?? 'damaged',
    })) as CreateReturnInput['items'],
  };
}

describe('returns.create refusals', () => {
  it('refuses an order that is not delivered (order_not_delivered)', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    await expect(
      oms.returns.create(returnOf(order, [{ orderItemId: order.items[0]!.id, quantity: 1 }])),
    ).rejects.toMatchObject({
      code: 'order_not_delivered',
      name: 'BusinessRuleError',
      details: { orderId: order.id, state: 'pending' },
    });
    expect((await oms.returns.list({ orderId: order.id })).data).toEqual([]);
  });

  it('accepts a return on the last moment of the window and refuses it after (return_window_closed)', async () => {
    const { oms, clock } = await testSystem({ config: { returnWindowDays: 14 } });
    const order = await deliveredOrder(oms);
    const request = returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]);

    clock.advance(14 * DAY);
    await expect(oms.returns.preview(request)).resolves.toMatchObject({ orderId: order.id });

    clock.advance(1);
    await expect(oms.returns.create(request)).rejects.toMatchObject({
      code: 'return_window_closed',
      details: { orderId: order.id, deliveredAt: order.deliveredAt, returnWindowDays: 14 },
    });
  });

  it('refuses a line the order does not have (order_item_not_found)', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const missing = 'oli_0000000000000000000000000';

    await expect(
      oms.returns.create(
        returnOf(order, [
          { orderItemId: lines(order).mug.id, quantity: 1 },
          { orderItemId: missing, quantity: 1 },
        ]),
      ),
    ).rejects.toMatchObject({
      code: 'order_item_not_found',
      details: { orderId: order.id, orderItemId: missing },
    });
  });

  it('refuses a final-sale line, naming it (item_not_returnable)', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms, {
      items: [
        { sku: 'SOCKS', name: 'Socks', quantity: 1, unitPrice: 500 },
        { sku: 'SALE', name: 'Clearance', quantity: 1, unitPrice: 300, returnable: false },
      ],
    });
    const [socks, sale] = order.items;
    expect(sale!.returnable).toBe(false);

    await expect(
      oms.returns.create(
        returnOf(order, [
          { orderItemId: socks!.id, quantity: 1 },
          { orderItemId: sale!.id, quantity: 1 },
        ]),
      ),
    ).rejects.toMatchObject({
      code: 'item_not_returnable',
      details: { orderItemId: sale!.id, sku: 'SALE' },
    });
    expect((await oms.returns.list({ orderId: order.id })).data).toEqual([]);
  });

  it('refuses more units than were delivered (return_quantity_exceeded)', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt } = lines(order);

    await expect(
      oms.returns.create(returnOf(order, [{ orderItemId: shirt.id, quantity: 3 }])),
    ).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: shirt.id, requested: 3, available: 2, ordered: 2 },
    });
  });

  it('counts one line named twice in the same request against its quantity', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt } = lines(order);

    await expect(
      oms.returns.create(
        returnOf(order, [
          { orderItemId: shirt.id, quantity: 1 },
          { orderItemId: shirt.id, quantity: 2 },
        ]),
      ),
    ).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: shirt.id, requested: 2, available: 1 },
    });
  });

  it('counts units held by open returns, and frees the units of rejected and cancelled ones', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt } = lines(order);
    const both = returnOf(order, [{ orderItemId: shirt.id, quantity: 2 }]);
    const one = returnOf(order, [{ orderItemId: shirt.id, quantity: 1 }]);

    const open = await oms.returns.create(one);
    await expect(oms.returns.create(both)).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: shirt.id, available: 1 },
    });

    await oms.returns.transition(open.id, { state: 'rejected', reason: 'worn' });
    const second = await oms.returns.create(both);
    await expect(oms.returns.create(one)).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { available: 0 },
    });

    await oms.returns.transition(second.id, { state: 'cancelled' });
    await expect(oms.returns.create(both)).resolves.toMatchObject({ state: 'initiated' });
  });

  it('never lets two returns created at once take the same units', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const request = returnOf(order, [{ orderItemId: lines(order).shirt.id, quantity: 2 }]);

    const results = await Promise.allSettled([
      oms.returns.create(request),
      oms.returns.create(request),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'return_quantity_exceeded' },
    });
    expect((await oms.returns.list({ orderId: order.id })).data).toHaveLength(1);
  });

  it('keeps counting the units of a return that went on to be processed', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { mug } = lines(order);
    const request = returnOf(order, [{ orderItemId: mug.id, quantity: 1 }]);
    const first = await oms.returns.create(request);
    await walkReturn(oms, first.id, 'received');

    await expect(oms.returns.create(request)).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: mug.id, available: 0 },
    });
  });

  it('refuses a return without lines as a validation error', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);

    await expect(oms.returns.create({ orderId: order.id, items: [] })).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['items'] })] },
    });
  });

  it('refuses an unknown reason and a zero quantity with their paths', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt, mug } = lines(order);

    const error = await oms.returns
      .create(
        returnOf(order, [
          { orderItemId: shirt.id, quantity: 1, reason: 'changed_mind' },
          { orderItemId: mug.id, quantity: 0 },
        ]),
      )
      .catch((e) => e);

    expect(error.code).toBe('validation_error');
    const paths = error.details.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['items.0.reason', 'items.1.quantity']));
  });

  it('fails with not_found for an unknown order', async () => {
    const { oms } = await testSystem();
    const orderId = 'ord_0000000000000000000000000';
    await expect(
      oms.returns.create({
        orderId,
        items: [{ orderItemId: 'oli_0000000000000000000000000', quantity: 1, reason: 'other' }],
      }),
    ).rejects.toMatchObject({ code: 'not_found', details: { entity: 'order', id: orderId } });
  });
});

describe('return refund amounts', () => {
  it('refunds the value of the units, with discount and tax shared across lines, minus the fee of each reason', async () => {
    const { oms } = await testSystem({ config: FEES });
    const order = await deliveredOrder(oms, PRICED);
    expect(order.total).toBe(5918);
    const { shirt, mug } = lines(order);

    const ret = await oms.returns.create(
      returnOf(order, [
        { orderItemId: shirt.id, quantity: 1, reason: 'no_longer_needed' },
        { orderItemId: mug.id, quantity: 1, reason: 'damaged' },
      ]),
    );

    // Shirt: 2083 − 10 % (208.3 → 208) = 1875; mug: 1251, no fee for damaged.
    expect(ret).toMatchObject({
      orderId: order.id,
      state: 'initiated',
      currency: 'USD',
      restockingFee: 208,
      refundAmount: 1875 + 1251,
      version: 1,
    });
    expect(ret.id).toMatch(/^ret_/);
  });

  it('charges no fee for a reason the config does not name', async () => {
    const { oms } = await testSystem({ config: FEES });
    const order = await deliveredOrder(oms, PRICED);

    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).shirt.id, quantity: 2, reason: 'wrong_item' }]),
    );

    expect(ret).toMatchObject({ restockingFee: 0, refundAmount: 4167 });
  });

  it('never refunds more than the units are worth, even with a 100 % fee', async () => {
    const { oms } = await testSystem({ config: { restockingFeePercent: { other: 100 } } });
    const order = await deliveredOrder(oms, PRICED);

    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1, reason: 'other' }]),
    );

    expect(ret).toMatchObject({ restockingFee: 1251, refundAmount: 0 });
  });

  it('refunds exactly total − shipping when every unit comes back in several batches', async () => {
    const { oms } = await testSystem();
    // Line values 3106 (3 units: 1035, 1035, 1036) and 1243; total 4849, shipping 500.
    const order = await deliveredOrder(oms, {
      items: [
        { sku: 'CAP', name: 'Cap', quantity: 3, unitPrice: 999 },
        { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
      ],
      shippingTotal: 500,
      taxTotal: 252,
      discountTotal: 100,
    });
    const [cap, mug] = order.items;

    const batches = [
      [{ orderItemId: cap!.id, quantity: 1 }],
      [
        { orderItemId: cap!.id, quantity: 1 },
        { orderItemId: mug!.id, quantity: 1 },
      ],
      [{ orderItemId: cap!.id, quantity: 1 }],
    ];
    const refunds: number[] = [];
    for (const batch of batches) {
      refunds.push((await oms.returns.create(returnOf(order, batch))).refundAmount);
    }

    expect(refunds).toEqual([1035, 1035 + 1243, 1036]);
    expect(refunds.reduce((a, b) => a + b, 0)).toBe(order.total - order.shippingTotal);
  });

  it('keeps the refunds of a line within its value when an earlier return was cancelled', async () => {
    const { oms } = await testSystem();
    // One line of 3 units worth 3107 in all: the first k units are worth ⌊3107·k/3⌋.
    const order = await deliveredOrder(oms, {
      items: [{ sku: 'CAP', name: 'Cap', quantity: 3, unitPrice: 1000 }],
      shippingTotal: 0,
      taxTotal: 107,
    });
    const line = order.items[0]!.id;
    const first = await oms.returns.create(returnOf(order, [{ orderItemId: line, quantity: 1 }]));
    const second = await oms.returns.create(returnOf(order, [{ orderItemId: line, quantity: 1 }]));
    await oms.returns.transition(first.id, { state: 'cancelled' });

    const rest = await oms.returns.create(returnOf(order, [{ orderItemId: line, quantity: 2 }]));

    // Every unit of the line is now in a live return: together they are worth the line.
    expect(second.refundAmount + rest.refundAmount).toBe(order.total);
  });

  it('refunds total − shipping in sum for any order returned in any batches', async () => {
    const { oms } = await testSystem();
    const line = fc.record({
      quantity: fc.integer({ min: 1, max: 4 }),
      unitPrice: fc.integer({ min: 0, max: 50_000 }),
    });
    const scenario = fc
      .record({
        lines: fc.array(line, { minLength: 1, maxLength: 3 }),
        shippingTotal: fc.integer({ min: 0, max: 2_000 }),
        taxTotal: fc.integer({ min: 0, max: 5_000 }),
        discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
        seed: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
      })
      .filter((s) => s.lines.some((l) => l.unitPrice > 0));

    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const subtotal = s.lines.reduce((a, l) => a + l.quantity * l.unitPrice, 0);
        const order = await deliveredOrder(oms, {
          items: s.lines.map((l, n) => ({ sku: `SKU-${n}`, name: `Item ${n}`, ...l })),
          shippingTotal: s.shippingTotal,
          taxTotal: s.taxTotal,
          discountTotal: Math.floor(subtotal * s.discountShare),
        });
        // Hand the units back in batches whose sizes come from the seed.
        const left = order.items.map((i) => ({ id: i.id, quantity: i.quantity }));
        let refunded = 0;
        let step = 0;
        while (left.some((l) => l.quantity > 0)) {
          const batch = left
            .filter((l) => l.quantity > 0)
            .map((l) => ({
              orderItemId: l.id,
              quantity: Math.min(l.quantity, s.seed[step++ % s.seed.length]!),
            }));
          for (const b of batch) left.find((l) => l.id === b.orderItemId)!.quantity -= b.quantity;
          refunded += (await oms.returns.create(returnOf(order, batch))).refundAmount;
        }
        expect(refunded).toBe(order.total - order.shippingTotal);
      }),
      // The arithmetic is the same on every backend: SQL runs only check it round-trips.
      { numRuns: systemBackend() === 'memory' ? 40 : 8 },
    );
  }, 60_000);
});

describe('returns.preview', () => {
  it('reports the same numbers as create, per line, and writes nothing', async () => {
    const { oms } = await testSystem({ config: FEES });
    const order = await deliveredOrder(oms, PRICED);
    const { shirt, mug } = lines(order);
    const request = returnOf(order, [
      { orderItemId: shirt.id, quantity: 1, reason: 'no_longer_needed' },
      { orderItemId: mug.id, quantity: 1, reason: 'damaged' },
    ]);
    await oms.idle();
    const events: unknown[] = [];
    oms.events.on('return.created', (e) => events.push(e));

    const preview = await oms.returns.preview(request);

    expect(preview).toEqual({
      orderId: order.id,
      currency: 'USD',
      lines: [
        {
          orderItemId: shirt.id,
          quantity: 1,
          reason: 'no_longer_needed',
          value: 2083,
          restockingFee: 208,
          refund: 1875,
        },
        {
          orderItemId: mug.id,
          quantity: 1,
          reason: 'damaged',
          value: 1251,
          restockingFee: 0,
          refund: 1251,
        },
      ],
      value: 3334,
      restockingFee: 208,
      exchangeTotal: 0,
      creditTotal: 0,
      refundAmount: 3126,
      balanceDue: 0,
    });
    expect((await oms.returns.list({ orderId: order.id })).data).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(0);
    expect(events).toEqual([]);
    // Previewing twice does not hold units: the full quantity can still be previewed.
    await expect(oms.returns.preview(request)).resolves.toEqual(preview);

    const created = await oms.returns.create(request);
    expect(created).toMatchObject({
      refundAmount: preview.refundAmount,
      restockingFee: preview.restockingFee,
    });
  });

  it('refuses exactly what create refuses', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt } = lines(order);

    await expect(
      oms.returns.preview(returnOf(order, [{ orderItemId: shirt.id, quantity: 5 }])),
    ).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: shirt.id },
    });
  });
});

describe('returns.get and returns.list', () => {
  it('reads a return back and fails with not_found for an unknown id', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1, reason: 'defective' }]),
    );

    expect(await oms.returns.get(ret.id)).toEqual(ret);
    await expect(oms.returns.get('ret_0000000000000000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('lists by order and state, newest first, paged by cursor', async () => {
    const { oms, clock } = await testSystem();
    const order = await deliveredOrder(oms, {
      items: [{ sku: 'PEN', name: 'Pen', quantity: 5, unitPrice: 100 }],
    });
    const other = await deliveredOrder(oms);
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      clock.advance(1_000);
      const ret = await oms.returns.create(
        returnOf(order, [{ orderItemId: order.items[0]!.id, quantity: 1 }]),
      );
      ids.push(ret.id);
    }
    await oms.returns.create(returnOf(other, [{ orderItemId: lines(other).mug.id, quantity: 1 }]));
    await oms.returns.transition(ids[1]!, { state: 'approved' });

    const first = await oms.returns.list({ orderId: order.id, limit: 3 });
    expect(first.data.map((r) => r.id)).toEqual([ids[4], ids[3], ids[2]]);
    const second = await oms.returns.list({
      orderId: order.id,
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect(second.data.map((r) => r.id)).toEqual([ids[1], ids[0]]);
    expect(second.nextCursor).toBeNull();

    const approved = await oms.returns.list({ state: 'approved' });
    expect(approved.data.map((r) => r.id)).toEqual([ids[1]]);
  });
});

describe('returns.transition', () => {
  it('keeps the reason of a rejection', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await oms.returns.transition(ret.id, { state: 'approved' });

    const rejected = await oms.returns.transition(ret.id, {
      state: 'rejected',
      reason: 'item shows signs of use',
    });

    expect(rejected).toMatchObject({
      state: 'rejected',
      rejectionReason: 'item shows signs of use',
      version: 3,
    });
    expect(await oms.returns.get(ret.id)).toEqual(rejected);
    const history = await oms.storage.history.list('return', ret.id);
    expect(history.map((h) => `${h.from}→${h.to}:${h.event}`)).toEqual([
      'null→initiated:CREATE',
      'initiated→approved:APPROVE',
      'approved→rejected:REJECT',
    ]);
  });

  it('lets the customer cancel once the pickup is scheduled, but not once it is in transit', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt, mug } = lines(order);
    const a = await oms.returns.create(returnOf(order, [{ orderItemId: shirt.id, quantity: 1 }]));
    const b = await oms.returns.create(returnOf(order, [{ orderItemId: mug.id, quantity: 1 }]));
    await walkReturn(oms, a.id, 'pickup_scheduled');
    await walkReturn(oms, b.id, 'in_transit');

    const cancelled = await oms.returns.transition(a.id, {
      state: 'cancelled',
      reason: 'kept it',
    });
    expect(cancelled).toMatchObject({ state: 'cancelled', cancellationReason: 'kept it' });

    await expect(oms.returns.transition(b.id, { state: 'cancelled' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'in_transit', requested: 'cancelled', allowed: ['received'] },
    });
    expect((await oms.returns.get(b.id)).state).toBe('in_transit');
  });

  it('refuses rejecting a return whose pickup is scheduled', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await walkReturn(oms, ret.id, 'pickup_scheduled');

    const error = await oms.returns.transition(ret.id, { state: 'rejected' }).catch((e) => e);
    expect(error.code).toBe('invalid_transition');
    expect([...error.details.allowed].sort()).toEqual(['cancelled', 'in_transit']);
  });

  it('books a pickup by hand with pickupAt', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await oms.returns.transition(ret.id, { state: 'approved' });

    const scheduled = await oms.returns.transition(ret.id, {
      state: 'pickup_scheduled',
      pickupAt: '2026-01-05T09:00:00.000Z',
    });

    expect(scheduled.pickup).toEqual({
      scheduledAt: '2026-01-05T09:00:00.000Z',
      carrier: 'manual',
    });
  });

  it('refuses `refunded` by hand while no refund covers the return', async () => {
    const { oms } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await walkReturn(oms, ret.id, 'processed');

    await expect(oms.returns.transition(ret.id, { state: 'refunded' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'processed', allowed: [] },
    });
  });

  it('treats a request for the current state as a no-op but still checks expectedVersion', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });

    await expect(oms.returns.transition(ret.id, { state: 'approved' })).resolves.toEqual(approved);
    await expect(
      oms.returns.transition(ret.id, { state: 'approved' }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'concurrency_conflict' });
  });

  it('emits return.created and return.state_changed with the stored entity', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const created: Return[] = [];
    const changed: StateChangedPayload<Return>[] = [];
    oms.events.on('return.created', (e) => created.push(e.entity));
    oms.events.on('return.state_changed', (e) => changed.push(e));

    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });

    expect(created).toEqual([ret]);
    expect(changed).toEqual([
      expect.objectContaining({
        id: ret.id,
        from: 'initiated',
        to: 'approved',
        event: 'APPROVE',
        entity: approved,
      }),
    ]);
  });
});

describe('returns.history', () => {
  it('returns every state change of a return, oldest first, and not_found for an unknown id', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });
    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.returns.transition(ret.id, { state: 'rejected', reason: 'outside policy' });
    const history = await oms.returns.history(ret.id);
    expect(history.map((h) => [h.from, h.to])).toEqual([
      [null, 'initiated'],
      ['initiated', 'approved'],
      ['approved', 'rejected'],
    ]);
    expect(history.at(-1)).toMatchObject({
      entity: 'return',
      entityId: ret.id,
      reason: 'outside policy',
    });
    await expect(oms.returns.history('ret_01jd3x8k7m2v9q4r6t8w0y2a4c')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});

describe('return lines and reasons', () => {
  it('keeps the note of a line', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt, mug } = lines(order);

    const ret = await oms.returns.create({
      orderId: order.id,
      items: [
        { orderItemId: shirt.id, quantity: 1, reason: 'damaged', note: 'seam torn' },
        { orderItemId: mug.id, quantity: 1, reason: 'damaged' },
      ],
    });

    expect(ret.items.map((i) => i.note)).toEqual(['seam torn', undefined]);
    expect((await oms.returns.get(ret.id)).items[0]).toMatchObject({ note: 'seam torn' });
  });

  it('values each unit of a line named twice in one request once', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms, PRICED);
    const { shirt } = lines(order);

    const preview = await oms.returns.preview(
      returnOf(order, [
        { orderItemId: shirt.id, quantity: 1 },
        { orderItemId: shirt.id, quantity: 1 },
      ]),
    );

    expect(preview.lines.map((l) => l.value)).toEqual([2083, 2084]);
    expect(preview.refundAmount).toBe(4167);
  });

  it('refuses a line none of whose units has arrived yet, while another line has', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    await oms.orders.transition(order.id, { state: 'confirmed' });
    const { shirt, mug } = lines(order);
    const shipment = await oms.shipments.create(order.id, {
      items: [{ orderItemId: mug.id, quantity: 1 }],
    });
    await oms.shipments.transition(shipment.id, { state: 'shipped' });
    await oms.shipments.transition(shipment.id, { state: 'delivered' });

    await expect(
      oms.returns.create(returnOf(order, [{ orderItemId: shirt.id, quantity: 1 }])),
    ).rejects.toMatchObject({
      code: 'return_quantity_exceeded',
      details: { orderItemId: shirt.id, available: 0, delivered: 0 },
    });
    await expect(
      oms.returns.create(returnOf(order, [{ orderItemId: mug.id, quantity: 1 }])),
    ).resolves.toMatchObject({ state: 'initiated' });
  });

  it('fails with not_found when previewing a return of an unknown order', async () => {
    const { oms } = await testSystem();
    const orderId = 'ord_0000000000000000000000000';
    await expect(
      oms.returns.preview({
        orderId,
        items: [{ orderItemId: 'oli_0000000000000000000000000', quantity: 1, reason: 'other' }],
      }),
    ).rejects.toMatchObject({ code: 'not_found', details: { entity: 'order', id: orderId } });
  });

  it('fails with not_found when moving an unknown return', async () => {
    const { oms } = await testSystem();
    const id = 'ret_0000000000000000000000000';
    await expect(oms.returns.transition(id, { state: 'approved' })).rejects.toMatchObject({
      code: 'not_found',
      details: { entity: 'return', id },
    });
  });

  it('keeps a reason only as the reason of the event it came with', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const { shirt, mug } = lines(order);
    const a = await oms.returns.create(returnOf(order, [{ orderItemId: shirt.id, quantity: 1 }]));
    const b = await oms.returns.create(returnOf(order, [{ orderItemId: mug.id, quantity: 1 }]));

    const approved = await oms.returns.transition(a.id, { state: 'approved', reason: 'ok' });
    const cancelled = await oms.returns.transition(a.id, { state: 'cancelled', reason: 'kept' });
    const rejected = await oms.returns.transition(b.id, { state: 'rejected', reason: 'worn' });

    expect(approved.rejectionReason).toBeUndefined();
    expect(approved.cancellationReason).toBeUndefined();
    expect(cancelled.cancellationReason).toBe('kept');
    expect(cancelled.rejectionReason).toBeUndefined();
    expect(rejected.rejectionReason).toBe('worn');
    expect(rejected.cancellationReason).toBeUndefined();
  });

  it('gives an approved return no pickup and no replacement order', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    const before = (await oms.orders.list()).data.length;

    const approved = await oms.returns.transition(ret.id, { state: 'approved' });

    expect(approved.pickup).toBeUndefined();
    expect(approved.exchangeOrderId).toBeUndefined();
    expect((await oms.orders.list()).data).toHaveLength(before);
  });
});

describe('refunded by hand', () => {
  it('does not count a refund of the order that is not linked to the return', async () => {
    const { oms } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await walkReturn(oms, ret.id, 'processed');
    const [payment] = await oms.payments.listByOrder(order.id);
    await oms.payments.refund(payment!.id, { amount: ret.refundAmount, reason: 'goodwill' });

    await expect(oms.returns.transition(ret.id, { state: 'refunded' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'processed' },
    });
  });

  it('does not count a failed refund linked to the return', async () => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create(
      returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
    );
    await walkReturn(oms, ret.id, 'processed');
    const [payment] = await oms.payments.listByOrder(order.id);
    provider.failNext('refund', 'decline');
    await oms.payments
      .refund(payment!.id, { amount: ret.refundAmount, returnId: ret.id })
      .catch(() => undefined);
    expect((await oms.payments.get(payment!.id)).refunds).toEqual([
      expect.objectContaining({ returnId: ret.id, state: 'failed' }),
    ]);

    await expect(oms.returns.transition(ret.id, { state: 'refunded' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { from: 'processed' },
    });
  });
});

describe('exchanges', () => {
  const BOOTS = { sku: 'BOOTS', name: 'Boots', quantity: 1, unitPrice: 5000 };

  async function exchange(oms: Parameters<typeof deliveredOrder>[0], order: Order) {
    return oms.returns.create({
      ...returnOf(order, [{ orderItemId: lines(order).mug.id, quantity: 1 }]),
      exchangeItems: [BOOTS],
    });
  }

  it('pays the replacement from the returned value after the restocking fee', async () => {
    const { oms } = await testSystem({ config: FEES });
    const order = await deliveredOrder(oms, PRICED);

    const preview = await oms.returns.preview({
      ...returnOf(order, [
        { orderItemId: lines(order).shirt.id, quantity: 1, reason: 'no_longer_needed' },
      ]),
      exchangeItems: [BOOTS],
    });

    // 2083 − 208 fee = 1875 pays for the boots; nothing is refunded.
    expect(preview).toMatchObject({
      value: 2083,
      restockingFee: 208,
      exchangeTotal: 5000,
      creditTotal: 1875,
      refundAmount: 0,
      balanceDue: 5000 - 1875,
    });
  });

  it('creates one replacement order on approval and keeps it through later steps', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await exchange(oms, order);

    const approved = await oms.returns.transition(ret.id, { state: 'approved' });
    const replacement = await oms.orders.get(approved.exchangeOrderId!);
    await walkReturn(oms, ret.id, 'in_transit');

    expect(replacement).toMatchObject({ state: 'pending', exchangeForReturnId: ret.id });
    expect((await oms.returns.get(ret.id)).exchangeOrderId).toBe(replacement.id);
    const replacements = (await oms.orders.list()).data.filter(
      (o) => o.exchangeForReturnId === ret.id,
    );
    expect(replacements.map((o) => o.id)).toEqual([replacement.id]);
  });

  it('creates no replacement for an exchange rejected before its approval', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await exchange(oms, order);

    const rejected = await oms.returns.transition(ret.id, { state: 'rejected' });

    expect(rejected.exchangeOrderId).toBeUndefined();
    expect((await oms.orders.list()).data.map((o) => o.id)).toEqual([order.id]);
  });

  it('cancels the pending replacement of a rejected exchange, saying why', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await exchange(oms, order);
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });

    await oms.returns.transition(ret.id, { state: 'rejected', reason: 'worn' });

    const replacementId = approved.exchangeOrderId!;
    expect((await oms.orders.get(replacementId)).state).toBe('cancelled');
    expect((await oms.orders.history(replacementId)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'cancelled',
      actor: 'system',
      reason: `return ${ret.id} was rejected`,
    });
  });

  it('leaves a replacement that is already confirmed when its exchange is cancelled', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await exchange(oms, order);
    const approved = await oms.returns.transition(ret.id, { state: 'approved' });
    const replacementId = approved.exchangeOrderId!;
    await oms.orders.transition(replacementId, { state: 'confirmed' });

    await oms.returns.transition(ret.id, { state: 'cancelled' });

    expect((await oms.orders.get(replacementId)).state).toBe('confirmed');
  });
});
