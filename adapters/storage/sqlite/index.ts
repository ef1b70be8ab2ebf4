import { Kysely, type SqliteDatabase, SqliteDialect, sql } from 'kysely';
import type { StorageAdapter } from '../../../src/ports/storage.js';
import { SQLITE_FLAGS } from '../sql/dialect-flags.js';
import { loadPeer } from '../sql/load-peer.js';
import type { Database } from '../sql/schema.js';
import { createSqlStorage } from '../sql/sql-storage.js';
import { withStatementCache } from './statement-cache.js';

/** Options of `sqliteStorage()`: give a `filename` or your own `database`. */
export interface SqliteStorageOptions {
  /**
   * Path of the database file (created if missing), or `:memory:`. The adapter opens it
   * with better-sqlite3 and closes it on `close()`.
   * @default undefined
   */
  filename?: string;
  /**
   * Your own better-sqlite3 Database. The adapter never closes it and changes no pragma
   * of it but `foreign_keys`.
   * @default undefined
   */
  database?: SqliteDatabase & { pragma?(source: string): unknown };
  /**
   * How long a write waits for another process's write lock before failing.
   * @default 5000
   */
  busyTimeoutMs?: number;
}

type BetterSqlite3 = new (filename: string) => SqliteDatabase & { pragma(source: string): unknown };

/**
 * Storage in a SQLite file (needs `npm install better-sqlite3@12`; 13 needs Node 22).
 * Every command is one `BEGIN IMMEDIATE` transaction, so writers — also in other
 * processes — take turns and money checks cannot race. A file the adapter opens gets
 * WAL journaling, `synchronous = NORMAL` (durable across process crashes; the last
 * commits may be lost on power loss), `busy_timeout` and `foreign_keys = ON`.
 *
 * ```ts
 * import { sqliteStorage } from 'orderflow/adapters/sqlite';
 * const storage = sqliteStorage({ filename: 'data/orders.db' });
 * ```
 */
export function sqliteStorage(options: SqliteStorageOptions): StorageAdapter {
  const { filename, database } = options ?? {};
  if (!filename === !database) {
    throw new TypeError('sqliteStorage: give exactly one of `filename` or `database`');
  }
  const busyTimeout = options.busyTimeoutMs ?? 5000;
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({
      database: async () => {
        if (database) {
          database.pragma?.('foreign_keys = ON');
          return withStatementCache(database);
        }
        const Sqlite = await loadPeer<BetterSqlite3>('better-sqlite3', 'sqlite', {
          install: 'better-sqlite3@12',
        });
        const opened = new Sqlite(filename as string);
        if (filename !== ':memory:' && filename !== '') opened.pragma('journal_mode = WAL');
        opened.pragma('synchronous = NORMAL');
        opened.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeout))}`);
        opened.pragma('foreign_keys = ON');
        return withStatementCache(opened);
      },
    }),
  });
  return createSqlStorage({
    db,
    flags: SQLITE_FLAGS,
    // kysely's SQLite driver has one connection; holding it for the whole transaction
    // keeps this process's other queries out until commit.
    transaction: (kdb, fn) =>
      kdb.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const result = await fn(conn);
          await sql`commit`.execute(conn);
          return result;
        } catch (error) {
          await sql`rollback`.execute(conn).catch(() => undefined);
          throw error;
        }
      }),
    // The user's database stays open: kysely's destroy would close it.
    close: async () => {
      if (!database) await db.destroy();
    },
  });
}
