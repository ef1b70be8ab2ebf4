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
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
  'failed',
  'voided',
] as const;
export const paymentStateSchema = z.enum(PAYMENT_STATES);
export type PaymentState = z.infer<typeof paymentStateSchema>;

export const PAYMENT_EVENTS = ['AUTHORIZE', 'CAPTURE', 'FAIL', 'VOID', 'REFUND'] as const;
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

export const refundSchema = z.object({
  id: idSchema('rfd'),
  paymentId: z.string(),
  amount: amountSchema,
  reason: z.string().optional(),
  returnId: z.string().optional(),
  state: refundStateSchema,
  providerReference: z.string().optional(),
  failureCode: z.string().optional(),
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
  pendingVoid: z.object({ requestedAt: timestampSchema }).optional(),
  capturedAmount: amountSchema,
  refundedAmount: amountSchema,
  refunds: z.array(refundSchema),
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
