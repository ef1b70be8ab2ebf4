import type { ShipmentRepository } from '../../../../src/ports/storage.js';
import type { SqlContext } from './entity-repositories.js';
import { insertRow, selectById, updateVersioned } from './versioned-rows.js';

export function shipmentRepository(ctx: SqlContext): ShipmentRepository {
  const { db, codec } = ctx;
  const byOrders = async (orderIds: readonly string[]) => {
    if (orderIds.length === 0) return [];
    const ids = [...new Set(orderIds)];
    const { rows } = await ctx.shapes.execute(db, `shipments:orders:${ids.length}`, ids, () =>
      db
        .selectFrom('orderflow_shipments')
        .selectAll()
        .where('order_id', 'in', ids)
        .orderBy('created_at')
        .orderBy('id'),
    );
    return rows.map((r) => codec.shipment(r));
  };
  return {
    async get(id, options) {
      const row = await selectById(ctx, 'orderflow_shipments', id, options);
      return row ? codec.shipment(row) : undefined;
    },
    async insert(shipment) {
      await insertRow(ctx, 'orderflow_shipments', codec.shipmentRow(shipment));
    },
    async update(shipment, expectedVersion) {
      return updateVersioned(
        ctx,
        'orderflow_shipments',
        codec.shipmentRow(shipment),
        expectedVersion,
      );
    },
    listByOrder: (orderId) => byOrders([orderId]),
    listByOrders: byOrders,
  };
}
