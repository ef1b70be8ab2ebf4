import type { Kysely, Selectable, Updateable } from 'kysely';
import type { GetOptions } from '../../../../src/ports/storage.js';
import type { SqlDialectFlags } from '../dialect-flags.js';
import type { Database } from '../schema.js';

/** Tables whose rows carry an `id` and a `version` checked on every update. */
export type VersionedTable =
  | 'orderflow_orders'
  | 'orderflow_returns'
  | 'orderflow_payments'
  | 'orderflow_shipments';

/** Reads one row by id, locking it (`FOR UPDATE`) when asked and the dialect can. */
export async function selectById<T extends VersionedTable>(
  db: Kysely<Database>,
  flags: SqlDialectFlags,
  table: T,
  id: string,
  options?: GetOptions,
): Promise<Selectable<Database[T]> | undefined> {
  // The tables share `id`; kysely cannot type a column of a union of tables.
  const byId = db
    .selectFrom(table as 'orderflow_orders')
    .selectAll()
    .where('id', '=', id);
  const q = options?.forUpdate && flags.rowLocks ? byId.forUpdate() : byId;
  return (await q.executeTakeFirst()) as Selectable<Database[T]> | undefined;
}

/**
 * Writes a row only if its stored version is still `expectedVersion` (optimistic
 * concurrency); `id` and `created_at` never change. True when the row was written.
 */
export async function updateVersioned<T extends VersionedTable>(
  db: Kysely<Database>,
  table: T,
  row: { id: string; created_at: unknown } & Updateable<Database[T]>,
  expectedVersion: number,
): Promise<boolean> {
  const { id, created_at: _created, ...changes } = row;
  const result = await db
    .updateTable(table as 'orderflow_orders')
    .set(changes as Updateable<Database['orderflow_orders']>)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
