import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * Stock per SKU and its ledger of movements. Reservations take a row lock on the SKU's
 * record; `reserved` can never go below zero. Movements are listed per SKU newest first and
 * summed per order (what an order holds reserved).
 */
export function inventoryMigration(flags: SqlDialectFlags): Migration {
  const { money, timestamp } = flags.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orderflow_inventory')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('on_hand', money, (c) => c.notNull())
        .addColumn('reserved', money, (c) => c.notNull().check(sql`reserved >= 0`))
        .addColumn('allow_backorder', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('orderflow_inventory_movements')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('on_hand_delta', money, (c) => c.notNull())
        .addColumn('reserved_delta', money, (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('order_id', 'text')
        .addColumn('shipment_id', 'text')
        .addColumn('return_id', 'text')
        .addColumn('at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orderflow_inventory_movements_sku_at_id_idx')
        .on('orderflow_inventory_movements')
        .columns(['sku', 'at', 'id'])
        .execute();
      await db.schema
        .createIndex('orderflow_inventory_movements_order_id_idx')
        .on('orderflow_inventory_movements')
        .columns(['order_id', 'sku'])
        .execute();
    },
  };
}
