import { excessPaid } from '../../domain/balance.js';
import { refundableAmount } from '../../domain/payment.js';
import type { PaymentRecord, Refund } from '../../schemas/payment.js';
import { savePendingRefund } from '../payment-settlement.js';
import type { UnitOfWork } from '../unit-of-work.js';

/** The reason on refunds that give back what an order edit left over-paid. */
export const EXCESS_REFUND_REASON = 'order_edit';
const REFUNDABLE = new Set(['captured', 'partially_refunded']);

/**
 * Saves refund intents for what the order holds beyond its (edited) total — across its
 * captured payments, largest refundable first — and returns them for the provider. The
 * excess is computed under the locks of every payment (taken first, in id order, as a
 * refund's result takes payment before order) and of the order, counting refunds in
 * flight: a second run, a cancel or a return refund racing it finds nothing left twice.
 */
export async function saveExcessRefunds(
  uow: UnitOfWork,
  orderId: string,
): Promise<{ payment: PaymentRecord; refund: Refund }[]> {
  const listed = await uow.tx.payments.listByOrder(orderId);
  const locked: PaymentRecord[] = [];
  for (const { id } of [...listed].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const payment = await uow.tx.payments.get(id, { forUpdate: true });
    if (payment) locked.push(payment);
  }
  const order = await uow.tx.orders.get(orderId, { forUpdate: true });
  if (!order) return [];
  let excess = excessPaid(order, locked);
  const intents: { payment: PaymentRecord; refund: Refund }[] = [];
  const candidates = locked
    .filter((p) => REFUNDABLE.has(p.state))
    .sort((a, b) => refundableAmount(b) - refundableAmount(a));
  for (const payment of candidates) {
    if (excess <= 0) break;
    const amount = Math.min(excess, refundableAmount(payment));
    if (amount <= 0) continue;
    intents.push(await savePendingRefund(uow, payment, { amount, reason: EXCESS_REFUND_REASON }));
    excess -= amount;
  }
  return intents;
}
