import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialectFlags } from '../dialect-flags.js';
import { initialMigration } from './0001-initial.js';
import { deadLettersMigration } from './0002-dead-letters.js';
import { shipmentsMigration } from './0004-shipments.js';
import { inventoryMigration } from './0005-inventory.js';
import { editsExchangesMigration } from './0006-edits-exchanges.js';
import { jsonTextMigration } from './0007-json-text.js';
import { providerEventsMigration } from './0008-provider-events.js';

/** The migrations shipped with the package, in order. Add new ones; never edit old ones. */
export function migrationProvider(flags: SqlDialectFlags): MigrationProvider {
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return {
        '0001_initial': initialMigration(flags),
        '0002_dead_letters': deadLettersMigration(flags),
        '0004_shipments': shipmentsMigration(flags),
        '0005_inventory': inventoryMigration(flags),
        '0006_edits_exchanges': editsExchangesMigration(flags),
        '0007_json_text': jsonTextMigration(flags),
        '0008_provider_events': providerEventsMigration(flags),
      };
    },
  };
}

/** Table where kysely's Migrator records applied migrations. */
export const MIGRATION_TABLE = 'orderflow_migrations';
export const MIGRATION_LOCK_TABLE = 'orderflow_migrations_lock';
