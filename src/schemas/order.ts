import { z } from 'zod';
import {
  addressSchema,
  amountSchema,
  currencySchema,
  idSchema,
  instantSchema,
  metadataSchema,
  pageQuerySchema,
  timestampSchema,
} from './common.js';
import { fulfillmentStatusSchema, trackingFields } from './shipment.js';

/** Every state an order can be in. */
export const ORDER_STATES = [
  'pending',
  'confirmed',
  'processing',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
] as const;
export const orderStateSchema = z.enum(ORDER_STATES);
export type OrderState = z.infer<typeof orderStateSchema>;

/** Events of the order machine. */
export const ORDER_EVENTS = ['CONFIRM', 'PROCESS', 'SHIP', 'DELIVER', 'CANCEL', 'RETURN'] as const;
export const orderEventTypeSchema = z.enum(ORDER_EVENTS);
export type OrderEventType = z.infer<typeof orderEventTypeSchema>;

export const orderItemInputSchema = z.strictObject({
  sku: z.string().min(1).max(100),
  name: z.string().min(1).max(500),
  quantity: z.number().int().min(1).max(1_000_000),
  unitPrice: amountSchema,
  returnable: z.boolean().default(true).describe('false marks a final-sale line'),
});

/**
 * Input of `orders.create`. Line totals, subtotal and total are computed by the library;
 * shipping, tax and discount are the amounts charged for the whole order.
 *
 * ```ts
 * createOrderInput.parse({ customerId: 'c_1', currency: 'USD',
 *   items: [{ sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 }] });
 * ```
 */
export const createOrderInput = z.strictObject({
  customerId: z.string().min(1).max(200),
  currency: currencySchema,
  items: z.array(orderItemInputSchema).min(1).max(500),
  shippingTotal: amountSchema.default(0),
  taxTotal: amountSchema.default(0),
  discountTotal: amountSchema.default(0),
  shippingAddress: addressSchema.optional(),
  metadata: metadataSchema.default({}),
});
export type CreateOrderInput = z.input<typeof createOrderInput>;

/** An order line as stored. */
export const orderItemRecordSchema = z.object({
  id: idSchema('oli'),
  sku: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: amountSchema,
  lineTotal: amountSchema,
  returnable: z.boolean(),
});
export type OrderItemRecord = z.infer<typeof orderItemRecordSchema>;

/** An order line as returned: with its units shipped and delivered, from the shipments. */
export const orderItemSchema = orderItemRecordSchema.extend({
  shippedQuantity: z.number().int().describe('Units in shipped or delivered shipments'),
  deliveredQuantity: z.number().int().describe('Units in delivered shipments'),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

/**
 * An order as returned. `paidTotal`, `refundedTotal`, `balanceDue`, `fulfillmentStatus` and
 * each line's `shippedQuantity` / `deliveredQuantity` are derived from payments and
 * shipments every time the order is read, never stored.
 */
export const orderSchema = z.object({
  id: idSchema('ord'),
  customerId: z.string(),
  currency: z.string(),
  items: z.array(orderItemSchema),
  subtotal: amountSchema,
  shippingTotal: amountSchema,
  taxTotal: amountSchema,
  discountTotal: amountSchema,
  total: amountSchema,
  state: orderStateSchema,
  fulfillmentStatus: fulfillmentStatusSchema,
  version: z.number().int(),
  shippingAddress: addressSchema.optional(),
  cancellationReason: z.string().optional(),
  deliveredAt: timestampSchema.optional().describe('When the last unit was delivered'),
  metadata: metadataSchema,
  creditTotal: amountSchema.describe(
    'Value credited from a returned order (an exchange): it pays for part of the total',
  ),
  exchangeForReturnId: z
    .string()
    .optional()
    .describe('The return this order replaces the units of (an exchange)'),
  paidTotal: amountSchema,
  refundedTotal: amountSchema,
  balanceDue: amountSchema.describe(
    'What the customer still owes: total − creditTotal − (paidTotal − refunds not linked to a return), never negative',
  ),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Order = z.infer<typeof orderSchema>;

/** The fields of an order derived on every read (see `orderSchema`). */
export type DerivedOrderFields =
  | 'paidTotal'
  | 'refundedTotal'
  | 'balanceDue'
  | 'fulfillmentStatus'
  | 'items';

/** An order as the storage adapter keeps it: without the derived fields. */
export type OrderRecord = Omit<Order, DerivedOrderFields> & { items: OrderItemRecord[] };

/**
 * Input of `orders.transition`: either the target `state` or the machine `event`.
 * SHIP may carry `carrier`, `trackingNumber` and `trackingUrl` (for the one shipment of
 * every unit left); CANCEL a `reason`.
 */
export const transitionOrderInput = z.union([
  z.strictObject({
    state: orderStateSchema,
    reason: z.string().max(1000).optional(),
    ...trackingFields,
  }),
  z.strictObject({
    event: orderEventTypeSchema,
    reason: z.string().max(1000).optional(),
    ...trackingFields,
  }),
]);
export type TransitionOrderInput = z.input<typeof transitionOrderInput>;

/**
 * Input of `orders.edit`: new quantities of existing lines (0 removes a line), new lines,
 * new shipping, tax or discount totals, a new shipping address. Totals are recomputed.
 *
 * ```ts
 * editOrderInput.parse({ items: [{ orderItemId, quantity: 1 }],
 *   add: [{ sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 }] });
 * ```
 */
export const editOrderInput = z
  .strictObject({
    items: z
      .array(
        z.strictObject({
          orderItemId: idSchema('oli'),
          quantity: z.number().int().min(0).max(1_000_000),
        }),
      )
      .min(1)
      .max(500)
      .refine((items) => new Set(items.map((i) => i.orderItemId)).size === items.length, {
        message: 'each order line may appear once',
      })
      .optional(),
    add: z.array(orderItemInputSchema).min(1).max(500).optional(),
    shippingTotal: amountSchema.optional(),
    taxTotal: amountSchema.optional(),
    discountTotal: amountSchema.optional(),
    shippingAddress: addressSchema.optional(),
  })
  .refine((edit) => Object.values(edit).some((v) => v !== undefined), {
    message: 'an edit changes at least one of items, add, totals or shippingAddress',
  });
export type EditOrderInput = z.input<typeof editOrderInput>;

/** Options of `orders.edit`. */
export const editOrderOptionsSchema = z.strictObject({
  expectedVersion: z.number().int().min(0).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
  actor: z.string().min(1).max(200).optional(),
  reason: z.string().max(1000).optional(),
});
export type EditOrderOptions = z.input<typeof editOrderOptionsSchema>;

export const cancelOrderInput = z.strictObject({ reason: z.string().max(1000).optional() });
export type CancelOrderInput = z.input<typeof cancelOrderInput>;

export const listOrdersQuery = pageQuerySchema.extend({
  state: orderStateSchema.optional(),
  customerId: z.string().min(1).max(200).optional(),
  createdAfter: instantSchema.optional(),
  createdBefore: instantSchema.optional(),
});
export type ListOrdersQuery = z.input<typeof listOrdersQuery>;

/** One stored state change of an order, return or payment. */
export const historyEntrySchema = z.object({
  entity: z.enum(['order', 'return', 'payment', 'shipment']),
  entityId: z.string(),
  from: z.string().nullable(),
  to: z.string(),
  event: z.string(),
  actor: z.string().optional(),
  reason: z.string().optional(),
  at: timestampSchema,
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
