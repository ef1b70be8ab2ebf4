import { BusinessRuleError, ValidationError } from '../errors.js';

/** ISO 4217 currencies whose minor unit is not the usual 2 decimals. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'ISK',
  'JPY',
  'KMF',
  'KRW',
  'PYG',
  'RWF',
  'UGX',
  'UYI',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);
const FOUR_DECIMAL = new Set(['CLF', 'UYW']);

let knownCurrencies: Set<string> | undefined;
function known(): Set<string> {
  if (!knownCurrencies) {
    const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
    knownCurrencies = new Set(intl.supportedValuesOf?.('currency') ?? []);
    for (const c of [...ZERO_DECIMAL, ...THREE_DECIMAL, ...FOUR_DECIMAL, 'USD', 'EUR', 'GBP']) {
      knownCurrencies.add(c);
    }
  }
  return knownCurrencies;
}

/**
 * True when `code` is an ISO 4217 currency code this runtime knows.
 *
 * ```ts
 * isCurrencyCode('USD'); // true
 * isCurrencyCode('usd'); // false: codes are upper case
 * ```
 */
export function isCurrencyCode(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && known().has(code);
}

/**
 * Number of decimals in the currency's minor unit: JPY 0, USD 2, KWD 3.
 *
 * ```ts
 * currencyExponent('KWD'); // 3 — 1.500 KWD is stored as 1500
 * ```
 */
export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  if (FOUR_DECIMAL.has(currency)) return 4;
  return 2;
}

/** True for an amount orderflow accepts: a safe integer ≥ 0 in minor units. */
export function isValidAmount(amount: number): boolean {
  return Number.isSafeInteger(amount) && amount >= 0;
}

/** Throws a ValidationError unless `amount` is a safe integer ≥ 0. */
export function assertAmount(amount: number, path = 'amount'): void {
  if (!isValidAmount(amount)) {
    throw new ValidationError(`${path} must be a safe integer ≥ 0 in minor units`, [
      { path: [path], message: 'must be a safe integer ≥ 0', code: 'invalid_amount' },
    ]);
  }
}

/** Throws `currency_mismatch` when two amounts are in different currencies. */
export function assertSameCurrency(expected: string, actual: string): void {
  if (expected !== actual) {
    throw new BusinessRuleError(
      'currency_mismatch',
      `Currency ${actual} does not match ${expected}`,
      { details: { expected, actual } },
    );
  }
}

/** Adds minor-unit amounts, refusing any result that is not a safe integer. */
export function sumAmounts(amounts: Iterable<number>): number {
  let total = 0;
  for (const a of amounts) total += a;
  if (!Number.isSafeInteger(total)) {
    throw new BusinessRuleError('amount_overflow', 'Total is larger than the largest safe integer');
  }
  return total;
}

/**
 * Splits `total` into parts proportional to `weights` with largest-remainder allocation:
 * the parts always sum to `total` exactly and each is within one minor unit of its exact
 * share. Ties go to the earlier weight, so the result is deterministic.
 *
 * ```ts
 * allocate(100, [1, 1, 1]); // [34, 33, 33]
 * allocate(1000, [0, 0]);   // [500, 500] — zero weights split evenly
 * ```
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) throw new RangeError('total must be a safe integer');
  if (weights.length === 0) {
    if (total === 0) return [];
    throw new RangeError('cannot allocate a non-zero total over no parts');
  }
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0) throw new RangeError('weights must be finite and ≥ 0');
  }
  const sign = total < 0 ? -1 : 1;
  const abs = Math.abs(total);
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const effective = weightSum === 0 ? weights.map(() => 1) : weights;

  // BigInt keeps `abs * weight` exact even when it exceeds 2^53.
  const bigAbs = BigInt(abs);
  // Integer weights stay as they are; if any weight is fractional, all are scaled alike.
  const fractional = effective.some((w) => !Number.isInteger(w));
  let scaled = effective.map((w) => toScaledBigInt(w, fractional));
  let bigSum = scaled.reduce((a, b) => a + b, 0n);
  if (bigSum === 0n) {
    // Weights too small to survive scaling count as all zero: split evenly.
    scaled = effective.map(() => 1n);
    bigSum = BigInt(scaled.length);
  }
  const parts: number[] = [];
  const remainders: { index: number; rem: bigint }[] = [];
  let allocated = 0n;
  scaled.forEach((w, index) => {
    const product = bigAbs * w;
    const floor = product / bigSum;
    parts.push(Number(floor));
    allocated += floor;
    remainders.push({ index, rem: product % bigSum });
  });
  let leftover = Number(bigAbs - allocated);
  remainders.sort((a, b) => (a.rem === b.rem ? a.index - b.index : a.rem > b.rem ? -1 : 1));
  for (let i = 0; leftover > 0; i++, leftover--) {
    const r = remainders[i % remainders.length]!;
    parts[r.index]! += 1;
  }
  return sign === 1 ? parts : parts.map((p) => (p === 0 ? 0 : -p));
}

/**
 * Weights may be fractional (e.g. rates); when any is, every weight is scaled by the same
 * 1e9 so they stay proportional to each other, then made exact integers for BigInt math.
 */
function toScaledBigInt(weight: number, fractional: boolean): bigint {
  if (!fractional) return BigInt(weight);
  return BigInt(Math.round(weight * 1e9));
}

/**
 * `amount × percent / 100`, rounded half up, for fees and rates on minor-unit amounts.
 * Computed exactly (BigInt), with `percent` taken as the decimal it is written as, so
 * `percentOf(5500, 0.7)` is 38.5 rounded up to 39, not 38 from 5500 × 0.7 = 3849.999…
 *
 * ```ts
 * percentOf(1999, 10); // 200
 * ```
 */
export function percentOf(amount: number, percent: number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError('amount must be a safe integer');
  if (!Number.isFinite(percent)) throw new RangeError('percent must be finite');
  const [num, den] = decimalFraction(percent);
  // amount × num / (den × 100), rounded half up: floor((2n + d) / 2d).
  const n = BigInt(amount) * num;
  const d = den * 100n;
  const twice = 2n * n + d;
  const q = twice / (2n * d);
  return Number(twice % (2n * d) < 0n ? q - 1n : q);
}

/** `value` as an exact fraction `num / den` of its shortest decimal form, e.g. 0.7 → 7/10. */
function decimalFraction(value: number): [bigint, bigint] {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`cannot read ${value} as a decimal`);
  const [, sign, int, frac = '', exp = '0'] = match;
  const digits = BigInt(`${sign}${int}${frac}`);
  const scale = Number(exp) - frac.length;
  return scale >= 0 ? [digits * 10n ** BigInt(scale), 1n] : [digits, 10n ** BigInt(-scale)];
}

/**
 * Formats minor units for people, e.g. for logs and notifications.
 *
 * ```ts
 * formatMoney(1999, 'USD'); // "19.99 USD"
 * formatMoney(1500, 'KWD'); // "1.500 KWD"
 * ```
 */
export function formatMoney(amount: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return `${amount} ${currency}`;
  const sign = amount < 0 ? '-' : '';
  const abs = Math.abs(amount)
    .toString()
    .padStart(exp + 1, '0');
  return `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)} ${currency}`;
}
