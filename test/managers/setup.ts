/**
 * Wiring shared by the manager and workflow tests: an order system on the storage backend
 * of this run and the in-process runner, a manual clock, the fake payment provider, tiny
 * retry backoff. Every system built here is closed by `closeSystems()`, which each test
 * file calls in `afterEach`; it also fails the test if a fake provider was asked to move
 * money it should not have (`violations`).
 *
 * The backend is `ORDERFLOW_SYSTEM_BACKEND`: `memory` (default), `sqlite` (`:memory:`, a
 * new database per store) or `postgres`. `npm test` runs these files once per backend (the
 * vitest projects `systems-memory`, `systems-sqlite`, `systems-postgres`), so their
 * "parallel" tests really overlap on SQL. On Postgres, migrating a schema costs ~0.4 s,
 * so each test file keeps its schemas (one per store a test opens at once) and empties
 * them between tests instead of making new ones. A backend left out of
 * `ORDERFLOW_TEST_BACKENDS`, or a Postgres that does not answer, skips every test of the
 * file with the reason (under `CI=true` both fail instead).
 */
import {
  type CarrierPort,
  createOrderSystem,
  type Logger,
  type Notification,
  type NotifierPort,
  type OrderflowConfig,
  type OrderSystem,
  type ReturnState,
  type StorageAdapter,
  silentLogger,
} from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { memoryStorage } from 'orderflow/adapters/memory';
import { postgresStorage } from 'orderflow/adapters/postgres';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import {
  type FakePaymentProvider,
  fakePaymentProvider,
  type ManualClock,
  manualClock,
} from 'orderflow/testing';
import pg from 'pg';
import { afterAll, beforeEach, expect } from 'vitest';
import {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
} from '../../adapters/storage/sql/migrations/index.js';
import {
  type Backend,
  backendEnabled,
  dropSchema,
  PG_URL,
  postgresEnabled,
  scratchSchema,
} from '../support/backends.js';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface TestSystemOptions {
  /** The provider to wire in; `false` builds a system without any payment provider. */
  payments?: FakePaymentProvider | false;
  carrier?: CarrierPort;
  notifier?: NotifierPort;
  /** Merged over `{ providerRetryMinTimeoutMs: 1 }`. */
  config?: OrderflowConfig;
  /** Share one clock between systems (a restarted process). @default a new manual clock */
  clock?: ManualClock;
  /** Share one store between systems (a restarted process). @default `testStorage()` */
  storage?: StorageAdapter;
  startJobs?: boolean;
  logger?: Logger;
}

export interface TestSystem {
  oms: OrderSystem;
  clock: ManualClock;
  /** The fake provider (created even when `payments: false`, but then not wired in). */
  provider: FakePaymentProvider;
  storage: StorageAdapter;
}

/** The storage backend of this run: `ORDERFLOW_SYSTEM_BACKEND` (default `memory`). */
export function systemBackend(env = process.env): Backend {
  const name = env.ORDERFLOW_SYSTEM_BACKEND?.trim() || 'memory';
  if (name !== 'memory' && name !== 'sqlite' && name !== 'postgres') {
    throw new Error(`ORDERFLOW_SYSTEM_BACKEND=${name}: choose memory, sqlite or postgres`);
  }
  return name;
}

const backend = systemBackend();
let ready: Promise<string | undefined> | undefined;

/** Why this file's tests cannot run on the backend here, if they cannot. */
function skipReason(): Promise<string | undefined> {
  ready ??= (async () => {
    if (!backendEnabled(backend)) return `${backend} is not in ORDERFLOW_TEST_BACKENDS`;
    if (backend === 'postgres' && !(await postgresEnabled())) return 'Postgres is unreachable';
    return undefined;
  })();
  return ready;
}

beforeEach(async (context) => {
  const reason = await skipReason();
  if (reason) context.skip(`ORDERFLOW_SYSTEM_BACKEND=${backend}: ${reason}`);
});

/** Postgres schemas of this file, migrated once and emptied after each test. */
const schemas: { name: string; storage: StorageAdapter }[] = [];
/** How many of `schemas` the current test has handed out. */
let schemasInUse = 0;
/** SQLite and memory stores of the current test, closed by `closeSystems()`. */
const stores: StorageAdapter[] = [];

/**
 * A fresh, empty, migrated store on this run's backend. Every call in one test gives a
 * separate store; they are cleaned up after the test.
 */
export async function testStorage(): Promise<StorageAdapter> {
  if (backend === 'memory') {
    const storage = memoryStorage();
    stores.push(storage);
    return storage;
  }
  if (backend === 'sqlite') {
    const storage = sqliteStorage({ filename: ':memory:' });
    await storage.migrate();
    stores.push(storage);
    return storage;
  }
  let slot = schemas[schemasInUse];
  if (!slot) {
    const name = scratchSchema();
    const storage = postgresStorage({ connectionString: PG_URL, schema: name, maxConnections: 5 });
    slot = { name, storage };
    schemas.push(slot);
    await storage.migrate();
  }
  schemasInUse += 1;
  // The schema outlives the systems of one test: closing them must not end its pool, and
  // it is migrated already.
  return { ...survivingStorage(slot.storage), migrate: async () => {} };
}

let cleaner: pg.Client | undefined;
/** The tables to empty between tests, children before the tables they reference. */
let tablesInDeleteOrder: string[] | undefined;

/** The tables the migrations created (not the migrations' own), children first. */
async function deleteOrder(client: pg.Client, schema: string): Promise<string[]> {
  const { rows: tables } = await client.query<{ name: string }>(
    'select tablename as name from pg_tables where schemaname = $1 and tablename not in ($2, $3)',
    [schema, MIGRATION_TABLE, MIGRATION_LOCK_TABLE],
  );
  const { rows: links } = await client.query<{ child: string; parent: string }>(
    `select child.relname as child, parent.relname as parent
     from pg_constraint c
     join pg_class child on child.oid = c.conrelid
     join pg_class parent on parent.oid = c.confrelid
     join pg_namespace n on n.oid = c.connamespace
     where c.contype = 'f' and n.nspname = $1`,
    [schema],
  );
  const order: string[] = [];
  const visit = (table: string) => {
    if (order.includes(table)) return;
    for (const link of links) if (link.parent === table && link.child !== table) visit(link.child);
    order.push(table);
  };
  for (const { name } of tables) visit(name);
  return order;
}

/**
 * Empties the schemas `names` (DELETE: TRUNCATE of eight tables costs ~0.4 s, DELETE of a
 * few rows a few ms).
 */
async function emptySchemas(names: string[]): Promise<void> {
  if (names.length === 0) return;
  if (!cleaner) {
    cleaner = new pg.Client({ connectionString: PG_URL });
    await cleaner.connect();
  }
  tablesInDeleteOrder ??= await deleteOrder(cleaner, names[0]!);
  const statements = names.flatMap((n) =>
    (tablesInDeleteOrder ?? []).map((t) => `delete from "${n}"."${t}";`),
  );
  await cleaner.query(statements.join('\n'));
}

afterAll(async () => {
  await cleaner?.end();
  cleaner = undefined;
  const all = schemas.splice(0);
  await Promise.all(all.map((s) => s.storage.close()));
  await Promise.all(all.map((s) => dropSchema(s.name)));
});

const open: { oms: OrderSystem; provider: FakePaymentProvider }[] = [];

/** Builds an order system for one test; `closeSystems()` closes it. */
export async function testSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const clock = options.clock ?? manualClock();
  const provider = options.payments || fakePaymentProvider();
  const storage = options.storage ?? (await testStorage());
  const logger = options.logger ?? silentLogger;
  const oms = await createOrderSystem({
    storage,
    jobs: inProcessJobs({ logger, backoff: { minTimeoutMs: 1, factor: 1, maxTimeoutMs: 5 } }),
    ...(options.payments === false ? {} : { payments: provider }),
    ...(options.carrier ? { carrier: options.carrier } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    clock,
    logger,
    config: { providerRetryMinTimeoutMs: 1, ...options.config },
    ...(options.startJobs === undefined ? {} : { startJobs: options.startJobs }),
  });
  open.push({ oms, provider });
  return { oms, clock, provider, storage };
}

/**
 * Closes every system built since the last call and cleans up their stores (call it in
 * `afterEach`). Then fails if any fake provider recorded a violation: money the library
 * asked to move twice or beyond what was captured.
 */
export async function closeSystems(): Promise<void> {
  const systems = open.splice(0);
  await Promise.all(systems.map((s) => s.oms.close()));
  await Promise.all(stores.splice(0).map((s) => s.close().catch(() => undefined)));
  const used = schemas.slice(0, schemasInUse).map((s) => s.name);
  schemasInUse = 0;
  await emptySchemas(used);
  const providers = new Set(systems.map((s) => s.provider));
  expect([...providers].flatMap((p) => p.violations)).toEqual([]);
}

/**
 * The same store with a `close()` that does nothing: a process built on it can "die"
 * (be closed) while another process goes on using the data.
 */
export function survivingStorage(storage: StorageAdapter): StorageAdapter {
  return { ...storage, close: async () => {} };
}

/** A notifier that records every notification it is handed. */
export function recordingNotifier(): NotifierPort & { received: Notification[] } {
  const received: Notification[] = [];
  return {
    received,
    async notify(n) {
      received.push(n);
    },
  };
}

/** The manual steps of a return after approval, up to `target` (pickup booked by hand). */
const RETURN_PATH: ReturnState[] = [
  'approved',
  'pickup_scheduled',
  'in_transit',
  'received',
  'processed',
];

/**
 * Moves a return by hand along the happy path, from wherever it is now (initiated,
 * approved, …) up to `target`. A pickup is booked by hand with `pickupAt`.
 */
export async function walkReturn(
  oms: OrderSystem,
  returnId: string,
  target: (typeof RETURN_PATH)[number],
): Promise<void> {
  const current = await oms.returns.get(returnId);
  const from = RETURN_PATH.indexOf(current.state);
  for (const state of RETURN_PATH.slice(from + 1, RETURN_PATH.indexOf(target) + 1)) {
    await oms.returns.transition(
      returnId,
      state === 'pickup_scheduled' ? { state, pickupAt: '2026-02-01T10:00:00.000Z' } : { state },
    );
  }
}
