import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

/** A system with an order (total 5698) and its payment, authorized only. */
async function authorized(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await testSystem(options);
  const order = await system.oms.orders.create(orderInput());
  const payment = await system.oms.payments.process({
    orderId: order.id,
    paymentMethod: visa,
    capture: 'manual',
  });
  return { ...system, order, payment };
}

describe('payment refusals name the payment and what was refused', () => {
  it('capture beyond the authorization, and a refund of money only authorized', async () => {
    const { oms, order, payment } = await authorized();
    await expect(
      oms.payments.capture(payment.id, { amount: order.total + 1 }),
    ).rejects.toMatchObject({
      code: 'amount_exceeds_balance',
      details: { paymentId: payment.id, authorized: order.total, requested: order.total + 1 },
    });
    await expect(oms.payments.refund(payment.id)).rejects.toMatchObject({
      code: 'payment_not_refundable',
      details: { paymentId: payment.id, state: 'authorized' },
    });
  });

  it('a capture while another is in flight, and a void of it', async () => {
    const { oms, order, payment, provider } = await authorized({
      config: { providerRetries: 0 },
    });
    provider.failNext('capture', 'timeout');
    await expect(oms.payments.capture(payment.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
    });
    await expect(oms.payments.capture(payment.id, { amount: 100 })).rejects.toMatchObject({
      code: 'payment_already_captured',
      details: { paymentId: payment.id, capturedAmount: 0, pendingCapture: order.total },
    });
    await expect(oms.payments.void(payment.id)).rejects.toMatchObject({
      code: 'capture_in_progress',
      details: { paymentId: payment.id },
    });
  });

  it('a capture while a void is in flight, and a declined void', async () => {
    const { oms, payment, provider } = await authorized({ config: { providerRetries: 0 } });
    provider.failNext('void', 'timeout');
    await expect(oms.payments.void(payment.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
    });
    await expect(oms.payments.capture(payment.id)).rejects.toMatchObject({
      code: 'void_in_progress',
      details: { paymentId: payment.id },
    });

    const other = await authorized();
    other.provider.failNext('void', 'decline');
    await expect(other.oms.payments.void(other.payment.id)).rejects.toMatchObject({
      code: 'payment_declined',
      details: { paymentId: other.payment.id, code: expect.any(String) },
    });
  });

  it('a capture of a payment not authorized yet', async () => {
    const { oms, provider } = await testSystem({ config: { providerRetries: 0 } });
    const order = await oms.orders.create(orderInput());
    provider.failNext('authorize', 'timeout');
    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e) => e);
    const paymentId: string = error.details.paymentId;
    await expect(oms.payments.capture(paymentId)).rejects.toMatchObject({
      code: 'payment_not_authorized',
      details: { paymentId, state: 'pending' },
    });
  });

  it('a refund linked to a return of another order', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const [payment] = await oms.payments.listByOrder(order.id);
    const other = await deliveredOrder(oms);
    const otherReturn = await oms.returns.create({
      orderId: other.id,
      items: [{ orderItemId: other.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });
    await expect(
      oms.payments.refund(payment!.id, { returnId: otherReturn.id }),
    ).rejects.toMatchObject({
      code: 'return_order_mismatch',
      details: { returnId: otherReturn.id, orderId: order.id },
    });
  });
});
