import type {
  AuthorizeRequest,
  CaptureRequest,
  ProviderResult,
  RefundRequest,
  VoidRequest,
} from '../ports/payment-provider.js';
import { type FakeChargeStatus, fakeProviderEvents } from './fake-provider-events.js';
import type {
  FakeCharge,
  FakePaymentProvider,
  FakePaymentProviderOptions,
  Operation,
  ProviderCall,
  ProviderFault,
  ProviderViolation,
  ProviderViolationKind,
} from './fake-provider-types.js';

export type {
  FakeCharge,
  FakePaymentProvider,
  FakePaymentProviderOptions,
  ProviderCall,
  ProviderFault,
  ProviderViolation,
  ProviderViolationKind,
} from './fake-provider-types.js';

/** Test tokens that make a charge (the others are declined). */
const CHARGEABLE = new Set(['tok_visa', 'tok_transient', 'tok_threeDSecure', 'tok_async']);

class TransientProviderError extends Error {
  override name = 'TransientProviderError';
}

/**
 * An in-memory payment provider that behaves like Stripe in test mode:
 * `tok_visa` succeeds, `tok_chargeDeclined` is declined (`card_declined`), `tok_transient`
 * fails twice with a transient error and then succeeds, `tok_threeDSecure` needs the
 * customer first (`requires_action`, settled by `completeAction`), `tok_async` is an
 * asynchronous method (`processing`, settled by `settle`). Calls are idempotent by key, like
 * the real thing: a repeated key returns the first answer and moves no money.
 *
 * What happens later at the provider — `completeAction`, `settle`, `openDispute`,
 * `closeDispute`, `refundFromDashboard` — returns the provider event to apply
 * (`oms.payments.applyProviderEvent(event)`), or to deliver as a signed webhook with
 * `signWebhook(event)`, which its `parseWebhook` accepts.
 *
 * It also records what it was asked for: a refund beyond the capture, a second capture or
 * authorization of one payment, or a key reused for another request is answered as Stripe
 * would and listed in `violations`, which a test should find empty.
 *
 * ```ts
 * const payments = fakePaymentProvider();
 * const oms = await createOrderSystem({ storage, jobs, payments });
 * payments.failNext('refund', 'timeout_after_success');
 * // … run the code under test, then:
 * expect(payments.violations).toEqual([]);
 * ```
 */
export function fakePaymentProvider(options: FakePaymentProviderOptions = {}): FakePaymentProvider {
  const calls: ProviderCall[] = [];
  const violations: ProviderViolation[] = [];
  const answers = new Map<string, ProviderResult>();
  /** What each key was first sent with, to notice a key reused for another request. */
  const requests = new Map<string, { operation: Operation; amount: number | undefined }>();
  const transientSeen = new Map<string, number>();
  const faults: Record<Operation, ProviderFault[]> = {
    authorize: [],
    capture: [],
    void: [],
    refund: [],
  };
  const charges = new Map<string, FakeCharge & { token: string }>();
  /** Charge references by payment, so a lookup does not scan every charge ever made. */
  const referencesByPayment = new Map<string, string[]>();
  let counter = 0;

  function violation(
    kind: ProviderViolationKind,
    operation: Operation,
    paymentId: string,
    key: string,
    amount: number | undefined,
    message: string,
  ): void {
    violations.push({
      kind,
      operation,
      paymentId,
      idempotencyKey: key,
      ...(amount === undefined ? {} : { amount }),
      message,
    });
  }

  async function run(
    operation: Operation,
    paymentId: string,
    key: string,
    amount: number | undefined,
    work: () => ProviderResult,
  ): Promise<ProviderResult> {
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
    const first = requests.get(key);
    if (!first) requests.set(key, { operation, amount });
    else if (first.operation !== operation || first.amount !== amount) {
      violation(
        'idempotency_key_reused',
        operation,
        paymentId,
        key,
        amount,
        `key ${key} was first sent with ${first.operation} ${first.amount ?? ''}, now with ${operation} ${amount ?? ''}`,
      );
    }
    const known = answers.get(key);
    if (known) {
      calls.push({
        operation,
        idempotencyKey: key,
        ...(amount === undefined ? {} : { amount }),
        outcome: known.status,
      });
      return known;
    }
    const fault = faults[operation].shift();
    if (fault === 'timeout') {
      calls.push({
        operation,
        idempotencyKey: key,
        ...(amount === undefined ? {} : { amount }),
        outcome: 'failed',
      });
      throw new TransientProviderError(`fake provider: ${operation} timed out`);
    }
    const result: ProviderResult =
      fault === 'decline' ? { status: 'declined', code: 'processing_error' } : work();
    answers.set(key, result);
    calls.push({
      operation,
      idempotencyKey: key,
      ...(amount === undefined ? {} : { amount }),
      outcome: result.status,
    });
    if (fault === 'timeout_after_success') {
      throw new TransientProviderError(`fake provider: ${operation} timed out after succeeding`);
    }
    return result;
  }

  const chargeOf = (reference: string) => {
    const charge = charges.get(reference);
    if (!charge) throw new Error(`fake provider: unknown charge ${reference}`);
    return charge;
  };

  return {
    name: options.name ?? 'fake',
    ...fakeProviderEvents(chargeOf, options.webhookSecret),
    calls,
    failNext(operation, fault, count = 1) {
      for (let i = 0; i < count; i++) faults[operation].push(fault);
    },
    violations,
    ledger(paymentId) {
      const first = referencesByPayment.get(paymentId)?.[0];
      const c = first === undefined ? undefined : charges.get(first);
      return c
        ? { captured: c.captured, refunded: c.refunded, refunds: c.refunds }
        : { captured: 0, refunded: 0, refunds: 0 };
    },
    charges() {
      return [...charges.values()].map(({ token: _token, ...charge }) => ({ ...charge }));
    },
    async authorize(req: AuthorizeRequest) {
      if (req.token === 'tok_transient') {
        const seen = transientSeen.get(req.idempotencyKey) ?? 0;
        if (seen < 2) {
          transientSeen.set(req.idempotencyKey, seen + 1);
          calls.push({
            operation: 'authorize',
            idempotencyKey: req.idempotencyKey,
            amount: req.amount,
            outcome: 'failed',
          });
          throw new TransientProviderError('fake provider: temporarily unavailable');
        }
      }
      return run('authorize', req.paymentId, req.idempotencyKey, req.amount, () => {
        if (req.token === 'tok_chargeDeclined')
          return { status: 'declined', code: 'card_declined', message: 'Your card was declined.' };
        if (!CHARGEABLE.has(req.token)) {
          return {
            status: 'declined',
            code: 'invalid_token',
            message: `Unknown test token ${req.token}`,
          };
        }
        const earlier = referencesByPayment.get(req.paymentId) ?? [];
        if (earlier.length > 0) {
          // A new key for a payment that already has a charge: a real provider charges again.
          violation(
            'second_charge',
            'authorize',
            req.paymentId,
            req.idempotencyKey,
            req.amount,
            `payment ${req.paymentId} authorized again (${req.amount}) under a new key; it already has ${earlier.join(', ')}`,
          );
        }
        counter += 1;
        const reference = `ch_fake_${counter}`;
        const status: FakeChargeStatus =
          req.token === 'tok_threeDSecure'
            ? 'requires_action'
            : req.token === 'tok_async'
              ? 'processing'
              : 'authorized';
        referencesByPayment.set(req.paymentId, [...earlier, reference]);
        charges.set(reference, {
          reference,
          token: req.token,
          paymentId: req.paymentId,
          status,
          authorized: req.amount,
          captured: 0,
          refunded: 0,
          refunds: 0,
        });
        if (status === 'requires_action') {
          return {
            status,
            reference,
            nextAction: {
              type: 'redirect_to_url',
              url: `https://fake-provider.test/3ds/${reference}`,
            },
          };
        }
        if (status === 'processing') return { status, reference };
        return { status: 'succeeded', reference };
      });
    },
    async capture(req: CaptureRequest) {
      return run('capture', req.paymentId, req.idempotencyKey, req.amount, () => {
        const charge = chargeOf(req.providerReference);
        if (charge.status !== 'authorized') {
          return {
            status: 'declined',
            code: 'charge_not_capturable',
            message: `The charge is ${charge.status}`,
          };
        }
        if (charge.captured > 0 || req.amount > charge.authorized) {
          violation(
            'capture_exceeds_authorized',
            'capture',
            req.paymentId,
            req.idempotencyKey,
            req.amount,
            `capture of ${req.amount} on ${charge.reference}: ${charge.authorized} authorized, ${charge.captured} already captured`,
          );
          return {
            status: 'declined',
            code: charge.captured > 0 ? 'charge_already_captured' : 'amount_too_large',
            message: 'Capture exceeds the authorized amount',
          };
        }
        charge.captured += req.amount;
        return { status: 'succeeded', reference: req.providerReference };
      });
    },
    async void(req: VoidRequest) {
      return run('void', req.paymentId, req.idempotencyKey, undefined, () => {
        const charge = charges.get(req.providerReference);
        if (charge && charge.captured > 0) {
          return { status: 'declined', code: 'charge_already_captured' };
        }
        if (charge) charge.status = 'canceled';
        return { status: 'succeeded', reference: req.providerReference };
      });
    },
    async refund(req: RefundRequest) {
      return run('refund', req.paymentId, req.idempotencyKey, req.amount, () => {
        const charge = chargeOf(req.providerReference);
        if (charge.refunded + req.amount > charge.captured) {
          violation(
            'refund_exceeds_captured',
            'refund',
            req.paymentId,
            req.idempotencyKey,
            req.amount,
            `refund of ${req.amount} on ${charge.reference}: ${charge.captured} captured, ${charge.refunded} already refunded`,
          );
          return {
            status: 'declined',
            code: 'amount_too_large',
            message: 'Refund exceeds the captured amount',
          };
        }
        charge.refunded += req.amount;
        charge.refunds += 1;
        return { status: 'succeeded', reference: `re_fake_${req.refundId}` };
      });
    },
  };
}
