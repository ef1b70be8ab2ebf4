import { cloneJson } from '../domain/clone-json.js';
import type { OrderRepository, Repositories, ShipmentRepository } from '../ports/storage.js';
import type { OrderRecord } from '../schemas/order.js';
import type { ShipmentRecord } from '../schemas/shipment.js';

/**
 * The repositories of one transaction, answering repeated reads of a locked order — the
 * order row and its shipment list — from what the transaction already read or wrote.
 *
 * Sound because of the locking rules: once a transaction has locked an order (read it
 * `forUpdate`, inserted or updated it), no other transaction can change that order, and
 * every shipment write holds its order's lock too (SQLite and memory: one writer at a
 * time). The transaction's own shipment updates replace their entry in the order's cached
 * list, and an inserted shipment drops the list. Everything else reads through. Callers
 * get copies, so they may change what they read.
 */
export function withReadCache(tx: Repositories): Repositories {
  const orders = new Map<string, OrderRecord>();
  const shipments = new Map<string, ShipmentRecord[]>();
  // Records are JSON-shaped: a plain deep copy, several times cheaper than structuredClone.
  const copy = cloneJson;

  const cachedOrders: OrderRepository = {
    async get(id, options) {
      const cached = orders.get(id);
      if (cached) return copy(cached);
      const record = await tx.orders.get(id, options);
      if (record && options?.forUpdate) orders.set(id, copy(record));
      return record;
    },
    async insert(order) {
      await tx.orders.insert(order);
      orders.set(order.id, copy(order));
    },
    async update(order, expectedVersion) {
      const written = await tx.orders.update(order, expectedVersion);
      if (written) orders.set(order.id, copy(order));
      else orders.delete(order.id);
      return written;
    },
    list: (query) => tx.orders.list(query),
  };
  const cachedShipments: ShipmentRepository = {
    async listByOrder(orderId) {
      const cached = shipments.get(orderId);
      if (cached) return copy(cached);
      const list = await tx.shipments.listByOrder(orderId);
      if (orders.has(orderId)) shipments.set(orderId, copy(list));
      return list;
    },
    async insert(shipment) {
      shipments.delete(shipment.orderId);
      await tx.shipments.insert(shipment);
    },
    async update(shipment, expectedVersion) {
      const written = await tx.shipments.update(shipment, expectedVersion);
      // The cached list takes what was written, as a read would return it now.
      const cached = shipments.get(shipment.orderId);
      const at = cached?.findIndex((s) => s.id === shipment.id) ?? -1;
      if (written && cached && at >= 0) cached[at] = copy(shipment);
      else shipments.delete(shipment.orderId);
      return written;
    },
    get: (id, options) => tx.shipments.get(id, options),
    listByOrders: (orderIds) => tx.shipments.listByOrders(orderIds),
  };
  // The adapter's object stays the prototype (it may be a class instance); only the two
  // repositories above are replaced.
  return Object.create(tx, {
    orders: { value: cachedOrders, enumerable: true },
    shipments: { value: cachedShipments, enumerable: true },
  });
}
