import { refundableAmount } from '../../domain/payment.js';
import { settleReturn } from '../../managers/payment-settlement.js';
import { transitionReturn } from '../../managers/return-manager.js';
import { runCommand } from '../../managers/unit-of-work.js';
import type { JobPayloads } from '../definitions.js';
import { type JobDeps, SYSTEM_ACTOR } from '../job-deps.js';
import { declinedRefunds, MAX_DECLINED_REFUNDS } from './refund-attempts.js';

/** Books the pickup of an approved return through the carrier. */
export function schedulePickupHandler({ ctx, carrier }: JobDeps) {
  return async ({ returnId }: JobPayloads['orderflow.schedule-pickup']) => {
    const ret = await ctx.storage.returns.get(returnId);
    if (ret?.state !== 'approved') return;
    const order = await ctx.storage.orders.get(ret.orderId);
    const booking = await carrier.schedulePickup({
      returnId,
      orderId: ret.orderId,
      address: order?.shippingAddress,
      earliestAt: new Date(ctx.clock.now()).toISOString(),
    });
    await runCommand(ctx, async (uow) => {
      const current = await uow.tx.returns.get(returnId, { forUpdate: true });
      if (current?.state !== 'approved') return; // cancelled or scheduled meanwhile
      await transitionReturn(
        uow,
        returnId,
        { state: 'pickup_scheduled', pickup: booking },
        SYSTEM_ACTOR,
      );
    });
  };
}

/**
 * Refunds a processed return against the order's captured payments, largest refundable
 * first. What is already refunded or pending for the return is subtracted first, and keys
 * derive from the return, the payment and the amount, so re-runs never refund twice.
 */
export function refundReturnHandler({ ctx, payments }: JobDeps) {
  return async ({ returnId }: JobPayloads['orderflow.refund-return']) => {
    const ret = await ctx.storage.returns.get(returnId);
    if (ret?.state !== 'processed') return;
    const orderPayments = await ctx.storage.payments.listByOrder(ret.orderId);
    let covered = 0;
    let pending = 0;
    for (const p of orderPayments) {
      for (const r of p.refunds) {
        if (r.returnId !== returnId) continue;
        if (r.state === 'succeeded') covered += r.amount;
        if (r.state === 'pending') pending += r.amount;
      }
    }
    let left = ret.refundAmount - covered - pending;
    if (left <= 0) {
      if (pending > 0) throw new Error(`return ${returnId}: refunds still pending; will retry`);
      await runCommand(ctx, (uow) => settleReturn(uow, returnId));
      return;
    }
    const candidates = orderPayments
      .filter((p) => p.state === 'captured' || p.state === 'partially_refunded')
      .map((p) => ({
        payment: p,
        refundable: refundableAmount(p),
      }))
      .filter((c) => c.refundable > 0)
      .sort((a, b) => b.refundable - a.refundable);
    for (const { payment, refundable } of candidates) {
      if (left <= 0) break;
      const amount = Math.min(left, refundable);
      const declined = declinedRefunds(payment, (r) => r.returnId === returnId);
      if (declined >= MAX_DECLINED_REFUNDS) {
        ctx.logger.error(
          { returnId, paymentId: payment.id, declined },
          'refund of a return keeps being declined; giving up',
        );
        return;
      }
      await payments.refund(
        payment.id,
        { amount, returnId, reason: 'return' },
        { idempotencyKey: `return:${returnId}:${payment.id}:${left}:${declined}` },
      );
      left -= amount;
    }
    if (left > 0) {
      throw new Error(
        `return ${returnId}: ${left} could not be refunded (not enough captured money)`,
      );
    }
  };
}
