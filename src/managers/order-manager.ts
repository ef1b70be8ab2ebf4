import { newId } from '../domain/ids.js';
import { computeTotals, lineTotal, paymentTotals } from '../domain/order.js';
import { isFullyReturned } from '../domain/return.js';
import { NotFoundError } from '../errors.js';
import { orderMachine } from '../machines/order-machine.js';
import type { Repositories } from '../ports/storage.js';
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
  type HistoryEntry,
  type ListOrdersQuery,
  listOrdersQuery,
  type Order,
  type OrderRecord,
  type TransitionOrderInput,
  transitionOrderInput,
} from '../schemas/order.js';
import { parseInput } from '../schemas/parse.js';
import type { PaymentRecord } from '../schemas/payment.js';
import { idempotent } from './idempotency.js';
import type { SystemContext } from './system-context.js';
import { assertWritten, decideTransition } from './transition.js';
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

  /** Creates a pending order; totals are computed here, never taken from input. */
  async create(input: CreateOrderInput, options: CommandOptions = {}): Promise<Order> {
    const data = parseInput(createOrderInput, input, 'order');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    return idempotent(this.ctx, 'orders.create', idempotencyKey, data, (idem) =>
      runCommand(this.ctx, async (uow) => {
        const items = data.items.map((item) => ({
          id: newId('orderLine'),
          sku: item.sku,
          name: item.name,
          quantity: item.quantity,
          unitPrice: item.unitPrice,
          lineTotal: lineTotal(item.quantity, item.unitPrice),
          returnable: item.returnable,
        }));
        const totals = computeTotals(items, data);
        const record: OrderRecord = {
          id: newId('order'),
          customerId: data.customerId,
          currency: data.currency,
          items,
          subtotal: totals.subtotal,
          shippingTotal: data.shippingTotal,
          taxTotal: data.taxTotal,
          discountTotal: data.discountTotal,
          total: totals.total,
          state: 'pending',
          version: 1,
          ...(data.shippingAddress ? { shippingAddress: data.shippingAddress } : {}),
          metadata: data.metadata,
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
        const order: Order = { ...record, paidTotal: 0, refundedTotal: 0 };
        uow.emit('order.created', { id: order.id, at: uow.now, entity: order });
        await idem.finish(uow.tx, { result: order });
        return order;
      }),
    );
  }

  /** The order with its derived `paidTotal` and `refundedTotal`; NotFoundError if absent. */
  async get(id: string): Promise<Order> {
    const record = await this.ctx.storage.orders.get(id);
    if (!record) throw new NotFoundError('order', id);
    return withPaymentTotals(this.ctx.storage, record);
  }

  /** Newest first, filtered by `state` and `customerId`, paged by `cursor`. */
  async list(query: ListOrdersQuery = {}): Promise<Page<Order>> {
    const q = parseInput(listOrdersQuery, query, 'query');
    const page = await this.ctx.storage.orders.list(q);
    const payments = await this.ctx.storage.payments.listByOrders(page.data.map((o) => o.id));
    const byOrder = new Map<string, PaymentRecord[]>();
    for (const p of payments) byOrder.set(p.orderId, [...(byOrder.get(p.orderId) ?? []), p]);
    const data = page.data.map((o) => addTotals(o, byOrder.get(o.id) ?? []));
    return { data, nextCursor: page.nextCursor };
  }

  /**
   * Moves the order to `{ state }` (mapped to the one event that leads there) or applies
   * `{ event }`. Asking for the current state returns the order unchanged.
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

  /** Every state change of the order, oldest first. */
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
  const returns = order.state === 'delivered' ? await tx.returns.listByOrder(id) : [];
  const context = { fullyReturned: order.state === 'delivered' && isFullyReturned(order, returns) };
  const verdict = decideTransition(
    orderMachine,
    'order',
    order,
    request,
    context,
    options.expectedVersion,
  );
  if (verdict.kind === 'noop') return withPaymentTotals(tx, order);

  const reason = request.reason ?? options.reason;
  const next: OrderRecord = {
    ...order,
    state: verdict.to as OrderRecord['state'],
    version: order.version + 1,
    updatedAt: uow.now,
  };
  if (verdict.event === 'SHIP' && (request.carrier || request.trackingNumber)) {
    next.shipment = {
      ...(request.carrier ? { carrier: request.carrier } : {}),
      ...(request.trackingNumber ? { trackingNumber: request.trackingNumber } : {}),
    };
  }
  if (verdict.event === 'DELIVER') next.deliveredAt = uow.now;
  if (verdict.event === 'CANCEL' && reason) next.cancellationReason = reason;
  assertWritten(await tx.orders.update(next, order.version), 'order', id);
  const entity = await withPaymentTotals(tx, next);
  await uow.stateChanged('order', { id, ...verdict, actor: options.actor, reason }, entity);
  return entity;
}

async function withPaymentTotals(
  repos: Pick<Repositories, 'payments'>,
  order: OrderRecord,
): Promise<Order> {
  return addTotals(order, await repos.payments.listByOrder(order.id));
}

function addTotals(order: OrderRecord, payments: Parameters<typeof paymentTotals>[0]): Order {
  return { ...order, ...paymentTotals(payments) };
}
