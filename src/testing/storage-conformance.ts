import { commandEventCases } from './storage-conformance/command-event-cases.js';
import { deadLetterCases } from './storage-conformance/dead-letter-cases.js';
import { durabilityCases } from './storage-conformance/durability-cases.js';
import { editCases } from './storage-conformance/edit-cases.js';
import { entityCases } from './storage-conformance/entity-cases.js';
import { useStorage } from './storage-conformance/fixtures.js';
import { inventoryCases } from './storage-conformance/inventory-cases.js';
import { keyOrderCases } from './storage-conformance/key-order-cases.js';
import { listCases } from './storage-conformance/list-cases.js';
import { managerCases } from './storage-conformance/manager-cases.js';
import { paymentRaceCases } from './storage-conformance/payment-race-cases.js';
import { providerEventStorageCases } from './storage-conformance/provider-event-cases.js';
import { providerEventRaceCases } from './storage-conformance/provider-event-race-cases.js';
import { queryCases } from './storage-conformance/query-cases.js';
import { queueCases } from './storage-conformance/queue-cases.js';
import { raceCases } from './storage-conformance/race-cases.js';
import { shipmentCases } from './storage-conformance/shipment-cases.js';
import { transactionCases } from './storage-conformance/transaction-cases.js';
import type { StorageConformanceOptions, StorageFactory } from './storage-conformance/types.js';

export type {
  ReopenableStorageFactory,
  StorageConformanceOptions,
  StorageFactory,
} from './storage-conformance/types.js';
export type { TestApi } from './test-api.js';

/**
 * The conformance suite every `StorageAdapter` must pass (memory, SQLite, Postgres, your
 * own). It uses only the storage port — with real concurrency through `Promise.all`, never
 * an adapter's internals — and then runs the managers' races (parallel payments, captures
 * and refunds checked against the money the fake provider moved, refunds of one return
 * across payments, cancels racing payments, version conflicts, return quantities,
 * idempotent creates) through `createOrderSystem` with the in-process job runner. Every test gets a fresh store from `factory`; the suite migrates
 * it, closes it afterwards and then calls `cleanup`. The "keeps its data after close and
 * reopen" case is registered only when `options.reopen` is given.
 *
 * The suite brings no test framework of its own: it registers its tests through
 * `options.test` (`describe`, `it`, `beforeEach`, `afterEach` from Vitest, Jest or
 * `node:test`) and checks with `node:assert/strict`, so a failed check fails the test in
 * any of them.
 *
 * Time filters of `list()`: `createdAfter` and `updatedAfter` are inclusive (`>=`),
 * `createdBefore` and `updatedBefore` are exclusive (`<`).
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 * import { storageConformanceSuite } from 'orderflow/testing';
 * import { memoryStorage } from 'orderflow/adapters/memory';
 *
 * storageConformanceSuite('memory', async () => ({ storage: memoryStorage() }), {
 *   test: { describe, it, beforeEach, afterEach },
 * });
 * ```
 *
 * @param name Shown in the suite's top-level `describe`.
 * @param factory Builds a fresh, empty storage for each test.
 * @param options The test framework (`test`, required) and the optional `reopen` factory.
 */
export function storageConformanceSuite(
  name: string,
  factory: StorageFactory,
  options: StorageConformanceOptions,
): void {
  const { test, reopen } = options;
  const { describe } = test;
  describe(`StorageAdapter conformance: ${name}`, () => {
    describe('orders, returns and payments', () => entityCases(test, useStorage(test, factory)));
    describe('lists and history', () => listCases(test, useStorage(test, factory)));
    describe('cursors and time bounds', () => queryCases(test, useStorage(test, factory)));
    describe('key order of stored JSON', () => keyOrderCases(test, useStorage(test, factory)));
    describe('outbox and idempotency keys', () => queueCases(test, useStorage(test, factory)));
    describe('transactions', () => transactionCases(test, useStorage(test, factory)));
    describe('dead letters', () => deadLetterCases(test, useStorage(test, factory)));
    describe('through the managers', () => managerCases(test, factory));
    describe('races through the managers', () => raceCases(test, factory));
    describe('payment races: one winner, one refusal code', () => paymentRaceCases(test, factory));
    describe('provider events: storage', () =>
      providerEventStorageCases(test, useStorage(test, factory)));
    describe('provider events through the managers', () => providerEventRaceCases(test, factory));
    describe('a command’s events', () => commandEventCases(test, factory));
    describe('shipments', () => shipmentCases(test, factory));
    describe('inventory', () => inventoryCases(test, factory));
    describe('order edits and exchanges', () => editCases(test, factory));
    if (reopen) describe('durability and other connections', () => durabilityCases(test, reopen));
  });
}
