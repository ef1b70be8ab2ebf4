import type { Compilable, QueryCreator } from 'kysely';
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
  /** One statement of the log, and its shape when every row has the same columns. */
  interface Write {
    build: (q: Creator) => Compilable<unknown> & { execute(): Promise<unknown> };
    key: string | undefined;
    values: readonly unknown[];
  }
  const writes: Write[] = (
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
        build: (q: Creator) => q.insertInto(table).values(rows as never),
        key: shape && `${table}:${rows.length}:${shape.columns}`,
        values: shape?.values ?? [],
      };
    });
  const deleted = [...log.deletedOutbox];
  if (deleted.length > 0) {
    writes.push({
      build: (q) => q.deleteFrom('orderflow_outbox').where('id', 'in', deleted),
      key: `outbox-delete:${deleted.length}`,
      values: deleted,
    });
  }
  if (writes.length === 0) return;
  if (flags.name !== 'postgres') {
    for (const { build, key, values } of writes) {
      if (key) await shapes.execute(db, `log:${key}`, values, () => build(db));
      else await build(db).execute();
    }
    return;
  }
  const statement = () => {
    let query: Creator = db;
    for (const [n, { build }] of writes.slice(0, -1).entries()) {
      // Unused names for the CTEs: only their side effect (the write) matters.
      query = query.with(`written_${n}`, (q) => build(q as Creator) as never) as unknown as Creator;
    }
    return writes[writes.length - 1]!.build(query);
  };
  if (writes.some((w) => !w.key)) {
    await statement().execute();
    return;
  }
  const key = `log:${writes.map((w) => w.key).join('|')}`;
  await shapes.execute(
    db,
    key,
    writes.flatMap((w) => w.values),
    statement,
  );
}
