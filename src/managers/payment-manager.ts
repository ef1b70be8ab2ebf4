import { ConfigurationError, NotFoundError } from '../errors.js';
import type { PaymentProvider, WebhookHeaders } from '../ports/payment-provider.js';
import { type CommandOptions, commandOptionsSchema, type Page } from '../schemas/common.js';
import type { HistoryEntry } from '../schemas/order.js';
import { parseInput } from '../schemas/parse.js';
import {
  type CapturePaymentInput,
  capturePaymentInput,
  type ListPaymentsQuery,
  listPaymentsQuery,
  type Payment,
  type PaymentRecord,
  type ProcessPaymentInput,
  type ProviderEvent,
  type ProviderEventOutcome,
  processPaymentInput,
  providerEventInput,
  type Refund,
  type RefundPaymentInput,
  refundPaymentInput,
} from '../schemas/payment.js';
import { idempotent, type StoredResponse } from './idempotency.js';
import {
  saveCaptureIntent,
  saveVoidIntent,
  settleCapture,
  settleVoid,
} from './payments/capture.js';
import { outcome, refundOutcome } from './payments/outcome.js';
import { savePaymentIntent, settleAuthorization } from './payments/process.js';
import { recordProviderEvent } from './payments/provider-events.js';
import { saveRefundIntent, settleRefund } from './payments/refund.js';
import { requireProvider } from './provider-call.js';
import type { SystemContext } from './system-context.js';

/**
 * Payments: charge an order, capture, void, refund. Money leaves through the provider only
 * after the intent is saved: a payment or refund is written `pending` first, the provider
 * is called with an idempotency key derived from our own id, then the result is recorded.
 * Each flow lives in its own file under `payments/`.
 *
 * ```ts
 * const payment = await oms.payments.process({ orderId, paymentMethod: { token: 'tok_visa' } });
 * const refund = await oms.payments.refund(payment.id, { amount: 500, reason: 'goodwill' });
 * ```
 */
export class PaymentManager {
  constructor(private readonly ctx: SystemContext) {}

  private get provider(): PaymentProvider {
    return requireProvider(this.ctx.paymentProvider);
  }

  /**
   * Charges the order: `amount` defaults to what it still owes (its `balanceDue`, less what
   * other payments already hold). Paying more than that, or paying a cancelled order, is
   * refused (`amount_exceeds_balance`, `order_not_payable`).
   * A decline records a failed payment and throws PaymentDeclinedError. A payment the
   * customer must confirm first (3-D Secure) is returned `requires_action` with its
   * `nextAction`, one the bank settles later `processing`: provider events
   * (`applyProviderEvent`) finish both, and the order is confirmed once money is captured.
   */
  async process(input: ProcessPaymentInput, options: CommandOptions = {}): Promise<Payment> {
    const data = parseInput(processPaymentInput, input, 'payment');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    const provider = this.provider;
    return idempotent(
      this.ctx,
      'payments.process',
      idempotencyKey,
      data,
      async (idem) => {
        const payment = await savePaymentIntent(this.ctx, provider, data, idem);
        return this.settleAuthorization(payment);
      },
      (response) => this.replayPayment(response),
    );
  }

  /**
   * Asks the provider to authorize (and capture) a pending payment and records the answer.
   * Also used by the sweep to reconcile a payment whose process died mid-way.
   */
  async settleAuthorization(payment: PaymentRecord): Promise<Payment> {
    return outcome(await settleAuthorization(this.ctx, this.provider, payment));
  }

  /**
   * Captures an authorized payment (all of it unless `amount` is less). A payment captures
   * once: a partial capture releases the rest of the authorization (as Stripe does), and a
   * second capture is refused (`payment_already_captured`), also under parallel requests.
   */
  async capture(paymentId: string, input: CapturePaymentInput = {}): Promise<Payment> {
    const data = parseInput(capturePaymentInput, input, 'capture');
    const provider = this.provider;
    const payment = await saveCaptureIntent(this.ctx, paymentId, data.amount);
    if (!payment.pendingCapture || payment.state !== 'authorized') return payment;
    return this.settleCapture(payment, provider);
  }

  /** Sends a saved capture intent to the provider and records the answer (also the sweep's). */
  async settleCapture(payment: PaymentRecord, provider = this.provider): Promise<Payment> {
    if (!payment.pendingCapture || !payment.providerReference) return payment;
    return outcome(await settleCapture(this.ctx, provider, payment));
  }

  /**
   * Releases an authorized payment. The intent is saved first (`pendingVoid`), so a crash
   * before the answer is recorded is finished by the sweep. Voiding a voided payment
   * returns it unchanged; a payment with a capture in flight cannot be voided.
   */
  async void(paymentId: string): Promise<Payment> {
    const provider = this.provider;
    const payment = await saveVoidIntent(this.ctx, paymentId);
    if (!payment.pendingVoid) return payment;
    return this.settleVoid(payment, provider);
  }

  /** Sends a saved void intent to the provider and records the answer (also the sweep's). */
  async settleVoid(payment: PaymentRecord, provider = this.provider): Promise<Payment> {
    return settleVoid(this.ctx, provider, payment);
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.ctx.storage.payments.get(id);
    if (!payment) throw new NotFoundError('payment', id);
    return payment;
  }

  /** The order's payments, oldest first. */
  async listByOrder(orderId: string): Promise<Payment[]> {
    return this.ctx.storage.payments.listByOrder(orderId);
  }

  /**
   * Newest first, filtered by `orderId`, `state` and creation time, paged by `cursor`.
   *
   * ```ts
   * const { data, nextCursor } = await oms.payments.list({ state: 'captured', limit: 50 });
   * ```
   */
  async list(query: ListPaymentsQuery = {}): Promise<Page<Payment>> {
    const q = parseInput(listPaymentsQuery, query, 'query');
    return this.ctx.storage.payments.list(q);
  }

  /** Every state change of the payment, oldest first; NotFoundError for an unknown id. */
  async history(id: string): Promise<HistoryEntry[]> {
    const payment = await this.ctx.storage.payments.get(id);
    if (!payment) throw new NotFoundError('payment', id);
    return this.ctx.storage.history.list('payment', id);
  }

  /**
   * Refunds part or all (the default) of what is left of a captured payment. The check
   * against the captured amount, counting pending refunds, and the insert of the pending
   * refund are one locked step, so parallel refunds can never exceed it.
   */
  async refund(
    paymentId: string,
    input: RefundPaymentInput = {},
    options: CommandOptions = {},
  ): Promise<Refund> {
    const data = parseInput(refundPaymentInput, input, 'refund');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    const provider = this.provider;
    return idempotent(
      this.ctx,
      'payments.refund',
      idempotencyKey,
      { paymentId, ...data },
      async (idem) => {
        const { payment, refund } = await saveRefundIntent(this.ctx, paymentId, data, idem);
        return this.settleRefund(payment, refund, provider);
      },
      (response) => this.replayRefund(paymentId, response),
    );
  }

  /** Sends a pending refund to the provider and records the answer (also the sweep's). */
  async settleRefund(
    payment: PaymentRecord,
    refund: Refund,
    provider = this.provider,
  ): Promise<Refund> {
    return settleRefund(this.ctx, provider, payment, refund);
  }

  /**
   * Applies something the provider reports later (usually by webhook): a waiting payment
   * succeeded or failed, a refund settled or was made in the provider's dashboard, a
   * dispute opened or closed. One command per event (history, outbox events); an event id
   * seen before changes nothing (`duplicate`); an event naming an unknown payment or
   * refund, or a move the payment cannot make now, is stored and answered `ignored` —
   * never thrown, so events may arrive twice or out of order. A payment the event
   * authorized whose capture is automatic is then captured (the sweep finishes it if the
   * provider cannot be reached now).
   *
   * ```ts
   * const event = provider.parseWebhook(rawBody, req.headers); // verifies the signature
   * if (event) await oms.payments.applyProviderEvent(event); // { status: 'applied' }
   * ```
   */
  async applyProviderEvent(input: ProviderEvent): Promise<ProviderEventOutcome> {
    const event = parseInput(providerEventInput, input, 'event');
    const { outcome, captureNext } = await recordProviderEvent(this.ctx, event);
    if (captureNext && this.ctx.paymentProvider) {
      try {
        await settleCapture(this.ctx, this.ctx.paymentProvider, captureNext);
      } catch (error) {
        // The intent is saved: the sweep sends it again with the same key.
        this.ctx.logger.warn(
          { err: error, paymentId: captureNext.id },
          'capture after a provider event failed; the sweep will retry it',
        );
      }
    }
    return outcome;
  }

  /**
   * Takes a webhook delivery of the configured provider: verifies it with the provider's
   * `parseWebhook` over the raw body exactly as received (a bad signature throws
   * `WebhookSignatureError` and writes nothing), then applies the event. A genuine delivery
   * the provider maps to no event is answered `ignored` (`unmapped_event`).
   *
   * ```ts
   * app.post('/webhooks/payments', express.raw({ type: 'application/json' }), async (req, res) => {
   *   res.json(await oms.payments.applyWebhook(req.body, req.headers));
   * });
   * ```
   */
  async applyWebhook(
    rawBody: string | Uint8Array,
    headers: WebhookHeaders,
  ): Promise<ProviderEventOutcome> {
    const provider = this.provider;
    if (!provider.parseWebhook) {
      throw new ConfigurationError(
        `The payment provider ${provider.name} does not take webhooks (it has no parseWebhook)`,
      );
    }
    const event = await provider.parseWebhook(rawBody, headers);
    if (!event) return { status: 'ignored', reason: 'unmapped_event' };
    return this.applyProviderEvent(event);
  }

  /** A replay resumes an intent still pending at the provider (same keys: no second charge). */
  private async replayPayment(response: StoredResponse): Promise<Payment> {
    if (!('ref' in response)) throw new Error('unexpected stored payment response');
    const payment = await this.get(response.ref);
    if (payment.state === 'pending') return this.settleAuthorization(payment);
    return outcome(payment);
  }

  private async replayRefund(paymentId: string, response: StoredResponse): Promise<Refund> {
    if (!('ref' in response)) throw new Error('unexpected stored refund response');
    const payment = await this.get(paymentId);
    const refund = payment.refunds.find((r) => r.id === response.ref);
    if (!refund) throw new NotFoundError('refund', response.ref);
    if (refund.state === 'pending') return this.settleRefund(payment, refund);
    return refundOutcome(refund);
  }
}
