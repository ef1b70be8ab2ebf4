import { type Compilable, type QueryCreator, sql } from 'kysely';
import { ConcurrencyError } from '../../../../src/errors.js';
import type {
  CommandLog,
  EntityWrite,
  LogResult,
  StockLevels,
  StockReservation,
} from '../../../../src/ports/storage.js';
import type { RowCodec } from '../codec.js';
import type { Database } from '../schema.js';
import { columnsAndValues, rowsShape } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';
import { refundsUpsert } from './refund-upsert.js';
import { rowInsert, versionedUpdate } from './versioned-rows.js';

type Creator = QueryCreator<Database>;

/**
 * Writes a command's log (history rows, stock movements, outbox events, deletes of outbox
 * rows already dispatched; on Postgres also its new orders, returns and payments and its
 * versioned changes of those and of stock) at the end of its transaction: on Postgres in one
 * statement (the other writes as data-modifying CTEs of the last one), on SQLite — where a
 * statement is a call, not a round trip — as one multi-row insert per table.
 */
export async function appendLog(ctx: SqlContext, log: CommandLog): Promise<LogResult | undefined> {
  const { db, flags, codec, shapes } = ctx;
  /** One statement of the log, and its shape when every row has the same columns. */
  interface Write {
    build: (q: Creator) => Compilable<unknown> & { execute(): Promise<unknown> };
    key: string | undefined;
    values: readonly unknown[];
  }
  /** A write made only if a row is at its expected version, and the error when it is not. */
  interface VersionedWrite extends Write {
    conflict: () => ConcurrencyError;
  }
  const entities = log.entities ?? [];
  const inserted: Write[] = [];
  const versioned: VersionedWrite[] = [];
  for (const write of entities) {
    const { table, row } = entityRow(codec, write);
    if (write.expectedVersion === undefined) inserted.push(rowInsert(table, row));
    else {
      const update = versionedUpdate(table, row, write.expectedVersion);
      versioned.push({
        build: (q) => update.build(q).returning('id'),
        key: update.key,
        values: update.values,
        conflict: () => new ConcurrencyError(write.entity, write.record.id),
      });
    }
    // A payment's refunds go with it (a new refund's row refers to the payment's: the
    // statement's foreign-key checks run once all of its writes are made).
    const refunds = write.entity === 'payment' ? refundsUpsert(codec, write.record) : undefined;
    if (refunds) inserted.push(refunds);
  }
  const writes: Write[] = [
    ...inserted,
    ...(
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
      }),
  ];
  const deleted = [...log.deletedOutbox];
  if (deleted.length > 0) {
    writes.push({
      build: (q) => q.deleteFrom('orderflow_outbox').where('id', 'in', deleted),
      key: `outbox-delete:${deleted.length}`,
      values: deleted,
    });
  }
  // Stock changes: versioned updates, each returning its row.
  for (const { record, expectedVersion } of log.stock ?? []) {
    const { sku, created_at: _created, ...changes } = codec.inventoryRow(record);
    const { columns, values } = columnsAndValues(changes);
    versioned.push({
      build: (q: Creator) =>
        q
          .updateTable('orderflow_inventory')
          .set(changes)
          .where('sku', '=', sku)
          .where('version', '=', expectedVersion)
          .returning('sku'),
      key: `stock:${columns.join(',')}`,
      values: [...values, sku, expectedVersion],
      conflict: () => new ConcurrencyError('inventory', sku),
    });
  }
  const reservations = (log.reservations ?? []).map(reservation);
  if (writes.length === 0 && versioned.length === 0 && reservations.length === 0) return;
  const postgresOnly = log.stock?.length || entities.length > 0 || reservations.length > 0;
  if (postgresOnly && flags.name !== 'postgres') {
    throw new Error(
      'stock, order, return and payment writes in the command log are written on Postgres only',
    );
  }
  if (flags.name !== 'postgres') {
    for (const { build, key, values } of writes) {
      if (key) await shapes.execute(db, `log:${key}`, values, () => build(db));
      else await build(db).execute();
    }
    return;
  }
  // One statement: every write a data-modifying CTE of the last one; with versioned writes
  // or reservations, all of them CTEs and the statement the count of rows each versioned
  // write wrote and the levels each reservation left. A reservation's stock row is locked
  // when the statement reads it, in the order of the log's reservations.
  const counted = versioned.length > 0 || reservations.length > 0;
  const statement = () => {
    let query: Creator = db;
    const ctes = counted ? writes : writes.slice(0, -1);
    for (const [n, { build }] of ctes.entries()) {
      // Unused names for the CTEs: only their side effect (the write) matters.
      query = query.with(`written_${n}`, (q) => build(q as Creator) as never) as unknown as Creator;
    }
    if (!counted) return writes[writes.length - 1]!.build(query);
    for (const [n, { build }] of versioned.entries()) {
      query = query.with(
        `versioned_${n}`,
        (q) => build(q as Creator) as never,
      ) as unknown as Creator;
    }
    for (const [n, { build }] of reservations.entries()) {
      query = query.with(
        `reserved_${n}`,
        (q) => build(q as Creator) as never,
      ) as unknown as Creator;
    }
    return query.selectNoFrom([
      ...versioned.map((_, n) =>
        sql<string>`(select count(*) from ${sql.table(`versioned_${n}`)})`.as(`versioned_${n}`),
      ),
      ...reservations.map((_, n) =>
        sql<string>`(select row(on_hand, reserved, allow_backorder, version)::text from ${sql.table(`reserved_${n}`)})`.as(
          `reserved_${n}`,
        ),
      ),
    ]);
  };
  const all = [...writes, ...versioned, ...reservations];
  const result = all.every((w) => w.key)
    ? await shapes.execute(
        db,
        `log:${all.map((w) => w.key).join('|')}`,
        all.flatMap((w) => w.values),
        statement,
      )
    : await db.executeQuery(statement().compile());
  if (!counted) return;
  // Under the command's row locks this cannot happen; if it does, nothing of it is kept.
  const counts = (result.rows[0] ?? {}) as Record<string, unknown>;
  const missed = versioned.findIndex((_, n) => Number(counts[`versioned_${n}`]) !== 1);
  if (missed >= 0) throw versioned[missed]!.conflict();
  return { reserved: reservations.map((_, n) => levels(counts[`reserved_${n}`])) };
}

/**
 * A reservation: the stock row's reserved count raised by `quantity` if the row allows
 * backorders or has that much available when the statement locks it (else no row).
 */
function reservation({ sku, quantity, at }: StockReservation) {
  return {
    key: 'reserve',
    values: [quantity, at, sku, quantity] as unknown[],
    build: (q: Creator) =>
      q
        .updateTable('orderflow_inventory')
        .set({
          reserved: sql`reserved + ${quantity}`,
          version: sql`version + 1`,
          updated_at: at,
        })
        .where('sku', '=', sku)
        .where(sql<boolean>`(allow_backorder = 1 or on_hand - reserved >= ${quantity})`)
        .returning(['on_hand', 'reserved', 'allow_backorder', 'version']),
  };
}

/** The levels a reservation returned as a row's text, `(onHand,reserved,backorder,version)`. */
function levels(text: unknown): StockLevels | undefined {
  if (typeof text !== 'string') return undefined;
  const [onHand, reserved, allowBackorder, version] = text.slice(1, -1).split(',').map(Number);
  return {
    onHand: onHand!,
    reserved: reserved!,
    allowBackorder: allowBackorder === 1,
    version: version!,
  };
}

/** The table and row of an order, return or payment the log writes. */
function entityRow(codec: RowCodec, write: EntityWrite) {
  switch (write.entity) {
    case 'order':
      return { table: 'orderflow_orders' as const, row: codec.orderRow(write.record) };
    case 'return':
      return { table: 'orderflow_returns' as const, row: codec.returnRow(write.record) };
    case 'payment':
      return { table: 'orderflow_payments' as const, row: codec.paymentRow(write.record) };
  }
}
