import assert from 'node:assert/strict';
import { isOrderflowError } from '../errors.js';
import type { PaymentProvider, ProviderResult } from '../ports/payment-provider.js';
import { type ProviderEvent, providerEventInput } from '../schemas/payment.js';
import type { TestApi } from './test-api.js';

/** Builds a fresh provider (in its test mode) for one case; `cleanup` runs after the case. */
export type PaymentProviderFactory<P extends PaymentProvider> = () => Promise<{
  provider: P;
  cleanup?: () => Promise<void>;
}>;

/** What happens later at the provider, driven by a test. */
export type ProviderOutcome = 'succeed' | 'fail';

/**
 * Options of {@link paymentProviderConformanceSuite}: the test framework, the provider's test
 * payment methods, and hooks that drive what a customer, a bank or a test harness does at
 * the provider. A case whose hook (or token) is left out is registered with a name that
 * says what to pass to run it, and checks nothing.
 */
export interface PaymentProviderConformanceOptions<P extends PaymentProvider> {
  /** `describe`, `it`, `beforeEach`, `afterEach` from Vitest, Jest or `node:test`. */
  test: TestApi;
  /** Test payment methods (tokens) of the provider. */
  tokens: {
    /** Authorizes. Stripe: `pm_card_visa`. */
    succeeds: string;
    /** Is declined. Stripe: `pm_card_chargeDeclined`. */
    declined: string;
    /** Needs the customer first (3-D Secure). Stripe: `pm_card_authenticationRequired`. */
    requiresAction?: string;
    /** Settles later (a bank debit). Stripe: a SEPA or ACH test account. */
    processing?: string;
  };
  /** Amount and currency of the test charges. @default 2500, 'USD' */
  amount?: number;
  currency?: string;
  /** The customer finished or abandoned the action; returns the event the provider reports. */
  completeAction?: (
    provider: P,
    reference: string,
    outcome: ProviderOutcome,
  ) => ProviderEvent | Promise<ProviderEvent>;
  /** The bank settled or returned a processing charge; returns the event reported. */
  settle?: (
    provider: P,
    reference: string,
    outcome: ProviderOutcome,
  ) => ProviderEvent | Promise<ProviderEvent>;
  /**
   * Makes the next call of `operation` fail transiently (throw) after the provider did the
   * work, as a timeout after success does; for the retry case.
   */
  failNextAfterSuccess?: (provider: P, operation: 'authorize' | 'capture' | 'refund') => void;
  /**
   * Money the provider really moved on a charge, to check that a repeated key moved none.
   * Without it the idempotency cases compare answers only.
   */
  moneyAt?: (
    provider: P,
    reference: string,
  ) => { captured: number; refunded: number } | Promise<{ captured: number; refunded: number }>;
  /** A webhook delivery of `event` as the provider sends it (raw body and headers). */
  signWebhook?: (
    provider: P,
    event: ProviderEvent,
  ) =>
    | { body: string; headers: Record<string, string> }
    | Promise<{ body: string; headers: Record<string, string> }>;
}

let keys = 0;
/** A key not used before in this process, so runs never replay each other's answers. */
function freshKey(what: string): string {
  keys += 1;
  return `conformance:${what}:${Date.now()}:${keys}`;
}

/**
 * The conformance suite a `PaymentProvider` adapter (Stripe, Adyen, PayPal, your own) should
 * pass before orderflow moves money through it: every operation is idempotent by key (a
 * repeated key answers as the first time and moves no money, also after a transient
 * failure), a declined payment method resolves `declined` with a code, a 3-D Secure method
 * answers `requires_action` with a `redirect_to_url` and an asynchronous one `processing`,
 * the events they lead to name the payment's reference, and `parseWebhook` accepts the
 * provider's own deliveries and refuses tampered or unsigned ones with
 * `WebhookSignatureError`. The fake provider of `orderflow/testing` passes it.
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 * import { fakePaymentProvider, paymentProviderConformanceSuite } from 'orderflow/testing';
 *
 * paymentProviderConformanceSuite('fake', async () => ({ provider: fakePaymentProvider() }), {
 *   test: { describe, it, beforeEach, afterEach },
 *   tokens: { succeeds: 'tok_visa', declined: 'tok_chargeDeclined' },
 * });
 * ```
 */
export function paymentProviderConformanceSuite<P extends PaymentProvider>(
  name: string,
  factory: PaymentProviderFactory<P>,
  options: PaymentProviderConformanceOptions<P>,
): void {
  const { test, tokens } = options;
  const { describe, it, beforeEach, afterEach } = test;
  const amount = options.amount ?? 2500;
  const currency = options.currency ?? 'USD';
  let current: { provider: P; cleanup?: () => Promise<void> } | undefined;
  const provider = () => {
    if (!current) throw new Error('payment provider conformance: the factory gave no provider');
    return current.provider;
  };
  /** Registers `fn`, or — without what it needs — a case that says what to pass. */
  const when = (missing: string | undefined, title: string, fn: () => Promise<void>) => {
    if (missing === undefined) it(title, fn);
    else it(`${title} — not run: pass ${missing}`, () => undefined);
  };

  const authorize = (token: string, key = freshKey('authorize')) =>
    provider().authorize({ idempotencyKey: key, paymentId: key, amount, currency, token });
  const capture = (reference: string, key = freshKey('capture')) =>
    provider().capture({
      idempotencyKey: key,
      paymentId: key,
      providerReference: reference,
      amount,
      currency,
    });
  const refund = (reference: string, value: number, key = freshKey('refund')) =>
    provider().refund({
      idempotencyKey: key,
      paymentId: key,
      refundId: key,
      providerReference: reference,
      amount: value,
      currency,
    });
  const referenceOf = (result: ProviderResult, status: ProviderResult['status']) => {
    assert.equal(result.status, status, `expected ${status}, got ${JSON.stringify(result)}`);
    assert.ok('reference' in result && result.reference.length > 0, 'no provider reference');
    return (result as { reference: string }).reference;
  };
  const money = async (reference: string) =>
    options.moneyAt ? options.moneyAt(provider(), reference) : undefined;
  const charged = async (token: string) => {
    const reference = referenceOf(await authorize(token), 'succeeded');
    referenceOf(await capture(reference), 'succeeded');
    return reference;
  };
  /** The event as `applyProviderEvent` will parse it, naming `reference`. */
  const reported = (event: ProviderEvent, type: string, reference: string) => {
    const parsed = providerEventInput.safeParse(event);
    assert.ok(parsed.success, `the event is not a valid provider event: ${JSON.stringify(event)}`);
    assert.equal(parsed.data.type, type);
    assert.equal(parsed.data.providerReference, reference);
    return parsed.data;
  };

  describe(`PaymentProvider conformance: ${name}`, () => {
    beforeEach(async () => {
      current = await factory();
    });
    afterEach(async () => {
      const done = current;
      current = undefined;
      await done?.cleanup?.();
    });

    it('authorizes, captures, refunds and voids with references', async () => {
      const reference = await charged(tokens.succeeds);
      referenceOf(await refund(reference, 1), 'succeeded');
      const held = referenceOf(await authorize(tokens.succeeds), 'succeeded');
      referenceOf(
        await provider().void({
          idempotencyKey: freshKey('void'),
          paymentId: held,
          providerReference: held,
        }),
        'succeeded',
      );
    });

    it('answers a repeated key as the first time and moves no money twice', async () => {
      const key = freshKey('authorize');
      const first = await authorize(tokens.succeeds, key);
      assert.deepEqual(await authorize(tokens.succeeds, key), first);
      const reference = referenceOf(first, 'succeeded');
      const captureKey = freshKey('capture');
      const captured = await capture(reference, captureKey);
      assert.deepEqual(await capture(reference, captureKey), captured);
      const refundKey = freshKey('refund');
      const refunded = await refund(reference, 100, refundKey);
      assert.deepEqual(await refund(reference, 100, refundKey), refunded);
      const moved = await money(reference);
      if (moved) assert.deepEqual(moved, { captured: amount, refunded: 100 });
    });

    it('resolves a declined payment method as declined with a code, again for the same key', async () => {
      const key = freshKey('authorize');
      const result = await authorize(tokens.declined, key);
      assert.equal(result.status, 'declined');
      assert.ok(result.status === 'declined' && result.code.length > 0, 'a decline needs a code');
      assert.deepEqual(await authorize(tokens.declined, key), result);
    });

    when(
      options.failNextAfterSuccess ? undefined : '`failNextAfterSuccess`',
      'throws a transient failure, and the retry with the same key moves no money twice',
      async () => {
        const reference = referenceOf(await authorize(tokens.succeeds), 'succeeded');
        const key = freshKey('capture');
        options.failNextAfterSuccess?.(provider(), 'capture');
        await assert.rejects(capture(reference, key));
        referenceOf(await capture(reference, key), 'succeeded');
        const refundKey = freshKey('refund');
        options.failNextAfterSuccess?.(provider(), 'refund');
        await assert.rejects(refund(reference, 100, refundKey));
        referenceOf(await refund(reference, 100, refundKey), 'succeeded');
        const moved = await money(reference);
        if (moved) assert.deepEqual(moved, { captured: amount, refunded: 100 });
      },
    );

    when(
      tokens.requiresAction && options.completeAction
        ? undefined
        : '`tokens.requiresAction` and `completeAction`',
      'asks for a customer action, then reports its outcome as an event',
      async () => {
        const token = tokens.requiresAction ?? '';
        const result = await authorize(token);
        const reference = referenceOf(result, 'requires_action');
        assert.ok(result.status === 'requires_action');
        assert.equal(result.nextAction.type, 'redirect_to_url');
        assert.doesNotThrow(() => new URL(result.nextAction.url), 'nextAction.url is no URL');
        const done = await options.completeAction?.(provider(), reference, 'succeed');
        reported(done as ProviderEvent, 'payment.succeeded', reference);
        referenceOf(await capture(reference), 'succeeded');

        const abandoned = referenceOf(await authorize(token), 'requires_action');
        const failed = await options.completeAction?.(provider(), abandoned, 'fail');
        reported(failed as ProviderEvent, 'payment.failed', abandoned);
      },
    );

    when(
      tokens.processing && options.settle ? undefined : '`tokens.processing` and `settle`',
      'answers processing for an asynchronous method, then reports how it settled',
      async () => {
        const token = tokens.processing ?? '';
        const reference = referenceOf(await authorize(token), 'processing');
        const settled = await options.settle?.(provider(), reference, 'succeed');
        reported(settled as ProviderEvent, 'payment.succeeded', reference);
        const returned = referenceOf(await authorize(token), 'processing');
        const failed = await options.settle?.(provider(), returned, 'fail');
        reported(failed as ProviderEvent, 'payment.failed', returned);
      },
    );

    when(
      options.signWebhook ? undefined : '`signWebhook`',
      'verifies its webhooks over the raw body and refuses tampered or unsigned ones',
      async () => {
        const parse = provider().parseWebhook?.bind(provider());
        assert.ok(parse, 'the provider has no parseWebhook');
        const reference = await charged(tokens.succeeds);
        const event: ProviderEvent = {
          id: freshKey('evt'),
          type: 'refund.created',
          providerReference: reference,
          refundReference: freshKey('re'),
          amount: 100,
        };
        const { body, headers } = await (options.signWebhook?.(provider(), event) ?? {
          body: '',
          headers: {},
        });
        reported((await parse(body, headers)) as ProviderEvent, 'refund.created', reference);
        assert.deepEqual(
          await parse(Buffer.from(body, 'utf8'), headers),
          await parse(body, headers),
        );

        const refused = async (raw: string, given: Record<string, string>) => {
          await assert.rejects(
            (async () => parse(raw, given))(),
            (error: unknown) =>
              isOrderflowError(error) && error.code === 'invalid_webhook_signature',
          );
        };
        await refused(body.replace('"amount":100', '"amount":999'), headers);
        // The raw body is what is signed: the same JSON re-serialized does not verify.
        await refused(JSON.stringify(JSON.parse(body), null, 2), headers);
        const unsigned = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !/signature/i.test(k)),
        );
        await refused(body, unsigned);
      },
    );
  });
}
