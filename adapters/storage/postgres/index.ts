import { Kysely, PostgresDialect, type PostgresPool } from 'kysely';
import { ConfigurationError } from '../../../src/errors.js';
import type { StorageAdapter } from '../../../src/ports/storage.js';
import { POSTGRES_FLAGS } from '../sql/dialect-flags.js';
import { loadPeer } from '../sql/load-peer.js';
import type { Database } from '../sql/schema.js';
import { createSqlStorage } from '../sql/sql-storage.js';
import { withCatalogIntrospector } from './catalog-introspector.js';
import { withPreparedStatements } from './prepared-pool.js';

/** Options of `postgresStorage()`: give `connectionString` or your own `pool`. */
export interface PostgresStorageOptions {
  /**
   * A `postgres://` URL; the adapter creates (and on `close()` ends) its own `pg` pool.
   * @default undefined
   */
  connectionString?: string;
  /**
   * Your own `pg` Pool (or anything with the same shape). The adapter never ends it:
   * `close()` leaves it to you.
   * @default undefined
   */
  pool?: PostgresPool;
  /**
   * Schema that holds the orderflow tables; created by `migrate()` if missing.
   * @default undefined (the connection's search_path, usually `public`)
   */
  schema?: string;
  /**
   * Size of the pool the adapter creates from `connectionString`.
   * @default 10
   */
  maxConnections?: number;
  /**
   * Send statements with parameters as named prepared statements, parsed and planned once
   * per connection. Turn off behind a pooler that hands one client's statements to several
   * server connections (PgBouncer in transaction mode before 1.21).
   * @default true
   */
  preparedStatements?: boolean;
}

interface PgModule {
  Pool: new (config: { connectionString: string; max?: number }) => PostgresPool;
}

/**
 * Storage on PostgreSQL (needs `npm install pg`). Money-moving paths take row locks
 * (`SELECT … FOR UPDATE`) inside one transaction per command; the outbox is claimed with
 * `FOR UPDATE SKIP LOCKED`, so any number of processes can share one database.
 *
 * ```ts
 * import { postgresStorage } from 'orderflow/adapters/postgres';
 * const storage = postgresStorage({ connectionString: process.env.DATABASE_URL });
 * ```
 */
export function postgresStorage(options: PostgresStorageOptions): StorageAdapter {
  const { connectionString, pool } = options ?? {};
  if (!connectionString === !pool) {
    throw new TypeError('postgresStorage: give exactly one of `connectionString` or `pool`');
  }
  if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
    throw new TypeError(`postgresStorage: invalid schema name ${JSON.stringify(options.schema)}`);
  }
  const prepared = (p: PostgresPool) =>
    options.preparedStatements === false ? p : withPreparedStatements(p);
  const db = new Kysely<Database>({
    dialect: withCatalogIntrospector(
      new PostgresDialect({
        pool: pool
          ? prepared(pool)
          : async () => {
              const pg = await loadPeer<PgModule>('pg', 'postgres');
              return prepared(
                new pg.Pool({
                  connectionString: connectionString as string,
                  max: options.maxConnections ?? 10,
                }),
              );
            },
      }),
      options.schema,
    ),
  });
  return createSqlStorage({
    db,
    flags: POSTGRES_FLAGS,
    schema: options.schema,
    transaction: (kdb, fn) => kdb.transaction().execute(fn),
    // Destroying kysely ends the pool, which is only ours to end when we created it.
    close: async () => {
      if (!pool) await db.destroy();
    },
    explainSetupError: missingDatabaseError,
  });
}

/**
 * Postgres answers a connection to a database that does not exist with 3D000
 * (`database "shop" does not exist`): say so, and how to create it.
 */
function missingDatabaseError(error: unknown): Error | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code !== '3D000') return undefined;
  const name = /database "([^"]+)"/.exec(String(e.message))?.[1] ?? 'the database';
  return new ConfigurationError(
    `The Postgres database "${name}" does not exist: create it with \`createdb ${name}\` ` +
      `(or \`CREATE DATABASE "${name}";\` in psql), or connect to one that exists`,
    { cause: error },
  );
}
