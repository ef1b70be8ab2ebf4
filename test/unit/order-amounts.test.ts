import { describe, expect, it } from 'vitest';
import { lineTotal, unitsValue } from '../../src/domain/order.js';
import { BusinessRuleError } from '../../src/errors.js';

describe('lineTotal', () => {
  it('multiplies quantity by unit price', () => {
    expect(lineTotal(3, 1999)).toBe(5997);
    expect(lineTotal(1, Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses a line total beyond the largest safe integer with amount_overflow', () => {
    expect(() => lineTotal(1_000_000, 2 ** 40)).toThrow(
      expect.objectContaining({ code: 'amount_overflow' }),
    );
    expect(() => lineTotal(2, Number.MAX_SAFE_INTEGER)).toThrow(BusinessRuleError);
  });
});

describe('unitsValue', () => {
  it('values units returned in batches so that they add up to the line value', () => {
    // 1000 over 3 units: the first k units are worth ⌊1000·k/3⌋ = 333, 666, 1000.
    expect(unitsValue(1000, 3, 0, 1)).toBe(333);
    expect(unitsValue(1000, 3, 1, 1)).toBe(333);
    expect(unitsValue(1000, 3, 2, 1)).toBe(334);
    expect(unitsValue(1000, 3, 1, 2)).toBe(667);
    // Units past the line's quantity are worth nothing more.
    expect(unitsValue(1000, 3, 2, 5)).toBe(334);
  });

  it('is zero for no units, negative units or a line without units', () => {
    expect(unitsValue(1000, 3, 1, 0)).toBe(0);
    expect(unitsValue(1000, 3, 1, -1)).toBe(0);
    expect(unitsValue(1000, 0, 0, 1)).toBe(0);
    expect(unitsValue(1000, -2, 0, 1)).toBe(0);
  });
});
