/**
 * Everything that differs between the SQL dialects, in one place. The shared kysely code
 * reads these flags instead of asking which database it runs on.
 */
export interface SqlDialectFlags {
  /** Name shown in logs and health checks. */
  name: 'postgres' | 'sqlite';
  /** `SELECT … FOR UPDATE` locks rows (Postgres). SQLite serializes writers instead. */
  rowLocks: boolean;
  /** `FOR UPDATE SKIP LOCKED` lets outbox dispatchers pass over each other's rows. */
  skipLocked: boolean;
  /** Column types used by the migrations. */
  types: {
    money: 'bigint' | 'integer';
    json: 'jsonb' | 'text';
    timestamp: 'timestamptz' | 'text';
    /** Auto-incrementing key of the history table. */
    serial: 'bigserial' | 'integer';
  };
  /** The driver returns JSON columns already parsed (pg with jsonb); else JSON.parse. */
  jsonParsed: boolean;
}

export const POSTGRES_FLAGS: SqlDialectFlags = {
  name: 'postgres',
  rowLocks: true,
  skipLocked: true,
  types: { money: 'bigint', json: 'jsonb', timestamp: 'timestamptz', serial: 'bigserial' },
  jsonParsed: true,
};

export const SQLITE_FLAGS: SqlDialectFlags = {
  name: 'sqlite',
  rowLocks: false,
  skipLocked: false,
  types: { money: 'integer', json: 'text', timestamp: 'text', serial: 'integer' },
  jsonParsed: false,
};
