import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * The first schema: entities with their money in integer columns, nested parts as JSON,
 * and the indexes every list filter and keyset order (created_at, id) needs, so list and
 * lookup cost stays flat as tables grow.
 */
export function initialMigration(flags: SqlDialectFlags): Migration {
  const { money, json, timestamp } = flags.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orderflow_orders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_id', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('items', json, (c) => c.notNull())
        .addColumn('subtotal', money, (c) => c.notNull().check(sql`subtotal >= 0`))
        .addColumn('shipping_total', money, (c) => c.notNull().check(sql`shipping_total >= 0`))
        .addColumn('tax_total', money, (c) => c.notNull().check(sql`tax_total >= 0`))
        .addColumn('discount_total', money, (c) => c.notNull().check(sql`discount_total >= 0`))
        .addColumn('total', money, (c) => c.notNull().check(sql`total >= 0`))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('shipping_address', json)
        .addColumn('shipment', json)
        .addColumn('cancellation_reason', 'text')
        .addColumn('delivered_at', timestamp)
        .addColumn('metadata', json, (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_orders', ['created_at', 'id']);
      await index(db, 'orderflow_orders', ['state', 'created_at', 'id']);
      await index(db, 'orderflow_orders', ['customer_id', 'created_at', 'id']);
      await index(db, 'orderflow_orders', ['state', 'updated_at']);

      await db.schema
        .createTable('orderflow_returns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orderflow_orders.id'))
        .addColumn('items', json, (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('refund_amount', money, (c) => c.notNull().check(sql`refund_amount >= 0`))
        .addColumn('restocking_fee', money, (c) => c.notNull().check(sql`restocking_fee >= 0`))
        .addColumn('pickup', json)
        .addColumn('rejection_reason', 'text')
        .addColumn('cancellation_reason', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_returns', ['created_at', 'id']);
      await index(db, 'orderflow_returns', ['order_id', 'created_at', 'id']);
      await index(db, 'orderflow_returns', ['state', 'created_at', 'id']);
      await index(db, 'orderflow_returns', ['state', 'updated_at']);

      await db.schema
        .createTable('orderflow_payments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orderflow_orders.id'))
        .addColumn('amount', money, (c) => c.notNull().check(sql`amount >= 0`))
        .addColumn('currency', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('provider_reference', 'text')
        .addColumn('payment_method', json, (c) => c.notNull())
        .addColumn('capture_mode', 'text', (c) => c.notNull())
        .addColumn('pending_capture', json)
        .addColumn('pending_void', json)
        .addColumn('captured_amount', money, (c) => c.notNull().check(sql`captured_amount >= 0`))
        .addColumn('refunded_amount', money, (c) =>
          c.notNull().check(sql`refunded_amount >= 0 and refunded_amount <= captured_amount`),
        )
        .addColumn('failure_code', 'text')
        .addColumn('unsettled', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_payments', ['created_at', 'id']);
      await index(db, 'orderflow_payments', ['order_id', 'created_at', 'id']);
      await index(db, 'orderflow_payments', ['state', 'created_at', 'id']);
      await db.schema
        .createIndex('orderflow_payments_unsettled_idx')
        .on('orderflow_payments')
        .columns(['updated_at'])
        .where(sql.ref('unsettled'), '=', 1)
        .execute();

      await db.schema
        .createTable('orderflow_refunds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('payment_id', 'text', (c) => c.notNull().references('orderflow_payments.id'))
        // Index of the refund in its payment's list: refunds keep the order they were added in.
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('amount', money, (c) => c.notNull().check(sql`amount > 0`))
        .addColumn('reason', 'text')
        .addColumn('return_id', 'text')
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('provider_reference', 'text')
        .addColumn('failure_code', 'text')
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_refunds', ['payment_id', 'position']);
      await index(db, 'orderflow_refunds', ['return_id']);
      // A provider refund can be recorded as succeeded only once.
      await db.schema
        .createIndex('orderflow_refunds_succeeded_reference_uq')
        .on('orderflow_refunds')
        .column('provider_reference')
        .unique()
        .where(sql.ref('state'), '=', 'succeeded')
        .execute();

      await db.schema
        .createTable('orderflow_history')
        .addColumn('seq', flags.types.serial, (c) =>
          flags.types.serial === 'integer' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('entity', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text', (c) => c.notNull())
        .addColumn('from_state', 'text')
        .addColumn('to_state', 'text', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('actor', 'text')
        .addColumn('reason', 'text')
        .addColumn('at', timestamp, (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_history', ['entity', 'entity_id', 'seq']);

      await db.schema
        .createTable('orderflow_outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('available_at', timestamp, (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .execute();
      await index(db, 'orderflow_outbox', ['available_at']);
      await index(db, 'orderflow_outbox', ['created_at', 'id']);

      await db.schema
        .createTable('orderflow_idempotency_keys')
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('response', json)
        .addColumn('locked_until', timestamp, (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('expires_at', timestamp, (c) => c.notNull())
        .addPrimaryKeyConstraint('orderflow_idempotency_keys_pk', ['scope', 'key'])
        .execute();
      await index(db, 'orderflow_idempotency_keys', ['expires_at']);
    },
  };
}

function index(db: Kysely<unknown>, table: string, columns: string[]) {
  return db.schema
    .createIndex(`${table}_${columns.join('_')}_idx`)
    .on(table)
    .columns(columns)
    .execute();
}
