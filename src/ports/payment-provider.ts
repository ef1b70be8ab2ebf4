/**
 * The payment-provider port (Stripe, Adyen, …). Every call carries an idempotency key
 * derived from orderflow's own payment or refund id, so a retry after an ambiguous
 * failure never moves money twice.
 *
 * A provider signals:
 * - a definitive refusal by resolving `{ status: 'declined', code }`;
 * - a transient failure (timeout, 5xx, network) by throwing `ProviderUnavailableError`
 *   or any error — orderflow retries with the same key, then leaves the intent for the sweep.
 */
export interface PaymentProvider {
  /** Stored on each payment as `provider`. */
  readonly name: string;
  authorize(request: AuthorizeRequest): Promise<ProviderResult>;
  capture(request: CaptureRequest): Promise<ProviderResult>;
  void(request: VoidRequest): Promise<ProviderResult>;
  refund(request: RefundRequest): Promise<ProviderResult>;
}

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
  | { status: 'declined'; code: string; message?: string };
