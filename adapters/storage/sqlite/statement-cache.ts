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
  // Each entry remembers when it was last used; the least recently used one is looked for
  // only when the cache is full, so a hit costs one lookup and no reordering.
  const cache = new Map<string, { statement: SqliteStatement; used: number }>();
  let clock = 0;
  return {
    close: () => database.close(),
    prepare(source) {
      const hit = cache.get(source);
      if (hit) {
        hit.used = ++clock;
        return hit.statement;
      }
      if (cache.size >= capacity) {
        let oldest: string | undefined;
        let oldestUse = Number.POSITIVE_INFINITY;
        for (const [key, entry] of cache) {
          if (entry.used < oldestUse) {
            oldest = key;
            oldestUse = entry.used;
          }
        }
        cache.delete(oldest!);
      }
      const statement = database.prepare(source);
      cache.set(source, { statement, used: ++clock });
      return statement;
    },
  };
}
