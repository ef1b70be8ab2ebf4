import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Distinct statements kept prepared; the least recently used one goes first beyond it. */
const DEFAULT_CAPACITY = 256;

/**
 * The database as kysely sees it, with each distinct SQL text prepared once. kysely's
 * SQLite driver prepares every statement it runs, and preparing (parsing and planning)
 * costs as much as running the small statements a command sends. A statement is only
 * ever used synchronously here (`all`/`run`; the adapter never streams), so one prepared
 * statement per text can serve every query. SQLite re-prepares a statement itself when
 * the schema changes under it.
 */
export function withStatementCache(
  database: SqliteDatabase,
  capacity = DEFAULT_CAPACITY,
): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>();
  return {
    close: () => database.close(),
    prepare(source) {
      let statement = cache.get(source);
      if (statement) {
        // Most recently used last, so the first key is the one to evict.
        cache.delete(source);
      } else {
        statement = database.prepare(source);
        if (cache.size >= capacity) cache.delete(cache.keys().next().value as string);
      }
      cache.set(source, statement);
      return statement;
    },
  };
}
