import type { DomainEvent } from '../events/event-map.js';

/** Names of the background jobs orderflow registers on the job runner. */
export const JOB_NAMES = {
  notify: 'orderflow.notify',
  expireUnpaidOrder: 'orderflow.expire-unpaid-order',
  confirmPaidOrder: 'orderflow.confirm-paid-order',
  refundCancelledOrder: 'orderflow.refund-cancelled-order',
  schedulePickup: 'orderflow.schedule-pickup',
  refundReturn: 'orderflow.refund-return',
  reconcilePayment: 'orderflow.reconcile-payment',
  refundOrderExcess: 'orderflow.refund-order-excess',
  sweep: 'orderflow.sweep',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** Job names → payload types. */
export interface JobPayloads {
  'orderflow.notify': { event: DomainEvent };
  'orderflow.expire-unpaid-order': { orderId: string };
  'orderflow.confirm-paid-order': { orderId: string };
  'orderflow.refund-cancelled-order': { orderId: string };
  'orderflow.schedule-pickup': { returnId: string };
  'orderflow.refund-return': { returnId: string };
  'orderflow.reconcile-payment': { paymentId: string };
  'orderflow.refund-order-excess': { orderId: string };
  'orderflow.sweep': Record<string, never>;
}

/** A job to enqueue, as derived from an event or found by the sweep. */
export interface JobRequest<N extends JobName = JobName> {
  name: N;
  payload: JobPayloads[N];
  jobId: string;
  delayMs?: number;
}

export function job<N extends JobName>(
  name: N,
  payload: JobPayloads[N],
  jobId: string,
  delayMs?: number,
): JobRequest<N> {
  return delayMs === undefined ? { name, payload, jobId } : { name, payload, jobId, delayMs };
}
