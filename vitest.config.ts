import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * e2e files the `e2e-postgres` project leaves out: they never use the backend of
 * test/e2e/setup.ts, so a second run would only repeat the first. Pure config parsing and
 * the OpenAPI document; the generated client and the headless browser, each on its own
 * SQLite system; the spawned `npm start` server and README walk-through, on SQLite; the
 * kill -9 test, which picks its backends itself (SQLite and Postgres) in one run.
 */
const BACKEND_INDEPENDENT_E2E = [
  'test/e2e/config.test.ts',
  'test/e2e/openapi.test.ts',
  'test/e2e/typed-client.test.ts',
  'test/e2e/docs-browser.test.ts',
  'test/e2e/server.test.ts',
  'test/e2e/readme-walkthrough.test.ts',
  'test/e2e/crash-restart.test.ts',
  'test/e2e/payment-webhook-secret.test.ts',
];

/**
 * The manager, workflow and model-based tests: run once per storage backend
 * (test/managers/setup.ts).
 */
const SYSTEM_TESTS = [
  'test/managers/**/*.test.ts',
  'test/workflows/**/*.test.ts',
  'test/model/**/*.test.ts',
];

const systemsOn = (backend: 'memory' | 'sqlite' | 'postgres') => ({
  extends: true as const,
  test: {
    name: `systems-${backend}`,
    include: SYSTEM_TESTS,
    env: { ORDERFLOW_SYSTEM_BACKEND: backend },
  },
});

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
          exclude: [...configDefaults.exclude, ...SYSTEM_TESTS],
        },
      },
      // Memory, SQLite and Postgres: on SQL the "parallel" tests really overlap. A backend
      // left out of ORDERFLOW_TEST_BACKENDS skips its project's tests (CI allows none).
      systemsOn('memory'),
      systemsOn('sqlite'),
      systemsOn('postgres'),
      {
        // The HTTP tests again, on Postgres + BullMQ (test/e2e/setup.ts). Skips loudly
        // when Postgres or Redis is unreachable; fails instead under CI=true.
        extends: true,
        test: {
          name: 'e2e-postgres',
          include: ['test/e2e/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...BACKEND_INDEPENDENT_E2E],
          env: { ORDERFLOW_E2E_BACKEND: 'postgres' },
        },
      },
    ],
  },
});
