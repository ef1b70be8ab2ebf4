import { newId } from '../domain/ids.js';
import { evaluateReturn, isFullyReturned, type ReturnPolicy } from '../domain/return.js';
import { NotFoundError } from '../errors.js';
import { returnMachine } from '../machines/return-machine.js';
import type { Repositories } from '../ports/storage.js';
import {
  type CommandOptions,
  commandOptionsSchema,
  type Page,
  type TransitionOptions,
  transitionOptionsSchema,
} from '../schemas/common.js';
import type { HistoryEntry } from '../schemas/order.js';
import { parseInput } from '../schemas/parse.js';
import {
  type CreateReturnInput,
  createReturnInput,
  type ListReturnsQuery,
  listReturnsQuery,
  type MarkRefundedInput,
  markRefundedInput,
  type RefundSettlementOptions,
  type RetryRefundInput,
  type Return,
  type ReturnPreview,
  type ReturnRecord,
  refundSettlementOptionsSchema,
  retryRefundInput,
  type TransitionReturnInput,
  transitionReturnInput,
} from '../schemas/return.js';
import { idempotent } from './idempotency.js';
import { transitionOrder } from './order-manager.js';
import { cancelReplacement, createReplacement } from './returns/exchange.js';
import { assertSettleable, retryRefund } from './returns/refund-failure.js';
import { restockReturn } from './steps/stock.js';
import type { SystemContext } from './system-context.js';
import { assertWritten, decideTransition } from './transition.js';
import { runCommand, type UnitOfWork } from './unit-of-work.js';

/**
 * Returns: open one for delivered units (checked against the return policy), move it
 * through the return machine; pickups and refunds follow in background jobs.
 *
 * ```ts
 * const preview = await oms.returns.preview({ orderId, items: [{ orderItemId, quantity: 1, reason: 'damaged' }] });
 * const ret = await oms.returns.create({ orderId, items: [{ orderItemId, quantity: 1, reason: 'damaged' }] });
 * await oms.returns.transition(ret.id, { state: 'approved' });
 * ```
 */
export class ReturnManager {
  constructor(private readonly ctx: SystemContext) {}

  private get policy(): ReturnPolicy {
    return this.ctx.config;
  }

  /**
   * Opens a return of delivered units (the order may still be processing or shipped when
   * part of it has arrived). Refused with `order_not_delivered`, `return_window_closed`,
   * `order_item_not_found`, `item_not_returnable` or `return_quantity_exceeded`, naming
   * the line at fault.
   */
  async create(input: CreateReturnInput, options: CommandOptions = {}): Promise<Return> {
    const data = parseInput(createReturnInput, input, 'return');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    return idempotent(this.ctx, 'returns.create', idempotencyKey, data, (idem) =>
      runCommand(this.ctx, async (uow) => {
        // The order row lock serializes returns of one order, so quantities cannot race.
        const order = await uow.tx.orders.get(data.orderId, { forUpdate: true });
        if (!order) throw new NotFoundError('order', data.orderId);
        const existing = await uow.tx.returns.listByOrder(order.id);
        const preview = evaluateReturn(
          order,
          existing,
          data.items,
          this.policy,
          this.ctx.clock.now(),
          await uow.tx.shipments.listByOrder(order.id),
          data.exchangeItems,
        );
        const ret: ReturnRecord = {
          id: newId('return'),
          orderId: order.id,
          items: data.items.map((i, n) => ({
            orderItemId: i.orderItemId,
            quantity: i.quantity,
            reason: i.reason,
            ...(i.note === undefined ? {} : { note: i.note }),
            value: preview.lines[n]!.value,
            restockingFee: preview.lines[n]!.restockingFee,
          })),
          state: 'initiated',
          currency: order.currency,
          refundAmount: preview.refundAmount,
          restockingFee: preview.restockingFee,
          creditTotal: preview.creditTotal,
          ...(data.exchangeItems ? { exchangeItems: data.exchangeItems } : {}),
          version: 1,
          createdAt: uow.now,
          updatedAt: uow.now,
        };
        await uow.tx.returns.insert(ret);
        await uow.history({
          entity: 'return',
          entityId: ret.id,
          from: null,
          to: 'initiated',
          event: 'CREATE',
        });
        uow.emit('return.created', { id: ret.id, at: uow.now, entity: ret });
        await idem.finish(uow.tx, { result: ret });
        return ret;
      }),
    );
  }

  /** The same checks and refund calculation as `create`, without writing anything. */
  async preview(input: CreateReturnInput): Promise<ReturnPreview> {
    const data = parseInput(createReturnInput, input, 'return');
    const order = await this.ctx.storage.orders.get(data.orderId);
    if (!order) throw new NotFoundError('order', data.orderId);
    const existing = await this.ctx.storage.returns.listByOrder(order.id);
    const shipments = await this.ctx.storage.shipments.listByOrder(order.id);
    return evaluateReturn(
      order,
      existing,
      data.items,
      this.policy,
      this.ctx.clock.now(),
      shipments,
      data.exchangeItems,
    );
  }

  async get(id: string): Promise<Return> {
    const ret = await this.ctx.storage.returns.get(id);
    if (!ret) throw new NotFoundError('return', id);
    return ret;
  }

  /** Newest first, filtered by `orderId` and `state`, paged by `cursor`. */
  async list(query: ListReturnsQuery = {}): Promise<Page<Return>> {
    const q = parseInput(listReturnsQuery, query, 'query');
    return this.ctx.storage.returns.list(q);
  }

  /**
   * Every state change of the return, oldest first; NotFoundError for an unknown id.
   *
   * ```ts
   * for (const h of await oms.returns.history(ret.id)) console.log(h.from, '->', h.to, h.at);
   * ```
   */
  async history(id: string): Promise<HistoryEntry[]> {
    const ret = await this.ctx.storage.returns.get(id);
    if (!ret) throw new NotFoundError('return', id);
    return this.ctx.storage.history.list('return', id);
  }

  /**
   * Moves the return to `{ state }` or applies `{ event }`. `reason` is kept as the
   * rejection or cancellation reason; `pickupAt` schedules a pickup by hand.
   */
  async transition(
    id: string,
    input: TransitionReturnInput,
    options: TransitionOptions = {},
  ): Promise<Return> {
    const request = parseInput(transitionReturnInput, input, 'transition');
    const opts = parseInput(transitionOptionsSchema, options, 'options');
    return runCommand(this.ctx, (uow) => transitionReturn(uow, id, request, opts));
  }

  /**
   * Tries the refund of a processed return again after it was refused for good
   * (`refundFailure`), once the cause is fixed (more money captured, the card accepted
   * again): clears the failure and runs the refund job. A return without a failure is
   * returned unchanged.
   *
   * ```ts
   * await oms.returns.retryRefund(ret.id, { reason: 'captured the rest' }, { actor: 'ops@shop' });
   * ```
   */
  async retryRefund(
    id: string,
    input: RetryRefundInput = {},
    options: RefundSettlementOptions = {},
  ): Promise<Return> {
    const { reason } = parseInput(retryRefundInput, input, 'input');
    const { actor } = parseInput(refundSettlementOptionsSchema, options, 'options');
    return runCommand(this.ctx, (uow) => retryRefund(uow, id, { actor, reason }));
  }

  /**
   * Settles a failed refund by hand: the money went back outside orderflow (the provider's
   * dashboard, cash, a voucher), so the return moves to `refunded` — and its order to
   * `returned` once every unit is back — with `reason` in the history. Only a processed
   * return whose refund failed can be settled (`refund_not_failed` otherwise); a return
   * already refunded is returned unchanged.
   *
   * ```ts
   * await oms.returns.markRefunded(ret.id, { reason: 'bank transfer 4711' }, { actor: 'ops@shop' });
   * ```
   */
  async markRefunded(
    id: string,
    input: MarkRefundedInput,
    options: RefundSettlementOptions = {},
  ): Promise<Return> {
    const { reason } = parseInput(markRefundedInput, input, 'input');
    const { actor } = parseInput(refundSettlementOptionsSchema, options, 'options');
    return runCommand(this.ctx, async (uow) => {
      const ret = await uow.tx.returns.get(id, { forUpdate: true });
      if (!ret) throw new NotFoundError('return', id);
      if (ret.state === 'refunded') return ret;
      assertSettleable(ret);
      return transitionReturn(
        uow,
        id,
        { state: 'refunded', reason, settledByHand: true },
        { actor, reason },
      );
    });
  }
}

type ReturnTransitionRequest = ReturnType<typeof transitionReturnInput.parse> & {
  pickup?: ReturnRecord['pickup'];
  /** The refund was made outside orderflow: `refunded` without linked refunds. */
  settledByHand?: boolean;
};

/** Sum of succeeded refunds linked to the return across the order's payments. */
export async function refundedForReturn(tx: Repositories, ret: ReturnRecord): Promise<number> {
  let sum = 0;
  for (const p of await tx.payments.listByOrder(ret.orderId)) {
    for (const r of p.refunds)
      if (r.returnId === ret.id && r.state === 'succeeded') sum += r.amount;
  }
  return sum;
}

/** The return transition as a step of a unit of work (used by the manager and by jobs). */
export async function transitionReturn(
  uow: UnitOfWork,
  id: string,
  request: ReturnTransitionRequest,
  options: TransitionOptions,
): Promise<Return> {
  const { tx } = uow;
  const ret = await tx.returns.get(id, { forUpdate: true });
  if (!ret) throw new NotFoundError('return', id);
  const refundSettled =
    ret.state === 'processed' &&
    (request.settledByHand === true || (await refundedForReturn(tx, ret)) >= ret.refundAmount);
  const verdict = decideTransition(
    returnMachine,
    'return',
    ret,
    request,
    { refundSettled },
    options.expectedVersion,
  );
  if (verdict.kind === 'noop') return ret;

  const reason = request.reason ?? options.reason;
  const next: ReturnRecord = {
    ...ret,
    state: verdict.to as ReturnRecord['state'],
    version: ret.version + 1,
    updatedAt: uow.now,
  };
  if (verdict.event === 'SCHEDULE_PICKUP') {
    next.pickup = request.pickup ?? {
      scheduledAt: request.pickupAt ?? uow.now,
      carrier: 'manual',
    };
  }
  if (next.state === 'refunded') delete next.refundFailure;
  if (verdict.event === 'REJECT' && reason) next.rejectionReason = reason;
  if (verdict.event === 'CANCEL' && reason) next.cancellationReason = reason;
  if (verdict.event === 'APPROVE' && ret.exchangeItems && !ret.exchangeOrderId) {
    next.exchangeOrderId = await createReplacement(uow, next);
  }
  assertWritten(await tx.returns.update(next, ret.version), 'return', id);
  if (next.state === 'received') {
    const order = await tx.orders.get(next.orderId);
    if (order) await restockReturn(uow, order, next);
  }
  if (next.state === 'rejected' || next.state === 'cancelled') await cancelReplacement(uow, next);
  await uow.stateChanged('return', { id, ...verdict, actor: options.actor, reason }, next);
  if (next.state === 'refunded') await completeOrderIfFullyReturned(uow, next.orderId);
  return next;
}

/**
 * The last refunded return completes its order: `returned` once every unit is back and
 * refunded, in the same transaction. Lock order: return (held by the caller), then order.
 */
async function completeOrderIfFullyReturned(uow: UnitOfWork, orderId: string): Promise<void> {
  const order = await uow.tx.orders.get(orderId, { forUpdate: true });
  if (order?.state !== 'delivered') return;
  if (isFullyReturned(order, await uow.tx.returns.listByOrder(order.id))) {
    await transitionOrder(uow, order.id, { state: 'returned' }, { actor: 'system' });
  }
}
