import { describe } from 'vitest';
import { durabilityCases } from './storage-conformance/durability-cases.js';
import { entityCases } from './storage-conformance/entity-cases.js';
import { useStorage } from './storage-conformance/fixtures.js';
import { listCases } from './storage-conformance/list-cases.js';
import { managerCases } from './storage-conformance/manager-cases.js';
import { queueCases } from './storage-conformance/queue-cases.js';
import { transactionCases } from './storage-conformance/transaction-cases.js';
import type { StorageConformanceOptions, StorageFactory } from './storage-conformance/types.js';

export type {
  ReopenableStorageFactory,
  StorageConformanceOptions,
  StorageFactory,
} from './storage-conformance/types.js';

/**
 * The conformance suite every `StorageAdapter` must pass (memory, SQLite, Postgres, your
 * own). It uses only the storage port — with real concurrency through `Promise.all`, never
 * an adapter's internals — and then runs the managers' races (parallel refunds, version
 * conflicts, return quantities, idempotent creates) through `createOrderSystem` with the
 * in-process job runner. Every test gets a fresh store from `factory`; the suite migrates
 * it, closes it afterwards and then calls `cleanup`. The "keeps its data after close and
 * reopen" case is registered only when `options.reopen` is given.
 *
 * ```ts
 * import { storageConformanceSuite } from 'orderflow/testing';
 * import { memoryStorage } from 'orderflow/adapters/memory';
 *
 * storageConformanceSuite('memory', async () => ({ storage: memoryStorage() }));
 * ```
 */
export function storageConformanceSuite(
  name: string,
  factory: StorageFactory,
  options: StorageConformanceOptions = {},
): void {
  describe(`StorageAdapter conformance: ${name}`, () => {
    describe('orders, returns and payments', () => entityCases(useStorage(factory)));
    describe('lists and history', () => listCases(useStorage(factory)));
    describe('outbox and idempotency keys', () => queueCases(useStorage(factory)));
    describe('transactions', () => transactionCases(useStorage(factory)));
    describe('through the managers', () => managerCases(factory));
    const { reopen } = options;
    if (reopen) describe('durability', () => durabilityCases(reopen));
  });
}
