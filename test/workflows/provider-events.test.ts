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

describe('workflow: refunds made in the provider dashboard', () => {
  it('records the refund, counts it against what is refundable, and refuses an over-refund', async () => {
    const { oms, provider, payment, reference, order } = await captured();
    const heard: string[] = [];
    oms.events.on('refund.succeeded', (e) => heard.push(e.refund.id));

    const event = provider.refundFromDashboard(reference, 2000);
    expect(await oms.payments.applyProviderEvent(event)).toMatchObject({ status: 'applied' });
    await oms.idle();
    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'partially_refunded', refundedAmount: 2000 });
    expect(after.refunds).toEqual([
      expect.objectContaining({
        amount: 2000,
        state: 'succeeded',
        origin: 'provider',
        providerReference: event.refundReference,
      }),
    ]);
    expect(heard).toEqual([after.refunds[0]?.id]);

    await expect(
      oms.payments.refund(payment.id, { amount: order.total - 2000 + 1 }),
    ).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
      details: { refundable: order.total - 2000 },
    });
    await oms.payments.refund(payment.id, { amount: order.total - 2000 });
    expect(provider.ledger(payment.id)).toMatchObject({
      captured: order.total,
      refunded: order.total,
    });
    expect((await oms.payments.get(payment.id)).state).toBe('refunded');
  });
});

describe('workflow: disputes', () => {
  it('holds an open dispute back from refunds, and gives it back when won', async () => {
    const { oms, provider, payment, reference, order } = await captured();
    const events: string[] = [];
    oms.events.on('payment.disputed', (e) => events.push(`disputed:${e.dispute.state}`));
    oms.events.on('payment.dispute_closed', (e) => events.push(`closed:${e.dispute.state}`));

    const opened = provider.openDispute(reference, 3000);
    await oms.payments.applyProviderEvent(opened);
    await oms.idle();
    expect((await oms.payments.get(payment.id)).disputes).toEqual([
      expect.objectContaining({ id: opened.disputeReference, amount: 3000, state: 'open' }),
    ]);
    await expect(
      oms.payments.refund(payment.id, { amount: order.total - 2999 }),
    ).rejects.toMatchObject({ code: 'refund_exceeds_captured' });
    await oms.payments.refund(payment.id, { amount: 1000 });

    await oms.payments.applyProviderEvent(provider.closeDispute(opened.disputeReference!, 'won'));
    await oms.idle();
    const refund = await oms.payments.refund(payment.id);
    expect(refund.amount).toBe(order.total - 1000);
    expect(events).toEqual(['disputed:open', 'closed:won']);
  });

  it('keeps a lost dispute out of what is refundable for good', async () => {
    const { oms, provider, payment, reference, order } = await captured();
    const opened = provider.openDispute(reference, 3000);
    await oms.payments.applyProviderEvent(opened);
    await oms.payments.applyProviderEvent(provider.closeDispute(opened.disputeReference!, 'lost'));
    const refund = await oms.payments.refund(payment.id);
    expect(refund.amount).toBe(order.total - 3000);
    await expect(oms.payments.refund(payment.id, { amount: 1 })).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
    });
  });

  it('refunds a cancelled order what its dispute held back once the dispute is won', async () => {
    const { oms, provider, payment, reference, order } = await captured();
    const opened = provider.openDispute(reference, 1500);
    await oms.payments.applyProviderEvent(opened);
    await oms.orders.cancel(order.id, { reason: 'changed mind' });
    await oms.idle();
    expect(await oms.payments.get(payment.id)).toMatchObject({
      refundedAmount: order.total - 1500,
    });

    await oms.payments.applyProviderEvent(provider.closeDispute(opened.disputeReference!, 'won'));
    await oms.idle();
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: order.total,
    });
    expect(provider.ledger(payment.id).refunded).toBe(order.total);
  });
});

describe('workflow: a refund the provider settles later', () => {
  /**
   * The fake provider, except that refunds answer `processing` (as a bank transfer refund
   * does): the money moves at once when `outcome` is `succeed`, never when it is `fail`.
   */
  function slowRefunds(outcome: 'succeed' | 'fail' = 'succeed'): FakePaymentProvider {
    const fake = fakePaymentProvider();
    return {
      ...fake,
      async refund(request) {
        if (outcome === 'fail') {
          return { status: 'processing', reference: `re_slow_${request.refundId}` };
        }
        const answer = await fake.refund(request);
        return answer.status === 'succeeded'
          ? { status: 'processing', reference: answer.reference }
          : answer;
      },
    };
  }

  it('keeps it pending with its reference, holds its amount, and settles it from the event', async () => {
    const { oms, payment, order, clock } = await captured({ payments: slowRefunds() });
    const refund = await oms.payments.refund(payment.id, { amount: 1000 });
    expect(refund).toMatchObject({ state: 'pending', providerReference: expect.any(String) });
    await expect(
      oms.payments.refund(payment.id, { amount: order.total - 999 }),
    ).rejects.toMatchObject({ code: 'refund_exceeds_captured' });
    // The sweep asks again with the same key and gets the same answer: nothing changes.
    clock.advance(10 * MINUTE);
    await oms.sweep();
    await oms.idle();
    expect((await oms.payments.get(payment.id)).refunds).toEqual([refund]);

    const settled = await oms.payments.applyProviderEvent({
      id: 'evt_refund_done',
      type: 'refund.succeeded',
      providerReference: payment.providerReference!,
      refundReference: refund.providerReference!,
    });
    expect(settled).toMatchObject({ status: 'applied' });
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'partially_refunded',
      refundedAmount: 1000,
      refunds: [expect.objectContaining({ id: refund.id, state: 'succeeded' })],
    });
  });

  it('gives the amount back when the provider reports the refund failed', async () => {
    const { oms, payment, order } = await captured({ payments: slowRefunds('fail') });
    const refund = await oms.payments.refund(payment.id, { amount: 1000 });
    await oms.payments.applyProviderEvent({
      id: 'evt_refund_failed',
      type: 'refund.failed',
      providerReference: payment.providerReference!,
      refundReference: refund.providerReference!,
      reason: 'account_closed',
    });
    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'captured', refundedAmount: 0 });
    expect(after.refunds[0]).toMatchObject({ state: 'failed', failureCode: 'account_closed' });
    expect((await oms.payments.refund(payment.id)).amount).toBe(order.total);
  });
});
