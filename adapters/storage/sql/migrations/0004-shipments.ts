import type { Kysely, Migration } from 'kysely';
import { newId } from '../../../../src/domain/ids.js';
import { iso } from '../codec.js';
import type { SqlDialectFlags } from '../dialect-flags.js';

/** Orders read per batch while their one-shipment field is turned into shipment rows. */
const BATCH = 500;

interface OldOrder {
  id: string;
  state: string;
  items: unknown;
  shipment: unknown;
  delivered_at: string | Date | null;
  updated_at: string | Date;
}

/**
 * Shipments: some units of one order, sent together (partial and split fulfilment).
 * Orders that were shipped or delivered before shipments existed kept one `shipment`
 * field `{ carrier?, trackingNumber? }` and shipped all at once: each becomes one shipment
 * of all its units (shipped or delivered, with its history), and the field goes away.
 */
export function shipmentsMigration(flags: SqlDialectFlags): Migration {
  const { json, timestamp } = flags.types;
  const parse = (value: unknown) =>
    value === null || value === undefined
      ? undefined
      : flags.jsonParsed || typeof value !== 'string'
        ? value
        : JSON.parse(value);
  return {
    async up(raw: Kysely<unknown>) {
      // biome-ignore lint/suspicious/noExplicitAny: the tables as they are at this migration
      const db = raw as Kysely<any>;
      await db.schema
        .createTable('orderflow_shipments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('order_id', 'text', (c) => c.notNull().references('orderflow_orders.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('items', json, (c) => c.notNull())
        .addColumn('carrier', 'text')
        .addColumn('tracking_number', 'text')
        .addColumn('tracking_url', 'text')
        .addColumn('shipped_at', timestamp)
        .addColumn('delivered_at', timestamp)
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', timestamp, (c) => c.notNull())
        .addColumn('updated_at', timestamp, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orderflow_shipments_order_id_created_at_id_idx')
        .on('orderflow_shipments')
        .columns(['order_id', 'created_at', 'id'])
        .execute();

      let after = '';
      for (;;) {
        const orders: OldOrder[] = await db
          .selectFrom('orderflow_orders')
          .select(['id', 'state', 'items', 'shipment', 'delivered_at', 'updated_at'])
          .where('state', 'in', ['shipped', 'delivered', 'returned'])
          .where('id', '>', after)
          .orderBy('id')
          .limit(BATCH)
          .execute();
        if (orders.length === 0) break;
        after = orders[orders.length - 1]!.id;
        const shipTimes = await shippedAt(
          db,
          orders.map((o) => o.id),
        );
        for (const order of orders) {
          await convert(db, order, shipTimes.get(order.id));
        }
      }

      await db.schema.alterTable('orderflow_orders').dropColumn('shipment').execute();
    },
  };

  // biome-ignore lint/suspicious/noExplicitAny: the tables as they are at this migration
  async function convert(db: Kysely<any>, order: OldOrder, shipped: string | undefined) {
    const items = (parse(order.items) as { id: string; quantity: number }[]).map((i) => ({
      orderItemId: i.id,
      quantity: i.quantity,
    }));
    const old = (parse(order.shipment) ?? {}) as { carrier?: string; trackingNumber?: string };
    const delivered = order.state === 'shipped' ? undefined : iso(order.delivered_at ?? null);
    const shippedAt = shipped ?? delivered ?? iso(order.updated_at)!;
    const deliveredAt = order.state === 'shipped' ? undefined : (delivered ?? shippedAt);
    const id = newId('shipment');
    const moves: [string | null, string, string, string][] = [
      [null, 'pending', 'CREATE', shippedAt],
      ['pending', 'shipped', 'SHIP', shippedAt],
    ];
    if (deliveredAt) moves.push(['shipped', 'delivered', 'DELIVER', deliveredAt]);
    await db
      .insertInto('orderflow_shipments')
      .values({
        id,
        order_id: order.id,
        state: deliveredAt ? 'delivered' : 'shipped',
        items: JSON.stringify(items),
        carrier: old.carrier ?? null,
        tracking_number: old.trackingNumber ?? null,
        tracking_url: null,
        shipped_at: shippedAt,
        delivered_at: deliveredAt ?? null,
        version: moves.length,
        created_at: shippedAt,
        updated_at: deliveredAt ?? shippedAt,
      })
      .execute();
    await db
      .insertInto('orderflow_history')
      .values(
        moves.map(([from, to, event, at]) => ({
          entity: 'shipment',
          entity_id: id,
          from_state: from,
          to_state: to,
          event,
          actor: 'system',
          reason: 'migrated from the order shipment field',
          at,
        })),
      )
      .execute();
  }
}

/** When each order was shipped, from its SHIP history row. */
// biome-ignore lint/suspicious/noExplicitAny: the tables as they are at this migration
async function shippedAt(db: Kysely<any>, orderIds: string[]): Promise<Map<string, string>> {
  const rows: { entity_id: string; at: string | Date }[] = await db
    .selectFrom('orderflow_history')
    .select(['entity_id', 'at'])
    .where('entity', '=', 'order')
    .where('event', '=', 'SHIP')
    .where('entity_id', 'in', orderIds)
    .execute();
  return new Map(rows.map((r) => [r.entity_id, iso(r.at)!]));
}
