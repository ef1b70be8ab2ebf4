import { presentOrder } from '../domain/order-view.js';
import type { Repositories } from '../ports/storage.js';
import type { Order, OrderRecord } from '../schemas/order.js';

type Reader = Pick<Repositories, 'payments' | 'shipments'>;

/** Reads what an order's derived fields need (payments, shipments) and presents it. */
export async function loadOrder(repos: Reader, record: OrderRecord): Promise<Order> {
  const [payments, shipments] = await Promise.all([
    repos.payments.listByOrder(record.id),
    repos.shipments.listByOrder(record.id),
  ]);
  return presentOrder(record, payments, shipments);
}

/** The same for a page of orders, with one read of payments and one of shipments. */
export async function loadOrders(repos: Reader, records: OrderRecord[]): Promise<Order[]> {
  if (records.length === 0) return [];
  const ids = records.map((o) => o.id);
  const [payments, shipments] = await Promise.all([
    repos.payments.listByOrders(ids),
    repos.shipments.listByOrders(ids),
  ]);
  return records.map((o) =>
    presentOrder(
      o,
      payments.filter((p) => p.orderId === o.id),
      shipments.filter((s) => s.orderId === o.id),
    ),
  );
}
