import { describe, expect, it } from 'vitest';
import { crossedLowStock, decodeSkuCursor, encodeSkuCursor } from '../../src/domain/inventory.js';
import { ValidationError } from '../../src/errors.js';
import type { InventoryRecord } from '../../src/schemas/inventory.js';

function stock(onHand: number, reserved = 0): InventoryRecord {
  return {
    sku: 'SKU-1',
    onHand,
    reserved,
    allowBackorder: false,
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  } as InventoryRecord;
}

/** A cursor as a client could forge it: any JSON, base64url-encoded. */
function forged(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function rejection(cursor: string): ValidationError {
  try {
    decodeSkuCursor(cursor);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`cursor ${cursor} was accepted`);
}

describe('crossedLowStock', () => {
  it('never fires with a threshold of 0 (alerts off), even when stock runs out', () => {
    expect(crossedLowStock(stock(5), stock(0), 0)).toBe(false);
    expect(crossedLowStock(undefined, stock(0), 0)).toBe(false);
    expect(crossedLowStock(stock(5), stock(-1), -1)).toBe(false);
  });

  it('fires once, when available goes from above the threshold to at or below it', () => {
    expect(crossedLowStock(stock(6), stock(5), 5)).toBe(true);
    expect(crossedLowStock(stock(6), stock(6, 2), 5)).toBe(true);
    expect(crossedLowStock(stock(5), stock(4), 5)).toBe(false);
    expect(crossedLowStock(stock(6), stock(6), 5)).toBe(false);
    expect(crossedLowStock(undefined, stock(3), 5)).toBe(true);
  });
});

describe('SKU cursors', () => {
  it('round-trip any SKU the schema allows', () => {
    for (const sku of ['A', 'SKU 1', 'x'.repeat(100), 'café-ü']) {
      expect(decodeSkuCursor(encodeSkuCursor(sku))).toBe(sku);
    }
  });

  it('reject forged cursors with a ValidationError naming `cursor`', () => {
    const error = rejection(forged(['']));
    expect(error.code).toBe('validation_error');
    expect(error.issues).toEqual([
      {
        path: ['cursor'],
        message: 'is not a cursor returned by a list call',
        code: 'invalid_cursor',
      },
    ]);
  });

  it.each([
    ['an object', { sku: 'A' }],
    ['an array-like object', { length: 1, 0: 'A' }],
    ['a nested array', [['A']]],
    ['a bare string', 'A'],
    ['an empty array', []],
    ['two SKUs', ['A', 'B']],
    ['a number', [1]],
    ['an empty SKU', ['']],
    ['a SKU longer than 100 characters', ['x'.repeat(101)]],
    ['a control character', ['A\u0000B']],
    ['a newline', ['A\n']],
    ['a unit separator (0x1f)', ['\u001f']],
  ])('reject a cursor holding %s', (_name, value) => {
    expect(rejection(forged(value)).issues[0]?.code).toBe('invalid_cursor');
  });

  it('reject text that is not base64url JSON', () => {
    expect(rejection('not a cursor!').issues[0]?.path).toEqual(['cursor']);
  });
});
