import type { OrderSystem } from '../../create-order-system.js';
import type { Order } from '../../schemas/order.js';
import { orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert } from './assert.js';
import { allRefusals, outcomes, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

function order(oms: OrderSystem, unitPrice: number): Promise<Order> {
  return oms.orders.create(
    orderInput({ items: [{ sku: 'BOX', name: 'Box', quantity: 1, unitPrice }], shippingTotal: 0 }),
  );
}

const warm = (oms: OrderSystem, n: number) =>
  Promise.all(Array.from({ length: n }, () => oms.storage.ping()));

/**
 * Provider events through the managers, delivered the way webhooks arrive: twice, at the
 * same time, racing the merchant's own commands. Each event is applied once, and money
 * held by refunds and disputes never exceeds the capture.
 */
export function providerEventRaceCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  const { system, provider } = useSystem(test, factory);

  it('applies a payment event once when 6 deliveries of it race, and captures once', async () => {
    const oms = system();
    const placed = await order(oms, 2500);
    const payment = await oms.payments.process({
      orderId: placed.id,
      paymentMethod: { token: 'tok_threeDSecure' },
    });
    assert.equal(payment.state, 'requires_action');
    const event = provider().completeAction(payment.providerReference ?? '', 'succeed');
    await warm(oms, 8);
    const { ok, errors } = await outcomes(
      Array.from({ length: 6 }, () => oms.payments.applyProviderEvent(event)),
    );
    await oms.idle();
    assert.deepEqual(errors, []);
    assert.deepEqual(ok.map((o) => o.status).sort(), [
      'applied',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const after = await oms.payments.get(payment.id);
    assert.equal(after.state, 'captured');
    assert.equal(after.capturedAmount, 2500);
    assert.equal(provider().ledger(payment.id).captured, 2500);
    const history = await oms.storage.history.list('payment', payment.id);
    assert.deepEqual(
      history.map((h) => h.event),
      ['CREATE', 'REQUIRE_ACTION', 'AUTHORIZE', 'CAPTURE'],
    );
    assert.equal((await oms.orders.get(placed.id)).state, 'confirmed');
  });

  it('holds back a dispute that lands among racing refunds, and records it once', async () => {
    const oms = system();
    const placed = await order(oms, 1000);
    const payment = await oms.payments.process({
      orderId: placed.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    const opened = provider().openDispute(payment.providerReference ?? '', 400);
    await warm(oms, 8);
    const { ok, errors } = await outcomes<unknown>([
      ...Array.from({ length: 3 }, () => oms.payments.refund(payment.id, { amount: 300 })),
      oms.payments.applyProviderEvent(opened),
      oms.payments.applyProviderEvent(opened),
      ...Array.from({ length: 2 }, () => oms.payments.refund(payment.id, { amount: 300 })),
    ]);
    await oms.idle();
    allRefusals(errors);
    for (const error of errors) {
      assert.equal((error as { code?: string }).code, 'refund_exceeds_captured');
    }
    const statuses = ok
      .map((o) => (o as { status?: string }).status)
      .filter((s) => s !== undefined)
      .sort();
    assert.deepEqual(statuses, ['applied', 'duplicate']);
    const after = await oms.payments.get(payment.id);
    assert.deepEqual(
      after.disputes.map((d) => [d.amount, d.state]),
      [[400, 'open']],
    );
    // Refunds that started before the dispute was recorded may take what it holds (3 × 300);
    // once it is recorded, only 1000 − 400 can go (2 × 300). Never more, never fewer.
    const refunded = after.refunds.filter((r) => r.state === 'succeeded').length;
    assert.ok(refunded === 2 || refunded === 3, `${refunded} refunds of 300 went through`);
    assert.equal(after.refundedAmount, refunded * 300);
    assert.equal(provider().ledger(payment.id).refunded, after.refundedAmount);
    await assert.rejects(oms.payments.refund(payment.id, { amount: 1 }), {
      name: 'BusinessRuleError',
    });
  });
}
