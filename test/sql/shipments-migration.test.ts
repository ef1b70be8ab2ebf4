import { createOrderSystem, newId, type OrderSystem, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { manualClock, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { backendEnabled, postgresEnabled } from '../support/backends.js';
import { type LegacyDatabase, legacyPostgres, legacySqlite } from './legacy-database.js';

const SHIPPED_AT = '2026-03-01T09:00:00.000Z';
const DELIVERED_AT = '2026-03-03T15:30:00.000Z';

/** An order row as the schema before shipments stored it (with its one `shipment` field). */
function oldOrder(state: string, extra: { shipment?: object; deliveredAt?: string } = {}) {
  const items = [
    {
      id: newId('orderLine'),
      sku: 'CUP',
      name: 'Cup',
      quantity: 2,
      unitPrice: 1000,
      lineTotal: 2000,
      returnable: true,
    },
    {
      id: newId('orderLine'),
      sku: 'MUG',
      name: 'Mug',
      quantity: 1,
      unitPrice: 500,
      lineTotal: 500,
      returnable: true,
    },
  ];
  return {
    id: newId('order'),
    customer_id: 'cus_legacy',
    currency: 'USD',
    items: JSON.stringify(items),
    subtotal: 2500,
    shipping_total: 0,
    tax_total: 0,
    discount_total: 0,
    total: 2500,
    state,
    version: 1,
    shipping_address: null,
    shipment: extra.shipment ? JSON.stringify(extra.shipment) : null,
    cancellation_reason: null,
    delivered_at: extra.deliveredAt ?? null,
    metadata: '{}',
    created_at: '2026-02-28T12:00:00.000Z',
    updated_at: extra.deliveredAt ?? SHIPPED_AT,
  };
}

const backends: [string, (before: string) => Promise<LegacyDatabase>, boolean][] = [
  ['sqlite', legacySqlite, backendEnabled('sqlite')],
  ['postgres', legacyPostgres, await postgresEnabled()],
];

describe.each(backends)(
  '%s: upgrading a database from before shipments',
  (_name, legacy, enabled) => {
    let legacyDb: LegacyDatabase | undefined;
    let oms: OrderSystem | undefined;
    afterEach(async () => {
      await oms?.close();
      await legacyDb?.cleanup();
      oms = undefined;
      legacyDb = undefined;
    });

    it.skipIf(!enabled)(
      'turns each shipped or delivered order into one shipment of all its units and drops the old field',
      async () => {
        legacyDb = await legacy('0004_shipments');
        const { db } = legacyDb;
        const shipped = oldOrder('shipped', {
          shipment: { carrier: 'UPS', trackingNumber: '1Z999' },
        });
        const delivered = oldOrder('delivered', {
          shipment: { carrier: 'DHL' },
          deliveredAt: DELIVERED_AT,
        });
        const untracked = oldOrder('delivered', { deliveredAt: DELIVERED_AT });
        const pending = oldOrder('pending');
        await db
          .insertInto('orderflow_orders')
          .values([shipped, delivered, untracked, pending])
          .execute();
        await db
          .insertInto('orderflow_history')
          .values(
            [shipped, delivered].map((o) => ({
              entity: 'order',
              entity_id: o.id,
              from_state: 'processing',
              to_state: 'shipped',
              event: 'SHIP',
              actor: null,
              reason: null,
              at: SHIPPED_AT,
            })),
          )
          .execute();

        const clock = manualClock(Date.parse(DELIVERED_AT) + 86_400_000);
        oms = await createOrderSystem({
          storage: legacyDb.open(),
          jobs: inProcessJobs({ logger: silentLogger }),
          logger: silentLogger,
          clock,
        });

        const [onTheWay] = await oms.shipments.listByOrder(shipped.id);
        const units = (o: { items: string }) =>
          (JSON.parse(o.items) as { id: string; quantity: number }[]).map((i) => ({
            orderItemId: i.id,
            quantity: i.quantity,
          }));
        expect(onTheWay).toMatchObject({
          state: 'shipped',
          carrier: 'UPS',
          trackingNumber: '1Z999',
          shippedAt: SHIPPED_AT,
          items: units(shipped),
          version: 2,
        });
        expect(onTheWay?.deliveredAt).toBeUndefined();
        expect(
          (await oms.shipments.history(onTheWay!.id)).map((h) => [h.from, h.to, h.event]),
        ).toEqual([
          [null, 'pending', 'CREATE'],
          ['pending', 'shipped', 'SHIP'],
        ]);
        expect(await oms.orders.get(shipped.id)).toMatchObject({
          state: 'shipped',
          fulfillmentStatus: 'shipped',
        });
        expect(await oms.orders.get(shipped.id)).not.toHaveProperty('shipment');

        const [arrived] = await oms.shipments.listByOrder(delivered.id);
        expect(arrived).toMatchObject({
          state: 'delivered',
          carrier: 'DHL',
          shippedAt: SHIPPED_AT,
          deliveredAt: DELIVERED_AT,
          version: 3,
        });
        const order = await oms.orders.get(delivered.id);
        expect(order.fulfillmentStatus).toBe('delivered');
        expect(order.items.map((i) => i.deliveredQuantity)).toEqual([2, 1]);

        // No SHIP row and no carrier: shipped at its delivery, still one shipment of everything.
        expect(await oms.shipments.listByOrder(untracked.id)).toMatchObject([
          {
            state: 'delivered',
            shippedAt: DELIVERED_AT,
            deliveredAt: DELIVERED_AT,
            items: units(untracked),
          },
        ]);
        expect(await oms.shipments.listByOrder(pending.id)).toEqual([]);

        // The delivered units can be returned, within the window counted from the delivery.
        const ret = await oms.returns.create({
          orderId: delivered.id,
          items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' }],
        });
        expect(ret.state).toBe('initiated');
        // New orders are written without the old column.
        const fresh = await oms.orders.create(orderInput());
        expect((await oms.orders.get(fresh.id)).fulfillmentStatus).toBe('unfulfilled');
      },
    );
  },
);
