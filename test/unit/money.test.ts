import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  assertAmount,
  assertSameCurrency,
  currencyExponent,
  formatMoney,
  isCurrencyCode,
  isValidAmount,
  percentOf,
  sumAmounts,
} from '../../src/domain/money.js';
import { BusinessRuleError, ValidationError } from '../../src/errors.js';

const MAX = Number.MAX_SAFE_INTEGER;

/** Totals from small to the largest safe integer, with the edges drawn often. */
const total = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, MAX, MAX - 1),
);

/** Integer weights, small and huge, zeros included. */
const weight = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.maxSafeNat(),
  fc.constantFrom(0, 1, MAX),
);
const weights = fc.array(weight, { minLength: 1, maxLength: 20 });

/** The weights `allocate` really divides by: all ones when every weight is zero. */
function effectiveWeights(ws: readonly number[]): bigint[] {
  const big = ws.map(BigInt);
  return big.every((w) => w === 0n) ? big.map(() => 1n) : big;
}

function sum(values: readonly bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

/** Exact `round half up` of `n / d` for d > 0, in BigInt. */
function roundHalfUp(n: bigint, d: bigint): bigint {
  const twice = 2n * n + d;
  const q = twice / (2n * d);
  return twice % (2n * d) < 0n ? q - 1n : q;
}

describe('allocate', () => {
  it('returns parts that add up to exactly the total', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = allocate(t, ws);
        expect(parts).toHaveLength(ws.length);
        expect(sum(parts.map(BigInt))).toBe(BigInt(t));
      }),
      { numRuns: 2000 },
    );
  });

  it('returns safe non-negative integers for a non-negative total', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        for (const part of allocate(t, ws)) {
          expect(Number.isSafeInteger(part)).toBe(true);
          expect(part).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('keeps every part within one minor unit of its exact proportional share', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = allocate(t, ws);
        const w = effectiveWeights(ws);
        const s = sum(w);
        parts.forEach((part, i) => {
          // |part − t·wᵢ/S| < 1  ⇔  |part·S − t·wᵢ| < S, all in exact integers.
          const diff = BigInt(part) * s - BigInt(t) * w[i]!;
          expect(diff < 0n ? -diff : diff).toBeLessThan(s);
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('gives the leftover units to the largest remainders, ties to the earlier part', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const parts = allocate(t, ws);
        const w = effectiveWeights(ws);
        const s = sum(w);
        const T = BigInt(t);
        const rem = w.map((wi) => (T * wi) % s);
        const gotExtra = parts.map((p, i) => BigInt(p) > (T * w[i]!) / s);
        for (let i = 0; i < parts.length; i++) {
          for (let j = 0; j < parts.length; j++) {
            if (gotExtra[i] && !gotExtra[j]) {
              expect(rem[i]! > rem[j]! || (rem[i] === rem[j] && i < j)).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('is deterministic: the same input always gives the same parts', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        expect(allocate(t, [...ws])).toEqual(allocate(t, [...ws]));
      }),
    );
  });

  it('does not modify the weights it is given', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        const copy = [...ws];
        allocate(t, ws);
        expect(ws).toEqual(copy);
      }),
    );
  });

  it('splits evenly when every weight is zero, earlier parts taking the extra units', () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 1, max: 50 }), (t, n) => {
        const parts = allocate(t, Array(n).fill(0));
        expect(sum(parts.map(BigInt))).toBe(BigInt(t));
        const floorShare = BigInt(t) / BigInt(n);
        const extras = Number(BigInt(t) - floorShare * BigInt(n));
        expect(parts).toEqual(parts.map((_, i) => Number(floorShare) + (i < extras ? 1 : 0)));
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('splits a negative total as the mirror image of the positive one', () => {
    fc.assert(
      fc.property(total, weights, (t, ws) => {
        expect(allocate(-t, ws)).toEqual(allocate(t, ws).map((p) => (p === 0 ? 0 : -p)));
      }),
    );
  });

  it('splits 100 over three equal weights as 34, 33, 33', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });

  it('splits 1000 over two zero weights as 500, 500', () => {
    expect(allocate(1000, [0, 0])).toEqual([500, 500]);
  });

  it('gives a zero-weight part nothing when other weights are positive', () => {
    expect(allocate(999, [0, 1, 2])).toEqual([0, 333, 666]);
  });

  it('stays exact where floating point would not: the largest total over huge weights', () => {
    // Shares are 4503599627370495 + r/S each; the tiny weight has the largest remainder.
    expect(allocate(MAX, [MAX, MAX, 1])).toEqual([4503599627370495, 4503599627370495, 1]);
  });

  it('splits proportionally to fractional weights, mixed with integer ones', () => {
    expect(allocate(100, [1, 0.5])).toEqual([67, 33]);
    expect(allocate(1000, [0.25, 0.75])).toEqual([250, 750]);
    expect(allocate(10, [2.5, 2.5])).toEqual([5, 5]);
    expect(allocate(300, [0.1, 0.2])).toEqual([100, 200]);
  });

  it('splits evenly when fractional weights are too small to tell apart', () => {
    expect(allocate(100, [1e-12, 1e-12])).toEqual([50, 50]);
  });

  it('allocates nothing over no parts, and refuses a non-zero total over no parts', () => {
    expect(allocate(0, [])).toEqual([]);
    expect(() => allocate(5, [])).toThrow(RangeError);
  });

  it('refuses negative, infinite and NaN weights and unsafe totals', () => {
    expect(() => allocate(10, [1, -1])).toThrow(RangeError);
    expect(() => allocate(10, [1, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => allocate(10, [Number.NaN])).toThrow(RangeError);
    expect(() => allocate(MAX + 1, [1])).toThrow(RangeError);
    expect(() => allocate(1.5, [1])).toThrow(RangeError);
  });
});

describe('currencyExponent', () => {
  it('has no minor unit for JPY', () => {
    expect(currencyExponent('JPY')).toBe(0);
  });

  it('has two decimals for USD and EUR', () => {
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('EUR')).toBe(2);
  });

  it('has three decimals for KWD and BHD', () => {
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('BHD')).toBe(3);
  });

  it('has no minor unit for KRW and four decimals for CLF', () => {
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('CLF')).toBe(4);
  });
});

describe('isCurrencyCode', () => {
  it('accepts known upper-case ISO 4217 codes', () => {
    for (const code of ['USD', 'EUR', 'GBP', 'JPY', 'KWD', 'CHF']) {
      expect(isCurrencyCode(code)).toBe(true);
    }
  });

  it('knows the funds codes the runtime may not list (CLF, UYI, UYW) and the rest of ISO 4217', async () => {
    // A module instance of its own: the set of codes is built once, on first use.
    const fresh = '../../src/domain/money.js?known-currencies';
    const money = (await import(
      /* @vite-ignore */ fresh
    )) as typeof import('../../src/domain/money.js');
    for (const code of ['CLF', 'UYI', 'UYW', 'CHF', 'SEK', 'XPF']) {
      expect(money.isCurrencyCode(code), code).toBe(true);
      expect(isCurrencyCode(code), code).toBe(true);
    }
    expect(money.isCurrencyCode('XYZ')).toBe(false);
  });

  it('refuses lower case, wrong lengths and codes that are not currencies', () => {
    for (const code of ['usd', 'Usd', 'US', 'USDD', '', 'XYZ', 'BTC', '123', ' USD']) {
      expect(isCurrencyCode(code)).toBe(false);
    }
  });
});

describe('percentOf', () => {
  it('takes 10% of 19.99 as 2.00 (199.9 rounded)', () => {
    expect(percentOf(1999, 10)).toBe(200);
  });

  it('rounds an exact half up', () => {
    expect(percentOf(5, 10)).toBe(1);
    expect(percentOf(15, 10)).toBe(2);
    expect(percentOf(4, 10)).toBe(0);
    expect(percentOf(1, 50)).toBe(1);
  });

  it('rounds an exact half up for fractional percents that floats cannot represent', () => {
    // 0.7% of 5500 is exactly 38.5; 5500 × 0.7 in floating point is 3849.9999…
    expect(percentOf(5500, 0.7)).toBe(39);
    expect(percentOf(10_500, 0.7)).toBe(74);
    expect(percentOf(1000, 12.5)).toBe(125);
  });

  it('returns 0 for 0% or an amount of 0, and the amount for 100%', () => {
    expect(percentOf(1999, 0)).toBe(0);
    expect(percentOf(0, 37)).toBe(0);
    expect(percentOf(1999, 100)).toBe(1999);
  });

  it('reads percents written with an exponent as the decimal they stand for', () => {
    // 1e-7 % of 500,000,000 is exactly 0.5, which rounds up.
    expect(percentOf(500_000_000, 1e-7)).toBe(1);
    expect(percentOf(499_999_999, 1e-7)).toBe(0);
    expect(percentOf(3, 1e21)).toBe(3e19);
  });

  it('rounds half up on negative amounts too (towards +∞)', () => {
    expect(percentOf(-15, 10)).toBe(-1);
    expect(percentOf(-16, 10)).toBe(-2);
    expect(percentOf(-14, 10)).toBe(-1);
    expect(percentOf(-5, 10)).toBe(0);
  });

  it('refuses a fractional or unsafe amount and a non-finite percent', () => {
    expect(() => percentOf(10.5, 10)).toThrow(RangeError);
    expect(() => percentOf(2 ** 60, 10)).toThrow(RangeError);
    expect(() => percentOf(100, Number.NaN)).toThrow(RangeError);
    expect(() => percentOf(100, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it('matches exact half-up arithmetic for whole percents on any safe amount', () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 0, max: 100 }), (amount, p) => {
        const expected = roundHalfUp(BigInt(amount) * BigInt(p), 100n);
        expect(percentOf(amount, p)).toBe(Number(expected));
      }),
      { numRuns: 5000 },
    );
  });

  it('matches exact half-up arithmetic for percents with two decimals', () => {
    fc.assert(
      fc.property(total, fc.integer({ min: 0, max: 10_000 }), (amount, hundredths) => {
        const expected = roundHalfUp(BigInt(amount) * BigInt(hundredths), 10_000n);
        expect(percentOf(amount, hundredths / 100)).toBe(Number(expected));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('formatMoney', () => {
  it('prints JPY without decimals', () => {
    expect(formatMoney(1500, 'JPY')).toBe('1500 JPY');
    expect(formatMoney(0, 'JPY')).toBe('0 JPY');
  });

  it('prints USD with two decimals, padding small amounts', () => {
    expect(formatMoney(1999, 'USD')).toBe('19.99 USD');
    expect(formatMoney(5, 'USD')).toBe('0.05 USD');
    expect(formatMoney(0, 'USD')).toBe('0.00 USD');
    expect(formatMoney(100, 'USD')).toBe('1.00 USD');
  });

  it('prints KWD with three decimals', () => {
    expect(formatMoney(1500, 'KWD')).toBe('1.500 KWD');
    expect(formatMoney(5, 'KWD')).toBe('0.005 KWD');
  });

  it('puts the sign in front of negative amounts', () => {
    expect(formatMoney(-1999, 'USD')).toBe('-19.99 USD');
    expect(formatMoney(-5, 'KWD')).toBe('-0.005 KWD');
  });

  it('prints the largest safe amount digit for digit', () => {
    expect(formatMoney(MAX, 'USD')).toBe('90071992547409.91 USD');
  });
});

describe('sumAmounts', () => {
  it('adds amounts exactly, up to the largest safe integer', () => {
    expect(sumAmounts([])).toBe(0);
    expect(sumAmounts([1999, 1, 500])).toBe(2500);
    expect(sumAmounts([MAX - 1, 1])).toBe(MAX);
  });

  it('throws amount_overflow when the sum passes the largest safe integer', () => {
    expect(() => sumAmounts([MAX, 1])).toThrow(BusinessRuleError);
    try {
      sumAmounts([MAX, MAX]);
      expect.unreachable();
    } catch (e) {
      expect((e as BusinessRuleError).code).toBe('amount_overflow');
    }
  });

  it('either returns the exact sum or throws, never a rounded sum', () => {
    fc.assert(
      fc.property(fc.array(total, { maxLength: 5 }), (amounts) => {
        const exact = sum(amounts.map(BigInt));
        if (exact <= BigInt(MAX)) expect(sumAmounts(amounts)).toBe(Number(exact));
        else expect(() => sumAmounts(amounts)).toThrow(BusinessRuleError);
      }),
    );
  });
});

describe('assertSameCurrency', () => {
  it('passes for the same currency and throws currency_mismatch otherwise', () => {
    expect(() => assertSameCurrency('USD', 'USD')).not.toThrow();
    expect(() => assertSameCurrency('USD', 'EUR')).toThrow(
      expect.objectContaining({
        code: 'currency_mismatch',
        details: { expected: 'USD', actual: 'EUR' },
      }),
    );
  });
});

describe('isValidAmount and assertAmount', () => {
  it('accept safe integers from 0 up, in minor units', () => {
    for (const amount of [0, 1, 1999, MAX]) {
      expect(isValidAmount(amount)).toBe(true);
      expect(() => assertAmount(amount)).not.toThrow();
    }
  });

  it('refuse negative, fractional, unsafe and non-finite amounts, naming the field', () => {
    for (const amount of [-1, 0.5, 19.99, MAX + 1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isValidAmount(amount), String(amount)).toBe(false);
      let error: unknown;
      try {
        assertAmount(amount, 'shippingTotal');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues).toEqual([
        { path: ['shippingTotal'], message: 'must be a safe integer ≥ 0', code: 'invalid_amount' },
      ]);
    }
    expect(() => assertAmount(-1)).toThrow('amount must be a safe integer ≥ 0 in minor units');
  });
});
