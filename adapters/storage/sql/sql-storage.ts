import { type Kysely, Migrator, sql } from 'kysely';
import { ConcurrencyError, isOrderflowError, ValidationError } from '../../../src/errors.js';
import type {
  CommandLog,
  DeadLetterRepository,
  HistoryRepository,
  IdempotencyRepository,
  InventoryRepository,
  LogResult,
  OrderRepository,
  OutboxRepository,
  PaymentRepository,
  ProviderEventRepository,
  Repositories,
  ReturnRepository,
  ShipmentRepository,
  StorageAdapter,
} from '../../../src/ports/storage.js';
import { RowCodec } from './codec.js';
import type { SqlDialectFlags } from './dialect-flags.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationProvider } from './migrations/index.js';
import {
  orderRepository,
  paymentRepository,
  returnRepository,
  type SqlContext,
} from './repositories/entity-repositories.js';
import { inventoryRepository } from './repositories/inventory-repository.js';
import {
  deadLetterRepository,
  historyRepository,
  idempotencyRepository,
  outboxRepository,
  providerEventRepository,
} from './repositories/log-repositories.js';
import { appendLog } from './repositories/log-writer.js';
import { shipmentRepository } from './repositories/shipment-repository.js';
import type { Database } from './schema.js';
import { StatementShapes } from './statement-shapes.js';

export interface SqlStorageParts {
  db: Kysely<Database>;
  flags: SqlDialectFlags;
  /** Postgres schema the tables live in (none: the connection's default). */
  schema?: string | undefined;
  /** Runs `fn` in one transaction the dialect's way (Postgres BEGIN, SQLite BEGIN IMMEDIATE). */
  transaction<T>(db: Kysely<Database>, fn: (trx: Kysely<Database>) => Promise<T>): Promise<T>;
  /** Releases what the adapter created. */
  close(): Promise<void>;
  /**
   * A clearer error for a driver error that means the set-up is wrong (a database that
   * does not exist), or undefined to keep the driver's.
   */
  explainSetupError?(error: unknown): Error | undefined;
}

/** Postgres: serialization failures and deadlocks mean "somebody else won": a ConcurrencyError. */
const CONFLICT_CODES = new Set(['40001', '40P01']);
/**
 * Postgres: NUL in text (22021) or jsonb (22P05), or a lone surrogate in jsonb (22P02):
 * bad input, refused as a whole (the transaction rolled back), never a 500.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05', '22P02']);

/** A database error as callers should see it: conflicts and unstorable text translated. */
function translated(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return error;
  if (CONFLICT_CODES.has(code)) return new ConcurrencyError('transaction', code);
  if (UNSTORABLE_TEXT_CODES.has(code)) {
    return new ValidationError('Input contains text the database cannot store', [
      {
        path: [],
        message: 'must not contain NUL characters or unpaired surrogates',
        code: 'invalid_string',
      },
    ]);
  }
  return error;
}

type Method = (...args: unknown[]) => Promise<unknown>;

/** The members the SQL repositories have (the type makes sure none is left out). */
const MEMBERS: Record<Exclude<keyof Repositories, 'readsAreLocal'>, true> = {
  appendLog: true,
  orders: true,
  returns: true,
  payments: true,
  shipments: true,
  inventory: true,
  history: true,
  outbox: true,
  idempotency: true,
  deadLetters: true,
  providerEvents: true,
  outboxDeletesInLog: true,
  stockWritesInLog: true,
  entityWritesInLog: true,
  paymentWritesInLog: true,
  stockReservationsInLog: true,
};
const REPOSITORY_MEMBERS = Object.keys(MEMBERS);

/**
 * The repositories as used outside a transaction (each call its own statement), with
 * database errors translated as a transaction's are: a read by a key the database cannot
 * even compare (a SKU with a NUL character, say) is bad input, not a server error.
 */
function translatingErrors(repositories: Repositories): Repositories {
  const wrap =
    (target: object, fn: Method): Method =>
    (...args) =>
      fn.apply(target, args).catch((error: unknown) => {
        throw translated(error);
      });
  const out: Record<string, unknown> = {};
  for (const name of REPOSITORY_MEMBERS) {
    const value = (repositories as unknown as Record<string, unknown>)[name];
    if (typeof value === 'function') out[name] = wrap(repositories, value as Method);
    else if (value !== null && typeof value === 'object') {
      out[name] = Object.fromEntries(
        Object.entries(value as Record<string, Method>).map(([method, fn]) => [
          method,
          wrap(value, fn),
        ]),
      );
    } else out[name] = value;
  }
  return out as unknown as Repositories;
}

/**
 * The repositories on one connection or transaction. A transaction makes a new set, and
 * most commands use a few of them: each is built on first use.
 */
class SqlRepositories implements Repositories {
  // A statement is a round trip on Postgres; on SQLite a call, and a delete of its own
  // takes the rows of many commands at once.
  readonly outboxDeletesInLog: boolean;
  // Postgres writes a command's stock changes in its log statement: a hot SKU's row lock is
  // held for one round trip fewer.
  readonly stockWritesInLog: boolean;
  // And its new orders, returns and payments, and the changes of those it locked: one
  // statement fewer per command that writes one.
  readonly entityWritesInLog: boolean;
  readonly paymentWritesInLog: boolean;
  // And reserves a new order's stock in its log statement, which takes the stock row's
  // lock: a hot SKU's row is then held from that statement to the commit.
  readonly stockReservationsInLog: boolean;
  private _orders: OrderRepository | undefined;
  private _returns: ReturnRepository | undefined;
  private _payments: PaymentRepository | undefined;
  private _shipments: ShipmentRepository | undefined;
  private _inventory: InventoryRepository | undefined;
  private _history: HistoryRepository | undefined;
  private _outbox: OutboxRepository | undefined;
  private _idempotency: IdempotencyRepository | undefined;
  private _deadLetters: DeadLetterRepository | undefined;
  private _providerEvents: ProviderEventRepository | undefined;

  constructor(private readonly ctx: SqlContext) {
    this.outboxDeletesInLog = ctx.flags.name === 'postgres';
    this.stockWritesInLog = ctx.flags.name === 'postgres';
    this.entityWritesInLog = ctx.flags.name === 'postgres';
    this.paymentWritesInLog = ctx.flags.name === 'postgres';
    this.stockReservationsInLog = ctx.flags.name === 'postgres';
  }

  appendLog(log: CommandLog): Promise<LogResult | undefined> {
    return appendLog(this.ctx, log);
  }
  get orders() {
    this._orders ??= orderRepository(this.ctx);
    return this._orders;
  }
  get returns() {
    this._returns ??= returnRepository(this.ctx);
    return this._returns;
  }
  get payments() {
    this._payments ??= paymentRepository(this.ctx);
    return this._payments;
  }
  get shipments() {
    this._shipments ??= shipmentRepository(this.ctx);
    return this._shipments;
  }
  get inventory() {
    this._inventory ??= inventoryRepository(this.ctx);
    return this._inventory;
  }
  get history() {
    this._history ??= historyRepository(this.ctx);
    return this._history;
  }
  get outbox() {
    this._outbox ??= outboxRepository(this.ctx);
    return this._outbox;
  }
  get idempotency() {
    this._idempotency ??= idempotencyRepository(this.ctx);
    return this._idempotency;
  }
  get deadLetters() {
    this._deadLetters ??= deadLetterRepository(this.ctx);
    return this._deadLetters;
  }
  get providerEvents() {
    this._providerEvents ??= providerEventRepository(this.ctx);
    return this._providerEvents;
  }
}

export function sqlRepositories(ctx: SqlContext): Repositories {
  return new SqlRepositories(ctx);
}

/**
 * The storage port over kysely, shared by the Postgres and SQLite adapters; what differs
 * between them comes in as `flags` and `transaction`.
 */
export function createSqlStorage(parts: SqlStorageParts): StorageAdapter {
  const { flags } = parts;
  const db = parts.schema ? parts.db.withSchema(parts.schema) : parts.db;
  const codec = new RowCodec(flags);
  const shapes = new StatementShapes();
  const root = translatingErrors(sqlRepositories({ db, flags, codec, shapes }));
  let closed = false;

  async function migrate(): Promise<void> {
    if (parts.schema) await parts.db.schema.createSchema(parts.schema).ifNotExists().execute();
    const migrator = new Migrator({
      db,
      provider: migrationProvider(flags),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      ...(parts.schema ? { migrationTableSchema: parts.schema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (isOrderflowError(error)) throw error; // e.g. the driver is not installed
    if (error) {
      const explained = parts.explainSetupError?.(error);
      if (explained) throw explained;
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`orderflow migration ${failed ?? ''} failed: ${String(error)}`, {
        cause: error,
      });
    }
  }

  return {
    name: flags.name,
    ...root,
    async migrate() {
      try {
        await migrate();
      } catch (error) {
        throw parts.explainSetupError?.(error) ?? error;
      }
    },
    async transaction(fn) {
      try {
        return await parts.transaction(db, (trx) =>
          fn(sqlRepositories({ db: trx, flags, codec, shapes })),
        );
      } catch (error) {
        throw translated(error);
      }
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await parts.close();
    },
  };
}
