import type { Order, OrderRecord } from '../schemas/order.js';
import type { PaymentRecord } from '../schemas/payment.js';
import type { ShipmentRecord } from '../schemas/shipment.js';
import { balanceDue } from './balance.js';
import { extend } from './extend.js';
import { paymentTotals } from './order.js';
import { fulfillmentStatus, fulfilmentByLine, lineOf } from './shipment.js';

/**
 * An order as callers see it: the stored record plus what is derived from its payments
 * (`paidTotal`, `refundedTotal`, `balanceDue`) and shipments (each line's `shippedQuantity` and
 * `deliveredQuantity`, the order's `fulfillmentStatus`). Pure; computed on every read, so
 * the shipments are summed once for the lines and the status together.
 */
export function presentOrder(
  record: OrderRecord,
  payments: readonly PaymentRecord[],
  shipments: readonly ShipmentRecord[],
): Order {
  const lines = fulfilmentByLine(shipments);
  let ordered = 0;
  let shipped = 0;
  let delivered = 0;
  const items = record.items.map((item) => {
    const line = lineOf(lines, item.id);
    const shippedQuantity = Math.min(line.shipped, item.quantity);
    const deliveredQuantity = Math.min(line.delivered, item.quantity);
    ordered += item.quantity;
    shipped += shippedQuantity;
    delivered += deliveredQuantity;
    return extend(item, { shippedQuantity, deliveredQuantity });
  });
  const { paidTotal, refundedTotal } = paymentTotals(payments);
  return extend(record, {
    items,
    fulfillmentStatus: fulfillmentStatus({ ordered, shipped, delivered }),
    paidTotal,
    refundedTotal,
    balanceDue: balanceDue(record, payments),
  });
}
