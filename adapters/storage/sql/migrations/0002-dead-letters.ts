import type { Kysely, Migration } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';

/**
 * Dead letters: jobs given up after their last attempt (e.g. a webhook that never
 * answered), listed newest first by (created_at, id).
 */
export function deadLettersMigration(flags: SqlDialectFlags): Migration {
  const { json, timestamp } = flags.types;
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orderflow_dead_letters')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('job', 'text', (c) => c.notNull())
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('payload', json, (c) => c.notNull())
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orderflow_dead_letters_created_at_id_idx')
        .on('orderflow_dead_letters')
        .columns(['created_at', 'id'])
        .execute();
    },
  };
}
