import type { OrderSystem } from '../../create-order-system.js';
import type { Order } from '../../schemas/order.js';
import { orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert, withCode } from './assert.js';
import { allRefusals, outcomes, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

const visa = { token: 'tok_visa' };

function order(oms: OrderSystem, unitPrice: number): Promise<Order> {
  return oms.orders.create(
    orderInput({ items: [{ sku: 'BOX', name: 'Box', quantity: 1, unitPrice }], shippingTotal: 0 }),
  );
}

const codesOf = (errors: readonly unknown[]) =>
  [...new Set(errors.map((e) => (e as { code?: string }).code))].sort();

/**
 * The refusal a loser of a money race gets is the same on every adapter, however the race
 * ran: on SQLite the winners may already be settled when a loser looks, on Postgres they
 * are usually still pending, and both must answer alike.
 */
export function paymentRaceCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  const { system, provider } = useSystem(test, factory);

  it('captures one of 10 racing captures of 100…1000 and refuses the rest as payment_already_captured', async () => {
    const oms = system();
    const placed = await order(oms, 1000);
    const payment = await oms.payments.process({
      orderId: placed.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    await Promise.all(Array.from({ length: 10 }, () => oms.storage.ping()));
    const { ok, errors } = await outcomes(
      Array.from({ length: 10 }, (_, n) =>
        oms.payments.capture(payment.id, { amount: 100 * (n + 1) }),
      ),
    );
    await oms.idle();
    assert.equal(ok.length, 1, `${ok.length} of 10 captures went through`);
    allRefusals(errors);
    assert.deepEqual(codesOf(errors), ['payment_already_captured']);
    const after = await oms.payments.get(payment.id);
    assert.equal(after.capturedAmount, ok[0]?.capturedAmount);
    const charge = provider().charges()[0];
    assert.equal(charge?.captured, after.capturedAmount);

    // Later captures, smaller or larger, are refused the same way and move nothing.
    for (const amount of [100, 1001]) {
      await assert.rejects(
        oms.payments.capture(payment.id, { amount }),
        withCode('payment_already_captured'),
      );
    }
    assert.equal(provider().charges()[0]?.captured, after.capturedAmount);
    assert.deepEqual(provider().violations, []);
  });

  it('refuses every loser of a refund race, and a refund of a refunded payment, as refund_exceeds_captured', async () => {
    const oms = system();
    const placed = await order(oms, 1000);
    const payment = await oms.payments.process({ orderId: placed.id, paymentMethod: visa });
    await oms.idle();
    await Promise.all(Array.from({ length: 8 }, () => oms.storage.ping()));
    const { ok, errors } = await outcomes(
      Array.from({ length: 8 }, () => oms.payments.refund(payment.id, { amount: 500 })),
    );
    await oms.idle();
    assert.equal(ok.length, 2, `${ok.length} refunds of 500 went through on a capture of 1000`);
    allRefusals(errors);
    assert.deepEqual(codesOf(errors), ['refund_exceeds_captured']);
    assert.equal((await oms.payments.get(payment.id)).state, 'refunded');
    await assert.rejects(
      oms.payments.refund(payment.id, { amount: 1 }),
      withCode('refund_exceeds_captured'),
    );
    await assert.rejects(oms.payments.refund(payment.id), withCode('refund_exceeds_captured'));
  });
}
