import assert from 'node:assert/strict';

/**
 * Copies `value` with every `undefined`-valued object property dropped, recursively through
 * plain objects and arrays; anything else is returned as it is.
 */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (
    value !== null &&
    typeof value === 'object' &&
    Object.prototype.toString.call(value) === '[object Object]'
  ) {
    const copy: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      if (entry !== undefined) copy[key] = withoutUndefined(entry);
    }
    return copy;
  }
  return value;
}

/**
 * Asserts that `actual` holds the same data as `expected`: strict deep equality, where a
 * property set to `undefined` counts as absent (an adapter may map a NULL column to
 * `undefined`; the record types allow both).
 */
export function sameData(actual: unknown, expected: unknown, message?: string): void {
  assert.deepEqual(withoutUndefined(actual), withoutUndefined(expected), message);
}

/** A validator for `assert.rejects`: the rejection's `code` is `code`. */
export function withCode(code: string): (error: unknown) => true {
  return (error) => {
    assert.equal((error as { code?: unknown } | null | undefined)?.code, code);
    return true;
  };
}

/** A validator for `assert.rejects`: the rejection is `expected` itself. */
export function isError(expected: unknown): (error: unknown) => true {
  return (error) => {
    assert.equal(error, expected);
    return true;
  };
}

export { assert };
