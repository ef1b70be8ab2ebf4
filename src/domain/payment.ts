import type { PaymentRecord } from '../schemas/payment.js';

/**
 * Captured money of a payment not yet refunded or promised to a pending refund: the most
 * a new refund may take. Failed refunds give their amount back.
 *
 * ```ts
 * refundableAmount({ capturedAmount: 1000, refunds: [{ amount: 300, state: 'pending' }] }); // 700
 * ```
 */
export function refundableAmount(
  payment: Pick<PaymentRecord, 'capturedAmount'> & {
    refunds: readonly { amount: number; state: string }[];
  },
): number {
  let held = 0;
  for (const r of payment.refunds) if (r.state !== 'failed') held += r.amount;
  return payment.capturedAmount - held;
}
