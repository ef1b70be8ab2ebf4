import type { Insertable, QueryCreator, Selectable, Updateable } from 'kysely';
import type { GetOptions } from '../../../../src/ports/storage.js';
import type { Database } from '../schema.js';
import { columnsAndValues } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';

/** Tables whose rows carry an `id` and a `version` checked on every update. */
export type VersionedTable =
  | 'orderflow_orders'
  | 'orderflow_returns'
  | 'orderflow_payments'
  | 'orderflow_shipments';

/** Reads one row by id, locking it (`FOR UPDATE`) when asked and the dialect can. */
export async function selectById<T extends VersionedTable>(
  { db, flags, shapes }: SqlContext,
  table: T,
  id: string,
  options?: GetOptions,
): Promise<Selectable<Database[T]> | undefined> {
  const lock = options?.forUpdate === true && flags.rowLocks;
  const { rows } = await shapes.execute(db, `byId:${table}:${lock}`, [id], () => {
    // The tables share `id`; kysely cannot type a column of a union of tables.
    const byId = db
      .selectFrom(table as 'orderflow_orders')
      .selectAll()
      .where('id', '=', id);
    return lock ? byId.forUpdate() : byId;
  });
  return rows[0] as Selectable<Database[T]> | undefined;
}

/** The insert of one row, on `q` (the database, or a CTE of a larger statement), with its statement shape. */
export function rowInsert<T extends keyof Database>(table: T, row: Insertable<Database[T]>) {
  const { columns, values } = columnsAndValues(row);
  return {
    key: `insert:${table}:${columns.join(',')}`,
    values,
    build: (q: QueryCreator<Database>) =>
      q
        .insertInto(table as 'orderflow_orders')
        .values(row as Insertable<Database['orderflow_orders']>),
  };
}

/** Inserts one row. */
export async function insertRow<T extends keyof Database>(
  { db, shapes }: SqlContext,
  table: T,
  row: Insertable<Database[T]>,
): Promise<void> {
  const insert = rowInsert(table, row);
  await shapes.execute(db, insert.key, insert.values, () => insert.build(db));
}

/**
 * The update of a row to `row` if its stored version is still `expectedVersion`, on `q` (the
 * database, or a CTE of a larger statement), with its statement shape; `id` and `created_at`
 * never change.
 */
export function versionedUpdate<T extends VersionedTable>(
  table: T,
  row: { id: string; created_at: unknown } & Updateable<Database[T]>,
  expectedVersion: number,
) {
  const { id, created_at: _created, ...changes } = row;
  const { columns, values } = columnsAndValues(changes);
  return {
    key: `update:${table}:${columns.join(',')}`,
    values: [...values, id, expectedVersion],
    build: (q: QueryCreator<Database>) =>
      q
        .updateTable(table as 'orderflow_orders')
        .set(changes as Updateable<Database['orderflow_orders']>)
        .where('id', '=', id)
        .where('version', '=', expectedVersion),
  };
}

/**
 * Writes a row only if its stored version is still `expectedVersion` (optimistic
 * concurrency). True when the row was written.
 */
export async function updateVersioned<T extends VersionedTable>(
  { db, shapes }: SqlContext,
  table: T,
  row: { id: string; created_at: unknown } & Updateable<Database[T]>,
  expectedVersion: number,
): Promise<boolean> {
  const update = versionedUpdate(table, row, expectedVersion);
  const result = await shapes.execute(db, update.key, update.values, () => update.build(db));
  return Number(result.numAffectedRows) === 1;
}
