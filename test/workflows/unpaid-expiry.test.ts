import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, MINUTE, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

describe('workflow: a pending order left unpaid is cancelled after unpaidOrderTtlMinutes', () => {
  it('keeps the order until the TTL is over, then cancels it as the system', async () => {
    const { oms, clock } = await testSystem({ config: { unpaidOrderTtlMinutes: 30 } });
    const order = await oms.orders.create(orderInput());

    clock.advance(29 * MINUTE);
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('pending');

    clock.advance(MINUTE);
    await oms.idle();
    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'cancelled',
      cancellationReason: 'unpaid_timeout',
    });
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'cancelled',
      event: 'CANCEL',
      actor: 'system',
      reason: 'unpaid_timeout',
    });
  });

  it('does not expire an order paid in full', async () => {
    const { oms, clock } = await testSystem({ config: { autoConfirmOnFullCapture: false } });
    const order = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: order.id, paymentMethod: visa });

    clock.advance(61 * MINUTE);
    await oms.idle();

    expect((await oms.orders.get(order.id)).state).toBe('pending');
  });

  it('does not expire an order partly paid or holding an authorization', async () => {
    const { oms, clock } = await testSystem();
    const partly = await oms.orders.create(orderInput());
    const authorized = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: partly.id, amount: 100, paymentMethod: visa });
    await oms.payments.process({
      orderId: authorized.id,
      paymentMethod: visa,
      capture: 'manual',
    });

    clock.advance(61 * MINUTE);
    await oms.idle();

    expect((await oms.orders.get(partly.id)).state).toBe('pending');
    expect((await oms.orders.get(authorized.id)).state).toBe('pending');
  });

  it('expires an order whose only payment was declined', async () => {
    const { oms, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await expect(
      oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } }),
    ).rejects.toMatchObject({ code: 'payment_declined' });

    clock.advance(61 * MINUTE);
    await oms.idle();

    expect((await oms.orders.get(order.id)).state).toBe('cancelled');
  });

  it('leaves an order confirmed by hand alone', async () => {
    const { oms, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await oms.orders.transition(order.id, { state: 'confirmed' });

    clock.advance(61 * MINUTE);
    await oms.idle();

    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });
});
