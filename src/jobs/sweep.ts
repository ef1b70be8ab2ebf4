import { balanceDue } from '../domain/balance.js';
import { committedAmount, holdsOrder } from '../domain/order.js';
import { refundableAmount } from '../domain/payment.js';
import type { SystemContext } from '../managers/system-context.js';
import type { JobRunner } from '../ports/job-runner.js';
import type { StoredPage } from '../ports/storage.js';
import type { PaymentRecord } from '../schemas/payment.js';
import { JOB_NAMES, type JobRequest, job } from './definitions.js';

const PAGE = 200;
/** Rows one sweep looks at per kind of work; the next sweep goes on where work remains. */
const MAX_ROWS = 10_000;

/** Walks every page of a list (up to MAX_ROWS rows), so old lost work is never out of reach. */
async function* rows<T>(
  list: (query: { limit: number; cursor?: string }) => Promise<StoredPage<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  for (let seen = 0; seen < MAX_ROWS; seen += PAGE) {
    const page = await list(cursor === undefined ? { limit: PAGE } : { limit: PAGE, cursor });
    yield* page.data;
    if (!page.nextCursor) return;
    cursor = page.nextCursor;
  }
}

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
  // Money a payment still holds: authorized or pending in full, else what refunds left.
  const held = (p: PaymentRecord) =>
    p.capturedAmount > 0 ? refundableAmount(p) : committedAmount(p);

  // 1. Outbox rows whose dispatcher died after commit.
  await ctx.dispatcher.drain();

  // 2. Pending orders: owing nothing → confirm; past their TTL and unpaid → expire.
  const expiredBefore = iso(now - config.unpaidOrderTtlMinutes * 60_000);
  for await (const order of rows((q) =>
    storage.orders.list({ ...q, state: 'pending', updatedBefore: stale }),
  )) {
    const payments = await storage.payments.listByOrder(order.id);
    if (balanceDue(order, payments) === 0) {
      // Paid (or owing nothing): confirm — the handler also waits for an exchange's return.
      if (config.autoConfirmOnFullCapture) {
        found.push(
          job(JOB_NAMES.confirmPaidOrder, { orderId: order.id }, `sweep:confirm:${order.id}`),
        );
      }
    } else if (
      (order.exchangeForReturnId || order.createdAt < expiredBefore) &&
      !payments.some(holdsOrder)
    ) {
      // The handler decides whether the TTL is over (a replacement's runs from its return).
      found.push(
        job(JOB_NAMES.expireUnpaidOrder, { orderId: order.id }, `sweep:expire:${order.id}`),
      );
    }
  }

  // 3. Recently cancelled orders still holding money.
  if (config.refundOnCancel) {
    const recent = {
      state: 'cancelled' as const,
      updatedBefore: stale,
      updatedAfter: iso(now - 7 * 86_400_000),
    };
    for await (const order of rows((q) => storage.orders.list({ ...q, ...recent }))) {
      const payments = await storage.payments.listByOrder(order.id);
      if (payments.some((p) => held(p) > 0)) {
        found.push(
          job(
            JOB_NAMES.refundCancelledOrder,
            { orderId: order.id },
            `sweep:cancel-refund:${order.id}`,
          ),
        );
      }
    }
  }

  // 4. Approved returns without a pickup, processed returns without their refund (unless
  //    it failed for good).
  for await (const ret of rows((q) =>
    storage.returns.list({ ...q, state: 'approved', updatedBefore: stale }),
  )) {
    found.push(job(JOB_NAMES.schedulePickup, { returnId: ret.id }, `sweep:pickup:${ret.id}`));
  }
  for await (const ret of rows((q) =>
    storage.returns.list({ ...q, state: 'processed', updatedBefore: stale }),
  )) {
    // A refund refused for good waits for an operator (returns.retryRefund / markRefunded).
    if (ret.refundFailure) continue;
    found.push(job(JOB_NAMES.refundReturn, { returnId: ret.id }, `sweep:return-refund:${ret.id}`));
  }

  // 5. Provider calls whose result was never recorded (least recently touched first).
  for (const payment of await storage.payments.listUnsettled(stale, MAX_ROWS)) {
    found.push(
      job(JOB_NAMES.reconcilePayment, { paymentId: payment.id }, `sweep:reconcile:${payment.id}`),
    );
  }

  // 6. Expired idempotency keys.
  await storage.idempotency.purgeExpired(iso(now));

  for (const request of found) {
    await jobs.enqueue(request.name, request.payload, { jobId: request.jobId });
  }
  if (found.length > 0) ctx.logger.info({ count: found.length }, 'sweep re-enqueued lost work');
  return found;
}
