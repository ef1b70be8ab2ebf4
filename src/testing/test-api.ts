/**
 * The part of a test framework the conformance suites use. Vitest, Jest and `node:test`
 * all fit, so the suites carry no test-framework dependency: pass yours in.
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 * storageConformanceSuite('mine', factory, { test: { describe, it, beforeEach, afterEach } });
 * ```
 */
export interface TestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<unknown> | unknown): unknown;
  beforeEach(fn: () => Promise<unknown> | unknown): unknown;
  afterEach(fn: () => Promise<unknown> | unknown): unknown;
}
