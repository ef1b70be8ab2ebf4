import { fakePaymentProvider, paymentProviderConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';

const test = { describe, it, beforeEach, afterEach };

paymentProviderConformanceSuite('fake', async () => ({ provider: fakePaymentProvider() }), {
  test,
  tokens: {
    succeeds: 'tok_visa',
    declined: 'tok_chargeDeclined',
    requiresAction: 'tok_threeDSecure',
    processing: 'tok_async',
  },
  completeAction: (provider, reference, outcome) => provider.completeAction(reference, outcome),
  settle: (provider, reference, outcome) => provider.settle(reference, outcome),
  failNextAfterSuccess: (provider, operation) =>
    provider.failNext(operation, 'timeout_after_success'),
  moneyAt: (provider, reference) => {
    const charge = provider.charges().find((c) => c.reference === reference);
    return { captured: charge?.captured ?? 0, refunded: charge?.refunded ?? 0 };
  },
  signWebhook: (provider, event) => provider.signWebhook(event),
});
