/**
 * Storage for the bench: memory, SQLite (a file in a temporary directory) and Postgres (a
 * private database created for the run and dropped at its end, one schema per system).
 * Every SQL system counts the statements it sends, so stages can report round trips.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../adapters/storage/sql/schema.js';
import type {
  JobRunner,
  OrderflowConfig,
  OrderSystem,
  PaymentProvider,
  StorageAdapter,
} from '../../src/index.js';
import {
  inProcessAdapter,
  memoryAdapter,
  orderflow,
  postgresAdapter,
  sqliteAdapter,
  testing,
} from './library.js';

const { createOrderSystem, silentLogger } = orderflow;
const { inProcessJobs } = inProcessAdapter;
const { memoryStorage } = memoryAdapter;
const { postgresStorage } = postgresAdapter;
const { sqliteStorage } = sqliteAdapter;
const { fakePaymentProvider } = testing;

export type Backend = 'memory' | 'sqlite' | 'postgres';
export const SQL_BACKENDS = ['sqlite', 'postgres'] as const;

export const PG_ADMIN_URL =
  process.env.BENCH_PG_URL ??
  process.env.ORDERFLOW_PG_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

/** Statements sent to the database (BEGIN and COMMIT included: each is a round trip). */
export class StatementCounter {
  count = 0;
  /** Statement texts seen since the last `reset`, when `trace` is on. */
  trace = false;
  seen: string[] = [];
  add(text: string): void {
    this.count++;
    if (this.trace) this.seen.push(text);
  }
  reset(): void {
    this.count = 0;
    this.seen = [];
  }
}

const run = randomBytes(3).toString('hex');
let pgDatabase: string | undefined;
let tmpDir: string | undefined;

function adminUrl(database: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** The run's private Postgres database, created on first use. */
export async function benchDatabaseUrl(): Promise<string> {
  if (!pgDatabase) {
    const name = `orderflow_bench_${process.pid}_${run}`;
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    try {
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
    pgDatabase = name;
  }
  return adminUrl(pgDatabase);
}

/** Drops the run's database and temporary files (end of the run, or on failure). */
export async function dropBenchResources(): Promise<void> {
  if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
  if (!pgDatabase) return;
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists ${pgDatabase} with (force)`);
  } finally {
    await client.end();
  }
  pgDatabase = undefined;
}

let serial = 0;
/** A fresh name for a schema or a SQLite file. */
export function freshName(prefix: string): string {
  serial++;
  return `${prefix}_${serial}_${randomBytes(2).toString('hex')}`;
}

function sqlitePath(name: string): string {
  tmpDir ??= mkdtempSync(join(tmpdir(), 'orderflow-bench-'));
  return join(tmpDir, `${name}.db`);
}

/** A pg Pool whose clients count every query they send. */
function countingPool(connectionString: string, counter: StatementCounter, max: number) {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client cut off when the run's database is dropped is expected, not a crash.
  pool.on('error', () => undefined);
  const wrapped = new WeakSet<object>();
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
    const client = await connect();
    if (!wrapped.has(client)) {
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (
        ...args: unknown[]
      ) => {
        const first = args[0];
        counter.add(typeof first === 'string' ? first : String((first as { text?: string }).text));
        return query(...args);
      };
    }
    return client;
  };
  return pool;
}

/**
 * A better-sqlite3 database, set up as the adapter does, that counts every statement it
 * runs (a statement prepared once and run many times counts each time).
 */
function countingSqlite(filename: string, counter: StatementCounter) {
  const db = new Sqlite(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const prepare = db.prepare.bind(db);
  (db as unknown as { prepare: (source: string) => unknown }).prepare = (source: string) => {
    const statement = prepare(source);
    for (const method of ['all', 'run', 'get', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        counter.add(source);
        return original(...args);
      };
    }
    return statement;
  };
  return db;
}

export interface BenchStorage {
  backend: Backend;
  storage: StorageAdapter;
  counter: StatementCounter;
  /** A kysely instance on the same tables (SQL backends), for hand-written baselines. */
  db?: Kysely<Database>;
  close(): Promise<void>;
}

/** New, empty storage on `backend` (its own SQLite file or Postgres schema). */
export async function openStorage(backend: Backend, poolSize = 10): Promise<BenchStorage> {
  const counter = new StatementCounter();
  if (backend === 'memory') {
    return { backend, storage: memoryStorage(), counter, close: async () => {} };
  }
  if (backend === 'sqlite') {
    const file = sqlitePath(freshName('sqlite'));
    const database = countingSqlite(file, counter);
    const storage = sqliteStorage({ database });
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return {
      backend,
      storage,
      counter,
      db,
      close: async () => {
        await storage.close();
        database.close();
      },
    };
  }
  const url = await benchDatabaseUrl();
  const schema = freshName('bench');
  const pool = countingPool(url, counter, poolSize);
  const storage = postgresStorage({ pool, schema });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: countingPool(url, counter, poolSize) }),
  }).withSchema(schema);
  return {
    backend,
    storage,
    counter,
    db,
    close: async () => {
      await storage.close();
      await db.destroy();
      await pool.end();
    },
  };
}

export interface BenchSystem extends BenchStorage {
  oms: OrderSystem;
  provider: PaymentProvider;
}

export interface SystemOptions {
  jobs?: JobRunner;
  config?: OrderflowConfig;
  poolSize?: number;
  /** Start the job runner and its sweep. @default true */
  startJobs?: boolean;
}

/** An order system on new storage, with in-process jobs and the fake payment provider. */
export async function openSystem(
  backend: Backend,
  options: SystemOptions = {},
): Promise<BenchSystem> {
  const opened = await openStorage(backend, options.poolSize);
  const provider = fakePaymentProvider();
  const oms = await createOrderSystem({
    storage: opened.storage,
    jobs: options.jobs ?? inProcessJobs({ logger: silentLogger }),
    payments: provider,
    logger: silentLogger,
    ...(options.config ? { config: options.config } : {}),
    ...(options.startJobs === false ? { startJobs: false } : {}),
  });
  return {
    ...opened,
    oms,
    provider,
    close: async () => {
      if (options.startJobs !== false) await oms.idle().catch(() => undefined);
      await oms.close();
      await opened.close();
    },
  };
}

/** The order every create stage places: three lines, like a small real basket. */
export function orderInput(i: number, skus: readonly string[] = ['TSHIRT-M', 'MUG', 'SOCKS']) {
  return {
    customerId: `cus_${i % 500}`,
    currency: 'USD',
    items: skus.map((sku, n) => ({
      sku,
      name: `Item ${sku}`,
      quantity: n + 1,
      unitPrice: 1000 + n * 250,
    })),
  };
}
