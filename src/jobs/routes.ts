import type { ResolvedConfig } from '../config.js';
import type { DomainEvent } from '../events/event-map.js';
import { EXCESS_REFUND_REASON } from '../managers/payments/excess.js';
import { JOB_NAMES, type JobRequest, job } from './definitions.js';

/**
 * The workflows of orderflow: which background jobs each event starts. Job ids derive from
 * the event or entity, so a redelivered event enqueues nothing new.
 */
export function jobsForEvent(
  event: DomainEvent,
  config: ResolvedConfig,
  now: number,
): JobRequest[] {
  const jobs: JobRequest[] = [job(JOB_NAMES.notify, { event }, `notify:${event.id}`)];
  switch (event.name) {
    case 'order.created': {
      const { id, entity } = event.payload as DomainEvent<'order.created'>['payload'];
      // A replacement waits for its return to be received (see return.state_changed).
      if (entity.exchangeForReturnId) break;
      if (entity.total - entity.creditTotal === 0) {
        // Nothing to pay: the order counts as paid in full at once.
        if (config.autoConfirmOnFullCapture) {
          jobs.push(job(JOB_NAMES.confirmPaidOrder, { orderId: id }, `confirm:${id}`));
        }
        break;
      }
      // Counted from creation, so a row dispatched late by the sweep does not extend the TTL.
      const due = Date.parse(event.createdAt) + config.unpaidOrderTtlMinutes * 60_000;
      jobs.push(
        job(JOB_NAMES.expireUnpaidOrder, { orderId: id }, `expire:${id}`, Math.max(0, due - now)),
      );
      break;
    }
    case 'order.edited': {
      const p = event.payload as DomainEvent<'order.edited'>['payload'];
      // Refunds what the edit left over-paid; a no-op when nothing is.
      if (p.after.total < p.before.total) {
        jobs.push(job(JOB_NAMES.refundOrderExcess, { orderId: p.id }, `refund-excess:${event.id}`));
      }
      break;
    }
    case 'order.state_changed': {
      const p = event.payload as DomainEvent<'order.state_changed'>['payload'];
      if (p.to === 'cancelled' && config.refundOnCancel) {
        jobs.push(job(JOB_NAMES.refundCancelledOrder, { orderId: p.id }, `cancel-refund:${p.id}`));
      }
      break;
    }
    case 'payment.state_changed': {
      const p = event.payload as DomainEvent<'payment.state_changed'>['payload'];
      const orderId = p.entity.orderId;
      if (p.to === 'captured' && config.autoConfirmOnFullCapture) {
        jobs.push(job(JOB_NAMES.confirmPaidOrder, { orderId }, `confirm:${p.id}`));
      }
      if ((p.to === 'captured' || p.to === 'authorized') && config.refundOnCancel) {
        // A provider answer recorded late (by the sweep) may land on an order cancelled
        // meanwhile: give the money back then. The handler does nothing for a live order.
        jobs.push(
          job(
            JOB_NAMES.refundCancelledOrder,
            { orderId },
            `cancel-refund:${orderId}:${p.id}:${p.to}`,
          ),
        );
      }
      break;
    }
    case 'payment.dispute_closed': {
      const p = event.payload as DomainEvent<'payment.dispute_closed'>['payload'];
      // A won dispute gives its amount back: if the order was cancelled, refund it too
      // (the job does nothing for an order that is not cancelled).
      if (p.dispute.state === 'won' && config.refundOnCancel) {
        const orderId = p.orderId;
        jobs.push(
          job(
            JOB_NAMES.refundCancelledOrder,
            { orderId },
            `cancel-refund:${orderId}:dispute-won:${p.dispute.id}`,
          ),
        );
      }
      break;
    }
    case 'refund.failed': {
      const p = event.payload as DomainEvent<'refund.failed'>['payload'];
      // A refund in flight counts as given back when an edit's excess is worked out; if it
      // fails, the excess it covered is owed back again. (A failed excess refund itself is
      // left for a person, and a return's refund is the return's business.)
      if (p.returnId === undefined && p.refund.reason !== EXCESS_REFUND_REASON) {
        jobs.push(
          job(
            JOB_NAMES.refundOrderExcess,
            { orderId: p.orderId },
            `refund-excess:${p.orderId}:after-failed:${p.id}`,
          ),
        );
      }
      break;
    }
    case 'return.refund_retried': {
      const { id } = event.payload as DomainEvent<'return.refund_retried'>['payload'];
      jobs.push(job(JOB_NAMES.refundReturn, { returnId: id }, `return-refund:${id}:${event.id}`));
      break;
    }
    case 'return.state_changed': {
      const p = event.payload as DomainEvent<'return.state_changed'>['payload'];
      if (p.to === 'approved') {
        jobs.push(job(JOB_NAMES.schedulePickup, { returnId: p.id }, `pickup:${p.id}`));
      } else if (p.to === 'processed') {
        jobs.push(job(JOB_NAMES.refundReturn, { returnId: p.id }, `return-refund:${p.id}`));
      } else if (p.to === 'received' && p.entity.exchangeOrderId) {
        // The replacement may go ahead once the return is in: confirmed when nothing is
        // owed, else it expires like any unpaid order, counted from now.
        const orderId = p.entity.exchangeOrderId;
        if (config.autoConfirmOnFullCapture) {
          jobs.push(job(JOB_NAMES.confirmPaidOrder, { orderId }, `confirm:${orderId}:received`));
        }
        jobs.push(
          job(
            JOB_NAMES.expireUnpaidOrder,
            { orderId },
            `expire:${orderId}:received`,
            config.unpaidOrderTtlMinutes * 60_000,
          ),
        );
      }
      break;
    }
    default:
      break;
  }
  return jobs;
}
