/**
 * The races through the managers on Postgres, for the mutation run only
 * (vitest.mutation.config.ts): removing a row lock is invisible on SQLite, whose writers
 * take turns, so these are the tests that catch it. The rest of the Postgres conformance
 * suite runs in `npm test`.
 */
import { postgresStorage } from 'orderflow/adapters/postgres';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { commandEventCases } from '../../src/testing/storage-conformance/command-event-cases.js';
import { managerCases } from '../../src/testing/storage-conformance/manager-cases.js';
import { raceCases } from '../../src/testing/storage-conformance/race-cases.js';
import type { StorageFactory } from '../../src/testing/storage-conformance/types.js';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';

const test = { describe, it, beforeEach, afterEach };
const factory: StorageFactory = async () => {
  const schema = scratchSchema();
  return {
    storage: postgresStorage({ connectionString: PG_URL, schema }),
    cleanup: () => dropSchema(schema),
  };
};

if (await postgresEnabled()) {
  describe('postgres: through the managers', () => managerCases(test, factory));
  describe('postgres: races through the managers', () => raceCases(test, factory));
  describe('postgres: a command’s events', () => commandEventCases(test, factory));
} else {
  it.skipIf(true)(`postgres races (Postgres unreachable at ${PG_URL})`, () => {});
}
