import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * Order edits and exchanges: an order's credit from a returned order (an exchange's
 * replacement) and the return it replaces; a return's credit, the lines of its replacement
 * and the replacement order once created. Existing rows get no credit and no exchange.
 */
export function editsExchangesMigration(flags: SqlDialectFlags): Migration {
  const { money, json } = flags.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orderflow_orders')
        .addColumn('credit_total', money, (c) =>
          c.notNull().defaultTo(0).check(sql`credit_total >= 0`),
        )
        .execute();
      await db.schema
        .alterTable('orderflow_orders')
        .addColumn('exchange_for_return_id', 'text')
        .execute();
      await db.schema
        .alterTable('orderflow_returns')
        .addColumn('credit_total', money, (c) =>
          c.notNull().defaultTo(0).check(sql`credit_total >= 0`),
        )
        .execute();
      await db.schema.alterTable('orderflow_returns').addColumn('exchange_items', json).execute();
      await db.schema
        .alterTable('orderflow_returns')
        .addColumn('exchange_order_id', 'text')
        .execute();
    },
  };
}
