import {
  deliveredOrder,
  type FakePaymentProvider,
  fakePaymentProvider,
  orderInput,
} from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, MINUTE, testSystem, walkReturn } from '../managers/setup.js';

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

  it('keeps each of two waiting refunds with its own reference', async () => {
    const { oms, payment } = await captured({ payments: slowRefunds() });
    const first = await oms.payments.refund(payment.id, { amount: 1000 });
    const second = await oms.payments.refund(payment.id, { amount: 500 });
    expect(first.providerReference).not.toBe(second.providerReference);
    expect((await oms.payments.get(payment.id)).refunds).toEqual([first, second]);
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

  it('refunds a processed return when the provider reports its refund settled, without retrying meanwhile', async () => {
    const failures: string[] = [];
    const note = (obj: object) => {
      const name = (obj as { name?: unknown }).name;
      if (typeof name === 'string') failures.push(name);
    };
    const { oms, clock } = await testSystem({
      payments: slowRefunds(),
      logger: { debug() {}, info() {}, warn: note, error: note },
    });
    const order = await deliveredOrder(oms);
    await oms.idle();
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();
    const [payment] = await oms.payments.listByOrder(order.id);
    const refund = payment!.refunds.find((r) => r.returnId === ret.id);
    expect(refund).toMatchObject({ state: 'pending', providerReference: expect.any(String) });
    // The sweep finds the return processed, sees the refund accepted, and leaves it.
    clock.advance(10 * MINUTE);
    await oms.sweep();
    await oms.idle();
    expect((await oms.returns.get(ret.id)).state).toBe('processed');
    expect(await oms.storage.deadLetters.list({ limit: 10 })).toMatchObject({ data: [] });
    // No job failed while waiting for the provider (no retries to wait it out).
    expect(failures).toEqual([]);

    await oms.payments.applyProviderEvent({
      id: 'evt_return_refund',
      type: 'refund.succeeded',
      providerReference: payment!.providerReference!,
      refundReference: refund!.providerReference!,
    });
    await oms.idle();
    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
  });
});
