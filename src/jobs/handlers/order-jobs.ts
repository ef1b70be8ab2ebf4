import { balanceDue, excessPaid } from '../../domain/balance.js';
import { holdsOrder } from '../../domain/order.js';
import { refundableAmount } from '../../domain/payment.js';
import { transitionOrder } from '../../managers/order-manager.js';
import { cancelAtProvider, failWaitingPayment } from '../../managers/payments/abandon.js';
import { runCommand } from '../../managers/unit-of-work.js';
import type { Repositories } from '../../ports/storage.js';
import type { OrderRecord } from '../../schemas/order.js';
import type { PaymentRecord } from '../../schemas/payment.js';
import { JOB_NAMES, type JobPayloads } from '../definitions.js';
import { type JobDeps, SYSTEM_ACTOR } from '../job-deps.js';
import { declinedRefunds, MAX_DECLINED_REFUNDS } from './refund-attempts.js';

/** Return states from which an exchange's replacement may go ahead. */
const RETURN_IN: ReadonlySet<string> = new Set(['received', 'processed', 'refunded']);

/**
 * When an unpaid pending order's TTL starts: at creation — or, for an exchange's
 * replacement, once its return is received (before that it waits for the return; a
 * rejected or cancelled return cancels it). Undefined while it must wait.
 */
async function ttlStart(tx: Repositories, order: OrderRecord): Promise<string | undefined> {
  if (!order.exchangeForReturnId) return order.createdAt;
  const ret = await tx.returns.get(order.exchangeForReturnId);
  if (!ret || !RETURN_IN.has(ret.state)) return undefined;
  const history = await tx.history.list('return', ret.id);
  return history.find((h) => h.event === 'RECEIVE')?.at ?? ret.updatedAt;
}

/**
 * Cancels a pending order that nothing has paid for once its TTL is over. Checked under
 * the order lock, so it cannot race a payment being created. An order that owes nothing
 * (zero total, or paid by credit) waits for the merchant instead.
 */
export function expireUnpaidOrderHandler({ ctx }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.expire-unpaid-order']) => {
    const abandoned = await runCommand(ctx, async (uow) => {
      const order = await uow.tx.orders.get(orderId, { forUpdate: true });
      if (order?.state !== 'pending') return [];
      const payments = await uow.tx.payments.listByOrder(orderId);
      if (balanceDue(order, payments) === 0) return [];
      const start = await ttlStart(uow.tx, order);
      if (start === undefined) return [];
      const due = Date.parse(start) + ctx.config.unpaidOrderTtlMinutes * 60_000;
      if (ctx.clock.now() < due) return []; // too early (the sweep looks again later)
      if (payments.some(holdsOrder)) return [];
      // A payment still waiting for the customer's action expires with its order.
      const failed: PaymentRecord[] = [];
      for (const p of payments) {
        if (p.state !== 'requires_action') continue;
        const saved = await failWaitingPayment(uow, p.id, ACTION_EXPIRED);
        if (saved) failed.push(saved);
      }
      await transitionOrder(
        uow,
        orderId,
        { state: 'cancelled', reason: 'unpaid_timeout' },
        SYSTEM_ACTOR,
      );
      return failed;
    });
    for (const payment of abandoned) await cancelAtProvider(ctx, ctx.paymentProvider, payment);
  };
}

/** The `failureCode` of a payment whose customer never finished the action in time. */
export const ACTION_EXPIRED = 'action_expired';

/**
 * Confirms a pending order once nothing is owed (captured payments and credit cover its
 * total; an exchange's replacement also waits for its return to be received). An order
 * captured beyond its total (an edit lowered it meanwhile) gets its excess refunded.
 */
export function confirmPaidOrderHandler({ ctx, jobs }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.confirm-paid-order']) => {
    const excess = await runCommand(ctx, async (uow) => {
      const order = await uow.tx.orders.get(orderId, { forUpdate: true });
      if (!order) return undefined;
      const payments = await uow.tx.payments.listByOrder(orderId);
      if (
        order.state === 'pending' &&
        balanceDue(order, payments) === 0 &&
        (await ttlStart(uow.tx, order)) !== undefined
      ) {
        await transitionOrder(uow, orderId, { state: 'confirmed' }, SYSTEM_ACTOR);
      }
      const over = excessPaid(order, payments);
      const captured = payments.reduce((a, p) => a + p.capturedAmount, 0);
      return over > 0 ? captured : undefined;
    });
    if (excess !== undefined) {
      await jobs.enqueue(
        JOB_NAMES.refundOrderExcess,
        { orderId },
        { jobId: `refund-excess:${orderId}:captured-${excess}` },
      );
    }
  };
}

const CANCEL_REASON = 'order_cancelled';

/**
 * Gives back the money of a cancelled order: voids authorizations and refunds what is left
 * of each capture. Keys derive from order, payment and amount, so a re-run replays instead
 * of refunding again. A payment still pending at the provider makes the job retry later.
 */
export function refundCancelledOrderHandler({ ctx, payments }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.refund-cancelled-order']) => {
    const order = await ctx.storage.orders.get(orderId);
    if (order?.state !== 'cancelled') return;
    let unsettled = 0;
    for (const payment of await ctx.storage.payments.listByOrder(orderId)) {
      if (payment.state === 'authorized' && !payment.pendingCapture) {
        await payments.void(payment.id);
      } else if (payment.state === 'captured' || payment.state === 'partially_refunded') {
        const left = refundableAmount(payment);
        const declined = declinedRefunds(payment, (r) => r.reason === CANCEL_REASON);
        if (left > 0 && declined >= MAX_DECLINED_REFUNDS) {
          ctx.logger.error(
            { orderId, paymentId: payment.id, declined },
            'refund of a cancelled order keeps being declined; giving up',
          );
        } else if (left > 0) {
          await payments.refund(
            payment.id,
            { amount: left, reason: CANCEL_REASON },
            { idempotencyKey: `cancel:${orderId}:${payment.id}:${left}:${declined}` },
          );
        } else if (payment.refunds.some((r) => r.state === 'pending')) {
          unsettled++;
        }
      } else if (payment.state === 'requires_action') {
        // Nobody will finish it now: fail it, and cancel it at the provider.
        const failed = await runCommand(ctx, (uow) =>
          failWaitingPayment(uow, payment.id, CANCEL_REASON),
        );
        if (failed) await cancelAtProvider(ctx, ctx.paymentProvider, failed);
      } else if (payment.state === 'pending' || payment.pendingCapture) {
        unsettled++;
      }
    }
    if (unsettled > 0) {
      throw new Error(`order ${orderId}: ${unsettled} payment(s) not settled yet; will retry`);
    }
  };
}
