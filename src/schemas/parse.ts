import type { z } from 'zod';
import { ValidationError, type ValidationIssue } from '../errors.js';

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
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(input);
  } catch (error) {
    // Recursive schemas (JSON metadata) overflow the stack on absurdly deep input.
    if (error instanceof RangeError) {
      throw new ValidationError(`Invalid ${what}: nested too deeply`, [
        { path: [], message: 'nested too deeply', code: 'too_deep' },
      ]);
    }
    throw error;
  }
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue): ValidationIssue[] => {
    const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    // One issue per unknown key, with the key in its path, so clients can point at it.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown field ${key}`,
        code: issue.code,
      }));
    }
    return [{ path, message: issue.message, code: issue.code }];
  });
  const first = issues[0];
  const where = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
  return ((): never => {
    throw new ValidationError(`Invalid ${what}: ${where}${first?.message ?? 'invalid'}`, issues);
  })();
}
