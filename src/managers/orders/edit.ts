import type { z } from 'zod';
import { unitsBySku } from '../../domain/inventory.js';
import { computeTotals, lineTotal } from '../../domain/order.js';
import { fulfilmentByLine, lineOf } from '../../domain/shipment.js';
import { BusinessRuleError, NotFoundError, ValidationError } from '../../errors.js';
import type { OrderEditChanges } from '../../events/event-map.js';
import type { editOrderInput, Order, OrderItemRecord, OrderRecord } from '../../schemas/order.js';
import { loadOrder } from '../order-view.js';
import { followShipments } from '../steps/fulfilment.js';
import { changeReservation } from '../steps/stock.js';
import { assertVersion, assertWritten } from '../transition.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { newLines } from './create.js';

/** Order states an edit is allowed in: nothing has fully shipped yet. */
const EDITABLE: ReadonlySet<string> = new Set(['pending', 'confirmed', 'processing']);
const MAX_LINES = 500;

type EditInput = z.output<typeof editOrderInput>;

/**
 * Edits an order in one unit of work: new quantities (never below the units in live
 * shipments; 0 removes a line), new lines, shipping/tax/discount, address. Totals are
 * recomputed, a history row (`EDIT`) and `order.edited` written, the order follows its
 * shipments (removing the last unshipped units ships it), and stock is reserved or
 * released by the difference — last, so the SKU rows are held only until commit. What an
 * edit leaves over-paid is refunded by a job (see `jobsForEvent`), never here.
 */
export async function editOrder(
  uow: UnitOfWork,
  id: string,
  edit: EditInput,
  options: {
    expectedVersion?: number | undefined;
    actor?: string | undefined;
    reason?: string | undefined;
  },
): Promise<Order> {
  const order = await uow.tx.orders.get(id, { forUpdate: true });
  if (!order) throw new NotFoundError('order', id);
  assertVersion('order', order, options.expectedVersion);
  if (!EDITABLE.has(order.state)) {
    throw new BusinessRuleError(
      'order_not_editable',
      `Order ${id} is ${order.state}; only pending, confirmed or processing orders can be edited`,
      { details: { orderId: id, state: order.state } },
    );
  }
  const shipments = await uow.tx.shipments.listByOrder(id);
  const { items, changes } = editedLines(order, edit, fulfilmentByLine(shipments));
  const amounts = {
    shippingTotal: edit.shippingTotal ?? order.shippingTotal,
    taxTotal: edit.taxTotal ?? order.taxTotal,
    discountTotal: edit.discountTotal ?? order.discountTotal,
  };
  const totals = computeTotals(items, amounts);
  if (totals.total < order.creditTotal) {
    throw new BusinessRuleError(
      'edit_below_credit',
      `Order ${id} is paid ${order.creditTotal} by credit from a return; its total cannot go below that`,
      { details: { orderId: id, creditTotal: order.creditTotal, total: totals.total } },
    );
  }
  for (const key of ['shippingTotal', 'taxTotal', 'discountTotal'] as const) {
    if (amounts[key] !== order[key]) changes[key] = { from: order[key], to: amounts[key] };
  }
  if (edit.shippingAddress) {
    changes.shippingAddress = { from: order.shippingAddress ?? null, to: edit.shippingAddress };
  }

  const next: OrderRecord = {
    ...order,
    items,
    subtotal: totals.subtotal,
    ...amounts,
    total: totals.total,
    ...(edit.shippingAddress ? { shippingAddress: edit.shippingAddress } : {}),
    version: order.version + 1,
    updatedAt: uow.now,
  };
  assertWritten(await uow.tx.orders.update(next, order.version), 'order', id);
  await uow.history({
    entity: 'order',
    entityId: id,
    from: order.state,
    to: order.state,
    event: 'EDIT',
    actor: options.actor,
    reason: options.reason,
  });
  uow.emit('order.edited', {
    id,
    at: uow.now,
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    before: { total: order.total },
    after: { total: next.total },
    changes,
    entity: await loadOrder(uow.tx, next),
  });
  const followed = await followShipments(uow, next, options.actor);
  await changeReservation(uow, id, stockDeltas(order.items, items));
  return loadOrder(uow.tx, followed);
}

/** The order's lines after the edit, and what changed in them. */
function editedLines(
  order: OrderRecord,
  edit: EditInput,
  fulfilment: ReturnType<typeof fulfilmentByLine>,
): { items: OrderItemRecord[]; changes: OrderEditChanges } {
  const requested = new Map((edit.items ?? []).map((i) => [i.orderItemId, i.quantity]));
  for (const orderItemId of requested.keys()) {
    if (!order.items.some((i) => i.id === orderItemId)) {
      throw new BusinessRuleError(
        'order_item_not_found',
        `Order ${order.id} has no line ${orderItemId}`,
        { details: { orderId: order.id, orderItemId } },
      );
    }
  }
  const changes: OrderEditChanges = {};
  const items: OrderItemRecord[] = [];
  for (const item of order.items) {
    const quantity = requested.get(item.id) ?? item.quantity;
    const inShipments = lineOf(fulfilment, item.id).inShipments;
    if (quantity < inShipments) {
      throw new BusinessRuleError(
        'edit_below_fulfilled',
        `Line ${item.id} (${item.sku}) has ${inShipments} unit(s) in shipments; it cannot go down to ${quantity}`,
        { details: { orderItemId: item.id, requested: quantity, inShipments } },
      );
    }
    if (quantity !== item.quantity) {
      changes.items = [
        ...(changes.items ?? []),
        { orderItemId: item.id, from: item.quantity, to: quantity },
      ];
    }
    if (quantity > 0) {
      items.push({ ...item, quantity, lineTotal: lineTotal(quantity, item.unitPrice) });
    }
  }
  const added = newLines(edit.add ?? []);
  if (added.length > 0) changes.added = added;
  items.push(...added);
  if (items.length > MAX_LINES) {
    throw new ValidationError(`An order has at most ${MAX_LINES} lines`, [
      { path: ['add'], message: `an order has at most ${MAX_LINES} lines`, code: 'too_big' },
    ]);
  }
  if (items.length === 0) {
    throw new BusinessRuleError(
      'edit_empties_order',
      `The edit would leave order ${order.id} without any unit; cancel it instead`,
      { details: { orderId: order.id } },
    );
  }
  return { items, changes };
}

/** Units per SKU after the edit minus before: what to reserve (+) or release (−). */
function stockDeltas(
  before: readonly OrderItemRecord[],
  after: readonly OrderItemRecord[],
): Map<string, number> {
  const deltas = unitsBySku(after);
  for (const [sku, units] of unitsBySku(before)) deltas.set(sku, (deltas.get(sku) ?? 0) - units);
  return deltas;
}
