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
  const autocommit = Object.fromEntries(
    Object.entries(committed).map(([repoName, repo]) => [
      repoName,
      Object.fromEntries(
        Object.entries(repo as Record<string, (...args: unknown[]) => Promise<unknown>>).map(
          ([method, fn]) => [
            method,
            WRITES.has(method)
              ? (...args: unknown[]) =>
                  inTransaction((tx) =>
                    (
                      tx[repoName as keyof Repositories] as unknown as Record<
                        string,
                        (...a: unknown[]) => Promise<unknown>
                      >
                    )[method]!(...args),
                  )
              : (...args: unknown[]) => {
                  assertOpen();
                  return fn(...args);
                },
          ],
        ),
      ),
    ]),
  ) as unknown as Repositories;

  return {
    name: options.name ?? 'memory',
    ...autocommit,
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
