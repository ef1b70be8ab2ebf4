import { z } from 'zod';
import {
  amountSchema,
  idSchema,
  instantSchema,
  pageQuerySchema,
  timestampSchema,
} from './common.js';

export const PAYMENT_STATES = [
  'pending',
  'requires_action',
  'processing',
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'failed',
  'voided',
] as const;
export const paymentStateSchema = z.enum(PAYMENT_STATES);
export type PaymentState = z.infer<typeof paymentStateSchema>;

export const PAYMENT_EVENTS = [
  'REQUIRE_ACTION',
  'START_PROCESSING',
  'AUTHORIZE',
  'CAPTURE',
  'FAIL',
  'VOID',
  'REFUND',
] as const;
export const paymentEventTypeSchema = z.enum(PAYMENT_EVENTS);
export type PaymentEventType = z.infer<typeof paymentEventTypeSchema>;

export const REFUND_STATES = ['pending', 'succeeded', 'failed'] as const;
export const refundStateSchema = z.enum(REFUND_STATES);
export type RefundState = z.infer<typeof refundStateSchema>;

/**
 * Input of `payments.process`. `amount` defaults to what the order still owes; the payment
 * is authorized and captured at once unless `capture: 'manual'`.
 *
 * ```ts
 * processPaymentInput.parse({ orderId, paymentMethod: { token: 'tok_visa' } });
 * ```
 */
export const processPaymentInput = z.strictObject({
  orderId: idSchema('ord'),
  amount: amountSchema.refine((a) => a > 0, 'must be greater than 0').optional(),
  paymentMethod: z.strictObject({ token: z.string().min(1).max(500) }),
  capture: z.enum(['automatic', 'manual']).default('automatic'),
});
export type ProcessPaymentInput = z.input<typeof processPaymentInput>;

export const capturePaymentInput = z.strictObject({
  amount: amountSchema.refine((a) => a > 0, 'must be greater than 0').optional(),
});
export type CapturePaymentInput = z.input<typeof capturePaymentInput>;

/** Input of `payments.refund`. `amount` defaults to everything still refundable. */
export const refundPaymentInput = z.strictObject({
  amount: amountSchema.refine((a) => a > 0, 'must be greater than 0').optional(),
  reason: z.string().max(1000).optional(),
  returnId: idSchema('ret').optional(),
});
export type RefundPaymentInput = z.input<typeof refundPaymentInput>;

/**
 * What the customer must do before a `requires_action` payment can go on (3-D Secure, a
 * wallet): open `url`; the provider reports the outcome with a provider event.
 */
export const nextActionSchema = z.object({
  type: z.literal('redirect_to_url'),
  url: z.string(),
});
export type NextAction = z.infer<typeof nextActionSchema>;

export const DISPUTE_STATES = ['open', 'won', 'lost'] as const;
export const disputeStateSchema = z.enum(DISPUTE_STATES);
export type DisputeState = z.infer<typeof disputeStateSchema>;

/**
 * A chargeback reported by the provider. While `open` — and for good once `lost` — its
 * amount cannot be refunded again; a `won` dispute gives it back.
 */
export const disputeSchema = z.object({
  /** The provider's reference of the dispute. */
  id: z.string(),
  amount: amountSchema,
  state: disputeStateSchema,
  reason: z.string().optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Dispute = z.infer<typeof disputeSchema>;

export const refundSchema = z.object({
  id: idSchema('rfd'),
  paymentId: z.string(),
  amount: amountSchema,
  reason: z.string().optional(),
  returnId: z.string().optional(),
  state: refundStateSchema,
  providerReference: z.string().optional(),
  failureCode: z.string().optional(),
  /**
   * `provider` for a refund made outside orderflow (in the provider's dashboard) and
   * recorded from a provider event; absent for refunds asked for through orderflow.
   */
  origin: z.literal('provider').optional(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Refund = z.infer<typeof refundSchema>;

export const paymentSchema = z.object({
  id: idSchema('pay'),
  orderId: z.string(),
  amount: amountSchema,
  currency: z.string(),
  state: paymentStateSchema,
  provider: z.string(),
  providerReference: z.string().optional(),
  paymentMethod: z.object({ token: z.string() }),
  captureMode: z.enum(['automatic', 'manual']),
  /** A capture that was asked of the provider and whose result is not recorded yet. */
  pendingCapture: z.object({ amount: amountSchema, requestedAt: timestampSchema }).optional(),
  /** A void that was asked of the provider and whose result is not recorded yet. */
  pendingVoid: z
    .object({
      requestedAt: timestampSchema,
      /**
       * The provider idempotency key of this void: one per intent, so a retry of the same
       * void is de-duplicated while a void asked again after a decline is a new request.
       * Absent on intents saved by older versions (they used `<paymentId>:void`).
       */
      idempotencyKey: z.string().optional(),
    })
    .optional(),
  /** While `requires_action`: what the customer must do (e.g. 3-D Secure). */
  nextAction: nextActionSchema.optional(),
  capturedAmount: amountSchema,
  refundedAmount: amountSchema,
  refunds: z.array(refundSchema),
  disputes: z.array(disputeSchema),
  failureCode: z.string().optional(),
  version: z.number().int(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Payment = z.infer<typeof paymentSchema>;
export type PaymentRecord = Payment;

/**
 * Query of `payments.list`: newest first, filtered by `orderId`, `state` and creation time.
 *
 * ```ts
 * await oms.payments.list(listPaymentsQuery.parse({ state: 'captured', limit: '50' }));
 * ```
 */
export const listPaymentsQuery = pageQuerySchema.extend({
  orderId: idSchema('ord').optional(),
  state: paymentStateSchema.optional(),
  createdAfter: instantSchema.optional(),
  createdBefore: instantSchema.optional(),
});
export type ListPaymentsQuery = z.input<typeof listPaymentsQuery>;

export const PROVIDER_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'refund.succeeded',
  'refund.failed',
  'refund.created',
  'dispute.opened',
  'dispute.won',
  'dispute.lost',
] as const;
export const providerEventTypeSchema = z.enum(PROVIDER_EVENT_TYPES);
export type ProviderEventType = z.infer<typeof providerEventTypeSchema>;

const reference = z.string().min(1).max(255);

/**
 * Something the payment provider tells orderflow later (usually by webhook), as input of
 * `payments.applyProviderEvent`. `providerReference` is the payment's reference at the
 * provider; `refundReference` names the refund of a `refund.*` event, `disputeReference`
 * the dispute of a `dispute.*` event; `amount` is needed by `refund.created` and
 * `dispute.opened`.
 *
 * ```ts
 * await oms.payments.applyProviderEvent({ id: 'evt_1', type: 'payment.succeeded', providerReference: 'pi_1' });
 * ```
 */
export const providerEventInput = z
  .strictObject({
    /** The provider's event id: an event applied once is a `duplicate` after. */
    id: reference,
    type: providerEventTypeSchema,
    providerReference: reference,
    amount: amountSchema.refine((a) => a > 0, 'must be greater than 0').optional(),
    refundReference: reference.optional(),
    disputeReference: reference.optional(),
    reason: z.string().max(1000).optional(),
  })
  .superRefine((event, ctx) => {
    const needs = (field: 'refundReference' | 'disputeReference' | 'amount') => {
      if (event[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `required by ${event.type}` });
      }
    };
    if (event.type.startsWith('refund.')) needs('refundReference');
    if (event.type.startsWith('dispute.')) needs('disputeReference');
    if (event.type === 'refund.created' || event.type === 'dispute.opened') needs('amount');
  });
export type ProviderEvent = z.input<typeof providerEventInput>;

/**
 * What `payments.applyProviderEvent` did with an event: `applied` (recorded on the
 * payment), `duplicate` (this event id was seen before; nothing changed) or `ignored`
 * (stored, but it names no payment or refund orderflow knows, or asks for a move the
 * payment cannot make now — see `reason`).
 */
export const providerEventOutcomeSchema = z.object({
  status: z.enum(['applied', 'duplicate', 'ignored']),
  /** Why an event was ignored, e.g. `unknown_payment`, `refused_transition`, `already_settled`. */
  reason: z.string().optional(),
  /** The payment the event was matched to, if any. */
  paymentId: z.string().optional(),
});
export type ProviderEventOutcome = z.infer<typeof providerEventOutcomeSchema>;
