import { committedAmount } from '../../domain/order.js';
import { refundableAmount } from '../../domain/payment.js';
import { transitionOrder } from '../../managers/order-manager.js';
import { runCommand } from '../../managers/unit-of-work.js';
import type { JobPayloads } from '../definitions.js';
import { type JobDeps, SYSTEM_ACTOR } from '../job-deps.js';
import { declinedRefunds, MAX_DECLINED_REFUNDS } from './refund-attempts.js';

/**
 * Cancels a pending order that nothing has paid for once its TTL is over. Checked under
 * the order lock, so it cannot race a payment being created.
 */
export function expireUnpaidOrderHandler({ ctx }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.expire-unpaid-order']) => {
    await runCommand(ctx, async (uow) => {
      const order = await uow.tx.orders.get(orderId, { forUpdate: true });
      // A zero-total order owes nothing: it waits for the merchant, not for a payment.
      if (order?.state !== 'pending' || order.total === 0) return;
      const due = Date.parse(order.createdAt) + ctx.config.unpaidOrderTtlMinutes * 60_000;
      if (ctx.clock.now() < due) return; // too early (the sweep looks again later)
      const payments = await uow.tx.payments.listByOrder(orderId);
      if (payments.some((p) => committedAmount(p) > 0)) return;
      await transitionOrder(
        uow,
        orderId,
        { state: 'cancelled', reason: 'unpaid_timeout' },
        SYSTEM_ACTOR,
      );
    });
  };
}

/** Confirms a pending order once captured payments cover its total. */
export function confirmPaidOrderHandler({ ctx }: JobDeps) {
  return async ({ orderId }: JobPayloads['orderflow.confirm-paid-order']) => {
    await runCommand(ctx, async (uow) => {
      const order = await uow.tx.orders.get(orderId, { forUpdate: true });
      if (order?.state !== 'pending') return;
      const payments = await uow.tx.payments.listByOrder(orderId);
      const captured = payments.reduce((a, p) => a + p.capturedAmount, 0);
      if (captured < order.total) return;
      await transitionOrder(uow, orderId, { state: 'confirmed' }, SYSTEM_ACTOR);
    });
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
      } else if (payment.state === 'pending' || payment.pendingCapture) {
        unsettled++;
      }
    }
    if (unsettled > 0) {
      throw new Error(`order ${orderId}: ${unsettled} payment(s) not settled yet; will retry`);
    }
  };
}
