import type { Compilable, CompiledQuery, QueryResult } from 'kysely';

/** What runs a compiled query: a Kysely instance or a transaction. */
interface Executor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** Shapes remembered per storage; a shape is a statement text, so there are few. */
const MAX_SHAPES = 500;

/**
 * The SQL text of the statements a command runs all the time, built with kysely once per
 * shape instead of on every call. Building a query (immutable operation nodes) and
 * compiling it costs more Node CPU than the driver spends sending it; for the same shape —
 * the same table, columns, row and list counts, lock — the text is the same every time,
 * and only the parameters change.
 *
 * The caller names the shape (`key`) and passes the parameters in the order kysely puts
 * them. The first time, the query is built and compiled, and its parameters are compared
 * with the caller's: a shape whose parameters differ (the caller predicted kysely wrong)
 * is never reused, so a wrong prediction costs speed, never correctness.
 */
export class StatementShapes {
  readonly #compiled = new Map<string, CompiledQuery | null>();

  async execute<R>(
    db: Executor,
    key: string,
    parameters: readonly unknown[],
    build: () => Compilable<R>,
  ): Promise<QueryResult<R>> {
    const known = this.#compiled.get(key);
    if (known) {
      // A literal of the same four fields every time: cheaper than spreading `known`.
      const query = { query: known.query, queryId: known.queryId, sql: known.sql, parameters };
      return db.executeQuery<R>(query as CompiledQuery<R>);
    }
    const compiled = build().compile();
    if (known === undefined && this.#compiled.size < MAX_SHAPES) {
      this.#compiled.set(key, sameValues(compiled.parameters, parameters) ? compiled : null);
    }
    return db.executeQuery(compiled);
  }
}

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]));
}

/** The columns of a row kysely writes (it leaves out `undefined` values), and their values. */
export function columnsAndValues(row: object): { columns: string[]; values: unknown[] } {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    columns.push(column);
    values.push(value);
  }
  return { columns, values };
}

/**
 * The shape and parameters of a multi-row insert: kysely lists the columns any row has, in
 * the order first met, and sends each row's values in that order (a row without a column
 * gets DEFAULT, no parameter) — undefined when a row leaves a column out, so the caller
 * builds the query as usual.
 */
export function rowsShape(
  rows: readonly object[],
): { columns: string; values: unknown[] } | undefined {
  const first = rows[0];
  if (!first) return undefined;
  const { columns } = columnsAndValues(first);
  const values: unknown[] = [];
  for (const row of rows) {
    const own = columnsAndValues(row);
    if (own.columns.length !== columns.length) return undefined;
    for (let i = 0; i < columns.length; i++) {
      if (own.columns[i] !== columns[i]) return undefined;
      values.push(own.values[i]);
    }
  }
  return { columns: columns.join(','), values };
}
