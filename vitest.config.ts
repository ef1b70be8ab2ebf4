import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * e2e files that do not run on the `e2e-postgres` project: they never use the backend of
 * test/e2e/setup.ts (pure config parsing, the OpenAPI document, the generated client on
 * its own SQLite system, the spawned `npm start` server on its SQLite file, the headless
 * browser on its own SQLite system, the fuzzing on SQLite), so a second run would only
 * repeat the first.
 */
const SQLITE_ONLY_E2E = [
  'test/e2e/config.test.ts',
  'test/e2e/openapi.test.ts',
  'test/e2e/typed-client.test.ts',
  'test/e2e/server.test.ts',
  'test/e2e/docs-browser.test.ts',
  'test/e2e/fuzz.test.ts',
];

export default defineConfig({
  resolve: {
    alias: {
      'orderflow/adapters/memory': here('./adapters/storage/memory/index.ts'),
      'orderflow/adapters/sqlite': here('./adapters/storage/sqlite/index.ts'),
      'orderflow/adapters/postgres': here('./adapters/storage/postgres/index.ts'),
      'orderflow/adapters/in-process': here('./adapters/jobs/in-process/index.ts'),
      'orderflow/adapters/bullmq': here('./adapters/jobs/bullmq/index.ts'),
      'orderflow/testing': here('./src/testing/index.ts'),
      orderflow: here('./src/index.ts'),
    },
  },
  test: {
    // Shared by every project (`extends: true`). No `include` here: a project's include
    // would be appended to it, not replace it.
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['test/**/*.test.ts'],
        },
      },
      {
        // The HTTP tests again, on Postgres + BullMQ (test/e2e/setup.ts). Skips loudly
        // when Postgres or Redis is unreachable; fails instead under CI=true.
        extends: true,
        test: {
          name: 'e2e-postgres',
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...SQLITE_ONLY_E2E],
          env: { ORDERFLOW_E2E_BACKEND: 'postgres' },
        },
      },
    ],
  },
});
