import { newId } from '../../domain/ids.js';
import { unitsBySku } from '../../domain/inventory.js';
import { computeTotals, lineTotal } from '../../domain/order.js';
import { presentOrder } from '../../domain/order-view.js';
import type { Order, OrderItemRecord, OrderRecord } from '../../schemas/order.js';
import { reserveStock } from '../steps/stock.js';
import type { UnitOfWork } from '../unit-of-work.js';

/** A parsed line of `orders.create` (or of an edit's `add`, or an exchange). */
export interface NewLine {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  returnable: boolean;
}

/** Order lines with new ids and their line totals. */
export function newLines(lines: readonly NewLine[]): OrderItemRecord[] {
  return lines.map((line) => ({
    id: newId('orderLine'),
    sku: line.sku,
    name: line.name,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
    lineTotal: lineTotal(line.quantity, line.unitPrice),
    returnable: line.returnable,
  }));
}

export interface NewOrder {
  customerId: string;
  currency: string;
  items: readonly NewLine[];
  shippingTotal: number;
  taxTotal: number;
  discountTotal: number;
  shippingAddress?: OrderRecord['shippingAddress'] | undefined;
  metadata: OrderRecord['metadata'];
  /** Value credited from a returned order (an exchange's replacement). @default 0 */
  creditTotal?: number;
  exchangeForReturnId?: string;
}

/**
 * Writes a new pending order — totals computed here, never taken from input — with its
 * history row, `order.created`, and its stock reserved (last, so the SKU rows stay locked
 * only until the commit that follows). Used by `orders.create` and by an exchange's
 * replacement order.
 */
export async function insertOrder(
  uow: UnitOfWork,
  input: NewOrder,
  beforeStock?: (order: Order) => Promise<void>,
): Promise<Order> {
  const items = newLines(input.items);
  const totals = computeTotals(items, input);
  const record: OrderRecord = {
    id: newId('order'),
    customerId: input.customerId,
    currency: input.currency,
    items,
    subtotal: totals.subtotal,
    shippingTotal: input.shippingTotal,
    taxTotal: input.taxTotal,
    discountTotal: input.discountTotal,
    total: totals.total,
    state: 'pending',
    version: 1,
    ...(input.shippingAddress ? { shippingAddress: input.shippingAddress } : {}),
    metadata: input.metadata,
    creditTotal: Math.min(input.creditTotal ?? 0, totals.total),
    ...(input.exchangeForReturnId ? { exchangeForReturnId: input.exchangeForReturnId } : {}),
    createdAt: uow.now,
    updatedAt: uow.now,
  };
  await uow.tx.orders.insert(record);
  await uow.history({
    entity: 'order',
    entityId: record.id,
    from: null,
    to: 'pending',
    event: 'CREATE',
  });
  const order = presentOrder(record, [], []);
  uow.emit('order.created', { id: order.id, at: uow.now, entity: order });
  await beforeStock?.(order);
  await reserveStock(uow, record.id, unitsBySku(items));
  return order;
}
