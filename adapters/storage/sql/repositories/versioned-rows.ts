import type { Insertable, Selectable, Updateable } from 'kysely';
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

/** Inserts one row. */
export async function insertRow<T extends keyof Database>(
  { db, shapes }: SqlContext,
  table: T,
  row: Insertable<Database[T]>,
): Promise<void> {
  const { columns, values } = columnsAndValues(row);
  await shapes.execute(db, `insert:${table}:${columns.join(',')}`, values, () =>
    db
      .insertInto(table as 'orderflow_orders')
      .values(row as Insertable<Database['orderflow_orders']>),
  );
}

/**
 * Writes a row only if its stored version is still `expectedVersion` (optimistic
 * concurrency); `id` and `created_at` never change. True when the row was written.
 */
export async function updateVersioned<T extends VersionedTable>(
  { db, shapes }: SqlContext,
  table: T,
  row: { id: string; created_at: unknown } & Updateable<Database[T]>,
  expectedVersion: number,
): Promise<boolean> {
  const { id, created_at: _created, ...changes } = row;
  const { columns, values } = columnsAndValues(changes);
  const result = await shapes.execute(
    db,
    `update:${table}:${columns.join(',')}`,
    [...values, id, expectedVersion],
    () =>
      db
        .updateTable(table as 'orderflow_orders')
        .set(changes as Updateable<Database['orderflow_orders']>)
        .where('id', '=', id)
        .where('version', '=', expectedVersion),
  );
  return Number(result.numAffectedRows) === 1;
}
