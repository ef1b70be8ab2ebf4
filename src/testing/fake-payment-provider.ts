import type {
  AuthorizeRequest,
  CaptureRequest,
  PaymentProvider,
  ProviderResult,
  RefundRequest,
  VoidRequest,
} from '../ports/payment-provider.js';

/** Faults a test can inject into the next call of an operation. */
export type ProviderFault =
  /** The provider does the work, then the answer is lost (a timeout after success). */
  | 'timeout_after_success'
  /** The call fails before the provider does anything. */
  | 'timeout'
  /** The provider refuses. */
  | 'decline';

type Operation = 'authorize' | 'capture' | 'void' | 'refund';

/** One call the fake provider received, for assertions. */
export interface ProviderCall {
  operation: Operation;
  idempotencyKey: string;
  amount?: number;
  outcome: 'succeeded' | 'declined' | 'failed';
}

export interface FakePaymentProvider extends PaymentProvider {
  /** Every call in order, including retries and failures. */
  readonly calls: ProviderCall[];
  /** Makes the next `count` calls of `operation` fail with `fault`. */
  failNext(operation: Operation, fault: ProviderFault, count?: number): void;
  /** Money that actually moved at the provider, per payment id. */
  ledger(paymentId: string): { captured: number; refunded: number; refunds: number };
}

export interface FakePaymentProviderOptions {
  /** Name stored on payments. @default 'fake' */
  name?: string;
  /** Simulated latency of each call in ms. @default 0 */
  latencyMs?: number;
}

class TransientProviderError extends Error {
  override name = 'TransientProviderError';
}

/**
 * An in-memory payment provider that behaves like Stripe in test mode:
 * `tok_visa` succeeds, `tok_chargeDeclined` is declined (`card_declined`), `tok_transient`
 * fails twice with a transient error and then succeeds. Calls are idempotent by key, like
 * the real thing: a repeated key returns the first answer and moves no money.
 *
 * ```ts
 * const payments = fakePaymentProvider();
 * const oms = await createOrderSystem({ storage, jobs, payments });
 * payments.failNext('refund', 'timeout_after_success');
 * ```
 */
export function fakePaymentProvider(options: FakePaymentProviderOptions = {}): FakePaymentProvider {
  const calls: ProviderCall[] = [];
  const answers = new Map<string, ProviderResult>();
  const transientSeen = new Map<string, number>();
  const faults: Record<Operation, ProviderFault[]> = {
    authorize: [],
    capture: [],
    void: [],
    refund: [],
  };
  const charges = new Map<
    string,
    { token: string; captured: number; refunded: number; refunds: number; paymentId: string }
  >();
  let counter = 0;

  async function run(
    operation: Operation,
    key: string,
    amount: number | undefined,
    work: () => ProviderResult,
  ): Promise<ProviderResult> {
    if (options.latencyMs) await new Promise((r) => setTimeout(r, options.latencyMs));
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
    calls,
    failNext(operation, fault, count = 1) {
      for (let i = 0; i < count; i++) faults[operation].push(fault);
    },
    ledger(paymentId) {
      for (const c of charges.values()) {
        if (c.paymentId === paymentId)
          return { captured: c.captured, refunded: c.refunded, refunds: c.refunds };
      }
      return { captured: 0, refunded: 0, refunds: 0 };
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
      return run('authorize', req.idempotencyKey, req.amount, () => {
        if (req.token === 'tok_chargeDeclined')
          return { status: 'declined', code: 'card_declined', message: 'Your card was declined.' };
        if (req.token !== 'tok_visa' && req.token !== 'tok_transient') {
          return {
            status: 'declined',
            code: 'invalid_token',
            message: `Unknown test token ${req.token}`,
          };
        }
        counter += 1;
        const reference = `ch_fake_${counter}`;
        charges.set(reference, {
          token: req.token,
          captured: 0,
          refunded: 0,
          refunds: 0,
          paymentId: req.paymentId,
        });
        return { status: 'succeeded', reference };
      });
    },
    async capture(req: CaptureRequest) {
      return run('capture', req.idempotencyKey, req.amount, () => {
        chargeOf(req.providerReference).captured += req.amount;
        return { status: 'succeeded', reference: req.providerReference };
      });
    },
    async void(req: VoidRequest) {
      return run('void', req.idempotencyKey, undefined, () => ({
        status: 'succeeded',
        reference: req.providerReference,
      }));
    },
    async refund(req: RefundRequest) {
      return run('refund', req.idempotencyKey, req.amount, () => {
        const charge = chargeOf(req.providerReference);
        if (charge.refunded + req.amount > charge.captured) {
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
