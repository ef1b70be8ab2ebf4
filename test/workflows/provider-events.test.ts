import type { Payment } from 'orderflow';
import { type FakePaymentProvider, fakePaymentProvider, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, MINUTE, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

async function withOrder(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await testSystem(options);
  const order = await system.oms.orders.create(orderInput());
  return { ...system, order };
}

/** A captured payment of the whole order, with the provider's reference. */
async function captured(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await withOrder(options);
  const payment = await system.oms.payments.process({
    orderId: system.order.id,
    paymentMethod: visa,
  });
  await system.oms.idle();
  return { ...system, payment, reference: payment.providerReference! };
}

describe('workflow: a card that needs 3-D Secure', () => {
  it('answers requires_action with the next action, then confirms the order once the customer completes it', async () => {
    const { oms, order, provider } = await withOrder();
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_threeDSecure' },
    });
    expect(payment).toMatchObject({
      state: 'requires_action',
      capturedAmount: 0,
      nextAction: { type: 'redirect_to_url', url: expect.stringContaining('https://') },
    });
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('pending');
    // The money is held for this payment: a second one cannot charge the order again.
    await expect(
      oms.payments.process({ orderId: order.id, paymentMethod: visa }),
    ).rejects.toMatchObject({ code: 'amount_exceeds_balance' });

    const event = provider.completeAction(payment.providerReference!, 'succeed');
    expect(await oms.payments.applyProviderEvent(event)).toEqual({
      status: 'applied',
      paymentId: payment.id,
    });
    await oms.idle();

    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(after.nextAction).toBeUndefined();
    expect(provider.ledger(payment.id).captured).toBe(order.total);
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
    expect((await oms.payments.history(payment.id)).map((h) => h.to)).toEqual([
      'pending',
      'requires_action',
      'authorized',
      'captured',
    ]);
  });

  it('authorizes only, for manual capture, and fails when the customer abandons', async () => {
    const { oms, order, provider } = await withOrder();
    const manual = await oms.payments.process({
      orderId: order.id,
      amount: 1000,
      paymentMethod: { token: 'tok_threeDSecure' },
      capture: 'manual',
    });
    await oms.payments.applyProviderEvent(
      provider.completeAction(manual.providerReference!, 'succeed'),
    );
    expect(await oms.payments.get(manual.id)).toMatchObject({
      state: 'authorized',
      capturedAmount: 0,
    });

    const abandoned = await oms.payments.process({
      orderId: order.id,
      amount: 1000,
      paymentMethod: { token: 'tok_threeDSecure' },
    });
    await oms.payments.applyProviderEvent(
      provider.completeAction(abandoned.providerReference!, 'fail'),
    );
    expect(await oms.payments.get(abandoned.id)).toMatchObject({
      state: 'failed',
      failureCode: 'authentication_failed',
    });
  });

  it('fails a payment still waiting for the action when the unpaid order expires', async () => {
    const { oms, order, provider, clock } = await withOrder({
      config: { unpaidOrderTtlMinutes: 30 },
    });
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_threeDSecure' },
    });

    clock.advance(31 * MINUTE);
    await oms.idle();

    expect((await oms.orders.get(order.id)).state).toBe('cancelled');
    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'failed', failureCode: 'action_expired' });
    expect(after.nextAction).toBeUndefined();
    // Cancelled at the provider too, so a late completion charges nobody.
    expect(provider.charges()[0]?.status).toBe('canceled');
    expect(provider.ledger(payment.id).captured).toBe(0);
  });

  it('does not expire an order whose bank debit is still processing', async () => {
    const { oms, order, clock } = await withOrder({ config: { unpaidOrderTtlMinutes: 30 } });
    await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_async' } });
    clock.advance(31 * MINUTE);
    await oms.idle();
    expect((await oms.orders.get(order.id)).state).toBe('pending');
  });
});

describe('workflow: an asynchronous payment method', () => {
  it('waits processing, fails when the bank returns it, and the order can be paid again', async () => {
    const { oms, order, provider } = await withOrder();
    const slow = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_async' },
    });
    expect(slow).toMatchObject({ state: 'processing', capturedAmount: 0 });
    expect(slow.nextAction).toBeUndefined();

    const failed = provider.settle(slow.providerReference!, 'fail');
    expect(await oms.payments.applyProviderEvent(failed)).toMatchObject({ status: 'applied' });
    expect(await oms.payments.get(slow.id)).toMatchObject({
      state: 'failed',
      failureCode: 'debit_returned',
    });

    const again = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_async' },
    });
    await oms.payments.applyProviderEvent(provider.settle(again.providerReference!, 'succeed'));
    await oms.idle();
    expect(await oms.payments.get(again.id)).toMatchObject({
      state: 'captured',
      capturedAmount: order.total,
    });
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });
});

describe('workflow: replayed and out-of-order provider events', () => {
  it('applies an event once however often it is delivered, in parallel too', async () => {
    const { oms, order, provider } = await withOrder();
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_async' },
    });
    const event = provider.settle(payment.providerReference!, 'succeed');
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => oms.payments.applyProviderEvent(event)),
    );
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(4);
    expect(await oms.payments.applyProviderEvent(event)).toEqual({
      status: 'duplicate',
      paymentId: payment.id,
    });
    await oms.idle();
    const history = await oms.payments.history(payment.id);
    expect(history.filter((h) => h.event === 'AUTHORIZE')).toHaveLength(1);
    expect(history.filter((h) => h.event === 'CAPTURE')).toHaveLength(1);
  });

  it('ignores, but stores, an event for an unknown payment or a move the payment cannot make', async () => {
    const { oms, storage, order, provider } = await withOrder();
    const unknown = {
      id: 'evt_x1',
      type: 'payment.succeeded',
      providerReference: 'pi_nobody',
    } as const;
    expect(await oms.payments.applyProviderEvent(unknown)).toEqual({
      status: 'ignored',
      reason: 'unknown_payment',
    });
    expect(await storage.providerEvents.get('evt_x1')).toMatchObject({
      status: 'ignored',
      reason: 'unknown_payment',
    });
    expect(await oms.payments.applyProviderEvent(unknown)).toEqual({ status: 'duplicate' });

    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_async' },
    });
    const succeeded = provider.settle(payment.providerReference!, 'succeed');
    // The failure arrives late, after the success (another event id for the same payment).
    const late = { ...succeeded, id: 'evt_late', type: 'payment.failed' } as const;
    await oms.payments.applyProviderEvent(succeeded);
    await oms.idle();
    const before: Payment = await oms.payments.get(payment.id);
    expect(await oms.payments.applyProviderEvent(late)).toMatchObject({
      status: 'ignored',
      reason: 'refused_transition',
    });
    expect(await oms.payments.get(payment.id)).toEqual(before);
  });

  it('records a dispute closed before its opening arrives, and ignores the late opening', async () => {
    const { oms, provider, reference, payment } = await captured();
    const opened = provider.openDispute(reference, 1000);
    const won = provider.closeDispute(opened.disputeReference!, 'won');
    expect(await oms.payments.applyProviderEvent(won)).toMatchObject({ status: 'applied' });
    expect(await oms.payments.applyProviderEvent(opened)).toMatchObject({
      status: 'ignored',
      reason: 'already_recorded',
    });
    expect((await oms.payments.get(payment.id)).disputes).toEqual([
      expect.objectContaining({ id: opened.disputeReference, amount: 1000, state: 'won' }),
    ]);
  });

  it('rejects a malformed event as a ValidationError naming the field', async () => {
    const { oms } = await withOrder();
    await expect(
      oms.payments.applyProviderEvent({
        id: 'evt_bad',
        type: 'refund.created',
        providerReference: 'ch_1',
      }),
    ).rejects.toMatchObject({ code: 'validation_error' });
  });
});

describe('workflow: a webhook delivery of the provider', () => {
  it('applies a signed delivery once and refuses a tampered one without writing', async () => {
    const { oms, provider, payment, reference } = await captured();
    const { body, headers } = provider.signWebhook(provider.refundFromDashboard(reference, 500));
    await expect(
      oms.payments.applyWebhook(body.replace('500', '5000'), headers),
    ).rejects.toMatchObject({ code: 'invalid_webhook_signature' });
    expect((await oms.payments.get(payment.id)).refundedAmount).toBe(0);

    expect(await oms.payments.applyWebhook(body, headers)).toMatchObject({ status: 'applied' });
    expect(await oms.payments.applyWebhook(Buffer.from(body), headers)).toMatchObject({
      status: 'duplicate',
    });
    await oms.idle();
    expect((await oms.payments.get(payment.id)).refundedAmount).toBe(500);
  });

  it('ignores a genuine delivery the provider maps to no event', async () => {
    // A real provider answers undefined for deliveries it has no event for; the fake never does.
    const mapsNothing = { ...fakePaymentProvider(), parseWebhook: async () => undefined };
    const { oms } = await testSystem({ payments: mapsNothing as unknown as FakePaymentProvider });
    expect(await oms.payments.applyWebhook('{"type":"balance.available"}', {})).toEqual({
      status: 'ignored',
      reason: 'unmapped_event',
    });
  });

  it('refuses webhooks with configuration_error when the provider takes none', async () => {
    const { parseWebhook: _, ...withoutWebhooks } = fakePaymentProvider();
    const { oms } = await testSystem({
      payments: withoutWebhooks as unknown as FakePaymentProvider,
    });
    await expect(oms.payments.applyWebhook('{}', {})).rejects.toMatchObject({
      code: 'configuration_error',
    });
  });
});
