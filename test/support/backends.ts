/**
 * Which storage backends a test run covers, chosen by environment (never by editing tests):
 * `ORDERFLOW_TEST_BACKENDS=memory,sqlite,postgres` (default: all three). Postgres is read
 * from `ORDERFLOW_PG_URL`. Locally an unreachable server is skipped with a loud message;
 * under `CI=true` it is a failure, and so is a list that leaves a backend out.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type Backend = 'memory' | 'sqlite' | 'postgres';

export const PG_URL = process.env.ORDERFLOW_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ALL: Backend[] = ['memory', 'sqlite', 'postgres'];

/**
 * Whether tests on `backend` run. Under `CI=true` every backend runs: a list that leaves
 * one out throws, so CI never passes by testing less.
 */
export function backendEnabled(backend: Backend): boolean {
  const raw = process.env.ORDERFLOW_TEST_BACKENDS;
  if (!raw) return true;
  const chosen = raw.split(',').map((s) => s.trim());
  for (const name of chosen) {
    if (!ALL.includes(name as Backend))
      throw new Error(`ORDERFLOW_TEST_BACKENDS: unknown backend ${name}`);
  }
  const left = ALL.filter((b) => !chosen.includes(b));
  if (process.env.CI === 'true' && left.length > 0) {
    throw new Error(
      `ORDERFLOW_TEST_BACKENDS=${raw} leaves out ${left.join(', ')}; CI runs every backend`,
    );
  }
  return chosen.includes(backend);
}

let reachable: Promise<string | undefined> | undefined;

/** undefined when Postgres answers; otherwise why not. */
function postgresProblem(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/**
 * Whether Postgres tests run. Throws under CI=true when the server cannot be reached, so
 * CI never passes by skipping; prints a loud warning locally.
 */
export async function postgresEnabled(): Promise<boolean> {
  if (!backendEnabled('postgres')) return false;
  const problem = await postgresProblem();
  if (!problem) return true;
  const message = `Postgres at ${PG_URL} is unreachable (${problem})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI requires it`);
  console.warn(
    `\n*** SKIPPING POSTGRES TESTS: ${message}. Start it or set ORDERFLOW_PG_URL. ***\n`,
  );
  return false;
}

/** A new schema name unique to this run and call. */
export function scratchSchema(): string {
  return `orderflow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Drops a scratch schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
