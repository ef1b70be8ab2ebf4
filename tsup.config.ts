import { defineConfig } from 'tsup';

/**
 * One build for every public entry. Each entry maps to a subpath export in package.json.
 * Shared code (errors, schemas) is split into common chunks so `instanceof` holds across
 * entries instead of every bundle carrying its own copy.
 */
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'adapters/memory': 'adapters/storage/memory/index.ts',
    'adapters/sqlite': 'adapters/storage/sqlite/index.ts',
    'adapters/postgres': 'adapters/storage/postgres/index.ts',
    'adapters/in-process': 'adapters/jobs/in-process/index.ts',
    'adapters/bullmq': 'adapters/jobs/bullmq/index.ts',
    testing: 'src/testing/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  splitting: true,
  // Maps still point stack traces (`node --enable-source-maps`) and debuggers at the
  // original file, line and column, but do not inline the sources: `sourcesContent` was
  // over half of the tarball, repeated for ESM and CommonJS. The text is in the repository.
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'node20',
  // p-retry ships ESM only; bundling it keeps the CommonJS build loadable on every Node 20.
  // kysely is bundled too: as about 280 ES modules it was half of an application's start-up
  // (import + open + migration check on SQLite, `npm run bench -- --only=startup`). It stays
  // a dependency: the declaration files import its types.
  noExternal: ['p-retry', 'is-network-error', 'kysely'],
  external: ['vitest'],
});
