import type { JobPayloads } from '../definitions.js';
import type { JobDeps } from '../job-deps.js';

/**
 * Finishes provider work whose process died between saving the intent and recording the
 * result: re-sends it with the same idempotency key (the provider answers as before, no
 * money moves twice) and records the answer.
 */
export function reconcilePaymentHandler({ ctx, payments }: JobDeps) {
  return async ({ paymentId }: JobPayloads['orderflow.reconcile-payment']) => {
    const payment = await ctx.storage.payments.get(paymentId);
    if (!payment) return;
    const quiet = (p: Promise<unknown>) =>
      p.catch((error: unknown) => {
        // A decline is a recorded outcome, not a failure of this job.
        if ((error as { code?: string }).code === 'payment_declined') return;
        throw error;
      });
    if (payment.state === 'pending') await quiet(payments.settleAuthorization(payment));
    else if (payment.pendingCapture) await quiet(payments.settleCapture(payment));
    else if (payment.pendingVoid) await quiet(payments.settleVoid(payment));
    for (const refund of payment.refunds) {
      if (refund.state === 'pending') await quiet(payments.settleRefund(payment, refund));
    }
  };
}
