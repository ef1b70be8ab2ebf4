import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

describe('workflow: payment captured for the full total confirms the order', () => {
  it('confirms a pending order once a capture covers its total, as the system', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();

    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'confirmed',
      paidTotal: order.total,
    });
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'confirmed',
      event: 'CONFIRM',
      actor: 'system',
    });
  });

  it('leaves a partially paid order pending, and confirms it when the rest is captured', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    await oms.payments.process({ orderId: order.id, amount: 1000, paymentMethod: visa });
    await oms.idle();
    expect(await oms.orders.get(order.id)).toMatchObject({ state: 'pending', paidTotal: 1000 });

    await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });

  it('does not confirm on an authorization alone, only once it is captured', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('pending');

    await oms.payments.capture(payment.id);
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });

  it('leaves the order pending when autoConfirmOnFullCapture is off', async () => {
    const { oms } = await testSystem({ config: { autoConfirmOnFullCapture: false } });
    const order = await oms.orders.create(orderInput());

    await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await oms.idle();

    expect(await oms.orders.get(order.id)).toMatchObject({
      state: 'pending',
      paidTotal: order.total,
    });
  });
});
