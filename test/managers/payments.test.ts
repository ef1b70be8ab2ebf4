import {
  DEFAULT_CONFIG,
  isOrderflowError,
  type Payment,
  type StateChangedPayload,
} from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from './setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };

/** A system with one pending order (total 5698 with the default builder input). */
async function withOrder(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await testSystem(options);
  const order = await system.oms.orders.create(orderInput());
  return { ...system, order };
}

/** A system with an order paid in full by `tok_visa`. */
async function withCapturedPayment(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await withOrder(options);
  const payment = await system.oms.payments.process({
    orderId: system.order.id,
    paymentMethod: visa,
  });
  return { ...system, payment };
}

describe('payments.process', () => {
  it('voids the authorization when the capture is declined, so no funds stay on hold', async () => {
    const { oms, order, provider } = await withOrder();
    provider.failNext('capture', 'decline');

    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'payment_declined' });
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment).toMatchObject({ state: 'failed', capturedAmount: 0 });
    const voids = provider.calls.filter((c) => c.operation === 'void');
    expect(voids).toEqual([
      expect.objectContaining({ idempotencyKey: `${payment!.id}:void`, outcome: 'succeeded' }),
    ]);
    expect(provider.ledger(payment!.id).captured).toBe(0);
  });

  it('authorizes and captures what the order owes with tok_visa', async () => {
    const { oms, order, provider } = await withOrder();

    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });

    expect(payment).toMatchObject({
      orderId: order.id,
      amount: order.total,
      currency: 'USD',
      state: 'captured',
      provider: 'fake',
      capturedAmount: order.total,
      refundedAmount: 0,
      refunds: [],
    });
    expect(payment.id).toMatch(/^pay_/);
    expect(payment.providerReference).toBeTruthy();
    expect(await oms.payments.get(payment.id)).toEqual(payment);
    expect((await oms.orders.get(order.id)).paidTotal).toBe(order.total);
    expect(provider.ledger(payment.id).captured).toBe(order.total);
  });

  it('defaults the amount to what is still owed after a partial payment', async () => {
    const { oms, order } = await withOrder();

    const first = await oms.payments.process({
      orderId: order.id,
      amount: 1000,
      paymentMethod: visa,
    });
    const rest = await oms.payments.process({ orderId: order.id, paymentMethod: visa });

    expect(first.amount).toBe(1000);
    expect(rest.amount).toBe(order.total - 1000);
    expect((await oms.payments.listByOrder(order.id)).map((p) => p.id)).toEqual([
      first.id,
      rest.id,
    ]);
    expect((await oms.orders.get(order.id)).paidTotal).toBe(order.total);
  });

  it('refuses to take more than the order owes (amount_exceeds_balance)', async () => {
    const { oms, order, provider } = await withOrder();
    await oms.payments.process({ orderId: order.id, amount: 1000, paymentMethod: visa });

    await expect(
      oms.payments.process({ orderId: order.id, amount: order.total, paymentMethod: visa }),
    ).rejects.toMatchObject({
      code: 'amount_exceeds_balance',
      details: { orderId: order.id, owed: order.total - 1000, requested: order.total },
    });
    await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    await expect(
      oms.payments.process({ orderId: order.id, paymentMethod: visa }),
    ).rejects.toMatchObject({ code: 'amount_exceeds_balance', details: { owed: 0 } });
    expect(await oms.payments.listByOrder(order.id)).toHaveLength(2);
    expect(provider.calls.filter((c) => c.operation === 'authorize')).toHaveLength(2);
  });

  it('refuses to charge a cancelled order (order_not_payable)', async () => {
    const { oms, order, provider } = await withOrder();
    await oms.orders.cancel(order.id);

    await expect(
      oms.payments.process({ orderId: order.id, paymentMethod: visa }),
    ).rejects.toMatchObject({
      code: 'order_not_payable',
      details: { orderId: order.id, state: 'cancelled' },
    });
    expect(await oms.payments.listByOrder(order.id)).toEqual([]);
    expect(provider.calls).toEqual([]);
  });

  it('fails with not_found for an unknown order and with validation_error for bad input', async () => {
    const { oms } = await testSystem();
    await expect(
      oms.payments.process({ orderId: 'ord_0000000000000000000000000', paymentMethod: visa }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      oms.payments.process({ orderId: 'nope', amount: -1, paymentMethod: { token: '' } }),
    ).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('never takes more than the order owes under parallel requests', async () => {
    const { oms, order, provider } = await withOrder();

    const results = await Promise.allSettled([
      oms.payments.process({ orderId: order.id, paymentMethod: visa }),
      oms.payments.process({ orderId: order.id, paymentMethod: visa }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'amount_exceeds_balance' },
    });
    expect((await oms.orders.get(order.id)).paidTotal).toBe(order.total);
    expect(provider.calls.filter((c) => c.operation === 'authorize')).toHaveLength(1);
  });

  it('records a declined card as a failed payment with its failure code', async () => {
    const { oms, order } = await withOrder();

    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } })
      .catch((e) => e);

    expect(error).toMatchObject({ code: 'payment_declined', name: 'PaymentDeclinedError' });
    const [failed] = await oms.payments.listByOrder(order.id);
    expect(failed).toMatchObject({
      id: error.details.paymentId,
      state: 'failed',
      failureCode: 'card_declined',
      capturedAmount: 0,
    });
    // A failed payment holds nothing: the order can still be paid in full.
    const paid = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    expect(paid.amount).toBe(order.total);
  });

  it('retries a transient failure with one authorization at the provider, under one key', async () => {
    const { oms, order, provider } = await withOrder();

    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_transient' },
    });

    expect(payment.state).toBe('captured');
    const authorizations = provider.calls.filter((c) => c.operation === 'authorize');
    expect(authorizations.map((c) => c.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(new Set(authorizations.map((c) => c.idempotencyKey))).toEqual(
      new Set([`${payment.id}:authorize`]),
    );
    expect(provider.ledger(payment.id).captured).toBe(order.total);
  });

  it('derives the provider idempotency keys from our own payment and refund ids', async () => {
    const { oms, payment, provider } = await withCapturedPayment();

    const refund = await oms.payments.refund(payment.id, { amount: 100 });

    const keys = provider.calls.map((c) => `${c.operation}:${c.idempotencyKey}`);
    expect(keys).toEqual([
      expect.stringMatching(new RegExp(`^authorize:.*${payment.id}`)),
      expect.stringMatching(new RegExp(`^capture:.*${payment.id}`)),
      expect.stringMatching(new RegExp(`^refund:.*${refund.id}`)),
    ]);
  });

  it('emits payment.created and payment.state_changed', async () => {
    const { oms, order } = await withOrder();
    const created: string[] = [];
    const changed: StateChangedPayload<Payment>[] = [];
    oms.events.on('payment.created', (e) => created.push(e.entity.state));
    oms.events.on('payment.state_changed', (e) => changed.push(e));

    const payment = await oms.payments.process({ orderId: order.id, paymentMethod: visa });

    expect(created).toEqual(['pending']);
    expect(changed).toEqual([
      expect.objectContaining({
        id: payment.id,
        from: 'pending',
        to: 'captured',
        event: 'CAPTURE',
        entity: payment,
      }),
    ]);
  });
});

describe('manual capture', () => {
  it('authorizes first, then captures, and refuses a second capture', async () => {
    const { oms, order, provider } = await withOrder();

    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    expect(authorized).toMatchObject({ state: 'authorized', capturedAmount: 0 });
    expect(provider.calls.map((c) => c.operation)).toEqual(['authorize']);

    const captured = await oms.payments.capture(authorized.id);
    expect(captured).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(captured.pendingCapture).toBeUndefined();

    await expect(oms.payments.capture(authorized.id)).rejects.toMatchObject({
      code: 'payment_already_captured',
      details: { capturedAmount: order.total },
    });
    expect(await oms.payments.get(authorized.id)).toEqual(captured);
    expect(provider.calls.filter((c) => c.operation === 'capture')).toHaveLength(1);
    expect(provider.ledger(authorized.id).captured).toBe(order.total);
  });

  it('captures less than authorized when asked, and refuses more', async () => {
    const { oms, order } = await withOrder();
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });

    await expect(
      oms.payments.capture(authorized.id, { amount: order.total + 1 }),
    ).rejects.toMatchObject({ code: 'amount_exceeds_balance' });
    const captured = await oms.payments.capture(authorized.id, { amount: 1000 });

    expect(captured).toMatchObject({ state: 'captured', capturedAmount: 1000 });
  });

  it('voids an authorization; voiding again changes nothing; a capture is then refused', async () => {
    const { oms, order, provider } = await withOrder();
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });

    const voided = await oms.payments.void(authorized.id);
    expect(voided.state).toBe('voided');
    expect(await oms.payments.void(authorized.id)).toEqual(voided);
    expect(provider.calls.filter((c) => c.operation === 'void')).toHaveLength(1);

    await expect(oms.payments.capture(authorized.id)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    // A voided payment holds nothing.
    const paid = await oms.payments.process({ orderId: order.id, paymentMethod: visa });
    expect(paid.amount).toBe(order.total);
  });

  it('voids again after a declined void: the second void is a new provider request', async () => {
    const { oms, order, provider } = await withOrder();
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    provider.failNext('void', 'decline');
    await expect(oms.payments.void(authorized.id)).rejects.toMatchObject({
      code: 'payment_declined',
    });
    expect(await oms.payments.get(authorized.id)).toMatchObject({ state: 'authorized' });

    const voided = await oms.payments.void(authorized.id);
    expect(voided.state).toBe('voided');
    const voids = provider.calls.filter((c) => c.operation === 'void');
    expect(voids.map((c) => c.outcome)).toEqual(['declined', 'succeeded']);
    expect(new Set(voids.map((c) => c.idempotencyKey)).size).toBe(2);
  });

  it('releases the hold of a cancelled order even after a declined void', async () => {
    const { oms, order, provider } = await withOrder();
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    provider.failNext('void', 'decline');
    await expect(oms.payments.void(authorized.id)).rejects.toMatchObject({
      code: 'payment_declined',
    });
    await oms.orders.cancel(order.id, { reason: 'changed mind' });
    await oms.idle();
    expect(await oms.payments.get(authorized.id)).toMatchObject({ state: 'voided' });
  });

  it('keeps a capture whose answer was lost pending, and the sweep records it once', async () => {
    const { oms, order, provider, clock } = await withOrder({ config: { providerRetries: 0 } });
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    provider.failNext('capture', 'timeout_after_success');

    await expect(oms.payments.capture(authorized.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId: authorized.id },
    });
    expect(await oms.payments.get(authorized.id)).toMatchObject({
      state: 'authorized',
      capturedAmount: 0,
      pendingCapture: { amount: order.total },
    });

    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const captured = await oms.payments.get(authorized.id);
    expect(captured).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(captured.pendingCapture).toBeUndefined();
    expect(provider.ledger(authorized.id).captured).toBe(order.total);
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });

  it('never leaves money captured at the provider that the payment does not record when a void meets a pending capture', async () => {
    const { oms, order, provider, clock } = await withOrder({ config: { providerRetries: 0 } });
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    provider.failNext('capture', 'timeout');
    await expect(oms.payments.capture(authorized.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
    });

    // The capture intent is saved; a void now must not strand it.
    await oms.payments.void(authorized.id).catch(() => undefined);
    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const after = await oms.payments.get(authorized.id);
    expect(after.pendingCapture).toBeUndefined();
    expect(after.capturedAmount).toBe(provider.ledger(authorized.id).captured);
  });

  it('refuses to capture a payment the provider has not authorized yet', async () => {
    const { oms, order, provider } = await withOrder({ config: { providerRetries: 0 } });
    provider.failNext('authorize', 'timeout');
    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e) => e);
    const paymentId: string = error.details.paymentId;
    expect((await oms.payments.get(paymentId)).state).toBe('pending');

    await expect(oms.payments.capture(paymentId)).rejects.toSatisfy(isOrderflowError);
  });

  it('leaves no capture intent behind once a pending payment settles', async () => {
    const { oms, order, provider, clock } = await withOrder({ config: { providerRetries: 0 } });
    provider.failNext('authorize', 'timeout');
    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa })
      .catch((e) => e);
    const paymentId: string = error.details.paymentId;
    await oms.payments.capture(paymentId).catch(() => undefined);

    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const settled = await oms.payments.get(paymentId);
    expect(settled).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(settled.pendingCapture).toBeUndefined();
    const later = new Date(clock.now() + DEFAULT_CONFIG.sweepGraceMs).toISOString();
    expect(await oms.storage.payments.listUnsettled(later, 10)).toEqual([]);
    expect(provider.ledger(paymentId).captured).toBe(order.total);
  });

  it('refuses to void a captured payment', async () => {
    const { oms, payment, provider } = await withCapturedPayment();

    await expect(oms.payments.void(payment.id)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
    expect(provider.calls.filter((c) => c.operation === 'void')).toEqual([]);
  });

  it('refuses a refund of money that is only authorized', async () => {
    const { oms, order } = await withOrder();
    const authorized = await oms.payments.process({
      orderId: order.id,
      paymentMethod: visa,
      capture: 'manual',
    });

    await expect(oms.payments.refund(authorized.id)).rejects.toMatchObject({
      code: 'payment_not_refundable',
    });
  });
});

describe('without a payment provider', () => {
  it('fails payment calls with configuration_error while orders work', async () => {
    const { oms } = await testSystem({ payments: false });
    const order = await oms.orders.create(orderInput());
    await oms.orders.transition(order.id, { state: 'confirmed' });
    const payId = 'pay_0000000000000000000000000';

    for (const call of [
      () => oms.payments.process({ orderId: order.id, paymentMethod: visa }),
      () => oms.payments.capture(payId),
      () => oms.payments.void(payId),
      () => oms.payments.refund(payId),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'configuration_error',
        name: 'ConfigurationError',
      });
    }
    expect(await oms.payments.listByOrder(order.id)).toEqual([]);
    expect((await oms.orders.get(order.id)).state).toBe('confirmed');
  });
});

describe('payments.refund', () => {
  it('refunds part, then the rest by default: partially_refunded, then refunded', async () => {
    const { oms, payment, provider, order } = await withCapturedPayment();

    const part = await oms.payments.refund(payment.id, { amount: 1000, reason: 'goodwill' });
    expect(part).toMatchObject({
      paymentId: payment.id,
      amount: 1000,
      reason: 'goodwill',
      state: 'succeeded',
    });
    expect(part.id).toMatch(/^rfd_/);
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'partially_refunded',
      refundedAmount: 1000,
    });

    const rest = await oms.payments.refund(payment.id);
    expect(rest.amount).toBe(order.total - 1000);
    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'refunded', refundedAmount: order.total });
    expect(after.refunds.map((r) => r.id)).toEqual([part.id, rest.id]);
    expect((await oms.orders.get(order.id)).refundedTotal).toBe(order.total);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: order.total, refunds: 2 });
  });

  it('refuses to refund more than is left (refund_exceeds_captured)', async () => {
    const { oms, payment, order } = await withCapturedPayment();
    await oms.payments.refund(payment.id, { amount: 1000 });

    await expect(
      oms.payments.refund(payment.id, { amount: order.total - 999 }),
    ).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
      details: { refundable: order.total - 1000, requested: order.total - 999 },
    });
    expect((await oms.payments.get(payment.id)).refunds).toHaveLength(1);
  });

  it('refuses any refund of a fully refunded payment as more than was captured', async () => {
    const { oms, payment } = await withCapturedPayment();
    await oms.payments.refund(payment.id);

    await expect(oms.payments.refund(payment.id)).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
      details: { refundable: 0 },
    });
  });

  it('never lets parallel refunds exceed the captured amount', async () => {
    const { oms, payment, order, provider } = await withCapturedPayment();
    const amount = Math.floor(order.total / 3) + 1;

    const results = await Promise.allSettled(
      [1, 2, 3].map(() => oms.payments.refund(payment.id, { amount })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([
      expect.objectContaining({
        reason: expect.objectContaining({ code: 'refund_exceeds_captured' }),
      }),
    ]);
    expect((await oms.payments.get(payment.id)).refundedAmount).toBe(2 * amount);
    expect(provider.ledger(payment.id).refunded).toBe(2 * amount);
  });

  it('leaves the balance as it was when the provider declines a refund', async () => {
    const { oms, payment, provider, order } = await withCapturedPayment();
    const failed: unknown[] = [];
    oms.events.on('refund.failed', (e) => failed.push(e.refund.id));
    provider.failNext('refund', 'decline');

    const error = await oms.payments.refund(payment.id, { amount: 700 }).catch((e) => e);

    expect(error).toMatchObject({ code: 'payment_declined' });
    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'captured', refundedAmount: 0 });
    expect(after.refunds).toEqual([
      expect.objectContaining({
        id: error.details.refundId,
        amount: 700,
        state: 'failed',
        failureCode: 'processing_error',
      }),
    ]);
    expect(failed).toEqual([error.details.refundId]);
    expect(provider.ledger(payment.id).refunded).toBe(0);
    // A failed refund holds nothing: the whole capture can still be refunded.
    await expect(oms.payments.refund(payment.id)).resolves.toMatchObject({
      amount: order.total,
      state: 'succeeded',
    });
  });

  it('absorbs a timeout after success by retrying under the same key: money moves once', async () => {
    const { oms, payment, provider } = await withCapturedPayment();
    provider.failNext('refund', 'timeout_after_success');

    const refund = await oms.payments.refund(payment.id, { amount: 500 });

    expect(refund.state).toBe('succeeded');
    const refundCalls = provider.calls.filter((c) => c.operation === 'refund');
    expect(refundCalls.length).toBeGreaterThanOrEqual(2);
    expect(new Set(refundCalls.map((c) => c.idempotencyKey)).size).toBe(1);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 500, refunds: 1 });
  });

  it('leaves a refund pending on an ambiguous timeout, counts it as held, and the sweep settles it once', async () => {
    const { oms, payment, provider, clock, order } = await withCapturedPayment({
      config: { providerRetries: 0 },
    });
    provider.failNext('refund', 'timeout_after_success');

    const error = await oms.payments.refund(payment.id, { amount: 500 }).catch((e) => e);

    expect(error).toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId: payment.id },
    });
    const refundId: string = error.details.refundId;
    const pending = await oms.payments.get(payment.id);
    expect(pending).toMatchObject({ state: 'captured', refundedAmount: 0 });
    expect(pending.refunds).toEqual([
      expect.objectContaining({ id: refundId, state: 'pending', amount: 500 }),
    ]);
    // The pending refund holds its amount.
    await expect(oms.payments.refund(payment.id, { amount: order.total })).rejects.toMatchObject({
      code: 'refund_exceeds_captured',
      details: { refundable: order.total - 500 },
    });

    // Not yet: the sweep leaves work alone during the grace period.
    await oms.sweep();
    await oms.idle();
    expect((await oms.payments.get(payment.id)).refunds[0]!.state).toBe('pending');

    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const settled = await oms.payments.get(payment.id);
    expect(settled).toMatchObject({ state: 'partially_refunded', refundedAmount: 500 });
    expect(settled.refunds).toEqual([
      expect.objectContaining({ id: refundId, state: 'succeeded' }),
    ]);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 500, refunds: 1 });
    expect(
      provider.calls
        .filter((c) => c.operation === 'refund')
        .every((c) => c.idempotencyKey.includes(refundId)),
    ).toBe(true);
  });

  it('refuses a refund linked to an unknown return or to a return of another order', async () => {
    const { oms, payment } = await withCapturedPayment();
    const other = await deliveredOrder(oms);
    const otherReturn = await oms.returns.create({
      orderId: other.id,
      items: [{ orderItemId: other.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });

    await expect(
      oms.payments.refund(payment.id, { returnId: 'ret_0000000000000000000000000' }),
    ).rejects.toMatchObject({ code: 'not_found', details: { entity: 'return' } });
    await expect(
      oms.payments.refund(payment.id, { returnId: otherReturn.id }),
    ).rejects.toMatchObject({ code: 'return_order_mismatch' });
    expect((await oms.payments.get(payment.id)).refunds).toEqual([]);
  });

  it('fails with not_found for an unknown payment', async () => {
    const { oms } = await testSystem();
    const id = 'pay_0000000000000000000000000';
    await expect(oms.payments.get(id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(oms.payments.refund(id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(oms.payments.capture(id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(oms.payments.void(id)).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('payments.list and payments.history', () => {
  it('lists payments newest first, filtered by order and state, page by page', async () => {
    const { oms, order, payment } = await withCapturedPayment();
    const other = await oms.orders.create(orderInput());
    const declined = await oms.payments
      .process({ orderId: other.id, paymentMethod: { token: 'tok_chargeDeclined' } })
      .catch(() => undefined);
    expect(declined).toBeUndefined();
    const second = await oms.payments.process({ orderId: other.id, paymentMethod: visa });

    const all = await oms.payments.list();
    expect(all.data.map((p) => p.id)).toEqual([second.id, expect.any(String), payment.id]);
    expect(all.nextCursor).toBeNull();
    expect((await oms.payments.list({ orderId: order.id })).data.map((p) => p.id)).toEqual([
      payment.id,
    ]);
    expect((await oms.payments.list({ state: 'failed' })).data).toEqual([
      expect.objectContaining({ orderId: other.id, state: 'failed' }),
    ]);

    const first = await oms.payments.list({ limit: 2 });
    expect(first.data.map((p) => p.id)).toEqual(all.data.slice(0, 2).map((p) => p.id));
    const rest = await oms.payments.list({ limit: 2, cursor: first.nextCursor! });
    expect(rest).toEqual({ data: [all.data[2]], nextCursor: null });
  });

  it('refuses a bad list query with validation_error naming the field', async () => {
    const { oms } = await withOrder();
    await expect(oms.payments.list({ state: 'paid' as never })).rejects.toMatchObject({
      code: 'validation_error',
      issues: [expect.objectContaining({ path: ['state'] })],
    });
    await expect(oms.payments.list({ orderId: 'pay_1' })).rejects.toMatchObject({
      code: 'validation_error',
    });
  });

  it('returns every state change of a payment, oldest first, and not_found for an unknown id', async () => {
    const { oms, payment } = await withCapturedPayment();
    await oms.payments.refund(payment.id, { amount: 100 });
    const history = await oms.payments.history(payment.id);
    expect(history.map((h) => [h.from, h.to])).toEqual([
      [null, 'pending'],
      ['pending', 'captured'],
      ['captured', 'partially_refunded'],
    ]);
    expect(history.every((h) => h.entity === 'payment' && h.entityId === payment.id)).toBe(true);
    await expect(oms.payments.history('pay_01jd3x8k7m2v9q4r6t8w0y2a4c')).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
