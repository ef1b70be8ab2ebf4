import { z } from 'zod';
import { idSchema, pageQuerySchema, queryInteger, timestampSchema } from './common.js';

/** A stock-keeping unit, as order lines carry it. */
export const skuSchema = z.string().min(1).max(100).describe('Stock-keeping unit');

/** The most units one stock record counts. */
export const MAX_STOCK = 1_000_000_000;

/** Stock of one SKU. `available = onHand − reserved`. */
export const inventoryItemSchema = z.object({
  sku: z.string(),
  onHand: z.number().int().describe('Units in the warehouse'),
  reserved: z.number().int().describe('Units promised to live orders and not shipped yet'),
  available: z.number().int().describe('onHand − reserved: what new orders may take'),
  allowBackorder: z.boolean().describe('Orders may take more than is available'),
  version: z.number().int(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});
export type InventoryItem = z.infer<typeof inventoryItemSchema>;
/** A stock record as the storage adapter keeps it (`available` is derived). */
export type InventoryRecord = Omit<InventoryItem, 'available'>;

/**
 * Input of `inventory.set`: the count on hand (e.g. from a warehouse system), and whether
 * orders may take more than is available.
 *
 * ```ts
 * setStockInput.parse({ onHand: 40, allowBackorder: false });
 * ```
 */
export const setStockInput = z.strictObject({
  onHand: z.number().int().min(0).max(MAX_STOCK),
  allowBackorder: z.boolean().optional(),
});
export type SetStockInput = z.input<typeof setStockInput>;

/** Input of `inventory.adjust`: a change of the count on hand and why (e.g. `cycle count`). */
export const adjustStockInput = z.strictObject({
  delta: z
    .number()
    .int()
    .min(-MAX_STOCK)
    .max(MAX_STOCK)
    .refine((d) => d !== 0, 'must not be 0'),
  reason: z.string().min(1).max(200),
});
export type AdjustStockInput = z.input<typeof adjustStockInput>;

/** Options of `inventory.set`: apply only to this version of the record (`concurrency_conflict`). */
export const setStockOptionsSchema = z.strictObject({
  expectedVersion: z.number().int().min(0).optional(),
});
export type SetStockOptions = z.input<typeof setStockOptionsSchema>;

/** Options of `inventory.adjust`: a version to apply to, and an idempotency key. */
export const adjustStockOptionsSchema = z.strictObject({
  expectedVersion: z.number().int().min(0).optional(),
  idempotencyKey: z.string().min(1).max(255).optional(),
});
export type AdjustStockOptions = z.input<typeof adjustStockOptionsSchema>;

export const listInventoryQuery = pageQuerySchema.extend({
  // SKUs page by SKU, not by (createdAt, id): the inventory adapter checks its own cursor.
  cursor: z.string().min(1).max(500).optional().describe('The nextCursor of the previous page'),
  belowAvailable: queryInteger(
    z
      .number({ error: 'must be a whole number written in decimal digits' })
      .int()
      .min(-MAX_STOCK)
      .max(MAX_STOCK),
  )
    .optional()
    .describe('Only SKUs whose available is below this'),
});
export type ListInventoryQuery = z.input<typeof listInventoryQuery>;

export const listMovementsQuery = pageQuerySchema;
export type ListMovementsQuery = z.input<typeof listMovementsQuery>;

export const MOVEMENT_REASONS = ['set', 'adjust', 'reserve', 'release', 'ship', 'restock'] as const;
export const movementReasonSchema = z.enum(MOVEMENT_REASONS);
export type MovementReason = z.infer<typeof movementReasonSchema>;

/** One change of a SKU's stock. Summing a SKU's movements gives its onHand and reserved. */
export const stockMovementSchema = z.object({
  id: idSchema('mov'),
  sku: z.string(),
  onHandDelta: z.number().int(),
  reservedDelta: z.number().int(),
  reason: movementReasonSchema,
  /** What `inventory.adjust` was told, e.g. `cycle count`. */
  note: z.string().optional(),
  orderId: z.string().optional(),
  shipmentId: z.string().optional(),
  returnId: z.string().optional(),
  at: timestampSchema,
});
export type StockMovement = z.infer<typeof stockMovementSchema>;
