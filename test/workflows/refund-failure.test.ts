import type { OrderSystem, ReturnRefundFailedPayload } from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeSystems,
  DAY,
  MINUTE,
  recordingNotifier,
  testSystem,
  walkReturn,
} from '../managers/setup.js';

afterEach(closeSystems);

/** The recurring sweep is pushed out of the way so each test calls `oms.sweep()` itself. */
const CONFIG = { sweepIntervalMs: 30 * DAY };

/** A delivered order whose payment was refunded in full by hand, and a processed return of one unit. */
async function refundedByHandThenReturned(oms: OrderSystem) {
  const order = await deliveredOrder(oms);
  const [payment] = await oms.payments.listByOrder(order.id);
  await oms.payments.refund(payment!.id, { reason: 'goodwill, by hand' });
  await oms.idle();
  const ret = await oms.returns.create({
    orderId: order.id,
    items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
  });
  await walkReturn(oms, ret.id, 'processed');
  await oms.idle();
  return { order, payment: payment!, ret };
}

function recordFailures(oms: OrderSystem): ReturnRefundFailedPayload[] {
  const seen: ReturnRefundFailedPayload[] = [];
  oms.events.on('return.refund_failed', (e) => seen.push(e));
  return seen;
}

describe('workflow: a return refund refused for good', () => {
  it('records it once on the return, as a dead letter and an event, and stops trying', async () => {
    const notifier = recordingNotifier();
    const { oms, clock } = await testSystem({ config: CONFIG, notifier });
    const failures = recordFailures(oms);
    const { ret, payment } = await refundedByHandThenReturned(oms);

    const failed = await oms.returns.get(ret.id);
    expect(failed.state).toBe('processed');
    expect(failed.refundFailure).toMatchObject({
      code: 'refund_not_possible',
      message: expect.stringContaining('no captured money left'),
      at: expect.any(String),
    });
    expect(failures).toEqual([
      expect.objectContaining({ id: ret.id, code: 'refund_not_possible', entity: failed }),
    ]);
    const letters = (await oms.deadLetters.list()).data;
    expect(letters).toEqual([
      expect.objectContaining({
        job: 'orderflow.refund-return',
        payload: { returnId: ret.id },
        error: expect.stringContaining('refund_not_possible'),
      }),
    ]);
    expect((await oms.returns.history(ret.id)).at(-1)).toMatchObject({
      from: 'processed',
      to: 'processed',
      event: 'REFUND_FAILED',
    });

    // Sweeps long after: nothing re-enqueued for it, nothing recorded again.
    for (let n = 0; n < 3; n++) {
      clock.advance(10 * MINUTE);
      await oms.sweep();
      await oms.idle();
    }
    expect(failures).toHaveLength(1);
    expect(notifier.received.filter((n) => n.name === 'return.refund_failed')).toHaveLength(1);
    expect((await oms.deadLetters.list()).data).toHaveLength(1);
    expect(await oms.returns.get(ret.id)).toEqual(failed);
    expect((await oms.payments.get(payment.id)).refunds).toHaveLength(1);
  });

  it('is settled by hand with markRefunded: the return is refunded, the history says how', async () => {
    const { oms } = await testSystem({ config: CONFIG });
    const { ret, order } = await refundedByHandThenReturned(oms);

    const settled = await oms.returns.markRefunded(
      ret.id,
      { reason: 'refunded in the provider dashboard' },
      { actor: 'ops@example.com' },
    );
    expect(settled.state).toBe('refunded');
    expect(settled.refundFailure).toBeUndefined();
    expect((await oms.returns.history(ret.id)).at(-1)).toMatchObject({
      from: 'processed',
      to: 'refunded',
      event: 'REFUND',
      actor: 'ops@example.com',
      reason: 'refunded in the provider dashboard',
    });
    // Again: a no-op; on a return whose refund did not fail: refused.
    expect(await oms.returns.markRefunded(ret.id, { reason: 'twice' })).toEqual(settled);
    const other = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[1]!.id, quantity: 1, reason: 'defective' }],
    });
    await expect(oms.returns.markRefunded(other.id, { reason: 'x' })).rejects.toMatchObject({
      code: 'refund_not_failed',
    });
    await expect(oms.returns.markRefunded(ret.id, {} as never)).rejects.toMatchObject({
      code: 'validation_error',
    });
  });

  it('gives up after three declined refunds, and runs again once retried', async () => {
    const { oms, provider, clock } = await testSystem({ config: CONFIG });
    const order = await deliveredOrder(oms);
    const failures = recordFailures(oms);
    provider.failNext('refund', 'decline', 3);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();
    for (let n = 0; n < 4 && failures.length === 0; n++) {
      clock.advance(10 * MINUTE);
      await oms.sweep();
      await oms.idle();
    }
    expect(failures).toEqual([expect.objectContaining({ id: ret.id, code: 'refund_declined' })]);
    const [payment] = await oms.payments.listByOrder(order.id);
    expect(payment!.refunds.map((r) => r.state)).toEqual(['failed', 'failed', 'failed']);

    const retried = await oms.returns.retryRefund(
      ret.id,
      { reason: 'the card works again' },
      { actor: 'ops@example.com' },
    );
    expect(retried.refundFailure).toBeUndefined();
    await oms.idle();
    const done = await oms.returns.get(ret.id);
    expect(done.state).toBe('refunded');
    expect((await oms.returns.history(ret.id)).map((h) => h.event).slice(-3)).toEqual([
      'REFUND_FAILED',
      'RETRY_REFUND',
      'REFUND',
    ]);
    expect(provider.ledger(payment!.id)).toMatchObject({ refunded: 1999, refunds: 1 });
    // Retrying a return whose refund did not fail changes nothing.
    expect(await oms.returns.retryRefund(ret.id)).toEqual(done);
  });

  it('waits instead of failing while the payment still waits for the customer', async () => {
    const { oms, provider, clock } = await testSystem({ config: CONFIG });
    const failures = recordFailures(oms);
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_threeDSecure' },
    });
    expect(payment.state).toBe('requires_action');
    for (const state of ['confirmed', 'processing', 'shipped', 'delivered'] as const) {
      await oms.orders.transition(order.id, { state });
    }
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();
    clock.advance(10 * MINUTE);
    await oms.sweep();
    await oms.idle();
    expect(failures).toEqual([]);
    expect((await oms.returns.get(ret.id)).refundFailure).toBeUndefined();

    await oms.payments.applyProviderEvent(
      provider.completeAction(payment.providerReference!, 'succeed'),
    );
    await oms.idle();
    clock.advance(10 * MINUTE);
    await oms.sweep();
    await oms.idle();
    expect((await oms.returns.get(ret.id)).state).toBe('refunded');
    expect(failures).toEqual([]);
  });
});

describe('settling a failed refund', () => {
  it('records who retried it and why in the history and the event, one version on', async () => {
    const { oms } = await testSystem({ config: CONFIG });
    const { ret } = await refundedByHandThenReturned(oms);
    const failed = await oms.returns.get(ret.id);
    const retries: unknown[] = [];
    oms.events.on('return.refund_retried', (e) => retries.push(e));

    const retried = await oms.returns.retryRefund(
      ret.id,
      { reason: 'captured the rest' },
      { actor: 'ops@example.com' },
    );

    expect(retried.version).toBe(failed.version + 1);
    expect(retries).toEqual([
      expect.objectContaining({
        id: ret.id,
        actor: 'ops@example.com',
        reason: 'captured the rest',
      }),
    ]);
    expect(
      (await oms.returns.history(ret.id)).find((h) => h.event === 'RETRY_REFUND'),
    ).toMatchObject({ actor: 'ops@example.com', reason: 'captured the rest' });
  });

  it('leaves a processed return whose refund has not failed to the refund job', async () => {
    const { oms } = await testSystem({ config: CONFIG, startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    const processed = await oms.returns.get(ret.id);

    expect(await oms.returns.retryRefund(ret.id, { reason: 'too early' })).toEqual(processed);
    await expect(oms.returns.markRefunded(ret.id, { reason: 'too early' })).rejects.toMatchObject({
      code: 'refund_not_failed',
      details: { returnId: ret.id, state: 'processed' },
    });
    expect(await oms.returns.get(ret.id)).toEqual(processed);
    expect((await oms.returns.history(ret.id)).at(-1)).toMatchObject({ event: 'PROCESS' });
  });

  it('fails with not_found for an unknown return', async () => {
    const { oms } = await testSystem({ config: CONFIG });
    const id = 'ret_0000000000000000000000000';

    await expect(oms.returns.retryRefund(id)).rejects.toMatchObject({
      code: 'not_found',
      details: { entity: 'return', id },
    });
    await expect(oms.returns.markRefunded(id, { reason: 'x' })).rejects.toMatchObject({
      code: 'not_found',
      details: { entity: 'return', id },
    });
  });
});

describe('a refund refused for good by two runs of the refund job at once', () => {
  it('is recorded once', async () => {
    const { oms, clock } = await testSystem({ config: CONFIG, startJobs: false });
    const failures = recordFailures(oms);
    const order = await deliveredOrder(oms);
    const [payment] = await oms.payments.listByOrder(order.id);
    await oms.payments.refund(payment!.id, { reason: 'goodwill, by hand' });
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    // The sweep finds the refund lost while the job the return's event asks for is still
    // queued: both run once the runner starts.
    clock.advance(10 * MINUTE);
    await oms.sweep();
    await oms.start();
    await oms.idle();

    expect(failures).toHaveLength(1);
    expect((await oms.deadLetters.list()).data).toHaveLength(1);
    expect(
      (await oms.returns.history(ret.id)).filter((h) => h.event === 'REFUND_FAILED'),
    ).toHaveLength(1);
  });
});
