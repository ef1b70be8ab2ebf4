import { type Compilable, type QueryCreator, sql } from 'kysely';
import { ConcurrencyError } from '../../../../src/errors.js';
import type { CommandLog } from '../../../../src/ports/storage.js';
import type { Database } from '../schema.js';
import { columnsAndValues, rowsShape } from '../statement-shapes.js';
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
  // Stock changes: versioned updates, each returning its row, counted at the end.
  const stock = (log.stock ?? []).map(({ record, expectedVersion }) => {
    const { sku, created_at: _created, ...changes } = codec.inventoryRow(record);
    const { columns, values } = columnsAndValues(changes);
    return {
      build: (q: Creator) =>
        q
          .updateTable('orderflow_inventory')
          .set(changes)
          .where('sku', '=', sku)
          .where('version', '=', expectedVersion)
          .returning('sku'),
      key: `stock:${columns.join(',')}`,
      values: [...values, sku, expectedVersion],
    };
  });
  if (writes.length === 0 && stock.length === 0) return;
  if (stock.length > 0 && flags.name !== 'postgres') {
    throw new Error('stock writes in the command log are written on Postgres only');
  }
  if (flags.name !== 'postgres') {
    for (const { build, key, values } of writes) {
      if (key) await shapes.execute(db, `log:${key}`, values, () => build(db));
      else await build(db).execute();
    }
    return;
  }
  // One statement: every write a data-modifying CTE of the last one; with stock changes,
  // all of them CTEs and the statement a count of the stock rows written.
  const statement = () => {
    let query: Creator = db;
    const ctes = stock.length > 0 ? writes : writes.slice(0, -1);
    for (const [n, { build }] of ctes.entries()) {
      // Unused names for the CTEs: only their side effect (the write) matters.
      query = query.with(`written_${n}`, (q) => build(q as Creator) as never) as unknown as Creator;
    }
    if (stock.length === 0) return writes[writes.length - 1]!.build(query);
    for (const [n, { build }] of stock.entries()) {
      query = query.with(`stock_${n}`, (q) => build(q as Creator) as never) as unknown as Creator;
    }
    const counted = stock.map((_, n) => `(select count(*) from stock_${n})`).join(' + ');
    return query.selectNoFrom(sql<string>`${sql.raw(counted)}`.as('stock_written'));
  };
  const all = [...writes, ...stock];
  const result = all.every((w) => w.key)
    ? await shapes.execute(
        db,
        `log:${all.map((w) => w.key).join('|')}`,
        all.flatMap((w) => w.values),
        statement,
      )
    : await db.executeQuery(statement().compile());
  if (stock.length === 0) return;
  const written = Number(
    (result.rows[0] as { stock_written?: unknown } | undefined)?.stock_written,
  );
  // Under the command's row locks this cannot happen; if it does, nothing of it is kept.
  if (written !== stock.length) {
    throw new ConcurrencyError('inventory', (log.stock ?? []).map((w) => w.record.sku).join(', '));
  }
}
