import { BusinessRuleError } from '../errors.js';
import type { OrderRecord } from '../schemas/order.js';
import type { ReturnPreview, ReturnReason, ReturnRecord, ReturnState } from '../schemas/return.js';
import type { ShipmentRecord } from '../schemas/shipment.js';
import { percentOf, sumAmounts } from './money.js';
import { lineTotal, lineValues, unitsValue } from './order.js';
import { fulfilmentByLine, lineOf } from './shipment.js';

/** Return states that no longer hold units: the units may be returned again. */
const RELEASED_STATES: ReadonlySet<ReturnState> = new Set(['rejected', 'cancelled']);

export interface ReturnPolicy {
  /** Days after delivery during which a return may be opened. */
  returnWindowDays: number;
  /** Restocking fee in percent of the returned value, per reason (missing = 0). */
  restockingFeePercent: Partial<Record<ReturnReason, number>>;
}

export interface ReturnLineRequest {
  orderItemId: string;
  quantity: number;
  reason: ReturnReason;
  note?: string | undefined;
}

/** True when the return still holds its units (it is not rejected or cancelled). */
export function holdsUnits(ret: Pick<ReturnRecord, 'state'>): boolean {
  return !RELEASED_STATES.has(ret.state);
}

/** Units and value of each order line held by the given returns (open or completed). */
export function unitsHeld(
  returns: readonly ReturnRecord[],
): Map<string, { units: number; value: number }> {
  const held = new Map<string, { units: number; value: number }>();
  for (const r of returns) {
    if (!holdsUnits(r)) continue;
    for (const line of r.items) {
      const h = held.get(line.orderItemId) ?? { units: 0, value: 0 };
      held.set(line.orderItemId, { units: h.units + line.quantity, value: h.value + line.value });
    }
  }
  return held;
}

/** Order states in which delivered units may be returned. */
const RETURNABLE_ORDER_STATES: ReadonlySet<string> = new Set([
  'processing',
  'shipped',
  'delivered',
]);

/**
 * Checks a return request against every rule of the return policy and computes its refund.
 * A line can be returned up to its delivered units (from `shipments`) minus units held by
 * other returns, within `returnWindowDays` of that line's last delivery — also while the
 * rest of the order is still on its way. With `exchange` lines, the refund value pays for
 * the replacement first (`creditTotal`) and only the rest is refunded. Throws a
 * BusinessRuleError naming the rule and the
 * line: `order_not_delivered`, `return_window_closed`, `order_item_not_found`,
 * `item_not_returnable`, `return_quantity_exceeded`.
 */
export function evaluateReturn(
  order: OrderRecord,
  existing: readonly ReturnRecord[],
  lines: readonly ReturnLineRequest[],
  policy: ReturnPolicy,
  now: number,
  shipments: readonly ShipmentRecord[],
  exchange: readonly { quantity: number; unitPrice: number }[] = [],
): ReturnPreview {
  const fulfilment = fulfilmentByLine(shipments);
  const deliveredUnits = [...fulfilment.values()].reduce((a, l) => a + l.delivered, 0);
  if (!RETURNABLE_ORDER_STATES.has(order.state) || deliveredUnits === 0) {
    throw new BusinessRuleError(
      'order_not_delivered',
      `Order ${order.id} is ${order.state} and has no delivered unit to return`,
      { details: { orderId: order.id, state: order.state } },
    );
  }

  const values = lineValues(order);
  const held = unitsHeld(existing);
  const out: ReturnPreview['lines'] = [];
  for (const line of lines) {
    const index = order.items.findIndex((i) => i.id === line.orderItemId);
    const item = order.items[index];
    if (!item) {
      throw new BusinessRuleError(
        'order_item_not_found',
        `Order ${order.id} has no line ${line.orderItemId}`,
        { details: { orderId: order.id, orderItemId: line.orderItemId } },
      );
    }
    if (!item.returnable) {
      throw new BusinessRuleError(
        'item_not_returnable',
        `Line ${item.id} (${item.sku}) is final sale and cannot be returned`,
        { details: { orderItemId: item.id, sku: item.sku } },
      );
    }
    const delivery = lineOf(fulfilment, item.id);
    if (delivery.lastDeliveredAt)
      assertWindowOpen(order, item.id, delivery.lastDeliveredAt, policy, now);
    const already = held.get(item.id) ?? { units: 0, value: 0 };
    const delivered = Math.min(delivery.delivered, item.quantity);
    const available = Math.max(0, delivered - already.units);
    if (line.quantity > available) {
      throw new BusinessRuleError(
        'return_quantity_exceeded',
        `Line ${item.id} (${item.sku}): ${line.quantity} requested, ${available} of ${delivered} delivered can still be returned`,
        {
          details: {
            orderItemId: item.id,
            requested: line.quantity,
            available,
            delivered,
            ordered: item.quantity,
          },
        },
      );
    }
    // The first k units of a line are worth unitsValue(…, 0, k); subtracting what held
    // returns already carry (not what their unit positions would) keeps the sum of every
    // return of a line equal to its value even after a return in between was cancelled.
    const lineValue = values[index]!;
    const upTo = unitsValue(lineValue, item.quantity, 0, already.units + line.quantity);
    const value = Math.min(Math.max(0, upTo - already.value), lineValue - already.value);
    const feePercent = policy.restockingFeePercent[line.reason] ?? 0;
    const restockingFee = Math.min(value, Math.max(0, percentOf(value, feePercent)));
    held.set(item.id, { units: already.units + line.quantity, value: already.value + value });
    out.push({
      orderItemId: item.id,
      quantity: line.quantity,
      reason: line.reason,
      value,
      restockingFee,
      refund: value - restockingFee,
    });
  }
  const value = out.reduce((a, l) => a + l.value, 0);
  const restockingFee = out.reduce((a, l) => a + l.restockingFee, 0);
  const exchangeTotal = sumAmounts(exchange.map((l) => lineTotal(l.quantity, l.unitPrice)));
  // The returned value pays for the replacement first; only the rest goes back as money.
  const creditTotal = Math.min(value - restockingFee, exchangeTotal);
  return {
    orderId: order.id,
    currency: order.currency,
    lines: out,
    value,
    restockingFee,
    exchangeTotal,
    creditTotal,
    refundAmount: value - restockingFee - creditTotal,
    balanceDue: exchangeTotal - creditTotal,
  };
}

/** Refuses a line whose return window (from its last delivery) has closed. */
function assertWindowOpen(
  order: OrderRecord,
  orderItemId: string,
  lastDeliveredAt: string,
  policy: ReturnPolicy,
  now: number,
): void {
  const closesAt = Date.parse(lastDeliveredAt) + policy.returnWindowDays * 86_400_000;
  if (now <= closesAt) return;
  throw new BusinessRuleError(
    'return_window_closed',
    `The ${policy.returnWindowDays}-day return window of line ${orderItemId} of order ${order.id} closed at ${new Date(closesAt).toISOString()}`,
    {
      details: {
        orderId: order.id,
        orderItemId,
        deliveredAt: lastDeliveredAt,
        closedAt: new Date(closesAt).toISOString(),
        returnWindowDays: policy.returnWindowDays,
      },
    },
  );
}

/**
 * True when every unit of every line has come back in a refunded return: the guard of the
 * order's RETURN event. A partially returned order stays delivered.
 */
export function isFullyReturned(order: OrderRecord, returns: readonly ReturnRecord[]): boolean {
  const refunded = new Map<string, number>();
  for (const r of returns) {
    if (r.state !== 'refunded') continue;
    for (const line of r.items) {
      refunded.set(line.orderItemId, (refunded.get(line.orderItemId) ?? 0) + line.quantity);
    }
  }
  return order.items.every((i) => (refunded.get(i.id) ?? 0) >= i.quantity);
}
