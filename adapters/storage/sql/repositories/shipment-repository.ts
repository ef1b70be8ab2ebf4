import type { ShipmentRepository } from '../../../../src/ports/storage.js';
import type { SqlContext } from './entity-repositories.js';
import { selectById, updateVersioned } from './versioned-rows.js';

export function shipmentRepository({ db, flags, codec }: SqlContext): ShipmentRepository {
  const byOrders = async (orderIds: readonly string[]) => {
    if (orderIds.length === 0) return [];
    const rows = await db
      .selectFrom('orderflow_shipments')
      .selectAll()
      .where('order_id', 'in', [...new Set(orderIds)])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => codec.shipment(r));
  };
  return {
    async get(id, options) {
      const row = await selectById(db, flags, 'orderflow_shipments', id, options);
      return row ? codec.shipment(row) : undefined;
    },
    async insert(shipment) {
      await db.insertInto('orderflow_shipments').values(codec.shipmentRow(shipment)).execute();
    },
    async update(shipment, expectedVersion) {
      return updateVersioned(
        db,
        'orderflow_shipments',
        codec.shipmentRow(shipment),
        expectedVersion,
      );
    },
    listByOrder: (orderId) => byOrders([orderId]),
    listByOrders: byOrders,
  };
}
