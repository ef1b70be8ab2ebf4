import type { OrderSystem } from 'orderflow';
import { deliveredOrder, fakeCarrier } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem, walkReturn } from '../managers/setup.js';

afterEach(closeSystems);

/** Creates a return of the given units and walks it to `processed`. */
async function processedReturn(
  oms: OrderSystem,
  orderId: string,
  items: { orderItemId: string; quantity: number }[],
) {
  const ret = await oms.returns.create({
    orderId,
    items: items.map((i) => ({ ...i, reason: 'defective' as const })),
  });
  await walkReturn(oms, ret.id, 'processed');
  return ret;
}

describe('workflow: a processed return is refunded by a job, and the order follows', () => {
  it('refunds a partial return linked by returnId and leaves the order delivered', async () => {
    const { oms, provider } = await testSystem();
    const order = await deliveredOrder(oms);
    const [shirt] = order.items;

    const ret = await processedReturn(oms, order.id, [{ orderItemId: shirt!.id, quantity: 1 }]);
    await oms.idle();

    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment).toMatchObject({ state: 'partially_refunded', refundedAmount: 1999 });
    expect(payment!.refunds).toEqual([
      expect.objectContaining({ returnId: ret.id, amount: 1999, state: 'succeeded' }),
    ]);
    expect(provider.ledger(payment!.id)).toMatchObject({ refunded: 1999, refunds: 1 });
    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'delivered',
      refundedTotal: 1999,
    });
  });

  it('marks the order returned once every unit has come back and been refunded', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const [shirt, mug] = order.items;

    const first = await processedReturn(oms, order.id, [{ orderItemId: shirt!.id, quantity: 2 }]);
    await oms.idle();
    expect((await oms.returns.get(first.id)).state).toBe('refunded');
    expect((await oms.orders.get(order.id)).state).toBe('delivered');

    const second = await processedReturn(oms, order.id, [{ orderItemId: mug!.id, quantity: 1 }]);
    await oms.idle();

    expect((await oms.returns.get(second.id)).state).toBe('refunded');
    const after = await oms.orders.get(order.id);
    expect(after).toMatchObject({
      state: 'returned',
      refundedTotal: order.total - order.shippingTotal,
    });
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      from: 'delivered',
      to: 'returned',
      event: 'RETURN',
      actor: 'system',
    });
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment).toMatchObject({
      state: 'partially_refunded',
      refundedAmount: order.total - order.shippingTotal,
    });
  });

  it('leaves the order delivered while another return of its last units is still open', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const [shirt, mug] = order.items;
    const open = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: mug!.id, quantity: 1, reason: 'defective' }],
    });

    const first = await processedReturn(oms, order.id, [{ orderItemId: shirt!.id, quantity: 2 }]);
    await oms.idle();

    expect((await oms.returns.get(first.id)).state).toBe('refunded');
    expect((await oms.returns.get(open.id)).state).toBe('initiated');
    expect((await oms.orders.get(order.id)).state).toBe('delivered');
  });

  it('goes all the way with a carrier: approve → pickup → … → refunded → order returned', async () => {
    const { oms } = await testSystem({
      carrier: fakeCarrier(),
      config: { restockingFeePercent: { no_longer_needed: 10 } },
    });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: order.items.map((i) => ({
        orderItemId: i.id,
        quantity: i.quantity,
        reason: 'no_longer_needed' as const,
      })),
    });
    const states: string[] = [];
    oms.events.on('return.state_changed', (e) => states.push(e.to));

    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.idle();
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();

    expect(states).toEqual([
      'approved',
      'pickup_scheduled',
      'in_transit',
      'received',
      'processed',
      'refunded',
    ]);
    // 10 % of each line's value is kept as the restocking fee.
    expect(ret.refundAmount).toBe(3998 - 400 + (1200 - 120));
    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'returned',
      refundedTotal: ret.refundAmount,
    });
  });

  it('refunds every unit and marks the order returned even after an earlier return was cancelled', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms, {
      items: [{ sku: 'CAP', name: 'Cap', quantity: 3, unitPrice: 1000 }],
      shippingTotal: 0,
      taxTotal: 107,
    });
    const line = order.items[0]!.id;
    const cancelled = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: line, quantity: 1, reason: 'defective' }],
    });
    const first = await processedReturn(oms, order.id, [{ orderItemId: line, quantity: 1 }]);
    await oms.returns.transition(cancelled.id, { state: 'cancelled' });
    await oms.idle();

    const rest = await processedReturn(oms, order.id, [{ orderItemId: line, quantity: 2 }]);
    await oms.idle();

    expect((await oms.returns.get(first.id)).state).toBe('refunded');
    expect((await oms.returns.get(rest.id)).state).toBe('refunded');
    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'returned',
      refundedTotal: order.total,
    });
  });

  it('spreads the refund over several payments, largest refundable first', async () => {
    const { oms, provider } = await testSystem();
    const split = await oms.orders.create({
      customerId: 'c_split',
      currency: 'USD',
      items: [{ sku: 'LAMP', name: 'Lamp', quantity: 1, unitPrice: 10_000 }],
    });
    const small = await oms.payments.process({
      orderId: split.id,
      amount: 3_000,
      paymentMethod: { token: 'tok_visa' },
    });
    const large = await oms.payments.process({
      orderId: split.id,
      paymentMethod: { token: 'tok_visa' },
    });
    for (const state of ['processing', 'shipped', 'delivered'] as const) {
      await oms.idle();
      await oms.orders.transition(split.id, { state });
    }
    const ret = await processedReturn(oms, split.id, [
      { orderItemId: split.items[0]!.id, quantity: 1 },
    ]);
    await oms.idle();

    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
    expect(await oms.payments.get(large.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: 7_000,
    });
    expect(await oms.payments.get(small.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: 3_000,
    });
    expect(provider.ledger(large.id).refunded + provider.ledger(small.id).refunded).toBe(10_000);
    expect((await oms.orders.get(split.id)).state).toBe('returned');
  });

  it('refunds once even when the refund job is handed the same return again', async () => {
    const { oms, provider, clock } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await processedReturn(oms, order.id, [
      { orderItemId: order.items[1]!.id, quantity: 1 },
    ]);
    await oms.idle();

    await oms.jobs.enqueue('orderflow.refund-return', { returnId: ret.id }, { jobId: 'again' });
    clock.advance(10 * 60_000);
    await oms.sweep();
    await oms.idle();

    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment!.refunds).toHaveLength(1);
    expect(provider.ledger(payment!.id)).toMatchObject({ refunded: 1200, refunds: 1 });
  });
});
