import type { NextAction, ProviderEvent } from '../schemas/payment.js';

/**
 * The payment-provider port (Stripe, Adyen, …). Every call carries an idempotency key
 * derived from orderflow's own payment or refund id, so a retry after an ambiguous
 * failure never moves money twice.
 *
 * A provider signals:
 * - success by resolving `{ status: 'succeeded', reference }`;
 * - a definitive refusal by resolving `{ status: 'declined', code }`;
 * - that the customer must act first (3-D Secure, a wallet) by resolving
 *   `{ status: 'requires_action', reference, nextAction }` from `authorize`;
 * - that the outcome comes later (bank debits, a refund the bank settles later) by
 *   resolving `{ status: 'processing', reference }`;
 * - a transient failure (timeout, 5xx, network) by throwing `ProviderUnavailableError`
 *   or any error — orderflow retries with the same key, then leaves the intent for the sweep.
 *
 * What happens later arrives as provider events (`payments.applyProviderEvent`), which a
 * provider may parse from its webhooks with `parseWebhook`. Check an adapter with
 * `paymentProviderConformanceSuite` from `orderflow/testing`.
 */
export interface PaymentProvider {
  /** Stored on each payment as `provider`. */
  readonly name: string;
  authorize(request: AuthorizeRequest): Promise<ProviderResult>;
  capture(request: CaptureRequest): Promise<ProviderResult>;
  void(request: VoidRequest): Promise<ProviderResult>;
  refund(request: RefundRequest): Promise<ProviderResult>;
  /**
   * Verifies the signature of a webhook delivery (over the raw body, exactly as received)
   * and turns it into a provider event; `null` for a genuine delivery orderflow has no use
   * for (an event type it does not map). Throws `WebhookSignatureError` when the signature
   * does not hold. Optional: a provider without webhooks leaves it out.
   */
  parseWebhook?(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
  ): ProviderEvent | null | Promise<ProviderEvent | null>;
}

/** Request headers as Node gives them (names in lower case). */
export type WebhookHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface AuthorizeRequest {
  idempotencyKey: string;
  paymentId: string;
  amount: number;
  currency: string;
  token: string;
}
export interface CaptureRequest {
  idempotencyKey: string;
  paymentId: string;
  providerReference: string;
  amount: number;
  currency: string;
}
export interface VoidRequest {
  idempotencyKey: string;
  paymentId: string;
  providerReference: string;
}
export interface RefundRequest {
  idempotencyKey: string;
  paymentId: string;
  refundId: string;
  providerReference: string;
  amount: number;
  currency: string;
}

export type ProviderResult =
  | { status: 'succeeded'; reference: string }
  | { status: 'declined'; code: string; message?: string }
  | { status: 'requires_action'; reference: string; nextAction: NextAction }
  | { status: 'processing'; reference: string };
