import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';

/**
 * Builds a fresh, empty storage for one test of {@link storageConformanceSuite}. The suite
 * calls `migrate()` itself and `close()` when the test ends (or lets `oms.close()` do it),
 * then `cleanup`, e.g. to drop a scratch database or delete a temporary file.
 *
 * ```ts
 * const factory: StorageFactory = async () => {
 *   const dir = await mkdtemp(join(tmpdir(), 'orderflow-'));
 *   return {
 *     storage: sqliteStorage({ filename: join(dir, 'orders.db') }),
 *     cleanup: () => rm(dir, { recursive: true, force: true }),
 *   };
 * };
 * ```
 */
export type StorageFactory = () => Promise<{
  storage: StorageAdapter;
  cleanup?: () => Promise<void>;
}>;

/**
 * Builds a fresh, empty store that can be opened again after `close()`: `reopen` returns
 * a new adapter over the same data. Used only by the "keeps its data after close and
 * reopen" case.
 *
 * ```ts
 * const reopenable: ReopenableStorageFactory = async () => {
 *   const filename = join(await mkdtemp(join(tmpdir(), 'orderflow-')), 'orders.db');
 *   return {
 *     storage: sqliteStorage({ filename }),
 *     reopen: async () => sqliteStorage({ filename }),
 *     cleanup: () => rm(dirname(filename), { recursive: true, force: true }),
 *   };
 * };
 * ```
 */
export type ReopenableStorageFactory = () => Promise<{
  storage: StorageAdapter;
  reopen: () => Promise<StorageAdapter>;
  cleanup?: () => Promise<void>;
}>;

/**
 * Options of {@link storageConformanceSuite}: the test framework to register the suite
 * with (required) and, for a store that survives `close()`, the durability case.
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 *
 * storageConformanceSuite('sqlite', factory, {
 *   test: { describe, it, beforeEach, afterEach },
 *   reopen: reopenable,
 * });
 * ```
 */
export interface StorageConformanceOptions {
  /**
   * `describe`, `it`, `beforeEach` and `afterEach` of your test framework (Vitest, Jest or
   * `node:test`). The suite registers every test and hook through these and imports no
   * test framework itself.
   */
  test: TestApi;
  /**
   * Opens a store that survives `close()`, for the durability case. Leave it out for a
   * store that lives only in memory: the case is then not registered at all.
   * @default undefined (no durability case)
   */
  reopen?: ReopenableStorageFactory;
}
