import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * Parses `input` with `schema`, turning zod issues into a ValidationError whose
 * `details.issues` carry each problem's path.
 *
 * ```ts
 * const input = parseInput(createOrderInput, body); // throws ValidationError on bad input
 * ```
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = 'input',
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return ((): never => {
    throw new ValidationError(`Invalid ${what}: ${where}${first?.message ?? 'invalid'}`, issues);
  })();
}
