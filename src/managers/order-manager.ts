import { isFullyReturned } from '../domain/return.js';
import { fulfilmentTotals } from '../domain/shipment.js';
import { BusinessRuleError, NotFoundError } from '../errors.js';
import { orderMachine } from '../machines/order-machine.js';
import {
  type CommandOptions,
  commandOptionsSchema,
  type Page,
  type TransitionOptions,
  transitionOptionsSchema,
} from '../schemas/common.js';
import {
  type CancelOrderInput,
  type CreateOrderInput,
  cancelOrderInput,
  createOrderInput,
  type EditOrderInput,
  type EditOrderOptions,
  editOrderInput,
  editOrderOptionsSchema,
  type HistoryEntry,
  type ListOrdersQuery,
  listOrdersQuery,
  type Order,
  type TransitionOrderInput,
  transitionOrderInput,
} from '../schemas/order.js';
import { parseInput } from '../schemas/parse.js';
import { idempotent } from './idempotency.js';
import { loadOrder, loadOrders } from './order-view.js';
import { insertOrder } from './orders/create.js';
import { editOrder } from './orders/edit.js';
import { moveOrder } from './orders/move.js';
import { deliverEverythingShipped, shipEverythingLeft, trackingOf } from './steps/fulfilment.js';
import type { SystemContext } from './system-context.js';
import { decideTransition } from './transition.js';
import { runCommand, type UnitOfWork } from './unit-of-work.js';

/**
 * Orders: create, read, list, move through the order machine, cancel.
 *
 * ```ts
 * const order = await oms.orders.create({ customerId: 'c_1', currency: 'USD',
 *   items: [{ sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 }] });
 * await oms.orders.transition(order.id, { state: 'confirmed' });
 * ```
 */
export class OrderManager {
  constructor(private readonly ctx: SystemContext) {}

  /**
   * Creates a pending order; totals are computed here, never taken from input. Every
   * tracked SKU is reserved in the same transaction: not enough stock is
   * `insufficient_stock` and nothing is written.
   */
  async create(input: CreateOrderInput, options: CommandOptions = {}): Promise<Order> {
    const data = parseInput(createOrderInput, input, 'order');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    return idempotent(this.ctx, 'orders.create', idempotencyKey, data, (idem) =>
      runCommand(this.ctx, (uow) =>
        insertOrder(uow, data, (order) => idem.finish(uow.tx, { result: order })),
      ),
    );
  }

  /** The order with its derived payment totals and fulfilment; NotFoundError if absent. */
  async get(id: string): Promise<Order> {
    const record = await this.ctx.storage.orders.get(id);
    if (!record) throw new NotFoundError('order', id);
    return loadOrder(this.ctx.storage, record);
  }

  /** Newest first, filtered by `state` and `customerId`, paged by `cursor`. */
  async list(query: ListOrdersQuery = {}): Promise<Page<Order>> {
    const q = parseInput(listOrdersQuery, query, 'query');
    const page = await this.ctx.storage.orders.list(q);
    return { data: await loadOrders(this.ctx.storage, page.data), nextCursor: page.nextCursor };
  }

  /**
   * Moves the order to `{ state }` (mapped to the one event that leads there) or applies
   * `{ event }`. Asking for the current state returns the order unchanged.
   *
   * `{ state: 'shipped' }` ships every unit not yet shipped as one shipment (with the given
   * carrier and tracking) and `{ state: 'delivered' }` delivers every shipped shipment; for
   * split shipments use `oms.shipments`.
   *
   * ```ts
   * await oms.orders.transition(id, { state: 'shipped', carrier: 'UPS', trackingNumber: '1Z…' },
   *   { expectedVersion: order.version });
   * ```
   */
  async transition(
    id: string,
    input: TransitionOrderInput,
    options: TransitionOptions = {},
  ): Promise<Order> {
    const request = parseInput(transitionOrderInput, input, 'transition');
    const opts = parseInput(transitionOptionsSchema, options, 'options');
    return runCommand(this.ctx, (uow) => transitionOrder(uow, id, request, opts));
  }

  /** Cancels the order (a no-op if it is already cancelled). Payments are refunded by a job. */
  async cancel(
    id: string,
    input: CancelOrderInput = {},
    options: TransitionOptions = {},
  ): Promise<Order> {
    const { reason } = parseInput(cancelOrderInput, input, 'cancellation');
    return this.transition(
      id,
      { state: 'cancelled', ...(reason === undefined ? {} : { reason }) },
      options,
    );
  }

  /**
   * Changes a pending, confirmed or processing order: line quantities (0 removes a line;
   * never below what is in shipments), new lines, shipping/tax/discount, the address.
   * Totals are recomputed and stock reserved or released in the same transaction. When the
   * edit leaves the order over-paid, the excess is refunded by a job (reason `order_edit`);
   * when it owes more, `payments.process` without `amount` charges `balanceDue`. Refused with
   * `order_not_editable`, `edit_below_fulfilled`, `edit_empties_order`, `edit_below_credit`
   * or `insufficient_stock`.
   *
   * ```ts
   * await oms.orders.edit(order.id, { items: [{ orderItemId: shirt.id, quantity: 1 }],
   *   add: [{ sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 }] },
   *   { expectedVersion: order.version, reason: 'customer called' });
   * ```
   */
  async edit(id: string, input: EditOrderInput, options: EditOrderOptions = {}): Promise<Order> {
    const edit = parseInput(editOrderInput, input, 'edit');
    const { idempotencyKey, ...opts } = parseInput(editOrderOptionsSchema, options, 'options');
    return idempotent(this.ctx, 'orders.edit', idempotencyKey, { id, edit }, (idem) =>
      runCommand(this.ctx, async (uow) => {
        const order = await editOrder(uow, id, edit, opts);
        await idem.finish(uow.tx, { result: order });
        return order;
      }),
    );
  }

  /** Every change of the order (state moves and edits), oldest first. */
  async history(id: string): Promise<HistoryEntry[]> {
    const order = await this.ctx.storage.orders.get(id);
    if (!order) throw new NotFoundError('order', id);
    return this.ctx.storage.history.list('order', id);
  }
}

type OrderTransitionRequest = ReturnType<typeof transitionOrderInput.parse>;

/**
 * The order transition as a step of a unit of work, so other commands (a refund that
 * completes a return, a job that confirms a paid order) change orders the same way.
 * SHIP ships every unit left and DELIVER delivers every shipped shipment (the order then
 * follows its shipments); an order with shipped units cannot be cancelled.
 */
export async function transitionOrder(
  uow: UnitOfWork,
  id: string,
  request: OrderTransitionRequest,
  options: TransitionOptions,
): Promise<Order> {
  const { tx } = uow;
  const order = await tx.orders.get(id, { forUpdate: true });
  if (!order) throw new NotFoundError('order', id);
  const shipments = await tx.shipments.listByOrder(id);
  const returns = order.state === 'delivered' ? await tx.returns.listByOrder(id) : [];
  const shipped = fulfilmentTotals(order.items, shipments).shipped;
  const context = {
    fullyReturned: order.state === 'delivered' && isFullyReturned(order, returns),
    nothingShipped: shipped === 0,
  };
  if (asksToCancel(request) && order.state === 'processing' && shipped > 0) {
    throw new BusinessRuleError(
      'order_partially_shipped',
      `Order ${id} has ${shipped} shipped unit(s) and cannot be cancelled; remove the unshipped units with orders.edit instead`,
      { details: { orderId: id, shippedUnits: shipped } },
    );
  }
  const verdict = decideTransition(
    orderMachine,
    'order',
    order,
    request,
    context,
    options.expectedVersion,
  );
  if (verdict.kind === 'noop') return loadOrder(tx, order);

  const reason = request.reason ?? options.reason;
  const { actor } = options;
  if (verdict.event === 'SHIP' || verdict.event === 'DELIVER') {
    const after =
      verdict.event === 'SHIP'
        ? await shipEverythingLeft(uow, order, trackingOf(request), actor)
        : await deliverEverythingShipped(uow, order, actor);
    // The order followed its shipments: the last move presented it already.
    return uow.presented.get(after) ?? loadOrder(tx, after);
  }
  return (await moveOrder(uow, order, verdict, { actor, reason })).order;
}

function asksToCancel(request: OrderTransitionRequest): boolean {
  return 'state' in request ? request.state === 'cancelled' : request.event === 'CANCEL';
}
