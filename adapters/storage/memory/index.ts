import type { Repositories, StorageAdapter } from '../../../src/ports/storage.js';
import { MemoryTables, MemoryView, WriteLock } from './memory-store.js';
import { memoryRepositories } from './repositories.js';

/** Options of `memoryStorage()`. */
export interface MemoryStorageOptions {
  /**
   * A name shown in logs and health checks.
   * @default 'memory'
   */
  name?: string;
}

type Method = (...args: unknown[]) => Promise<unknown>;
type Methods = Record<string, Method>;

const WRITES = new Set([
  'insert',
  'update',
  'append',
  'claim',
  'delete',
  'complete',
  'release',
  'takeOver',
  'purgeExpired',
]);

/**
 * Storage in plain JavaScript memory: no native build, nothing on disk, fast — for tests
 * and prototypes. Transactions are real: writes are staged and applied on commit, a
 * thrown error discards them, and write transactions run one at a time (like SQLite's
 * `BEGIN IMMEDIATE`), so money checks cannot race.
 *
 * ```ts
 * import { createOrderSystem } from 'orderflow';
 * import { memoryStorage } from 'orderflow/adapters/memory';
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 * const oms = await createOrderSystem({ storage: memoryStorage(), jobs: inProcessJobs() });
 * ```
 */
export function memoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const tables = new MemoryTables();
  const lock = new WriteLock();
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error('memory storage is closed');
  };

  const inTransaction = async <T>(fn: (tx: Repositories) => Promise<T>): Promise<T> => {
    assertOpen();
    return lock.run(async () => {
      const view = new MemoryView(tables);
      const result = await fn(memoryRepositories(view, tables));
      view.commit();
      return result;
    });
  };

  // Outside a transaction: reads see committed data; each write is its own transaction.
  const committed = memoryRepositories(new MemoryView(tables), tables);
  const autocommit: Record<string, Record<string, Method>> = {};
  for (const [repoName, repo] of Object.entries(committed)) {
    if (typeof repo !== 'object') continue;
    const wrapped: Record<string, Method> = {};
    // The methods live on the repository's prototype (see `memoryRepositories`).
    for (const [method, fn] of Object.entries(Object.getPrototypeOf(repo) as Methods)) {
      wrapped[method] = WRITES.has(method)
        ? (...args) =>
            inTransaction((tx) => {
              const scoped = tx[repoName as keyof Repositories] as unknown as Methods;
              return scoped[method]!.apply(scoped, args);
            })
        : (...args) => {
            assertOpen();
            return fn.apply(repo, args);
          };
    }
    autocommit[repoName] = wrapped;
  }

  return {
    name: options.name ?? 'memory',
    ...(autocommit as unknown as Repositories),
    async migrate() {
      assertOpen();
    },
    transaction: inTransaction,
    async ping() {
      assertOpen();
    },
    async close() {
      closed = true;
    },
  };
}
