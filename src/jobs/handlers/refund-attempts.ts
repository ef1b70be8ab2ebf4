import type { PaymentRecord } from '../../schemas/payment.js';

/** After this many declined refunds a job stops trying: a person has to look at it. */
export const MAX_DECLINED_REFUNDS = 3;

/**
 * Declined refunds of `payment` matching `match` — part of a job's idempotency key, so a
 * retry after a decline is a new attempt instead of a replay of the decline.
 */
export function declinedRefunds(
  payment: PaymentRecord,
  match: (refund: PaymentRecord['refunds'][number]) => boolean,
): number {
  return payment.refunds.filter((r) => r.state === 'failed' && match(r)).length;
}
