import { refundableAmount } from '../../domain/payment.js';
import { settleReturn } from '../../managers/payment-settlement.js';
import { transitionReturn } from '../../managers/return-manager.js';
import { RETRY_REFUND, recordRefundFailure } from '../../managers/returns/refund-failure.js';
import { runCommand } from '../../managers/unit-of-work.js';
import type { JobContext } from '../../ports/job-runner.js';
import type { PaymentRecord } from '../../schemas/payment.js';
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
 *
 * A refusal that retrying cannot change — no captured money left to refund (it was
 * refunded by hand, say) with nothing in flight that could free some, or refunds declined
 * `MAX_DECLINED_REFUNDS` times since the last retry — is recorded once on the return
 * (`refundFailure`, a dead letter, `return.refund_failed`) instead of failing the job, so
 * neither the runner nor the sweep tries again until an operator settles it.
 */
export function refundReturnHandler({ ctx, payments }: JobDeps) {
  return async ({ returnId }: JobPayloads['orderflow.refund-return'], context: JobContext) => {
    const ret = await ctx.storage.returns.get(returnId);
    if (ret?.state !== 'processed' || ret.refundFailure) return;
    const fail = async (code: string, message: string) => {
      ctx.logger.warn({ returnId, code }, `refund of a return refused for good: ${message}`);
      await runCommand(ctx, (uow) =>
        recordRefundFailure(
          uow,
          returnId,
          { code, message },
          {
            id: context.id,
            attempts: context.attempt,
          },
        ),
      );
    };
    const orderPayments = await ctx.storage.payments.listByOrder(ret.orderId);
    let covered = 0;
    let pending = 0;
    /** Pending refunds the provider accepted and settles later (by a provider event). */
    let accepted = 0;
    for (const p of orderPayments) {
      for (const r of p.refunds) {
        if (r.returnId !== returnId) continue;
        if (r.state === 'succeeded') covered += r.amount;
        if (r.state === 'pending') pending += r.amount;
        if (r.state === 'pending' && r.providerReference !== undefined) accepted += r.amount;
      }
    }
    let left = ret.refundAmount - covered - pending;
    if (left <= 0) {
      // Refunds the provider settles later finish the return from their event: no retry.
      if (pending > accepted) {
        throw new Error(`return ${returnId}: refunds still pending; will retry`);
      }
      if (pending > 0) return;
      await runCommand(ctx, (uow) => settleReturn(uow, returnId));
      return;
    }
    // Declines since the last retry can reach the limit only when all declines do, so
    // the history is read only then, and once.
    let since: Promise<string | undefined> | undefined;
    const retriedAt = () => {
      since ??= lastRetryAt(ctx, returnId);
      return since;
    };
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
      const retried = declined >= MAX_DECLINED_REFUNDS ? await retriedAt() : undefined;
      const declinedSinceRetry = declinedRefunds(
        payment,
        (r) => r.returnId === returnId && (retried === undefined || r.createdAt > retried),
      );
      if (declinedSinceRetry >= MAX_DECLINED_REFUNDS) {
        await fail(
          'refund_declined',
          `The refund of ${amount} from payment ${payment.id} was declined ${declinedSinceRetry} times`,
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
      if (orderPayments.some(mayFreeMoney)) {
        throw new Error(`return ${returnId}: ${left} not refundable yet; payments still in flight`);
      }
      await fail(
        'refund_not_possible',
        `${left} of the refund of ${ret.refundAmount} cannot be issued: the order's payments have no captured money left to refund`,
      );
    }
  };
}

/**
 * Whether a payment has work in flight that may still leave money to refund: waiting for
 * the customer or the bank, being authorized or captured, or a pending refund that may yet
 * fail.
 */
function mayFreeMoney(payment: PaymentRecord): boolean {
  return (
    payment.state === 'pending' ||
    payment.state === 'requires_action' ||
    payment.state === 'processing' ||
    payment.pendingCapture !== undefined ||
    payment.refunds.some((r) => r.state === 'pending')
  );
}

/** When an operator last retried the return's refund (declines before it are forgiven). */
async function lastRetryAt(ctx: JobDeps['ctx'], returnId: string): Promise<string | undefined> {
  const history = await ctx.storage.history.list('return', returnId);
  return history.filter((h) => h.event === RETRY_REFUND).at(-1)?.at;
}
