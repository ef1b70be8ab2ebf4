import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { storageConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { backendEnabled } from '../support/backends.js';

const test = { describe, it, beforeEach, afterEach };

/** A database file in its own temporary folder, removed after the test. */
async function scratchFile() {
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-sqlite-'));
  return {
    filename: join(dir, 'orders.db'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

if (backendEnabled('sqlite')) {
  storageConformanceSuite(
    'sqlite (file)',
    async () => {
      const { filename, cleanup } = await scratchFile();
      return { storage: sqliteStorage({ filename }), cleanup };
    },
    {
      test,
      reopen: async () => {
        const { filename, cleanup } = await scratchFile();
        const reopen = async () => sqliteStorage({ filename });
        return { storage: sqliteStorage({ filename }), reopen, cleanup };
      },
    },
  );
  storageConformanceSuite(
    'sqlite (:memory:)',
    async () => ({ storage: sqliteStorage({ filename: ':memory:' }) }),
    {
      test,
    },
  );
} else {
  it.skipIf(true)('sqlite storage conformance (not in ORDERFLOW_TEST_BACKENDS)', () => {});
}
