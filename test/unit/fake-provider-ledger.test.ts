import assert from 'node:assert/strict';
import { fakePaymentProvider } from 'orderflow/testing';
import { describe, it } from 'vitest';

const authorize = (
  provider: ReturnType<typeof fakePaymentProvider>,
  paymentId: string,
  key: string,
) =>
  provider.authorize({
    paymentId,
    amount: 1000,
    currency: 'USD',
    token: 'tok_visa',
    idempotencyKey: key,
  });

describe('fake payment provider bookkeeping', () => {
  it('flags a second charge of one payment under a new key, naming the first charge', async () => {
    const provider = fakePaymentProvider();
    const first = await authorize(provider, 'pay_1', 'k1');
    await authorize(provider, 'pay_2', 'k2');
    assert.equal(provider.violations.length, 0);
    await authorize(provider, 'pay_1', 'k3');
    assert.equal(provider.violations.length, 1);
    assert.equal(provider.violations[0]!.kind, 'second_charge');
    assert.equal(provider.violations[0]!.paymentId, 'pay_1');
    assert.ok('reference' in first);
    assert.match(provider.violations[0]!.message, new RegExp(`already has ${first.reference}$`));
  });

  it("keeps each payment's ledger on its first charge", async () => {
    const provider = fakePaymentProvider();
    const a = await authorize(provider, 'pay_a', 'ka');
    const b = await authorize(provider, 'pay_b', 'kb');
    assert.ok('reference' in a && 'reference' in b);
    await provider.capture({
      paymentId: 'pay_b',
      providerReference: b.reference,
      amount: 600,
      currency: 'USD',
      idempotencyKey: 'cb',
    });
    assert.deepEqual(provider.ledger('pay_a'), { captured: 0, refunded: 0, refunds: 0 });
    assert.deepEqual(provider.ledger('pay_b'), { captured: 600, refunded: 0, refunds: 0 });
    assert.deepEqual(provider.ledger('pay_none'), { captured: 0, refunded: 0, refunds: 0 });
  });
});
