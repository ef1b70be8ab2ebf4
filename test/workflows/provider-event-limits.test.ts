import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

/** A dispute event as a provider might send it, whatever its own records say. */
const dispute = (
  id: string,
  type: 'dispute.opened' | 'dispute.won' | 'dispute.lost',
  providerReference: string,
  amount?: number,
) => ({
  id,
  type,
  providerReference,
  disputeReference: `dp_${id}`,
  ...(amount === undefined ? {} : { amount }),
});

/** A captured payment of the whole order (5698), with the provider's reference. */
async function captured() {
  const system = await testSystem();
  const order = await system.oms.orders.create(orderInput());
  const payment = await system.oms.payments.process({ orderId: order.id, paymentMethod: visa });
  await system.oms.idle();
  return { ...system, order, payment, reference: payment.providerReference! };
}

describe('provider events: amounts beyond the capture', () => {
  it('ignores a dashboard refund beyond what is left of the capture, and records one of exactly what is left', async () => {
    const { oms, payment, reference, order } = await captured();
    await oms.payments.refund(payment.id, { amount: 1000 });
    const refund = (id: string, amount: number) => ({
      id,
      type: 'refund.created' as const,
      providerReference: reference,
      refundReference: `re_${id}`,
      amount,
    });

    expect(await oms.payments.applyProviderEvent(refund('evt_over', order.total - 999))).toEqual({
      status: 'ignored',
      reason: 'exceeds_captured',
      paymentId: payment.id,
    });
    expect(await oms.payments.get(payment.id)).toMatchObject({ refundedAmount: 1000 });

    expect(
      await oms.payments.applyProviderEvent(refund('evt_rest', order.total - 1000)),
    ).toMatchObject({ status: 'applied' });
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'refunded',
      refundedAmount: order.total,
    });
  });

  it('ignores a dashboard refund of a payment that captured nothing as a refused transition', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    const event = {
      id: 'evt_refund_auth',
      type: 'refund.created' as const,
      providerReference: authorized.providerReference!,
      refundReference: 're_auth',
      amount: 100,
    };
    expect(await oms.payments.applyProviderEvent(event)).toEqual({
      status: 'ignored',
      reason: 'refused_transition',
      paymentId: authorized.id,
    });
    expect(await oms.payments.get(authorized.id)).toMatchObject({ refundedAmount: 0, refunds: [] });
  });

  it('records a refund.succeeded for a refund orderflow never asked for when it names an amount', async () => {
    const { oms, payment, reference } = await captured();
    const unknown = {
      id: 'evt_unknown_refund',
      type: 'refund.succeeded' as const,
      providerReference: reference,
      refundReference: 're_elsewhere',
    };
    expect(await oms.payments.applyProviderEvent(unknown)).toEqual({
      status: 'ignored',
      reason: 'unknown_refund',
      paymentId: payment.id,
    });
    expect(
      await oms.payments.applyProviderEvent({ ...unknown, id: 'evt_with_amount', amount: 700 }),
    ).toMatchObject({ status: 'applied' });
    expect((await oms.payments.get(payment.id)).refunds).toEqual([
      expect.objectContaining({ amount: 700, state: 'succeeded', origin: 'provider' }),
    ]);
  });

  it('ignores a settled refund reported again, or reported failed after it succeeded', async () => {
    const { oms, payment, reference } = await captured();
    const refund = await oms.payments.refund(payment.id, { amount: 500 });
    const report = (id: string, type: 'refund.succeeded' | 'refund.failed') =>
      oms.payments.applyProviderEvent({
        id,
        type,
        providerReference: reference,
        refundReference: refund.id,
      });

    expect(await report('evt_again', 'refund.succeeded')).toMatchObject({
      status: 'ignored',
      reason: 'already_settled',
    });
    expect(await report('evt_late_fail', 'refund.failed')).toMatchObject({
      status: 'ignored',
      reason: 'refused_transition',
    });
    expect(await oms.payments.get(payment.id)).toMatchObject({
      refundedAmount: 500,
      refunds: [expect.objectContaining({ id: refund.id, state: 'succeeded' })],
    });
  });

  it('ignores a dispute beyond the capture, or on a payment that captured nothing, and records one of the whole capture', async () => {
    const { oms, payment, reference, order } = await captured();
    const over = dispute('evt_over', 'dispute.opened', reference, order.total + 1);
    expect(await oms.payments.applyProviderEvent(over)).toMatchObject({
      status: 'ignored',
      reason: 'exceeds_captured',
    });
    const whole = dispute('evt_whole', 'dispute.opened', reference, order.total);
    expect(await oms.payments.applyProviderEvent(whole)).toMatchObject({ status: 'applied' });
    expect((await oms.payments.get(payment.id)).disputes).toEqual([
      expect.objectContaining({ id: whole.disputeReference, amount: order.total, state: 'open' }),
    ]);

    const other = await oms.orders.create(orderInput());
    const authorized = await oms.payments.process({
      orderId: other.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    expect(
      await oms.payments.applyProviderEvent(
        dispute('evt_uncaptured', 'dispute.opened', authorized.providerReference!, 100),
      ),
    ).toMatchObject({ status: 'ignored', reason: 'refused_transition' });
  });

  it('closes only the dispute it names, and ignores a second close as settled or refused', async () => {
    const { oms, payment, reference, provider } = await captured();
    const closed: string[] = [];
    oms.events.on('payment.dispute_closed', (e) =>
      closed.push(`${e.dispute.id}:${e.dispute.state}`),
    );
    const first = provider.openDispute(reference, 1000);
    const second = provider.openDispute(reference, 2000);
    await oms.payments.applyProviderEvent(first);
    await oms.payments.applyProviderEvent(second);

    const won = provider.closeDispute(second.disputeReference!, 'won');
    expect(await oms.payments.applyProviderEvent(won)).toMatchObject({ status: 'applied' });
    expect((await oms.payments.get(payment.id)).disputes).toEqual([
      expect.objectContaining({ id: first.disputeReference, state: 'open' }),
      expect.objectContaining({ id: second.disputeReference, state: 'won' }),
    ]);
    expect(await oms.payments.applyProviderEvent({ ...won, id: `${won.id}_again` })).toMatchObject({
      status: 'ignored',
      reason: 'already_settled',
    });
    expect(
      await oms.payments.applyProviderEvent({ ...won, id: `${won.id}_lost`, type: 'dispute.lost' }),
    ).toMatchObject({ status: 'ignored', reason: 'refused_transition' });
    await oms.idle();
    expect(closed).toEqual([`${second.disputeReference}:won`]);
  });

  it('emits payment.dispute_closed, not payment.disputed, for a close that arrives before its opening', async () => {
    const { oms, reference, provider } = await captured();
    const heard: string[] = [];
    oms.events.on('payment.disputed', () => heard.push('disputed'));
    oms.events.on('payment.dispute_closed', (e) => heard.push(`closed:${e.dispute.state}`));
    const opened = provider.openDispute(reference, 1000);
    await oms.payments.applyProviderEvent(provider.closeDispute(opened.disputeReference!, 'lost'));
    await oms.idle();
    expect(heard).toEqual(['closed:lost']);
  });
});

describe('provider events: payment results reported again or late', () => {
  it('tells a repeated success or failure (already_settled) from a move the payment cannot make', async () => {
    const { oms, payment, reference } = await captured();
    const succeeded = {
      id: 'evt_pay_again',
      type: 'payment.succeeded' as const,
      providerReference: reference,
    };
    expect(await oms.payments.applyProviderEvent(succeeded)).toMatchObject({
      status: 'ignored',
      reason: 'already_settled',
    });

    const { oms: oms2, provider } = await testSystem();
    const order = await oms2.orders.create(orderInput());
    const slow = await oms2.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_async' },
    });
    const failed = provider.settle(slow.providerReference!, 'fail');
    await oms2.payments.applyProviderEvent(failed);
    expect(
      await oms2.payments.applyProviderEvent({ ...failed, id: `${failed.id}_again` }),
    ).toMatchObject({ status: 'ignored', reason: 'already_settled' });
    expect(
      await oms2.payments.applyProviderEvent({
        ...failed,
        id: `${failed.id}_late_success`,
        type: 'payment.succeeded',
      }),
    ).toMatchObject({ status: 'ignored', reason: 'refused_transition' });
    expect(await oms2.payments.get(slow.id)).toMatchObject({ state: 'failed', capturedAmount: 0 });
    expect(await oms.payments.get(payment.id)).toEqual(payment);
  });
});
