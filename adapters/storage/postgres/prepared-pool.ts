import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';

/** Distinct statement texts given a name; texts beyond it run unnamed. */
const MAX_NAMED = 500;

/**
 * Postgres refuses to run a prepared statement whose result columns changed since it was
 * prepared (a migration added a column to a table it selects `*` from) — on that
 * connection, every time.
 */
const STALE_PLAN = '0A000';

/**
 * The pool as kysely sees it, sending each statement with parameters as a named prepared
 * statement, so a connection parses and plans a text once instead of every time (kysely
 * sends every query unnamed, and on a small machine Postgres spends as much CPU parsing
 * and planning the short statements of a command as running them). Statements without
 * parameters (BEGIN, COMMIT, migrations' DDL) go unprepared as before.
 *
 * A connection whose prepared statement went stale (a newer process migrated the schema
 * under it) fails that statement once and is then discarded rather than returned to the
 * pool, so the next use prepares afresh.
 */
export function withPreparedStatements(pool: PostgresPool): PostgresPool {
  const names = new Map<string, string>();
  // kysely keys its connections by client object: one wrapper per client, always the same.
  const wrappers = new WeakMap<PostgresPoolClient, PostgresPoolClient>();
  const stale = new WeakSet<PostgresPoolClient>();

  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      // Derived from the text, so adapters sharing one pool agree on every name.
      name = `orderflow_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
      names.set(text, name);
    }
    return name;
  };

  const wrap = (client: PostgresPoolClient): PostgresPoolClient => {
    const query = async (text: string, values: readonly unknown[]) => {
      const name = values.length > 0 ? nameOf(text) : undefined;
      if (name === undefined) return client.query(text, values);
      try {
        return await client.query({ name, text, values } as never);
      } catch (error) {
        if ((error as { code?: unknown }).code === STALE_PLAN) stale.add(client);
        throw error;
      }
    };
    return {
      query: ((textOrCursor: unknown, values?: readonly unknown[]) =>
        typeof textOrCursor === 'string' && values !== undefined
          ? query(textOrCursor, values)
          : client.query(textOrCursor as never)) as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy || stale.has(client)),
    };
  };

  return {
    async connect() {
      const client = await pool.connect();
      let wrapped = wrappers.get(client);
      if (!wrapped) {
        wrapped = wrap(client);
        wrappers.set(client, wrapped);
      }
      return wrapped;
    },
    end: () => pool.end(),
  };
}
