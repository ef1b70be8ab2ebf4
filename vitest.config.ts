import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

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
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
