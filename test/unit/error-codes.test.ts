import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BusinessRuleError,
  ConcurrencyError,
  ConfigurationError,
  ERROR_CODE_LIST,
  ERROR_CODES,
  httpStatusFor,
  IdempotencyConflictError,
  InvalidTransitionError,
  isOrderflowErrorCode,
  NotFoundError,
  type OrderflowErrorCode,
  PaymentDeclinedError,
  ProviderUnavailableError,
  ValidationError,
  WebhookSignatureError,
} from 'orderflow';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Every literal code passed to an orderflow error: `new BusinessRuleError('…'`,
 * `new OrderflowError('…'`, `new IdempotencyConflictError('…'` and `super('…'` in the
 * error classes, also when the literal is on the next line.
 */
const THROWN_CODE =
  /\b(?:new\s+(?:BusinessRuleError|OrderflowError|IdempotencyConflictError)|super)\(\s*'([a-z0-9_]+)'/g;

function thrownCodes(): Map<string, string[]> {
  const codes = new Map<string, string[]>();
  for (const file of [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'adapters'))]) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(THROWN_CODE)) {
      const code = match[1]!;
      codes.set(code, [...(codes.get(code) ?? []), relative(root, file)]);
    }
  }
  return codes;
}

describe('error codes', () => {
  it('lists every code that src/ and adapters/ throw', () => {
    const thrown = thrownCodes();
    // The scan finds the codes it should (a regex that matched nothing would pass vacuously).
    for (const code of ['validation_error', 'return_window_closed', 'job_runner_stopped']) {
      expect(thrown.has(code), code).toBe(true);
    }
    expect(thrown.size).toBeGreaterThan(25);
    const missing = [...thrown]
      .filter(([code]) => !isOrderflowErrorCode(code))
      .map(([code, files]) => `${code} (${files.join(', ')})`);
    expect(missing, 'codes thrown but missing from ERROR_CODES in src/error-codes.ts').toEqual([]);
  });

  it('gives each error class the status an API answers it with', () => {
    const cases: Array<[{ code: OrderflowErrorCode }, number]> = [
      [new ValidationError('bad', []), 400],
      [new PaymentDeclinedError('declined'), 402],
      [new NotFoundError('order', 'ord_1'), 404],
      [new InvalidTransitionError('order', 'ord_1', 'pending', 'shipped', []), 409],
      [new ConcurrencyError('order', 'ord_1'), 409],
      [new IdempotencyConflictError('idempotency_in_flight', 'k'), 409],
      [new IdempotencyConflictError('idempotency_conflict', 'k'), 422],
      [new BusinessRuleError('return_window_closed', 'closed'), 422],
      [new BusinessRuleError('insufficient_stock', 'none left'), 409],
      [new ProviderUnavailableError('down'), 503],
      [new ConfigurationError('no provider'), 500],
      [new WebhookSignatureError('forged'), 401],
    ];
    for (const [error, status] of cases) expect(httpStatusFor(error.code), error.code).toBe(status);
  });

  it('answers 422 for business rules and only known statuses for the rest', () => {
    for (const code of ERROR_CODE_LIST) {
      expect([400, 401, 402, 404, 409, 422, 500, 503], code).toContain(ERROR_CODES[code]);
    }
    for (const code of ['refund_exceeds_captured', 'order_not_fulfillable', 'edit_empties_order']) {
      expect(httpStatusFor(code as OrderflowErrorCode)).toBe(422);
    }
    expect(ERROR_CODES.job_runner_unavailable).toBe(503);
    expect(httpStatusFor('no_such_code' as OrderflowErrorCode)).toBe(500);
    expect(isOrderflowErrorCode('toString')).toBe(false);
  });

  it('types codes: a misspelt code does not compile', () => {
    // @ts-expect-error 'concurency_conflict' is not an OrderflowErrorCode
    const misspelt: OrderflowErrorCode = 'concurency_conflict';
    // @ts-expect-error a BusinessRuleError takes only listed codes
    const unlisted = () => new BusinessRuleError('made_up_rule', 'no');
    const error = new ConcurrencyError('order', 'ord_1');
    // @ts-expect-error comparing `code` with a misspelt literal is a type error
    const compared = error.code === 'concurency_conflict';
    expect([misspelt, typeof unlisted, compared]).toEqual([
      'concurency_conflict',
      'function',
      false,
    ]);
  });
});
