import { z } from 'zod';
import {
  amountSchema,
  idSchema,
  instantSchema,
  pageQuerySchema,
  timestampSchema,
} from './common.js';
import { orderItemInputSchema } from './order.js';

export const RETURN_STATES = [
  'initiated',
  'approved',
  'pickup_scheduled',
  'in_transit',
  'received',
  'processed',
  'refunded',
  'rejected',
  'cancelled',
] as const;
export const returnStateSchema = z.enum(RETURN_STATES);
export type ReturnState = z.infer<typeof returnStateSchema>;

export const RETURN_EVENTS = [
  'APPROVE',
  'SCHEDULE_PICKUP',
  'PICK_UP',
  'RECEIVE',
  'PROCESS',
  'REFUND',
  'REJECT',
  'CANCEL',
] as const;
export const returnEventTypeSchema = z.enum(RETURN_EVENTS);
export type ReturnEventType = z.infer<typeof returnEventTypeSchema>;

export const RETURN_REASONS = [
  'damaged',
  'defective',
  'wrong_item',
  'not_as_described',
  'no_longer_needed',
  'other',
] as const;
export const returnReasonSchema = z.enum(RETURN_REASONS);
export type ReturnReason = z.infer<typeof returnReasonSchema>;

export const returnItemInputSchema = z.strictObject({
  orderItemId: idSchema('oli'),
  quantity: z.number().int().min(1).max(1_000_000),
  reason: returnReasonSchema,
  note: z.string().max(2000).optional(),
});

/**
 * Input of `returns.create` and `returns.preview`. With `exchangeItems` the return is an
 * exchange: the returned value pays for the replacement first (`creditTotal`), and only the
 * rest is refunded.
 *
 * ```ts
 * createReturnInput.parse({ orderId, items: [{ orderItemId, quantity: 1, reason: 'damaged' }] });
 * ```
 */
export const createReturnInput = z.strictObject({
  orderId: idSchema('ord'),
  items: z.array(returnItemInputSchema).min(1, 'a return needs at least one line').max(500),
  exchangeItems: z
    .array(orderItemInputSchema)
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Lines of a replacement order (an exchange): created when the return is approved, paid first from the return value',
    ),
});
export type CreateReturnInput = z.input<typeof createReturnInput>;

export const returnItemSchema = z.object({
  orderItemId: z.string(),
  quantity: z.number().int(),
  reason: returnReasonSchema,
  note: z.string().optional(),
  /** Value of the returned units (their share of discount and tax included). */
  value: amountSchema,
  /** Restocking fee charged on this line. */
  restockingFee: amountSchema,
});

export const pickupSchema = z.object({
  scheduledAt: timestampSchema,
  carrier: z.string(),
  trackingNumber: z.string().optional(),
});

/**
 * Why the refund of a processed return cannot be issued (a refusal that retrying will not
 * change, e.g. its payment was already refunded by hand): recorded once, when it happened.
 * An operator settles it with `returns.retryRefund` or `returns.markRefunded`.
 */
export const refundFailureSchema = z.object({
  code: z.string().describe('Why: refund_not_possible, refund_declined or a business rule code'),
  message: z.string(),
  at: timestampSchema,
});
export type RefundFailure = z.infer<typeof refundFailureSchema>;

export const returnSchema = z.object({
  id: idSchema('ret'),
  orderId: z.string(),
  items: z.array(returnItemSchema),
  state: returnStateSchema,
  currency: z.string(),
  refundAmount: amountSchema.describe(
    "What goes back to the customer's payment: value − restocking fee − creditTotal",
  ),
  restockingFee: amountSchema,
  creditTotal: amountSchema.describe('Value of the return that pays for its replacement order'),
  exchangeItems: z.array(orderItemInputSchema).optional(),
  exchangeOrderId: z.string().optional().describe('The replacement order, once approved'),
  pickup: pickupSchema.optional(),
  rejectionReason: z.string().optional(),
  cancellationReason: z.string().optional(),
  refundFailure: refundFailureSchema
    .optional()
    .describe('Set when the refund of this processed return was refused for good'),
  version: z.number().int(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Return = z.infer<typeof returnSchema>;
export type ReturnRecord = Return;

/** Input of `returns.transition`: the target state (or machine event) and its data. */
export const transitionReturnInput = z.union([
  z.strictObject({
    state: returnStateSchema,
    reason: z.string().max(1000).optional(),
    pickupAt: instantSchema.optional(),
  }),
  z.strictObject({
    event: returnEventTypeSchema,
    reason: z.string().max(1000).optional(),
    pickupAt: instantSchema.optional(),
  }),
]);
export type TransitionReturnInput = z.input<typeof transitionReturnInput>;

/**
 * Input of `returns.retryRefund`: why it is retried (kept in the history).
 *
 * ```ts
 * retryRefundInput.parse({ reason: 'captured the rest of the order' });
 * ```
 */
export const retryRefundInput = z.strictObject({
  reason: z.string().min(1).max(1000).optional(),
});
export type RetryRefundInput = z.input<typeof retryRefundInput>;

/**
 * Input of `returns.markRefunded`: how the money went back (kept in the history), e.g. a
 * refund made in the provider's dashboard, cash at the counter, a voucher.
 *
 * ```ts
 * markRefundedInput.parse({ reason: 'refunded by bank transfer, ref 4711' });
 * ```
 */
export const markRefundedInput = z.strictObject({
  reason: z.string().min(1).max(1000),
});
export type MarkRefundedInput = z.input<typeof markRefundedInput>;

/** Options of `returns.retryRefund` and `returns.markRefunded`: who did it. */
export const refundSettlementOptionsSchema = z.strictObject({
  actor: z.string().min(1).max(200).optional(),
});
export type RefundSettlementOptions = z.input<typeof refundSettlementOptionsSchema>;

export const listReturnsQuery = pageQuerySchema.extend({
  orderId: idSchema('ord').optional(),
  state: returnStateSchema.optional(),
  createdAfter: instantSchema.optional(),
  createdBefore: instantSchema.optional(),
});
export type ListReturnsQuery = z.input<typeof listReturnsQuery>;

/** What `returns.preview` reports: the refund each line would get, before any write. */
export const returnPreviewSchema = z.object({
  orderId: z.string(),
  currency: z.string(),
  lines: z.array(
    z.object({
      orderItemId: z.string(),
      quantity: z.number().int(),
      reason: returnReasonSchema,
      value: amountSchema,
      restockingFee: amountSchema,
      refund: amountSchema,
    }),
  ),
  value: amountSchema,
  restockingFee: amountSchema,
  /** Total of the replacement order's lines (0 without an exchange). */
  exchangeTotal: amountSchema,
  /** Value − fee that pays for the replacement: min(value − fee, exchangeTotal). */
  creditTotal: amountSchema,
  /** What goes back to the customer's payment: value − fee − creditTotal. */
  refundAmount: amountSchema,
  /** What the replacement will still owe: exchangeTotal − creditTotal. */
  balanceDue: amountSchema,
});
export type ReturnPreview = z.infer<typeof returnPreviewSchema>;
