import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests `npm run test:mutation` (Stryker, stryker.config.json) runs against each
 * mutant of the money and concurrency code: unit tests, the storage conformance suite on
 * SQLite `:memory:`, the managers' races on Postgres (where they really race) and the
 * manager and workflow tests on SQLite. One project, so a test id names one test; the
 * `.mutation.ts` files are not picked up by `npm test`. Test files share their modules
 * (`isolate: false`): Stryker runs the covering tests of each mutant, and re-importing
 * every file each time doubled the run.
 */
export default defineConfig({
  resolve: base.resolve,
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    include: [
      'test/unit/**/*.test.ts',
      'test/mutation/*.mutation.ts',
      'test/managers/**/*.test.ts',
      'test/workflows/**/*.test.ts',
    ],
    env: { ORDERFLOW_SYSTEM_BACKEND: 'sqlite' },
    isolate: false,
  },
});
