import { newId } from 'orderflow';
import { afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '../../src/ports/storage.js';
import { backendEnabled, postgresEnabled } from '../support/backends.js';
import { type LegacyDatabase, legacyPostgres, legacySqlite } from './legacy-database.js';

const AT = '2026-03-01T09:00:00.000Z';

/** An order row as the schema before 0007 stored it. */
function oldOrder(metadata: object) {
  return {
    id: newId('order'),
    customer_id: 'cus_legacy',
    currency: 'USD',
    items: JSON.stringify([
      {
        id: newId('orderLine'),
        sku: 'CUP',
        name: 'Cup',
        quantity: 1,
        unitPrice: 1000,
        lineTotal: 1000,
        returnable: true,
      },
    ]),
    subtotal: 1000,
    shipping_total: 0,
    tax_total: 0,
    discount_total: 0,
    total: 1000,
    state: 'pending',
    version: 1,
    shipping_address: null,
    cancellation_reason: null,
    delivered_at: null,
    metadata: JSON.stringify(metadata),
    credit_total: 0,
    exchange_for_return_id: null,
    created_at: AT,
    updated_at: AT,
  };
}

const backends: [string, (before: string) => Promise<LegacyDatabase>, boolean][] = [
  ['sqlite', legacySqlite, backendEnabled('sqlite')],
  ['postgres', legacyPostgres, await postgresEnabled()],
];

describe.each(backends)('%s: upgrading to JSON kept as text (0007)', (_name, legacy, enabled) => {
  let legacyDb: LegacyDatabase | undefined;
  let storage: StorageAdapter | undefined;
  afterEach(async () => {
    await storage?.close();
    await legacyDb?.cleanup();
    storage = undefined;
    legacyDb = undefined;
  });

  it.skipIf(!enabled)(
    'keeps existing metadata and stored responses, and from then on keeps key order',
    async () => {
      legacyDb = await legacy('0007_json_text');
      const { db } = legacyDb;
      const metadata = { source: 'legacy', nested: { n: 1, list: [1, 'two', null] } };
      const order = oldOrder(metadata);
      await db.insertInto('orderflow_orders').values(order).execute();
      const response = { result: { id: order.id, total: 1000, metadata } };
      await db
        .insertInto('orderflow_idempotency_keys')
        .values({
          scope: 'orders.create',
          key: 'legacy-key',
          fingerprint: 'f',
          status: 'completed',
          response: JSON.stringify(response),
          locked_until: AT,
          created_at: AT,
          expires_at: '2026-03-02T09:00:00.000Z',
        })
        .execute();

      storage = legacyDb.open();
      await storage.migrate();

      const migrated = await storage.orders.get(order.id);
      expect(migrated?.metadata).toEqual(metadata);
      expect(migrated?.items[0]?.sku).toBe('CUP');
      const key = await storage.idempotency.get('orders.create', 'legacy-key');
      expect(key?.response).toEqual(response);

      // Written after the upgrade: the key order survives.
      const ordered = { zeta: 1, a: { y: 2, b: 3 }, mid: 'm' };
      expect(await storage.orders.update({ ...migrated!, metadata: ordered, version: 2 }, 1)).toBe(
        true,
      );
      expect(JSON.stringify((await storage.orders.get(order.id))?.metadata)).toBe(
        JSON.stringify(ordered),
      );
    },
  );
});
