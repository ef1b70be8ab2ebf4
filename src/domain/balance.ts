import type { OrderRecord } from '../schemas/order.js';
import type { PaymentRecord } from '../schemas/payment.js';
import { committedAmount } from './order.js';

type Payments = readonly Pick<PaymentRecord, 'state' | 'amount' | 'capturedAmount' | 'refunds'>[];
type Owing = Pick<OrderRecord, 'total' | 'creditTotal' | 'state'>;

/**
 * Refunds that give money back without units coming back (goodwill, order edits, a
 * cancel): they reopen what the order owes. Refunds linked to a return do not — the
 * returned units' value leaves the order with them. `pending` also counts the refunds still
 * in flight (for decisions that must never refund twice).
 */
function givenBack(payments: Payments, states: ReadonlySet<string>): number {
  let sum = 0;
  for (const p of payments) {
    for (const r of p.refunds) if (r.returnId === undefined && states.has(r.state)) sum += r.amount;
  }
  return sum;
}

const SUCCEEDED: ReadonlySet<string> = new Set(['succeeded']);
const NOT_FAILED: ReadonlySet<string> = new Set(['succeeded', 'pending']);

/** What the order costs the customer: its total less the credit from a returned order. */
function owed(order: Owing): number {
  return order.total - order.creditTotal;
}

/**
 * What the customer still owes: `total − creditTotal − (captured − refunds not linked to a
 * return)`, never negative; 0 for a cancelled order. Derived from the money ledger every
 * time, never kept as a running difference.
 *
 * ```ts
 * balanceDue({ total: 5000, creditTotal: 0, state: 'confirmed' }, payments); // 0 once paid
 * ```
 */
export function balanceDue(order: Owing, payments: Payments): number {
  if (order.state === 'cancelled') return 0;
  const captured = payments.reduce((a, p) => a + p.capturedAmount, 0);
  return Math.max(0, owed(order) - (captured - givenBack(payments, SUCCEEDED)));
}

/**
 * The most a new payment may charge: what is owed less what payments already hold
 * (captured, authorized or pending at the provider), counting refunds in flight.
 */
export function payableAmount(order: Owing, payments: Payments): number {
  const held = payments.reduce((a, p) => a + committedAmount(p), 0);
  return owed(order) - (held - givenBack(payments, NOT_FAILED));
}

/**
 * Money captured beyond what the order is worth now (after an edit lowered its total):
 * what an automatic refund gives back. Counts refunds in flight, so a refund already asked
 * for is never asked for again. 0 for a cancelled order (its refund is the cancel's).
 */
export function excessPaid(order: Owing, payments: Payments): number {
  if (order.state === 'cancelled') return 0;
  const captured = payments.reduce((a, p) => a + p.capturedAmount, 0);
  return Math.max(0, captured - givenBack(payments, NOT_FAILED) - owed(order));
}
