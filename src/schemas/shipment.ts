import { z } from 'zod';
import { idSchema, timestampSchema } from './common.js';

/** Every state a shipment can be in. */
export const SHIPMENT_STATES = ['pending', 'shipped', 'delivered', 'cancelled'] as const;
export const shipmentStateSchema = z.enum(SHIPMENT_STATES);
export type ShipmentState = z.infer<typeof shipmentStateSchema>;

/** Events of the shipment machine. */
export const SHIPMENT_EVENTS = ['SHIP', 'DELIVER', 'CANCEL'] as const;
export const shipmentEventTypeSchema = z.enum(SHIPMENT_EVENTS);
export type ShipmentEventType = z.infer<typeof shipmentEventTypeSchema>;

/** The states of an order whose units may be put in a new shipment. */
export const FULFILLABLE_ORDER_STATES = ['confirmed', 'processing'] as const;

/** How far an order's units have gone, derived from its shipments. */
export const FULFILLMENT_STATUSES = [
  'unfulfilled',
  'partially_shipped',
  'shipped',
  'partially_delivered',
  'delivered',
] as const;
export const fulfillmentStatusSchema = z.enum(FULFILLMENT_STATUSES);
export type FulfillmentStatus = z.infer<typeof fulfillmentStatusSchema>;

const carrier = z.string().min(1).max(100);
const trackingNumber = z.string().min(1).max(200);
const trackingUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000)
  .describe("The carrier's tracking page");

/** Carrier and tracking fields, as a shipment carries them and as inputs set them. */
export const trackingFields = {
  carrier: carrier.optional(),
  trackingNumber: trackingNumber.optional(),
  trackingUrl: trackingUrl.optional(),
};

export const shipmentItemInputSchema = z.strictObject({
  orderItemId: idSchema('oli'),
  quantity: z.number().int().min(1).max(1_000_000),
});

/**
 * Input of `shipments.create`. Without `items`, the shipment takes every unit of the order
 * that is not yet in a live (not cancelled) shipment.
 *
 * ```ts
 * createShipmentInput.parse({ items: [{ orderItemId, quantity: 1 }], carrier: 'UPS' });
 * ```
 */
export const createShipmentInput = z.strictObject({
  items: z
    .array(shipmentItemInputSchema)
    .min(1, 'a shipment needs at least one line')
    .max(500)
    .refine((items) => new Set(items.map((i) => i.orderItemId)).size === items.length, {
      message: 'each order line may appear once',
    })
    .optional(),
  ...trackingFields,
});
export type CreateShipmentInput = z.input<typeof createShipmentInput>;

/** Input of `shipments.transition`: the target state (or machine event), and tracking. */
export const transitionShipmentInput = z.union([
  z.strictObject({ state: shipmentStateSchema, ...trackingFields }),
  z.strictObject({ event: shipmentEventTypeSchema, ...trackingFields }),
]);
export type TransitionShipmentInput = z.input<typeof transitionShipmentInput>;

/** Input of `shipments.updateTracking`: at least one field. */
export const updateTrackingInput = z
  .strictObject(trackingFields)
  .refine((t) => Object.values(t).some((v) => v !== undefined), {
    message: 'give carrier, trackingNumber or trackingUrl',
  });
export type UpdateTrackingInput = z.input<typeof updateTrackingInput>;

export const shipmentItemSchema = z.object({
  orderItemId: z.string(),
  quantity: z.number().int(),
});
export type ShipmentItem = z.infer<typeof shipmentItemSchema>;

/** A shipment: some units of one order, sent together. */
export const shipmentSchema = z.object({
  id: idSchema('shp'),
  orderId: z.string(),
  state: shipmentStateSchema,
  items: z.array(shipmentItemSchema),
  carrier: z.string().optional(),
  trackingNumber: z.string().optional(),
  trackingUrl: z.string().optional(),
  shippedAt: timestampSchema.optional(),
  deliveredAt: timestampSchema.optional(),
  version: z.number().int(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type Shipment = z.infer<typeof shipmentSchema>;
export type ShipmentRecord = Shipment;

/** Carrier and tracking of a shipment, as `shipment.tracking_updated` reports them. */
export type Tracking = Pick<Shipment, 'carrier' | 'trackingNumber' | 'trackingUrl'>;
