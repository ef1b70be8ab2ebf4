import { committedAmount } from '../domain/order.js';
import type { SystemContext } from '../managers/system-context.js';
import type { JobRunner } from '../ports/job-runner.js';
import { JOB_NAMES, type JobRequest, job } from './definitions.js';

const BATCH = 200;

/**
 * Finds work whose job was lost (a crashed process, an in-memory queue gone with it) and
 * enqueues it again. Every job it enqueues is idempotent, and job ids dedupe against the
 * ones still queued. Runs as a recurring job (like Celery beat); returns what it enqueued.
 */
export async function sweep(ctx: SystemContext, jobs: JobRunner): Promise<JobRequest[]> {
  const { storage, clock, config } = ctx;
  const now = clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const stale = iso(now - config.sweepGraceMs);
  const found: JobRequest[] = [];

  // 1. Outbox rows whose dispatcher died after commit.
  await ctx.dispatcher.drain();

  // 2. Pending orders past their TTL.
  const expiredBefore = iso(now - config.unpaidOrderTtlMinutes * 60_000);
  for (const order of (
    await storage.orders.list({ state: 'pending', createdBefore: expiredBefore, limit: BATCH })
  ).data) {
    found.push(job(JOB_NAMES.expireUnpaidOrder, { orderId: order.id }, `sweep:expire:${order.id}`));
  }

  // 3. Pending orders already paid in full (their confirmation job was lost).
  for (const order of (
    await storage.orders.list({ state: 'pending', updatedBefore: stale, limit: BATCH })
  ).data) {
    const payments = await storage.payments.listByOrder(order.id);
    if (
      payments.reduce((a, p) => a + p.capturedAmount, 0) >= order.total &&
      config.autoConfirmOnFullCapture
    ) {
      found.push(
        job(JOB_NAMES.confirmPaidOrder, { orderId: order.id }, `sweep:confirm:${order.id}`),
      );
    }
  }

  // 4. Cancelled orders still holding money.
  if (config.refundOnCancel) {
    const recent = {
      state: 'cancelled' as const,
      updatedBefore: stale,
      updatedAfter: iso(now - 7 * 86_400_000),
      limit: BATCH,
    };
    for (const order of (await storage.orders.list(recent)).data) {
      const payments = await storage.payments.listByOrder(order.id);
      const holding = payments.some(
        (p) =>
          committedAmount(p) -
            p.refunds.filter((r) => r.state !== 'failed').reduce((a, r) => a + r.amount, 0) >
          0,
      );
      if (holding)
        found.push(
          job(
            JOB_NAMES.refundCancelledOrder,
            { orderId: order.id },
            `sweep:cancel-refund:${order.id}`,
          ),
        );
    }
  }

  // 5. Approved returns without a pickup, processed returns without their refund.
  for (const ret of (
    await storage.returns.list({ state: 'approved', updatedBefore: stale, limit: BATCH })
  ).data) {
    found.push(job(JOB_NAMES.schedulePickup, { returnId: ret.id }, `sweep:pickup:${ret.id}`));
  }
  for (const ret of (
    await storage.returns.list({ state: 'processed', updatedBefore: stale, limit: BATCH })
  ).data) {
    found.push(job(JOB_NAMES.refundReturn, { returnId: ret.id }, `sweep:return-refund:${ret.id}`));
  }

  // 6. Provider calls whose result was never recorded.
  for (const payment of await storage.payments.listUnsettled(stale, BATCH)) {
    found.push(
      job(JOB_NAMES.reconcilePayment, { paymentId: payment.id }, `sweep:reconcile:${payment.id}`),
    );
  }

  // 7. Expired idempotency keys.
  await storage.idempotency.purgeExpired(iso(now));

  for (const request of found) {
    await jobs.enqueue(request.name, request.payload, { jobId: request.jobId });
  }
  if (found.length > 0) ctx.logger.info({ count: found.length }, 'sweep re-enqueued lost work');
  return found;
}
