import type { QueryCreator } from 'kysely';
import type { CommandLog } from '../../../../src/ports/storage.js';
import type { Database } from '../schema.js';
import { rowsShape } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';

/**
 * Writes a command's log (history rows, stock movements, outbox events) at the end of its
 * transaction: on Postgres in one statement (the other inserts as data-modifying CTEs of
 * the last one), on SQLite — where a statement is a call, not a round trip — as one
 * multi-row insert per table.
 */
export async function appendLog(ctx: SqlContext, log: CommandLog): Promise<void> {
  const { db, flags, codec, shapes } = ctx;
  const tables = [
    ['orderflow_history', log.history.map((h) => codec.historyRow(h))],
    ['orderflow_inventory_movements', log.movements.map((m) => codec.movementRow(m))],
    ['orderflow_outbox', log.events.map((e) => codec.outboxRow(e))],
  ] as const;
  const writes = tables.filter(([, rows]) => rows.length > 0);
  type Creator = QueryCreator<Database>;
  const insert =
    ([table, rows]: (typeof writes)[number]) =>
    (q: Creator) =>
      q.insertInto(table).values(rows as never);
  if (flags.name !== 'postgres') {
    for (const write of writes) {
      const shape = rowsShape(write[1]);
      const key = shape && `log:${write[0]}:${write[1].length}:${shape.columns}`;
      if (key && shape) await shapes.execute(db, key, shape.values, () => insert(write)(db));
      else await insert(write)(db).execute();
    }
    return;
  }
  if (writes.length === 0) return;
  const build = () => {
    let query: Creator = db;
    for (const [n, write] of writes.slice(0, -1).entries()) {
      // Unused names for the CTEs: only their side effect (the insert) matters.
      query = query.with(`written_${n}`, (q) => insert(write)(q as Creator)) as unknown as Creator;
    }
    return insert(writes[writes.length - 1]!)(query);
  };
  const parts = writes.map(([table, rows]) => ({
    table,
    count: rows.length,
    shape: rowsShape(rows),
  }));
  if (parts.some((p) => !p.shape)) {
    await build().execute();
    return;
  }
  const key = `log:${parts.map((p) => `${p.table}:${p.count}:${p.shape!.columns}`).join('|')}`;
  await shapes.execute(
    db,
    key,
    parts.flatMap((p) => p.shape!.values),
    build,
  );
}
