import type { Kysely, Migration } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * Payments as real providers behave: what a payment waiting for the customer must do next
 * (`next_action`), the disputes reported on it, where a refund came from (`origin`: a
 * refund made in the provider's dashboard), and every provider event received, by its id
 * (so an event delivered twice is applied once). Payments are found by their provider
 * reference when an event arrives. Existing rows get no next action and no disputes.
 */
export function providerEventsMigration(flags: SqlDialectFlags): Migration {
  const { json, timestamp } = flags.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('orderflow_payments').addColumn('next_action', json).execute();
      await db.schema.alterTable('orderflow_payments').addColumn('disputes', json).execute();
      await db.schema.alterTable('orderflow_refunds').addColumn('origin', 'text').execute();
      await db.schema
        .createIndex('orderflow_payments_provider_reference_idx')
        .on('orderflow_payments')
        .column('provider_reference')
        .execute();
      await db.schema
        .createTable('orderflow_provider_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('provider_reference', 'text', (c) => c.notNull())
        .addColumn('payment_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('received_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orderflow_provider_events_payment_idx')
        .on('orderflow_provider_events')
        .columns(['payment_id', 'received_at'])
        .execute();
    },
  };
}
