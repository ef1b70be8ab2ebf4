import type { QueryCreator } from 'kysely';
import type { CommandLog } from '../../../../src/ports/storage.js';
import type { Database } from '../schema.js';
import { rowsShape } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';

/**
 * Writes a command's log (history rows, stock movements, outbox events, deletes of outbox
 * rows already dispatched) at the end of its transaction: on Postgres in one statement (the other inserts as data-modifying CTEs of
 * the last one), on SQLite — where a statement is a call, not a round trip — as one
 * multi-row insert per table.
 */
export async function appendLog(ctx: SqlContext, log: CommandLog): Promise<void> {
  const { db, flags, codec, shapes } = ctx;
  type Creator = QueryCreator<Database>;
  const writes = (
    [
      ['orderflow_history', log.history.map((h) => codec.historyRow(h))],
      ['orderflow_inventory_movements', log.movements.map((m) => codec.movementRow(m))],
      ['orderflow_outbox', log.events.map((e) => codec.outboxRow(e))],
    ] as const
  )
    .filter(([, rows]) => rows.length > 0)
    .map(([table, rows]) => {
      const shape = rowsShape(rows);
      return {
        insert: (q: Creator) => q.insertInto(table).values(rows as never),
        // The statement's shape, when every row has the same columns.
        key: shape && `${table}:${rows.length}:${shape.columns}`,
        values: shape?.values ?? [],
      };
    });
  const deleted = [...log.deletedOutbox];
  if (deleted.length > 0) {
    writes.push({
      insert: (q: Creator) => q.deleteFrom('orderflow_outbox').where('id', 'in', deleted),
      key: `outbox-delete:${deleted.length}`,
      values: deleted,
    } as unknown as (typeof writes)[number]);
  }
  if (writes.length === 0) return;
  if (flags.name !== 'postgres') {
    for (const { insert, key, values } of writes) {
      if (key) await shapes.execute(db, `log:${key}`, values, () => insert(db));
      else await insert(db).execute();
    }
    return;
  }
  const build = () => {
    let query: Creator = db;
    for (const [n, { insert }] of writes.slice(0, -1).entries()) {
      // Unused names for the CTEs: only their side effect (the write) matters.
      query = query.with(`written_${n}`, (q) => insert(q as Creator)) as unknown as Creator;
    }
    return writes[writes.length - 1]!.insert(query);
  };
  if (writes.some((w) => !w.key)) {
    await build().execute();
    return;
  }
  const key = `log:${writes.map((w) => w.key).join('|')}`;
  await shapes.execute(
    db,
    key,
    writes.flatMap((w) => w.values),
    build,
  );
}
