import { newId } from '../../domain/ids.js';
import { fulfilmentTotals, isLive, lastDelivery, unitsLeftToShip } from '../../domain/shipment.js';
import { orderMachine } from '../../machines/order-machine.js';
import { shipmentMachine } from '../../machines/shipment-machine.js';
import type { OrderRecord } from '../../schemas/order.js';
import type { ShipmentItem, ShipmentRecord, Tracking } from '../../schemas/shipment.js';
import { moveOrder } from '../orders/move.js';
import { assertWritten, decideTransition } from '../transition.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { takeStock } from './stock.js';

/**
 * The order follows its shipments. Every command that changes shipments (or the units an
 * order holds) ends with `followShipments`, so "the order becomes shipped when every unit
 * has shipped" is written once. Callers hold the order's row lock: every shipment write
 * of an order happens under it, so units can never be put in two live shipments.
 */

const TRACKING_KEYS = ['carrier', 'trackingNumber', 'trackingUrl'] as const;

/** The tracking fields present in `input`. */
export function trackingOf(input: Tracking): Tracking {
  const out: Tracking = {};
  for (const key of TRACKING_KEYS) if (input[key] !== undefined) out[key] = input[key];
  return out;
}

/** Writes a new pending shipment of `items`: its row, history and `shipment.created`. */
export async function insertShipment(
  uow: UnitOfWork,
  orderId: string,
  items: ShipmentItem[],
  tracking: Tracking,
  actor?: string,
): Promise<ShipmentRecord> {
  const shipment: ShipmentRecord = {
    id: newId('shipment'),
    orderId,
    state: 'pending',
    items,
    ...trackingOf(tracking),
    version: 1,
    createdAt: uow.now,
    updatedAt: uow.now,
  };
  await uow.tx.shipments.insert(shipment);
  await uow.history({
    entity: 'shipment',
    entityId: shipment.id,
    from: null,
    to: 'pending',
    event: 'CREATE',
    actor,
  });
  uow.emit('shipment.created', { id: shipment.id, at: uow.now, entity: shipment });
  return shipment;
}

/**
 * Moves a shipment by machine event (SHIP, DELIVER, CANCEL): stamps `shippedAt` or
 * `deliveredAt`, writes the history row and `shipment.state_changed`. Shipping takes its
 * units out of stock.
 */
export async function moveShipment(
  uow: UnitOfWork,
  shipment: ShipmentRecord,
  event: string,
  options: { actor?: string | undefined; reason?: string | undefined } = {},
): Promise<ShipmentRecord> {
  const verdict = decideTransition(shipmentMachine, 'shipment', shipment, { event }, {});
  if (verdict.kind === 'noop') return shipment;
  const next: ShipmentRecord = {
    ...shipment,
    state: verdict.to as ShipmentRecord['state'],
    version: shipment.version + 1,
    updatedAt: uow.now,
  };
  if (verdict.event === 'SHIP') next.shippedAt = uow.now;
  if (verdict.event === 'DELIVER') next.deliveredAt = uow.now;
  assertWritten(await uow.tx.shipments.update(next, shipment.version), 'shipment', shipment.id);
  if (verdict.event === 'SHIP') {
    const order = await uow.tx.orders.get(shipment.orderId);
    if (order) await takeStock(uow, order, next);
  }
  await uow.stateChanged(
    'shipment',
    { id: next.id, ...verdict, actor: options.actor, reason: options.reason },
    next,
  );
  return next;
}

/**
 * Corrects a shipment's carrier and tracking: a history row (`UPDATE_TRACKING`) and
 * `shipment.tracking_updated`. Nothing happens when nothing changes.
 */
export async function changeTracking(
  uow: UnitOfWork,
  shipment: ShipmentRecord,
  tracking: Tracking,
  actor?: string,
): Promise<ShipmentRecord> {
  const given = trackingOf(tracking);
  if (TRACKING_KEYS.every((k) => given[k] === undefined || given[k] === shipment[k])) {
    return shipment;
  }
  const next: ShipmentRecord = {
    ...shipment,
    ...given,
    version: shipment.version + 1,
    updatedAt: uow.now,
  };
  assertWritten(await uow.tx.shipments.update(next, shipment.version), 'shipment', shipment.id);
  await uow.history({
    entity: 'shipment',
    entityId: next.id,
    from: next.state,
    to: next.state,
    event: 'UPDATE_TRACKING',
    actor,
  });
  uow.emit('shipment.tracking_updated', {
    id: next.id,
    orderId: next.orderId,
    at: uow.now,
    ...(actor ? { actor } : {}),
    before: trackingOf(shipment),
    entity: next,
  });
  return next;
}

/** Cancels every pending shipment of an order (the order was cancelled). */
export async function cancelPendingShipments(
  uow: UnitOfWork,
  orderId: string,
  actor?: string,
): Promise<void> {
  for (const shipment of await uow.tx.shipments.listByOrder(orderId)) {
    if (shipment.state === 'pending') {
      await moveShipment(uow, shipment, 'CANCEL', { actor, reason: 'order_cancelled' });
    }
  }
}

/**
 * Moves the (locked) order where its shipments say: `confirmed → processing` once a live
 * shipment exists, `→ shipped` once every unit is in a shipped or delivered shipment,
 * `→ delivered` (at the last delivery) once every unit is delivered. Each move is asked of
 * the order machine. Returns the order record as it now is.
 */
export async function followShipments(
  uow: UnitOfWork,
  order: OrderRecord,
  actor?: string,
): Promise<OrderRecord> {
  const shipments = await uow.tx.shipments.listByOrder(order.id);
  const totals = fulfilmentTotals(order.items, shipments);
  const allShipped = totals.ordered > 0 && totals.shipped >= totals.ordered;
  const allDelivered = totals.ordered > 0 && totals.delivered >= totals.ordered;
  const context = { fullyReturned: false, nothingShipped: totals.shipped === 0 };
  let current = order;
  const step = async (event: string, deliveredAt?: string) => {
    const verdict = decideTransition(orderMachine, 'order', current, { event }, context);
    if (verdict.kind === 'noop') return;
    current = (await moveOrder(uow, current, verdict, { actor, deliveredAt })).record;
  };
  if (current.state === 'confirmed' && shipments.some(isLive)) await step('PROCESS');
  if (current.state === 'processing' && allShipped) await step('SHIP');
  if (current.state === 'shipped' && allDelivered) {
    await step('DELIVER', lastDelivery(shipments) ?? uow.now);
  }
  return current;
}

/**
 * Ships everything left of an order, as `orders.transition(id, { state: 'shipped' })` asks:
 * pending shipments go out as they are, and the units in no live shipment go out as one
 * new shipment with the given tracking. The order follows.
 */
export async function shipEverythingLeft(
  uow: UnitOfWork,
  order: OrderRecord,
  tracking: Tracking,
  actor?: string,
): Promise<OrderRecord> {
  const shipments = await uow.tx.shipments.listByOrder(order.id);
  for (const shipment of shipments) {
    if (shipment.state === 'pending') await moveShipment(uow, shipment, 'SHIP', { actor });
  }
  const left = [...unitsLeftToShip(order.items, shipments)]
    .filter(([, quantity]) => quantity > 0)
    .map(([orderItemId, quantity]) => ({ orderItemId, quantity }));
  if (left.length > 0) {
    const created = await insertShipment(uow, order.id, left, tracking, actor);
    await moveShipment(uow, created, 'SHIP', { actor });
  }
  return followShipments(uow, order, actor);
}

/** Delivers every shipped shipment of an order (`{ state: 'delivered' }`); the order follows. */
export async function deliverEverythingShipped(
  uow: UnitOfWork,
  order: OrderRecord,
  actor?: string,
): Promise<OrderRecord> {
  for (const shipment of await uow.tx.shipments.listByOrder(order.id)) {
    if (shipment.state === 'shipped') await moveShipment(uow, shipment, 'DELIVER', { actor });
  }
  return followShipments(uow, order, actor);
}
