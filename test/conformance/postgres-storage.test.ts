import { postgresStorage } from 'orderflow/adapters/postgres';
import { storageConformanceSuite } from 'orderflow/testing';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { dropSchema, PG_URL, postgresEnabled, scratchSchema } from '../support/backends.js';

// Each test gets its own schema, dropped when it ends.
if (await postgresEnabled()) {
  storageConformanceSuite(
    'postgres',
    async () => {
      const schema = scratchSchema();
      return {
        storage: postgresStorage({ connectionString: PG_URL, schema }),
        cleanup: () => dropSchema(schema),
      };
    },
    {
      test: { describe, it, beforeEach, afterEach },
      reopen: async () => {
        const schema = scratchSchema();
        return {
          storage: postgresStorage({ connectionString: PG_URL, schema }),
          reopen: async () => postgresStorage({ connectionString: PG_URL, schema }),
          cleanup: () => dropSchema(schema),
        };
      },
    },
  );
} else {
  it.skipIf(true)(`postgres storage conformance (Postgres unreachable at ${PG_URL})`, () => {});
}
