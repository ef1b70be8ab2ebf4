import type { PaymentRecord } from '../schemas/payment.js';

/**
 * Captured money of a payment not yet refunded, promised to a pending refund, or held by
 * an open or lost dispute: the most a new refund may take. Failed refunds and won disputes
 * give their amount back.
 *
 * ```ts
 * refundableAmount({ capturedAmount: 1000, refunds: [{ amount: 300, state: 'pending' }] }); // 700
 * ```
 */
export function refundableAmount(
  payment: Pick<PaymentRecord, 'capturedAmount'> & {
    refunds: readonly { amount: number; state: string }[];
    disputes?: readonly { amount: number; state: string }[];
  },
): number {
  let held = 0;
  for (const r of payment.refunds) if (r.state !== 'failed') held += r.amount;
  for (const d of payment.disputes ?? []) if (d.state !== 'won') held += d.amount;
  return Math.max(0, payment.capturedAmount - held);
}

/** Money held by the payment's open and lost disputes. */
export function disputedAmount(payment: Pick<PaymentRecord, 'disputes'>): number {
  let held = 0;
  for (const d of payment.disputes) if (d.state !== 'won') held += d.amount;
  return held;
}
