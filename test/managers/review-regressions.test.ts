/**
 * Regression tests for the bugs a review found (repros r1–r7, r5b), each written as the
 * behaviour that must hold: retried money commands resume their saved intent, a void and a
 * capture never both reach the provider, a return refunded by hand completes its order, a
 * discount larger than the lines never breaks a return, the sweep reaches old lost work,
 * and refunds linked to a return are capped by it.
 */
import { DEFAULT_CONFIG, type Order, type OrderSystem, type StorageAdapter } from 'orderflow';
import {
  deliveredOrder,
  type FakePaymentProvider,
  fakePaymentProvider,
  orderInput,
} from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeSystems,
  MINUTE,
  survivingStorage,
  testStorage,
  testSystem,
  walkReturn,
} from './setup.js';

afterEach(closeSystems);

const visa = { token: 'tok_visa' };
/** Longer than the 60 s lease of an in-flight idempotency claim. */
const PAST_CLAIM_LEASE = 61_000;

/**
 * A store whose next transaction fails (as a database connection reset would) or hangs
 * forever (as in a process that dies mid-command).
 */
function faultyStorage(base: StorageAdapter) {
  let fault: 'fail' | 'hang' | undefined;
  const storage: StorageAdapter = {
    ...base,
    transaction: (fn) => {
      const now = fault;
      fault = undefined;
      if (now === 'fail') return Promise.reject(new Error('db blip: connection reset'));
      if (now === 'hang') return new Promise<never>(() => {});
      return base.transaction(fn);
    },
  };
  return {
    storage,
    failNextTransaction: () => {
      fault = 'fail';
    },
    hangNextTransaction: () => {
      fault = 'hang';
    },
  };
}

/** The provider idempotency keys the provider saw for one operation. */
function keysOf(
  provider: FakePaymentProvider,
  operation: 'authorize' | 'capture' | 'void' | 'refund',
) {
  return new Set(
    provider.calls.filter((c) => c.operation === operation).map((c) => c.idempotencyKey),
  );
}

function succeeded(provider: FakePaymentProvider, operation: 'capture' | 'void' | 'refund') {
  return provider.calls.some((c) => c.operation === operation && c.outcome === 'succeeded');
}

/** A system with an order paid in full by `tok_visa`. */
async function withCapturedPayment(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await testSystem(options);
  const order = await system.oms.orders.create(orderInput());
  const payment = await system.oms.payments.process({ orderId: order.id, paymentMethod: visa });
  return { ...system, order, payment };
}

/** A system with an order whose payment is only authorized (manual capture). */
async function withAuthorizedPayment(options: Parameters<typeof testSystem>[0] = {}) {
  const system = await testSystem(options);
  const order = await system.oms.orders.create(orderInput());
  const payment = await system.oms.payments.process({
    orderId: order.id,
    paymentMethod: visa,
    capture: 'manual',
  });
  return { ...system, order, payment };
}

/** A return of every unit of a delivered order. */
async function returnEverything(oms: OrderSystem, order: Order) {
  return oms.returns.create({
    orderId: order.id,
    items: order.items.map((i) => ({
      orderItemId: i.id,
      quantity: i.quantity,
      reason: 'damaged' as const,
    })),
  });
}

describe('retried money commands resume their saved intent (r1, r2, r7)', () => {
  it('answers a refund retried after the provider answer was lost with the same refund, moving money once under one provider key', async () => {
    const { oms, payment, provider } = await withCapturedPayment({
      config: { providerRetries: 0 },
    });
    provider.failNext('refund', 'timeout_after_success');

    const error = await oms.payments
      .refund(payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'provider_unavailable' });
    const refundId: string = error.details.refundId;
    expect(refundId).toMatch(/^rfd_/);

    const retried = await oms.payments.refund(
      payment.id,
      { amount: 300 },
      { idempotencyKey: 'refund-1' },
    );

    expect(retried).toMatchObject({ id: refundId, amount: 300, state: 'succeeded' });
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 300, refunds: 1 });
    expect(keysOf(provider, 'refund')).toEqual(new Set([refundId]));
    const stored = await oms.payments.get(payment.id);
    expect(stored).toMatchObject({ state: 'partially_refunded', refundedAmount: 300 });
    expect(stored.refunds.map((r) => [r.id, r.state])).toEqual([[refundId, 'succeeded']]);
  });

  it('completes the refund key with the saved intent, so a retry while the provider is down fails again with the same ids and succeeds with that id once it is back', async () => {
    const { oms, payment, provider } = await withCapturedPayment({
      config: { providerRetries: 0 },
    });
    provider.failNext('refund', 'timeout', 2);

    const first = await oms.payments
      .refund(payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' })
      .catch((e) => e);
    expect(first).toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId: payment.id },
    });
    const refundId: string = first.details.refundId;
    expect(await oms.storage.idempotency.get('payments.refund', 'refund-1')).toMatchObject({
      status: 'completed',
      response: { ref: refundId },
    });

    await expect(
      oms.payments.refund(payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' }),
    ).rejects.toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId: payment.id, refundId },
    });

    const retried = await oms.payments.refund(
      payment.id,
      { amount: 300 },
      { idempotencyKey: 'refund-1' },
    );
    expect(retried).toMatchObject({ id: refundId, state: 'succeeded' });
    expect((await oms.payments.get(payment.id)).refunds.map((r) => r.id)).toEqual([refundId]);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 300, refunds: 1 });
    expect(keysOf(provider, 'refund')).toEqual(new Set([refundId]));
  });

  it('never refunds twice when the database fails after the provider refunded and the refund is retried with the same key', async () => {
    const { storage, failNextTransaction } = faultyStorage(await testStorage());
    const provider = fakePaymentProvider();
    const refund = provider.refund.bind(provider);
    let blipped = false;
    provider.refund = async (request) => {
      const result = await refund(request);
      if (!blipped) {
        blipped = true;
        failNextTransaction();
      }
      return result;
    };
    const { oms, payment } = await withCapturedPayment({
      storage,
      payments: provider,
      startJobs: false,
    });

    await expect(
      oms.payments.refund(payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' }),
    ).rejects.toThrow('db blip');
    const [intent] = (await oms.payments.get(payment.id)).refunds;
    expect(intent).toMatchObject({ amount: 300, state: 'pending' });

    const retried = await oms.payments.refund(
      payment.id,
      { amount: 300 },
      { idempotencyKey: 'refund-1' },
    );

    expect(retried).toMatchObject({ id: intent!.id, state: 'succeeded' });
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 300, refunds: 1 });
    expect(keysOf(provider, 'refund')).toEqual(new Set([intent!.id]));
    const stored = await oms.payments.get(payment.id);
    expect(stored.refunds.map((r) => [r.id, r.state])).toEqual([[intent!.id, 'succeeded']]);
    expect(stored.refundedAmount).toBe(300);
  });

  it('resumes the saved refund when a process died after the provider refunded and another process retries the key after the claim lease', async () => {
    const storage = await testStorage();
    const provider = fakePaymentProvider();
    // The provider moves the money, then the process dies before it hears the answer.
    const dying: FakePaymentProvider = {
      ...provider,
      refund: async (request) => {
        await provider.refund(request);
        return new Promise<never>(() => {});
      },
    };
    const a = await withCapturedPayment({ storage: survivingStorage(storage), payments: dying });
    void a.oms.payments.refund(a.payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' });
    await expect.poll(() => provider.ledger(a.payment.id).refunds).toBe(1);
    await a.oms.close();

    const { oms } = await testSystem({
      storage: survivingStorage(storage),
      payments: provider,
      clock: a.clock,
    });
    a.clock.advance(PAST_CLAIM_LEASE);
    const [intent] = (await oms.payments.get(a.payment.id)).refunds;
    expect(intent).toMatchObject({ amount: 300, state: 'pending' });

    const retried = await oms.payments.refund(
      a.payment.id,
      { amount: 300 },
      { idempotencyKey: 'refund-1' },
    );
    a.clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    expect(retried).toMatchObject({ id: intent!.id, state: 'succeeded' });
    expect(provider.ledger(a.payment.id)).toMatchObject({ refunded: 300, refunds: 1 });
    expect(keysOf(provider, 'refund')).toEqual(new Set([intent!.id]));
    const stored = await oms.payments.get(a.payment.id);
    expect(stored.refunds.map((r) => [r.id, r.state])).toEqual([[intent!.id, 'succeeded']]);
    expect(stored.refundedAmount).toBe(300);
  });

  it('answers a payment retried after the capture answer was lost with the same payment, capturing once under one provider key', async () => {
    const { oms, provider } = await testSystem({ config: { providerRetries: 0 } });
    const order = await oms.orders.create(orderInput());
    provider.failNext('capture', 'timeout_after_success');

    const error = await oms.payments
      .process({ orderId: order.id, paymentMethod: visa }, { idempotencyKey: 'pay-1' })
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'provider_unavailable' });
    const paymentId: string = error.details.paymentId;
    expect(await oms.storage.idempotency.get('payments.process', 'pay-1')).toMatchObject({
      status: 'completed',
      response: { ref: paymentId },
    });

    const retried = await oms.payments.process(
      { orderId: order.id, paymentMethod: visa },
      { idempotencyKey: 'pay-1' },
    );

    expect(retried).toMatchObject({
      id: paymentId,
      state: 'captured',
      capturedAmount: order.total,
    });
    expect(provider.ledger(paymentId).captured).toBe(order.total);
    expect(keysOf(provider, 'capture')).toEqual(new Set([`${paymentId}:capture`]));
    expect(keysOf(provider, 'authorize')).toEqual(new Set([`${paymentId}:authorize`]));
    expect((await oms.payments.listByOrder(order.id)).map((p) => p.id)).toEqual([paymentId]);
  });

  it('keeps answering a payment retried while the provider is down with provider_unavailable for the same payment, and captures it once it is back', async () => {
    const { oms, provider } = await testSystem({ config: { providerRetries: 0 } });
    const order = await oms.orders.create(orderInput());
    provider.failNext('authorize', 'timeout', 2);
    const input = { orderId: order.id, paymentMethod: visa };

    const first = await oms.payments.process(input, { idempotencyKey: 'pay-1' }).catch((e) => e);
    expect(first).toMatchObject({ code: 'provider_unavailable' });
    const paymentId: string = first.details.paymentId;
    await expect(oms.payments.process(input, { idempotencyKey: 'pay-1' })).rejects.toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId },
    });

    const retried = await oms.payments.process(input, { idempotencyKey: 'pay-1' });
    expect(retried).toMatchObject({ id: paymentId, state: 'captured' });
    expect((await oms.payments.listByOrder(order.id)).map((p) => p.id)).toEqual([paymentId]);
    expect(provider.ledger(paymentId).captured).toBe(order.total);
    expect(keysOf(provider, 'capture')).toEqual(new Set([`${paymentId}:capture`]));
  });

  it('never captures twice when the database fails after the provider captured and the payment is retried with the same key', async () => {
    const { storage, failNextTransaction } = faultyStorage(await testStorage());
    const provider = fakePaymentProvider();
    const capture = provider.capture.bind(provider);
    let blipped = false;
    provider.capture = async (request) => {
      const result = await capture(request);
      if (!blipped) {
        blipped = true;
        failNextTransaction();
      }
      return result;
    };
    const { oms } = await testSystem({ storage, payments: provider, startJobs: false });
    const order = await oms.orders.create(orderInput());
    const input = { orderId: order.id, amount: 2000, paymentMethod: visa };

    await expect(oms.payments.process(input, { idempotencyKey: 'pay-1' })).rejects.toThrow(
      'db blip',
    );
    const [intent] = await oms.payments.listByOrder(order.id);
    expect(intent).toMatchObject({ amount: 2000, state: 'pending' });

    const retried = await oms.payments.process(input, { idempotencyKey: 'pay-1' });

    expect(retried).toMatchObject({ id: intent!.id, state: 'captured', capturedAmount: 2000 });
    expect(provider.ledger(intent!.id).captured).toBe(2000);
    expect(keysOf(provider, 'capture')).toEqual(new Set([`${intent!.id}:capture`]));
    expect(
      (await oms.payments.listByOrder(order.id)).map((p) => [p.id, p.state, p.amount]),
    ).toEqual([[intent!.id, 'captured', 2000]]);
  });

  it('resumes the saved payment when a process died after the provider captured and another process retries the key after the claim lease', async () => {
    const storage = await testStorage();
    const provider = fakePaymentProvider();
    const dying: FakePaymentProvider = {
      ...provider,
      capture: async (request) => {
        await provider.capture(request);
        return new Promise<never>(() => {});
      },
    };
    const a = await testSystem({ storage: survivingStorage(storage), payments: dying });
    const order = await a.oms.orders.create(orderInput());
    const input = { orderId: order.id, amount: 2000, paymentMethod: visa };
    void a.oms.payments.process(input, { idempotencyKey: 'pay-1' });
    await expect.poll(() => provider.calls.filter((c) => c.operation === 'capture').length).toBe(1);
    await a.oms.close();

    const { oms } = await testSystem({
      storage: survivingStorage(storage),
      payments: provider,
      clock: a.clock,
    });
    a.clock.advance(PAST_CLAIM_LEASE);
    const [intent] = await oms.payments.listByOrder(order.id);
    expect(intent).toMatchObject({ amount: 2000, state: 'pending' });

    const retried = await oms.payments.process(input, { idempotencyKey: 'pay-1' });
    a.clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    expect(retried).toMatchObject({ id: intent!.id, state: 'captured', capturedAmount: 2000 });
    expect(provider.ledger(intent!.id).captured).toBe(2000);
    expect(keysOf(provider, 'capture')).toEqual(new Set([`${intent!.id}:capture`]));
    expect((await oms.payments.listByOrder(order.id)).map((p) => p.id)).toEqual([intent!.id]);
  });
  it('lets a retry run again when a request that took over an abandoned key fails before saving anything', async () => {
    const storage = await testStorage();
    const first = faultyStorage(survivingStorage(storage));
    const a = await withCapturedPayment({ storage: first.storage });
    // Process A claims the key, then dies before its intent is saved.
    first.hangNextTransaction();
    void a.oms.payments.refund(a.payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' });
    await expect
      .poll(() => a.oms.storage.idempotency.get('payments.refund', 'refund-1'))
      .toMatchObject({ status: 'in_flight' });
    await a.oms.close();

    const second = faultyStorage(survivingStorage(storage));
    const { oms, provider } = await testSystem({
      storage: second.storage,
      payments: a.provider,
      clock: a.clock,
      config: { idempotencyWaitMs: 100 },
    });
    a.clock.advance(PAST_CLAIM_LEASE);
    // Process B takes the abandoned key over, and its intent hits a database blip.
    second.failNextTransaction();
    await expect(
      oms.payments.refund(a.payment.id, { amount: 300 }, { idempotencyKey: 'refund-1' }),
    ).rejects.toThrow('db blip');
    expect((await oms.payments.get(a.payment.id)).refunds).toEqual([]);

    // Nothing was saved, so the key is free again: the retry runs (no idempotency_in_flight).
    const retried = await oms.payments.refund(
      a.payment.id,
      { amount: 300 },
      { idempotencyKey: 'refund-1' },
    );
    expect(retried).toMatchObject({ amount: 300, state: 'succeeded' });
    expect(provider.ledger(a.payment.id)).toMatchObject({ refunded: 300, refunds: 1 });
  });
});

describe('void and capture never both reach the provider (r3)', () => {
  it.each([
    ['void first', ['void', 'capture'] as const],
    ['capture first', ['capture', 'void'] as const],
  ])(
    'keeps storage and the provider in agreement when a void races a capture (%s)',
    async (_, order) => {
      const provider = fakePaymentProvider({ latencyMs: 5 });
      const { oms, payment } = await withAuthorizedPayment({
        payments: provider,
        startJobs: false,
      });

      const results = await Promise.allSettled(
        order.map((op) =>
          op === 'void' ? oms.payments.void(payment.id) : oms.payments.capture(payment.id),
        ),
      );

      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const voided = succeeded(provider, 'void');
      const captured = succeeded(provider, 'capture');
      expect(voided && captured).toBe(false);
      const stored = await oms.payments.get(payment.id);
      expect(stored.state).toBe(voided ? 'voided' : 'captured');
      expect(stored.capturedAmount).toBe(provider.ledger(payment.id).captured);
      expect(stored.pendingCapture).toBeUndefined();
      expect(stored.pendingVoid).toBeUndefined();
    },
  );

  it('refuses a void while a capture intent is pending (capture_in_progress) without asking the provider', async () => {
    const { oms, payment, provider } = await withAuthorizedPayment({
      config: { providerRetries: 0 },
    });
    provider.failNext('capture', 'timeout');
    await expect(oms.payments.capture(payment.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
    });

    await expect(oms.payments.void(payment.id)).rejects.toMatchObject({
      code: 'capture_in_progress',
    });
    expect(provider.calls.filter((c) => c.operation === 'void')).toEqual([]);
    expect((await oms.payments.get(payment.id)).pendingCapture).toBeDefined();
  });

  it('refuses a capture while a void intent is pending (void_in_progress), and the sweep finishes the void', async () => {
    const { oms, payment, provider, clock } = await withAuthorizedPayment({
      config: { providerRetries: 0 },
    });
    provider.failNext('void', 'timeout');
    await expect(oms.payments.void(payment.id)).rejects.toMatchObject({
      code: 'provider_unavailable',
      details: { paymentId: payment.id },
    });
    expect(await oms.payments.get(payment.id)).toMatchObject({
      state: 'authorized',
      pendingVoid: expect.anything(),
    });

    await expect(oms.payments.capture(payment.id)).rejects.toMatchObject({
      code: 'void_in_progress',
    });
    expect(provider.calls.filter((c) => c.operation === 'capture')).toEqual([]);

    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const after = await oms.payments.get(payment.id);
    expect(after).toMatchObject({ state: 'voided', capturedAmount: 0 });
    expect(after.pendingVoid).toBeUndefined();
    // The sweep resends the same intent: one provider key for both calls.
    const keys = [...keysOf(provider, 'void')];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^${payment.id}:void`));
    expect(succeeded(provider, 'void')).toBe(true);
    expect(provider.ledger(payment.id).captured).toBe(0);
  });
});

describe('a return refunded by hand (r4)', () => {
  it('completes the order to returned when the last return is moved to refunded by hand after a manual refund', async () => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await returnEverything(oms, order);
    await walkReturn(oms, ret.id, 'received');
    const [payment] = await oms.payments.listByOrder(order.id);
    await oms.payments.refund(payment!.id, { amount: ret.refundAmount, returnId: ret.id });

    await oms.returns.transition(ret.id, { state: 'processed' });
    const refunded = await oms.returns.transition(ret.id, { state: 'refunded' });

    expect(refunded.state).toBe('refunded');
    expect((await oms.orders.get(order.id)).state).toBe('returned');
    expect(provider.ledger(payment!.id)).toMatchObject({
      refunded: ret.refundAmount,
      refunds: 1,
    });
  });
});

describe('a discount larger than the lines (r6)', () => {
  it('previews and completes a return of an order whose discount also covers shipping, refunding nothing for lines worth nothing', async () => {
    const { oms, provider } = await testSystem();
    const order = await deliveredOrder(oms, {
      items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 1000 }],
      shippingTotal: 500,
      discountTotal: 1200,
    });
    expect(order).toMatchObject({ total: 300, paidTotal: 300 });
    const input = {
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' as const }],
    };

    const preview = await oms.returns.preview(input);
    expect(preview.refundAmount).toBe(0);

    const ret = await oms.returns.create(input);
    expect(ret.refundAmount).toBe(0);
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();

    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
    expect((await oms.orders.get(order.id)).state).toBe('returned');
    expect(provider.calls.filter((c) => c.operation === 'refund')).toEqual([]);
  });

  it('refunds the lines their tax share when the discount covers them, never negative and never more than was paid', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms, {
      items: [
        { sku: 'A', name: 'A', quantity: 1, unitPrice: 1000 },
        { sku: 'B', name: 'B', quantity: 2, unitPrice: 250 },
      ],
      shippingTotal: 800,
      taxTotal: 100,
      discountTotal: 1700,
    });
    expect(order).toMatchObject({ subtotal: 1500, total: 700, paidTotal: 700 });
    const input = {
      orderId: order.id,
      items: order.items.map((i) => ({
        orderItemId: i.id,
        quantity: i.quantity,
        reason: 'damaged' as const,
      })),
    };

    const preview = await oms.returns.preview(input);
    // The discount takes the whole subtotal; only the tax is left in the lines.
    expect(preview.refundAmount).toBe(100);
    const ret = await oms.returns.create(input);
    expect(ret.refundAmount).toBe(100);
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();

    const [payment] = await oms.payments.listByOrder(order.id);
    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
    expect(payment!.refundedAmount).toBe(100);
    expect((await oms.orders.get(order.id)).state).toBe('returned');
  });
});

describe('the sweep reaches old lost work (r5, r5b)', () => {
  it('cancels an old unpaid order behind more than 200 newer pending orders awaiting manual capture, after a restart', async () => {
    const storage = await testStorage();
    const a = await testSystem({ storage: survivingStorage(storage), startJobs: false });
    const unpaid = await a.oms.orders.create(orderInput());
    a.clock.advance(MINUTE);
    const newer: string[] = [];
    // In batches of 15 at once: 205 orders one by one take too long on Postgres.
    for (let batch = 0; batch < 205; batch += 15) {
      const made = await Promise.all(
        Array.from({ length: Math.min(15, 205 - batch) }, async () => {
          const o = await a.oms.orders.create(orderInput());
          await a.oms.payments.process({ orderId: o.id, paymentMethod: visa, capture: 'manual' });
          return o.id;
        }),
      );
      newer.push(...made);
    }
    await a.oms.close(); // its in-process queue, with the expiry job, dies with it

    const { oms } = await testSystem({
      storage: survivingStorage(storage),
      payments: a.provider,
      clock: a.clock,
    });
    a.clock.advance(DEFAULT_CONFIG.unpaidOrderTtlMinutes * MINUTE + DEFAULT_CONFIG.sweepGraceMs);
    await oms.sweep();
    await oms.idle();

    expect((await oms.orders.get(unpaid.id)).state).toBe('cancelled');
    // The authorized orders are committed money, not unpaid: they stay pending.
    const states = await Promise.all(newer.map(async (id) => (await oms.orders.get(id)).state));
    expect(new Set(states)).toEqual(new Set(['pending']));
  }, 60_000);
});

describe('refunds linked to a return (new rule)', () => {
  it('defaults a refund linked to a return to what is left of its refund amount, and refuses more (refund_exceeds_return)', async () => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[1]!.id, quantity: 1, reason: 'damaged' }],
    });
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(ret.refundAmount).toBeLessThan(payment!.capturedAmount);

    await expect(
      oms.payments.refund(payment!.id, { amount: ret.refundAmount + 1, returnId: ret.id }),
    ).rejects.toMatchObject({
      code: 'refund_exceeds_return',
      details: { returnId: ret.id, left: ret.refundAmount },
    });
    const part = await oms.payments.refund(payment!.id, { amount: 100, returnId: ret.id });
    const rest = await oms.payments.refund(payment!.id, { returnId: ret.id });

    expect(part.amount).toBe(100);
    expect(rest.amount).toBe(ret.refundAmount - 100);
    await expect(
      oms.payments.refund(payment!.id, { amount: 1, returnId: ret.id }),
    ).rejects.toMatchObject({ code: 'refund_exceeds_return', details: { left: 0 } });
    expect(provider.ledger(payment!.id).refunded).toBe(ret.refundAmount);
    // Unlinked goodwill refunds are only capped by the captured amount.
    await expect(oms.payments.refund(payment!.id, { amount: 1 })).resolves.toMatchObject({
      state: 'succeeded',
    });
  });

  it('refuses a default refund linked to a return that is already refunded in full, naming the return rule (refund_exceeds_return)', async () => {
    const { oms } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[1]!.id, quantity: 1, reason: 'damaged' }],
    });
    const [payment] = await oms.payments.listByOrder(order.id);
    await oms.payments.refund(payment!.id, { returnId: ret.id });

    await expect(oms.payments.refund(payment!.id, { returnId: ret.id })).rejects.toMatchObject({
      code: 'refund_exceeds_return',
      details: { returnId: ret.id, left: 0 },
    });
  });

  it('caps refunds linked to a return across every payment of the order', async () => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const created = await oms.orders.create(orderInput());
    const first = await oms.payments.process({
      orderId: created.id,
      amount: 1000,
      paymentMethod: visa,
    });
    const second = await oms.payments.process({ orderId: created.id, paymentMethod: visa });
    for (const state of ['confirmed', 'processing', 'shipped', 'delivered'] as const) {
      await oms.orders.transition(created.id, { state });
    }
    const order = await oms.orders.get(created.id);
    const ret = await returnEverything(oms, order);
    expect(ret.refundAmount).toBe(order.total - order.shippingTotal);

    const fromFirst = await oms.payments.refund(first.id, { returnId: ret.id });
    const fromSecond = await oms.payments.refund(second.id, { returnId: ret.id });

    expect(fromFirst.amount).toBe(1000);
    expect(fromSecond.amount).toBe(ret.refundAmount - 1000);
    await expect(
      oms.payments.refund(second.id, { amount: 1, returnId: ret.id }),
    ).rejects.toMatchObject({ code: 'refund_exceeds_return' });
    expect(provider.ledger(first.id).refunded + provider.ledger(second.id).refunded).toBe(
      ret.refundAmount,
    );
  });

  it('never lets parallel refunds linked to one return exceed its refund amount', async () => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await returnEverything(oms, order);
    const [payment] = await oms.payments.listByOrder(order.id);
    const share = Math.ceil(ret.refundAmount / 3);

    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        oms.payments.refund(payment!.id, { amount: share, returnId: ret.id }),
      ),
    );

    const linked = (await oms.payments.get(payment!.id)).refunds
      .filter((r) => r.returnId === ret.id && r.state !== 'failed')
      .reduce((a, r) => a + r.amount, 0);
    expect(linked).toBeLessThanOrEqual(ret.refundAmount);
    expect(provider.ledger(payment!.id).refunded).toBe(linked);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results) {
      if (r.status === 'rejected')
        expect(r.reason).toMatchObject({ code: 'refund_exceeds_return' });
    }
  });

  it.each([
    ['rejected', { state: 'rejected' as const, reason: 'outside policy' }],
    ['cancelled', { state: 'cancelled' as const, reason: 'changed my mind' }],
  ])('refuses a refund linked to a %s return (return_not_refundable)', async (_, move) => {
    const { oms, provider } = await testSystem({ startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await returnEverything(oms, order);
    await oms.returns.transition(ret.id, move);
    const [payment] = await oms.payments.listByOrder(order.id);

    await expect(oms.payments.refund(payment!.id, { returnId: ret.id })).rejects.toMatchObject({
      code: 'return_not_refundable',
      details: { returnId: ret.id, state: move.state },
    });
    await expect(
      oms.payments.refund(payment!.id, { amount: 100, returnId: ret.id }),
    ).rejects.toMatchObject({ code: 'return_not_refundable' });
    expect((await oms.payments.get(payment!.id)).refunds).toEqual([]);
    expect(provider.calls.filter((c) => c.operation === 'refund')).toEqual([]);
  });
});
