import type { PaymentProvider, ProviderResult } from '../ports/payment-provider.js';
import type { FakeChargeStatus, FakeProviderEvents } from './fake-provider-events.js';

/** Faults a test can inject into the next call of an operation. */
export type ProviderFault =
  /** The provider does the work, then the answer is lost (a timeout after success). */
  | 'timeout_after_success'
  /** The call fails before the provider does anything. */
  | 'timeout'
  /** The provider refuses. */
  | 'decline';

/** A call of the provider port. */
export type Operation = 'authorize' | 'capture' | 'void' | 'refund';

/** One call the fake provider received, for assertions. */
export interface ProviderCall {
  operation: Operation;
  idempotencyKey: string;
  amount?: number;
  /** The answer's status, or `failed` for a call that threw. */
  outcome: ProviderResult['status'] | 'failed';
}

/** What kind of wrong request a {@link ProviderViolation} records. */
export type ProviderViolationKind =
  /** A refund that, with the refunds before it, is more than the charge's capture. */
  | 'refund_exceeds_captured'
  /** A capture of more than was authorized, or a second capture of one charge. */
  | 'capture_exceeds_authorized'
  /** A second authorization (a new charge) for a payment id that already has one. */
  | 'second_charge'
  /** An idempotency key sent again with another operation or amount. */
  | 'idempotency_key_reused';

/**
 * A request the library should never have made: money it asked to move twice or beyond
 * what was captured. The fake answers such a request as Stripe would (a refund or capture
 * beyond the charge is declined, a second authorization makes a second charge) and records
 * it, so a test can assert that `violations` is empty instead of trusting the answer.
 */
export interface ProviderViolation {
  kind: ProviderViolationKind;
  operation: Operation;
  paymentId: string;
  idempotencyKey: string;
  amount?: number;
  /** A sentence saying what was wrong, with the amounts. */
  message: string;
}

/** One charge at the fake provider, as its own records show it. */
export interface FakeCharge {
  /** The provider's reference (`ch_fake_<n>`). */
  reference: string;
  paymentId: string;
  /** Where the charge stands: waiting (for the customer or the bank), authorized, failed or canceled. */
  status: FakeChargeStatus;
  authorized: number;
  captured: number;
  refunded: number;
  /** Number of succeeded refunds. */
  refunds: number;
}

export interface FakePaymentProvider
  extends PaymentProvider,
    Omit<FakeProviderEvents, 'parseWebhook'> {
  parseWebhook: FakeProviderEvents['parseWebhook'];
  /** Every call in order, including retries and failures. */
  readonly calls: ProviderCall[];
  /**
   * Every request that asked for money the library should not have asked for (over-refund,
   * second charge or capture, a key reused for another request), in order. A test asserts
   * it is empty.
   */
  readonly violations: ProviderViolation[];
  /** Makes the next `count` calls of `operation` fail with `fault`. */
  failNext(operation: Operation, fault: ProviderFault, count?: number): void;
  /** Money that actually moved at the provider, per payment id (its first charge). */
  ledger(paymentId: string): { captured: number; refunded: number; refunds: number };
  /** Every charge the provider made, oldest first: what the customers were really charged. */
  charges(): FakeCharge[];
}

export interface FakePaymentProviderOptions {
  /** Name stored on payments. @default 'fake' */
  name?: string;
  /** Simulated latency of each call in ms. @default 0 */
  latencyMs?: number;
  /** The secret its webhooks are signed with (`whsec_<base64>`). @default a random one */
  webhookSecret?: string;
}
