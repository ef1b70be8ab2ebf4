import { type Kysely, type Migration, sql } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * JSON that must come back byte for byte is kept as text: an order's `metadata` (in the
 * key order the client sent) and the stored outcome of an idempotency key (replayed as it
 * was first answered). Postgres `jsonb` reorders keys, so those columns become `text`,
 * keeping what they hold (its key order is jsonb's, which is all that is left of it).
 * A return's refund failure (a refund that can no longer be issued) is new, also as text.
 */
export function jsonTextMigration(flags: SqlDialectFlags): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (flags.types.json !== 'text') {
        await db.schema
          .alterTable('orderflow_orders')
          .alterColumn('metadata', (c) => c.setDataType(sql`text using metadata::text`))
          .execute();
        await db.schema
          .alterTable('orderflow_idempotency_keys')
          .alterColumn('response', (c) => c.setDataType(sql`text using response::text`))
          .execute();
      }
      await db.schema.alterTable('orderflow_returns').addColumn('refund_failure', 'text').execute();
    },
  };
}
