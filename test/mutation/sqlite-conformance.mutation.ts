/**
 * The storage conformance suite on SQLite `:memory:`, for the mutation run only
 * (vitest.mutation.config.ts): the file variant of test/conformance/sqlite-storage.test.ts
 * runs the same SQL again and would only double the time of each mutant.
 */
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { storageConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';

storageConformanceSuite(
  'sqlite (:memory:)',
  async () => ({ storage: sqliteStorage({ filename: ':memory:' }) }),
  { test: { describe, it, beforeEach, afterEach } },
);
