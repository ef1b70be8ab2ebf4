/**
 * The library as applications run it: the built package (`dist/`), rebuilt once when the
 * bench starts so it never measures an earlier commit's build. Importing the TypeScript
 * sources through the tsx loader instead would add the loader's transform (a naming helper
 * wrapped around every function it defines, closures included) to every figure.
 */
import { execSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

console.log('building the package (npm run build): the bench measures the built package');
execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });

function load<T>(entry: string): Promise<T> {
  return import(pathToFileURL(join(ROOT, 'dist', entry)).href) as Promise<T>;
}

export const orderflow = await load<typeof import('../../src/index.js')>('index.js');
export const memoryAdapter =
  await load<typeof import('../../adapters/storage/memory/index.js')>('adapters/memory.js');
export const sqliteAdapter =
  await load<typeof import('../../adapters/storage/sqlite/index.js')>('adapters/sqlite.js');
export const postgresAdapter =
  await load<typeof import('../../adapters/storage/postgres/index.js')>('adapters/postgres.js');
export const inProcessAdapter =
  await load<typeof import('../../adapters/jobs/in-process/index.js')>('adapters/in-process.js');
export const bullmqAdapter =
  await load<typeof import('../../adapters/jobs/bullmq/index.js')>('adapters/bullmq.js');
export const testing = await load<typeof import('../../src/testing/index.js')>('testing.js');
