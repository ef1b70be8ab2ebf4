/**
 * Databases as an earlier release left them: migrated only up to (not including) a given
 * migration, so an upgrade test can write rows in the old shape and then run the real
 * `storage.migrate()` over them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { withCatalogIntrospector } from '../../adapters/storage/postgres/catalog-introspector.js';
import { postgresStorage } from '../../adapters/storage/postgres/index.js';
import { POSTGRES_FLAGS, SQLITE_FLAGS } from '../../adapters/storage/sql/dialect-flags.js';
import {
  MIGRATION_LOCK_TABLE,
  MIGRATION_TABLE,
  migrationProvider,
} from '../../adapters/storage/sql/migrations/index.js';
import { sqliteStorage } from '../../adapters/storage/sqlite/index.js';
import type { StorageAdapter } from '../../src/ports/storage.js';
import { dropSchema, PG_URL, scratchSchema } from '../support/backends.js';

export interface LegacyDatabase {
  // biome-ignore lint/suspicious/noExplicitAny: tables in the shape of an older schema
  db: Kysely<any>;
  /** The real adapter over the same data (not migrated yet). */
  open(): StorageAdapter;
  /** Closes `db` and removes the database. */
  cleanup(): Promise<void>;
}

/** Runs the shipped migrations whose names sort before `before`. */
async function migrateBefore(
  // biome-ignore lint/suspicious/noExplicitAny: tables in the shape of an older schema
  db: Kysely<any>,
  flags: typeof SQLITE_FLAGS,
  before: string,
  schema?: string,
): Promise<void> {
  const all = await migrationProvider(flags).getMigrations();
  const older = Object.fromEntries(Object.entries(all).filter(([name]) => name < before));
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => older },
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

export async function legacySqlite(before: string): Promise<LegacyDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'orderflow-legacy-'));
  const filename = join(dir, 'orders.db');
  // biome-ignore lint/suspicious/noExplicitAny: tables in the shape of an older schema
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Sqlite(filename) }) });
  await migrateBefore(db, SQLITE_FLAGS, before);
  return {
    db,
    open: () => sqliteStorage({ filename }),
    async cleanup() {
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function legacyPostgres(before: string): Promise<LegacyDatabase> {
  const schema = scratchSchema();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
  // kysely's own introspector fails when another run drops a schema during its scan; the
  // adapter's reads the catalogs of this schema only.
  // biome-ignore lint/suspicious/noExplicitAny: tables in the shape of an older schema
  const root = new Kysely<any>({
    dialect: withCatalogIntrospector(new PostgresDialect({ pool }), schema),
  });
  await root.schema.createSchema(schema).execute();
  const db = root.withSchema(schema);
  await migrateBefore(db, POSTGRES_FLAGS, before, schema);
  return {
    db,
    open: () => postgresStorage({ connectionString: PG_URL, schema }),
    async cleanup() {
      await root.destroy();
      await dropSchema(schema);
    },
  };
}
