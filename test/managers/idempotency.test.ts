import { isReplayed, type StorageAdapter } from 'orderflow';
import { deliveredOrder, manualClock, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { closeSystems, testStorage, testSystem } from './setup.js';

afterEach(closeSystems);

const HOUR = 3_600_000;

describe('idempotency keys on orders.create', () => {
  it('replays the first result for the same key and input, creating one order', async () => {
    const { oms } = await testSystem();
    const input = orderInput();

    const first = await oms.orders.create(input, { idempotencyKey: 'create-1' });
    const second = await oms.orders.create(input, { idempotencyKey: 'create-1' });

    expect(second.id).toBe(first.id);
    expect(second).toEqual(first);
    expect(isReplayed(first)).toBe(false);
    expect(isReplayed(second)).toBe(true);
    expect((await oms.orders.list()).data.map((o) => o.id)).toEqual([first.id]);
  });

  it('treats the same input with its keys in another order as the same input', async () => {
    const { oms } = await testSystem();
    const first = await oms.orders.create(
      {
        customerId: 'c_1',
        currency: 'USD',
        items: [{ sku: 'A', name: 'A', quantity: 1, unitPrice: 5 }],
      },
      { idempotencyKey: 'k' },
    );
    const second = await oms.orders.create(
      {
        items: [{ unitPrice: 5, quantity: 1, name: 'A', sku: 'A' }],
        currency: 'USD',
        customerId: 'c_1',
      },
      { idempotencyKey: 'k' },
    );
    expect(second.id).toBe(first.id);
    expect(isReplayed(second)).toBe(true);
  });

  it('creates a new order for each call without a key', async () => {
    const { oms } = await testSystem();
    const a = await oms.orders.create(orderInput());
    const b = await oms.orders.create(orderInput());
    expect(a.id).not.toBe(b.id);
    expect(isReplayed(b)).toBe(false);
  });

  it('fails with idempotency_conflict when the same key comes with other input', async () => {
    const { oms } = await testSystem();
    await oms.orders.create(orderInput(), { idempotencyKey: 'create-1' });

    await expect(
      oms.orders.create(orderInput({ customerId: 'someone_else' }), {
        idempotencyKey: 'create-1',
      }),
    ).rejects.toMatchObject({
      code: 'idempotency_conflict',
      name: 'IdempotencyConflictError',
      details: { key: 'create-1' },
    });
    expect((await oms.orders.list()).data).toHaveLength(1);
  });

  it('lets two concurrent requests with the same key create a single order', async () => {
    const { oms } = await testSystem();
    const input = orderInput();

    const [a, b] = await Promise.all([
      oms.orders.create(input, { idempotencyKey: 'race' }),
      oms.orders.create(input, { idempotencyKey: 'race' }),
    ]);

    expect(a.id).toBe(b.id);
    expect([isReplayed(a), isReplayed(b)].sort()).toEqual([false, true]);
    expect((await oms.orders.list()).data).toHaveLength(1);
  });

  it('answers idempotency_in_flight when the twin is still running and waiting is not allowed', async () => {
    // The first request is held inside its command (key claimed, nothing committed) until
    // the second one has been answered, whatever the backend's timing.
    const base = await testStorage();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held: StorageAdapter = {
      ...base,
      transaction: async (fn) => {
        await gate;
        return base.transaction(fn);
      },
    };
    const { oms } = await testSystem({ storage: held, config: { idempotencyWaitMs: 0 } });
    const input = orderInput();

    const a = oms.orders.create(input, { idempotencyKey: 'race' });
    await vi.waitFor(async () =>
      expect(await base.idempotency.get('orders.create', 'race')).toMatchObject({
        status: 'in_flight',
      }),
    );
    await expect(oms.orders.create(input, { idempotencyKey: 'race' })).rejects.toMatchObject({
      code: 'idempotency_in_flight',
    });
    release();

    await expect(a).resolves.toMatchObject({ customerId: input.customerId });
    expect((await oms.orders.list()).data).toHaveLength(1);
  });

  it('lets a retry take over the key of a request whose process died, once its lease is over', async () => {
    // The first process claims the key and dies before committing anything.
    const base = await testStorage();
    let die!: () => void;
    const death = new Promise<void>((resolve) => {
      die = resolve;
    });
    const dying: StorageAdapter = {
      ...base,
      transaction: async () => {
        await death;
        throw new Error('process died');
      },
    };
    const lease = { idempotencyLeaseMs: 60_000 };
    const clock = manualClock();
    const dead = await testSystem({ storage: dying, clock, config: lease });
    const input = orderInput();
    const first = dead.oms.orders.create(input, { idempotencyKey: 'k' }).catch((e) => e);
    await vi.waitFor(async () =>
      expect(await base.idempotency.get('orders.create', 'k')).toMatchObject({
        status: 'in_flight',
      }),
    );

    const impatient = await testSystem({
      storage: base,
      clock,
      config: { ...lease, idempotencyWaitMs: 0 },
    });
    clock.advance(60_000);
    await expect(impatient.oms.orders.create(input, { idempotencyKey: 'k' })).rejects.toMatchObject(
      { code: 'idempotency_in_flight' },
    );

    // Two retries race for the abandoned key: one takes it over and runs, the other waits
    // for it and gets its answer.
    clock.advance(1);
    const { oms } = await testSystem({ storage: base, clock, config: lease });
    const [a, b] = await Promise.all([
      oms.orders.create(input, { idempotencyKey: 'k' }),
      oms.orders.create(input, { idempotencyKey: 'k' }),
    ]);
    expect(b.id).toBe(a.id);
    expect([isReplayed(a), isReplayed(b)].sort()).toEqual([false, true]);
    expect((await oms.orders.list()).data.map((o) => o.id)).toEqual([a.id]);

    die();
    expect(await first).toMatchObject({ message: 'process died' });
    expect(await base.idempotency.get('orders.create', 'k')).toMatchObject({
      status: 'completed',
    });
  });

  it('releases the key when the command fails with a business error, so corrected input can use it', async () => {
    const { oms } = await testSystem();
    const bad = orderInput({ shippingTotal: 0, discountTotal: 999_999 });

    await expect(oms.orders.create(bad, { idempotencyKey: 'retry-me' })).rejects.toMatchObject({
      code: 'discount_exceeds_subtotal',
    });
    const corrected = await oms.orders.create(orderInput(), { idempotencyKey: 'retry-me' });

    expect(isReplayed(corrected)).toBe(false);
    expect(corrected.discountTotal).toBe(0);
    expect((await oms.orders.list()).data.map((o) => o.id)).toEqual([corrected.id]);
  });

  it('leaves the key free after a validation error, so corrected input can use it', async () => {
    const { oms } = await testSystem();

    await expect(
      oms.orders.create(orderInput({ currency: 'dollars' }), { idempotencyKey: 'retry-me' }),
    ).rejects.toMatchObject({ code: 'validation_error' });
    const corrected = await oms.orders.create(orderInput(), { idempotencyKey: 'retry-me' });

    expect(corrected.currency).toBe('USD');
    expect(isReplayed(corrected)).toBe(false);
  });

  it('keeps a key for at least 24 hours, then lets the sweep forget it', async () => {
    const { oms, clock } = await testSystem();
    const first = await oms.orders.create(orderInput(), { idempotencyKey: 'daily' });

    clock.advance(23 * HOUR);
    await oms.sweep();
    const replay = await oms.orders.create(orderInput(), { idempotencyKey: 'daily' });
    expect(replay.id).toBe(first.id);
    await expect(
      oms.orders.create(orderInput({ customerId: 'other' }), { idempotencyKey: 'daily' }),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });

    clock.advance(2 * HOUR);
    await oms.sweep();
    const fresh = await oms.orders.create(orderInput({ customerId: 'other' }), {
      idempotencyKey: 'daily',
    });
    expect(fresh.id).not.toBe(first.id);
    expect(isReplayed(fresh)).toBe(false);
  });
});

describe('idempotency keys are scoped per operation', () => {
  it('does not confuse the same key on orders.create and payments.process', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput(), { idempotencyKey: 'shared-key' });

    const payment = await oms.payments.process(
      { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
      { idempotencyKey: 'shared-key' },
    );

    expect(payment).toMatchObject({ orderId: order.id, state: 'captured' });
    expect(isReplayed(payment)).toBe(false);
    const again = await oms.orders.create(orderInput(), { idempotencyKey: 'shared-key' });
    expect(again.id).toBe(order.id);
  });
});

describe('idempotency keys on payments', () => {
  it('replays a payment for the same key without charging twice', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const input = { orderId: order.id, paymentMethod: { token: 'tok_visa' } };

    const first = await oms.payments.process(input, { idempotencyKey: 'pay-1' });
    const second = await oms.payments.process(input, { idempotencyKey: 'pay-1' });

    expect(second.id).toBe(first.id);
    expect(isReplayed(second)).toBe(true);
    expect(await oms.payments.listByOrder(order.id)).toHaveLength(1);
    expect(provider.calls.filter((c) => c.operation === 'authorize')).toHaveLength(1);
    expect(provider.ledger(first.id).captured).toBe(order.total);
  });

  it('replays a declined payment as the same payment_declined error', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const input = { orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } };

    const first = await oms.payments.process(input, { idempotencyKey: 'pay-1' }).catch((e) => e);
    const second = await oms.payments.process(input, { idempotencyKey: 'pay-1' }).catch((e) => e);

    expect(first).toMatchObject({ code: 'payment_declined' });
    expect(second).toMatchObject({
      code: 'payment_declined',
      name: 'PaymentDeclinedError',
      details: first.details,
    });
    expect(second.details.paymentId).toMatch(/^pay_/);
    expect(await oms.payments.listByOrder(order.id)).toHaveLength(1);
    expect(provider.calls.filter((c) => c.operation === 'authorize')).toHaveLength(1);
  });

  it('marks a replayed refusal as replayed, and the first refusal as not', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const input = { orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } };

    const first = await oms.payments.process(input, { idempotencyKey: 'pay-1' }).catch((e) => e);
    const second = await oms.payments.process(input, { idempotencyKey: 'pay-1' }).catch((e) => e);

    expect(second).toMatchObject({ code: 'payment_declined' });
    expect(isReplayed(first)).toBe(false);
    expect(isReplayed(second)).toBe(true);
  });

  it('replays a refund for the same key: the same refund, money moved once', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });

    const first = await oms.payments.refund(
      payment.id,
      { amount: 500, reason: 'goodwill' },
      { idempotencyKey: 'refund-1' },
    );
    const second = await oms.payments.refund(
      payment.id,
      { amount: 500, reason: 'goodwill' },
      { idempotencyKey: 'refund-1' },
    );

    expect(second).toEqual(first);
    expect(isReplayed(second)).toBe(true);
    expect(isReplayed(first)).toBe(false);
    const stored = await oms.payments.get(payment.id);
    expect(stored.refunds).toHaveLength(1);
    expect(stored.refundedAmount).toBe(500);
    expect(provider.ledger(payment.id)).toMatchObject({ refunded: 500, refunds: 1 });
  });

  it('replays the refund its key made, not another refund of the payment, without asking the provider again', async () => {
    const { oms, provider } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    const first = await oms.payments.refund(payment.id, { amount: 300 }, { idempotencyKey: 'r-1' });
    const second = await oms.payments.refund(
      payment.id,
      { amount: 200 },
      { idempotencyKey: 'r-2' },
    );
    const refundCalls = () => provider.calls.filter((c) => c.operation === 'refund').length;
    const calls = refundCalls();

    const again = await oms.payments.refund(payment.id, { amount: 200 }, { idempotencyKey: 'r-2' });
    expect(again).toEqual(second);
    expect(again.id).not.toBe(first.id);
    expect(refundCalls()).toBe(calls);
    expect((await oms.payments.get(payment.id)).refundedAmount).toBe(500);
  });

  it('releases a payment key refused for its amount, so a corrected retry can use it', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    await expect(
      oms.payments.process(
        { orderId: order.id, amount: order.total + 1, paymentMethod: { token: 'tok_visa' } },
        { idempotencyKey: 'pay-1' },
      ),
    ).rejects.toMatchObject({ code: 'amount_exceeds_balance' });
    const payment = await oms.payments.process(
      { orderId: order.id, amount: order.total, paymentMethod: { token: 'tok_visa' } },
      { idempotencyKey: 'pay-1' },
    );

    expect(payment.state).toBe('captured');
    expect(isReplayed(payment)).toBe(false);
  });

  it('refuses the same refund key with another amount', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.payments.refund(payment.id, { amount: 500 }, { idempotencyKey: 'refund-1' });

    await expect(
      oms.payments.refund(payment.id, { amount: 600 }, { idempotencyKey: 'refund-1' }),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
    expect((await oms.payments.get(payment.id)).refundedAmount).toBe(500);
  });
});

describe('idempotency keys on returns.create', () => {
  it('replays the same return for the same key and refuses other input under it', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const input = {
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' as const }],
    };

    const first = await oms.returns.create(input, { idempotencyKey: 'ret-1' });
    const second = await oms.returns.create(input, { idempotencyKey: 'ret-1' });

    expect(second).toEqual(first);
    expect(isReplayed(second)).toBe(true);
    expect((await oms.returns.list({ orderId: order.id })).data).toHaveLength(1);
    await expect(
      oms.returns.create(
        { ...input, items: [{ ...input.items[0]!, quantity: 2 }] },
        { idempotencyKey: 'ret-1' },
      ),
    ).rejects.toMatchObject({ code: 'idempotency_conflict' });
  });
});
