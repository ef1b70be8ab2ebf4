import { type Expression, type SqlBool, sql } from 'kysely';
import { canonicalBounds, decodeCursor, encodeCursor } from '../../../../src/domain/cursor.js';
import type { PageRequest, StoredPage, TimeFilter } from '../../../../src/ports/storage.js';

/** The part of a kysely select builder keyset pagination needs. */
export interface PageableQuery<Q> {
  where(expression: Expression<SqlBool>): Q;
}

/**
 * Adds the time filters and the keyset condition `(created_at, id) < cursor` to a select
 * of a table with `created_at`, `updated_at` and `id`. Bounds: `…After` inclusive,
 * `…Before` exclusive.
 */
export function keysetWhere<Q extends PageableQuery<Q>>(
  query: Q,
  request: PageRequest & TimeFilter,
): Q {
  // Both checked before any SQL is built: a forged cursor or bound never reaches the database.
  const c = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
  const bounds = canonicalBounds(request);
  let q = query;
  if (c) q = q.where(sql<SqlBool>`(created_at, id) < (${c.createdAt}, ${c.id})`);
  if (bounds.createdAfter !== undefined)
    q = q.where(sql<SqlBool>`created_at >= ${bounds.createdAfter}`);
  if (bounds.createdBefore !== undefined)
    q = q.where(sql<SqlBool>`created_at < ${bounds.createdBefore}`);
  if (bounds.updatedAfter !== undefined)
    q = q.where(sql<SqlBool>`updated_at >= ${bounds.updatedAfter}`);
  if (bounds.updatedBefore !== undefined)
    q = q.where(sql<SqlBool>`updated_at < ${bounds.updatedBefore}`);
  return q;
}

/** Newest first by (created_at, id); fetch one row more than the page to know if there is a next. */
export const NEWEST_FIRST = sql`created_at desc, id desc`;

/** Cuts the `limit + 1` rows fetched into a page with the cursor of the next one. */
export function toPage<T extends { createdAt: string; id: string }>(
  rows: T[],
  limit: number,
): StoredPage<T> {
  const more = rows.length > limit;
  const data = more ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1];
  return { data, nextCursor: more && last ? encodeCursor(last) : null };
}
