import { ValidationError } from '../errors.js';
import type { InventoryItem, InventoryRecord } from '../schemas/inventory.js';
import { extend } from './extend.js';

/** A stock record as callers see it: with `available = onHand − reserved`. */
export function presentStock(record: InventoryRecord): InventoryItem {
  return extend(record, { available: record.onHand - record.reserved });
}

/** Whether the record can give `quantity` more units to orders. */
export function canReserve(record: InventoryRecord, quantity: number): boolean {
  return record.allowBackorder || record.onHand - record.reserved >= quantity;
}

/**
 * True when a change took `available` from above `threshold` to at or below it: the moment
 * `inventory.low_stock` is due. A threshold of 0 or less means off.
 */
export function crossedLowStock(
  before: InventoryRecord | undefined,
  after: InventoryRecord,
  threshold: number,
): boolean {
  if (threshold <= 0) return false;
  const was = before ? before.onHand - before.reserved : Number.POSITIVE_INFINITY;
  return was > threshold && after.onHand - after.reserved <= threshold;
}

/** Units per SKU of order lines (two lines of one SKU add up). */
export function unitsBySku(
  lines: readonly { sku: string; quantity: number }[],
): Map<string, number> {
  const units = new Map<string, number>();
  for (const line of lines) units.set(line.sku, (units.get(line.sku) ?? 0) + line.quantity);
  return units;
}

/** Opaque cursor of the SKU list: the last SKU of a page. */
export function encodeSkuCursor(sku: string): string {
  return Buffer.from(JSON.stringify([sku])).toString('base64url');
}

/** Decodes {@link encodeSkuCursor}; a malformed cursor is a ValidationError naming `cursor`. */
export function decodeSkuCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 1 &&
      typeof value[0] === 'string' &&
      value[0].length > 0 &&
      value[0].length <= 100 &&
      ![...value[0]].some((c) => c.charCodeAt(0) < 0x20)
    ) {
      return value[0];
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor is not valid', [
    {
      path: ['cursor'],
      message: 'is not a cursor returned by a list call',
      code: 'invalid_cursor',
    },
  ]);
}
