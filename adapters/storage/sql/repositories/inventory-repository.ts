import { type SqlBool, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../../../../src/domain/cursor.js';
import { decodeSkuCursor, encodeSkuCursor } from '../../../../src/domain/inventory.js';
import type { InventoryRepository } from '../../../../src/ports/storage.js';
import { columnsAndValues } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';

export function inventoryRepository({ db, flags, codec, shapes }: SqlContext): InventoryRepository {
  return {
    async get(sku, options) {
      const bySku = db.selectFrom('orderflow_inventory').selectAll().where('sku', '=', sku);
      const q = options?.forUpdate && flags.rowLocks ? bySku.forUpdate() : bySku;
      const row = await q.executeTakeFirst();
      return row ? codec.inventory(row) : undefined;
    },
    async getMany(skus, options) {
      if (skus.length === 0) return [];
      // Postgres locks the rows as the sorted result returns them: in SKU order, like
      // one `get` per SKU would, so two commands never deadlock on stock.
      const lock = options?.forUpdate === true && flags.rowLocks;
      const { rows } = await shapes.execute(db, `stock:${skus.length}:${lock}`, [...skus], () => {
        const bySku = db
          .selectFrom('orderflow_inventory')
          .selectAll()
          .where('sku', 'in', [...skus])
          .orderBy('sku');
        return lock ? bySku.forUpdate() : bySku;
      });
      return rows.map((r) => codec.inventory(r));
    },
    async insert(record) {
      await db.insertInto('orderflow_inventory').values(codec.inventoryRow(record)).execute();
    },
    async update(record, expectedVersion) {
      const { sku, created_at: _created, ...changes } = codec.inventoryRow(record);
      const { columns, values } = columnsAndValues(changes);
      const result = await shapes.execute(
        db,
        `stock:update:${columns.join(',')}`,
        [...values, sku, expectedVersion],
        () =>
          db
            .updateTable('orderflow_inventory')
            .set(changes)
            .where('sku', '=', sku)
            .where('version', '=', expectedVersion),
      );
      return Number(result.numAffectedRows) === 1;
    },
    async list(query) {
      let q = db.selectFrom('orderflow_inventory').selectAll();
      if (query.cursor !== undefined) q = q.where('sku', '>', decodeSkuCursor(query.cursor));
      if (query.belowAvailable !== undefined) {
        q = q.where(sql<SqlBool>`on_hand - reserved < ${query.belowAvailable}`);
      }
      const rows = await q
        .orderBy('sku')
        .limit(query.limit + 1)
        .execute();
      const data = rows.slice(0, query.limit).map((r) => codec.inventory(r));
      const last = data[data.length - 1];
      const more = rows.length > query.limit;
      return { data, nextCursor: more && last ? encodeSkuCursor(last.sku) : null };
    },
    async appendMovements(movements) {
      if (movements.length === 0) return;
      await db
        .insertInto('orderflow_inventory_movements')
        .values(movements.map((m) => codec.movementRow(m)))
        .execute();
    },
    async movements(sku, query) {
      let q = db.selectFrom('orderflow_inventory_movements').selectAll().where('sku', '=', sku);
      if (query.cursor !== undefined) {
        const c = decodeCursor(query.cursor);
        q = q.where(sql<SqlBool>`(at, id) < (${c.createdAt}, ${c.id})`);
      }
      const rows = await q
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
      const data = rows.slice(0, query.limit).map((r) => codec.movement(r));
      const last = data[data.length - 1];
      const more = rows.length > query.limit;
      return {
        data,
        nextCursor: more && last ? encodeCursor({ createdAt: last.at, id: last.id }) : null,
      };
    },
    async reservedForOrder(orderId) {
      const { rows } = await shapes.execute(db, 'movements:held', [orderId], () =>
        db
          .selectFrom('orderflow_inventory_movements')
          .select(['sku', (eb) => eb.fn.sum<number | string>('reserved_delta').as('held')])
          .where('order_id', '=', orderId)
          .groupBy('sku'),
      );
      return new Map(rows.map((r) => [r.sku, Number(r.held)]));
    },
  };
}
