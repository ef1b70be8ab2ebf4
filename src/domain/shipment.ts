import type { FulfillmentStatus, ShipmentRecord, ShipmentState } from '../schemas/shipment.js';

/** Shipment states that hold their units (everything but `cancelled`). */
const LIVE: ReadonlySet<ShipmentState> = new Set(['pending', 'shipped', 'delivered']);
/** Shipment states whose units have left the warehouse. */
const GONE: ReadonlySet<ShipmentState> = new Set(['shipped', 'delivered']);

/** True when the shipment still holds its units (it is not cancelled). */
export function isLive(shipment: Pick<ShipmentRecord, 'state'>): boolean {
  return LIVE.has(shipment.state);
}

/** How far one order line has gone, derived from the order's shipments. */
export interface LineFulfilment {
  /** Units of the line in live shipments (pending, shipped or delivered). */
  inShipments: number;
  /** Units in shipped or delivered shipments. */
  shipped: number;
  /** Units in delivered shipments. */
  delivered: number;
  /** When the last delivered shipment holding the line was delivered. */
  lastDeliveredAt?: string;
}

/**
 * Per order line: units in live shipments, shipped and delivered, and its last delivery.
 * Lines no shipment mentions are absent (read them as zeros with {@link lineOf}).
 *
 * ```ts
 * const lines = fulfilmentByLine(shipments);
 * lineOf(lines, item.id).delivered; // units of the line the customer has
 * ```
 */
export function fulfilmentByLine(
  shipments: readonly ShipmentRecord[],
): Map<string, LineFulfilment> {
  const lines = new Map<string, LineFulfilment>();
  for (const s of shipments) {
    if (!isLive(s)) continue;
    for (const item of s.items) {
      const line = lineOf(lines, item.orderItemId);
      line.inShipments += item.quantity;
      if (GONE.has(s.state)) line.shipped += item.quantity;
      if (s.state === 'delivered') {
        line.delivered += item.quantity;
        if (s.deliveredAt && (!line.lastDeliveredAt || s.deliveredAt > line.lastDeliveredAt)) {
          line.lastDeliveredAt = s.deliveredAt;
        }
      }
      lines.set(item.orderItemId, line);
    }
  }
  return lines;
}

/** The line's fulfilment, zeros when no shipment holds it. */
export function lineOf(lines: ReadonlyMap<string, LineFulfilment>, id: string): LineFulfilment {
  return lines.get(id) ?? { inShipments: 0, shipped: 0, delivered: 0 };
}

/** Units of each line not yet in a live shipment: what a new shipment may take. */
export function unitsLeftToShip(
  items: readonly { id: string; quantity: number }[],
  shipments: readonly ShipmentRecord[],
): Map<string, number> {
  const lines = fulfilmentByLine(shipments);
  return new Map(items.map((i) => [i.id, i.quantity - lineOf(lines, i.id).inShipments]));
}

/** The order's totals of shipped and delivered units against its ordered units. */
export function fulfilmentTotals(
  items: readonly { id: string; quantity: number }[],
  shipments: readonly ShipmentRecord[],
): { ordered: number; shipped: number; delivered: number } {
  const lines = fulfilmentByLine(shipments);
  let ordered = 0;
  let shipped = 0;
  let delivered = 0;
  for (const item of items) {
    const line = lineOf(lines, item.id);
    ordered += item.quantity;
    shipped += Math.min(line.shipped, item.quantity);
    delivered += Math.min(line.delivered, item.quantity);
  }
  return { ordered, shipped, delivered };
}

/**
 * `unfulfilled | partially_shipped | shipped | partially_delivered | delivered`, from the
 * units shipped and delivered against the units ordered.
 *
 * ```ts
 * fulfillmentStatus({ ordered: 3, shipped: 3, delivered: 1 }); // 'partially_delivered'
 * ```
 */
export function fulfillmentStatus(totals: {
  ordered: number;
  shipped: number;
  delivered: number;
}): FulfillmentStatus {
  const { ordered, shipped, delivered } = totals;
  if (ordered > 0 && delivered >= ordered) return 'delivered';
  if (delivered > 0) return 'partially_delivered';
  if (ordered > 0 && shipped >= ordered) return 'shipped';
  if (shipped > 0) return 'partially_shipped';
  return 'unfulfilled';
}

/** The latest delivery among the shipments, if any was delivered. */
export function lastDelivery(shipments: readonly ShipmentRecord[]): string | undefined {
  let last: string | undefined;
  for (const s of shipments) {
    if (s.state === 'delivered' && s.deliveredAt && (!last || s.deliveredAt > last)) {
      last = s.deliveredAt;
    }
  }
  return last;
}
