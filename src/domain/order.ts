import { BusinessRuleError } from '../errors.js';
import type { OrderItem, OrderRecord } from '../schemas/order.js';
import type { PaymentRecord } from '../schemas/payment.js';
import { allocate, sumAmounts } from './money.js';

/** Amounts of a new order, computed from its lines; input totals are never trusted. */
export interface OrderTotals {
  subtotal: number;
  total: number;
}

/**
 * Subtotal is the sum of line totals; total = subtotal + shipping + tax − discount.
 * A discount larger than what it discounts is refused.
 */
export function computeTotals(
  items: readonly Pick<OrderItem, 'lineTotal'>[],
  amounts: { shippingTotal: number; taxTotal: number; discountTotal: number },
): OrderTotals {
  const subtotal = sumAmounts(items.map((i) => i.lineTotal));
  const gross = sumAmounts([subtotal, amounts.shippingTotal, amounts.taxTotal]);
  if (amounts.discountTotal > subtotal + amounts.shippingTotal) {
    throw new BusinessRuleError(
      'discount_exceeds_subtotal',
      `Discount ${amounts.discountTotal} is larger than subtotal plus shipping`,
      { details: { discountTotal: amounts.discountTotal, subtotal } },
    );
  }
  return { subtotal, total: gross - amounts.discountTotal };
}

/** `quantity × unitPrice`, refusing results beyond the safe integer range. */
export function lineTotal(quantity: number, unitPrice: number): number {
  const total = quantity * unitPrice;
  if (!Number.isSafeInteger(total)) {
    throw new BusinessRuleError(
      'amount_overflow',
      'Line total is larger than the largest safe integer',
    );
  }
  return total;
}

/**
 * What each line is worth to the customer: its line total, less its share of the order
 * discount (at most the subtotal; the rest discounts shipping), plus its share of the tax. Shares use largest-remainder allocation weighted by
 * line total, so the lines always add up to `total − shipping`.
 */
export function lineValues(
  order: Pick<OrderRecord, 'items' | 'discountTotal' | 'taxTotal'>,
): number[] {
  const weights = order.items.map((i) => i.lineTotal);
  // A discount larger than the lines also discounts shipping; only the lines' part is theirs.
  const subtotal = weights.reduce((a, b) => a + b, 0);
  const discounts = allocate(Math.min(order.discountTotal, subtotal), weights);
  const net = order.items.map((i, n) => i.lineTotal - discounts[n]!);
  const taxes = allocate(order.taxTotal, net);
  return net.map((v, n) => v + taxes[n]!);
}

/**
 * The value of units `[alreadyReturned, alreadyReturned + quantity)` of a line worth
 * `lineValue` over `lineQuantity` units. The value of the first k units is
 * ⌊lineValue·k/lineQuantity⌋, so returning every unit, in any batches, refunds exactly the
 * line's value and each unit is within one minor unit of its share.
 */
export function unitsValue(
  lineValue: number,
  lineQuantity: number,
  alreadyReturned: number,
  quantity: number,
): number {
  if (quantity <= 0 || lineQuantity <= 0) return 0;
  const upTo = (k: number) =>
    Number((BigInt(lineValue) * BigInt(Math.min(k, lineQuantity))) / BigInt(lineQuantity));
  return upTo(alreadyReturned + quantity) - upTo(alreadyReturned);
}

/**
 * Amount a payment counts towards the order: what is held or taken, not what was refunded.
 * A payment waiting for the customer or the provider holds its whole amount.
 */
export function committedAmount(
  payment: Pick<PaymentRecord, 'state' | 'amount' | 'capturedAmount'>,
): number {
  switch (payment.state) {
    case 'pending':
    case 'requires_action':
    case 'processing':
    case 'authorized':
      return payment.amount;
    case 'captured':
    case 'partially_refunded':
    case 'refunded':
      return payment.capturedAmount;
    default:
      return 0;
  }
}

/** paidTotal (captured) and refundedTotal (refunds succeeded) across an order's payments. */
export function paymentTotals(payments: readonly PaymentRecord[]): {
  paidTotal: number;
  refundedTotal: number;
} {
  let paidTotal = 0;
  let refundedTotal = 0;
  for (const p of payments) {
    paidTotal += p.capturedAmount;
    refundedTotal += p.refundedAmount;
  }
  return { paidTotal, refundedTotal };
}

/**
 * Whether a payment keeps an unpaid order from expiring: money held, taken, or on its way
 * (`processing`). A payment still waiting for the customer's action does not — the expiry
 * fails it instead.
 */
export function holdsOrder(
  payment: Pick<PaymentRecord, 'state' | 'amount' | 'capturedAmount'>,
): boolean {
  return payment.state !== 'requires_action' && committedAmount(payment) > 0;
}
