import type { Order, OrderRecord } from '../schemas/order.js';
import type { PaymentRecord } from '../schemas/payment.js';
import type { ShipmentRecord } from '../schemas/shipment.js';
import { balanceDue } from './balance.js';
import { paymentTotals } from './order.js';
import { fulfillmentStatus, fulfilmentByLine, fulfilmentTotals, lineOf } from './shipment.js';

/**
 * An order as callers see it: the stored record plus what is derived from its payments
 * (`paidTotal`, `refundedTotal`, `balanceDue`) and shipments (each line's `shippedQuantity` and
 * `deliveredQuantity`, the order's `fulfillmentStatus`). Pure; computed on every read.
 */
export function presentOrder(
  record: OrderRecord,
  payments: readonly PaymentRecord[],
  shipments: readonly ShipmentRecord[],
): Order {
  const lines = fulfilmentByLine(shipments);
  const items = record.items.map((item) => {
    const line = lineOf(lines, item.id);
    return {
      ...item,
      shippedQuantity: Math.min(line.shipped, item.quantity),
      deliveredQuantity: Math.min(line.delivered, item.quantity),
    };
  });
  return {
    ...record,
    items,
    fulfillmentStatus: fulfillmentStatus(fulfilmentTotals(record.items, shipments)),
    ...paymentTotals(payments),
    balanceDue: balanceDue(record, payments),
  };
}
