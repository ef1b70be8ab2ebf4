/**
 * The invariants of the model-based run, checked against a snapshot of storage after every
 * step (`stepProblems`) and once more when the run has settled (`settledProblems`). Each
 * returns what is wrong, as sentences; an empty list is a pass.
 */
import type { Order, Payment, Return } from 'orderflow';
import type { FakePaymentProvider } from 'orderflow/testing';
import { historyProblem } from './machines.js';
import type { Snapshot } from './world.js';

/** The reason on refunds that give back what an edit left over-paid (SPEC §14). */
const EDIT_REFUND_REASON = 'order_edit';
const LIVE_RETURN = (r: Return) => r.state !== 'rejected' && r.state !== 'cancelled';
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

/** A payment with no call to the provider in flight: its records must match the ledger. */
export function isSettled(p: Payment): boolean {
  return (
    p.state !== 'pending' &&
    !p.pendingCapture &&
    !p.pendingVoid &&
    !p.refunds.some((r) => r.state === 'pending')
  );
}

function paymentProblems(s: Snapshot, provider: FakePaymentProvider): string[] {
  const out: string[] = [];
  const refundIds = new Set<string>();
  for (const p of s.payments) {
    const at = `payment ${p.id} (${p.state})`;
    const succeeded = p.refunds.filter((r) => r.state === 'succeeded');
    const pending = sum(p.refunds.filter((r) => r.state === 'pending').map((r) => r.amount));
    for (const r of p.refunds) {
      if (refundIds.has(r.id)) out.push(`${at}: refund ${r.id} appears twice`);
      refundIds.add(r.id);
    }
    if (sum(succeeded.map((r) => r.amount)) !== p.refundedAmount) {
      out.push(`${at}: refundedAmount ${p.refundedAmount} ≠ its succeeded refunds`);
    }
    if (p.refundedAmount + pending > p.capturedAmount) {
      out.push(
        `${at}: refunded ${p.refundedAmount} + pending ${pending} > captured ${p.capturedAmount}`,
      );
    }
    if (p.capturedAmount > p.amount) out.push(`${at}: captured ${p.capturedAmount} > amount`);
    const capturedStates = ['captured', 'partially_refunded', 'refunded'];
    if (capturedStates.includes(p.state) !== p.capturedAmount > 0) {
      out.push(`${at}: state does not match capturedAmount ${p.capturedAmount}`);
    }
    if (p.state === 'captured' && p.refundedAmount !== 0) out.push(`${at}: refunded but captured`);
    if (
      p.state === 'partially_refunded' &&
      !(p.refundedAmount > 0 && p.refundedAmount < p.capturedAmount)
    ) {
      out.push(`${at}: refunded ${p.refundedAmount} of ${p.capturedAmount}`);
    }
    if (p.state === 'refunded' && p.refundedAmount !== p.capturedAmount) {
      out.push(`${at}: refunded ${p.refundedAmount} of ${p.capturedAmount}`);
    }
    if (isSettled(p)) {
      const ledger = provider.ledger(p.id);
      if (
        ledger.captured !== p.capturedAmount ||
        ledger.refunded !== p.refundedAmount ||
        ledger.refunds !== succeeded.length
      ) {
        out.push(
          `${at}: provider ledger ${JSON.stringify(ledger)} ≠ records captured ${p.capturedAmount}, refunded ${p.refundedAmount} in ${succeeded.length}`,
        );
      }
    }
  }
  const known = new Set(s.payments.map((p) => p.id));
  for (const charge of provider.charges()) {
    if (!known.has(charge.paymentId))
      out.push(`provider charge ${charge.reference} has no payment`);
  }
  for (const v of provider.violations) out.push(`provider violation: ${v.message}`);
  return out;
}

function historyProblems(s: Snapshot): string[] {
  const out: string[] = [];
  const check = (
    entity: 'order' | 'payment' | 'return' | 'shipment',
    e: { id: string; state: string; version: number },
    versionIsLength: boolean,
  ) => {
    const rows = s.history[`${entity}:${e.id}`] ?? [];
    const problem = historyProblem(entity, rows, e.state);
    if (problem) out.push(`${entity} ${e.id}: ${problem}`);
    if (versionIsLength ? rows.length !== e.version : rows.length > e.version) {
      out.push(`${entity} ${e.id}: ${rows.length} history rows at version ${e.version}`);
    }
  };
  for (const o of s.orders) check('order', o, true);
  for (const r of s.returns) check('return', r, true);
  for (const sh of s.shipments) check('shipment', sh, true);
  // A payment's version also moves when an intent is saved (a pending refund, capture or
  // void): those writes change no state and have no history row.
  for (const p of s.payments) check('payment', p, false);
  return out;
}

function fulfilmentProblems(s: Snapshot, order: Order): string[] {
  const out: string[] = [];
  const at = `order ${order.id} (${order.state})`;
  const shipments = s.shipments.filter((sh) => sh.orderId === order.id);
  for (const item of order.items) {
    const units = (states: string[]) =>
      sum(
        shipments
          .filter((sh) => states.includes(sh.state))
          .flatMap((sh) =>
            sh.items.filter((i) => i.orderItemId === item.id).map((i) => i.quantity),
          ),
      );
    const live = units(['pending', 'shipped', 'delivered']);
    if (live > item.quantity)
      out.push(`${at}: line ${item.id} has ${live} units in live shipments`);
    if (units(['shipped', 'delivered']) !== item.shippedQuantity) {
      out.push(`${at}: line ${item.id} shippedQuantity ${item.shippedQuantity} ≠ its shipments`);
    }
    if (units(['delivered']) !== item.deliveredQuantity) {
      out.push(
        `${at}: line ${item.id} deliveredQuantity ${item.deliveredQuantity} ≠ its shipments`,
      );
    }
  }
  const all = (f: (i: Order['items'][number]) => boolean) => order.items.every(f);
  const allShipped = all((i) => i.shippedQuantity >= i.quantity);
  const allDelivered = all((i) => i.deliveredQuantity >= i.quantity);
  if (order.state === 'shipped' && (!allShipped || allDelivered)) {
    out.push(`${at}: shipped, but shipped/delivered everything: ${allShipped}/${allDelivered}`);
  }
  if ((order.state === 'delivered' || order.state === 'returned') && !allDelivered) {
    out.push(`${at}: not every unit is delivered`);
  }
  if ((order.state === 'confirmed' || order.state === 'processing') && allShipped) {
    out.push(`${at}: every unit has shipped but the order did not follow`);
  }
  return out;
}

function returnProblems(s: Snapshot, order: Order): string[] {
  const out: string[] = [];
  const at = `order ${order.id} (${order.state})`;
  const returns = s.returns.filter((r) => r.orderId === order.id);
  const linked = (r: Return, states: string[]) =>
    sum(
      s.payments
        .flatMap((p) => p.refunds)
        .filter((f) => f.returnId === r.id && states.includes(f.state))
        .map((f) => f.amount),
    );
  for (const item of order.items) {
    const inReturns = (pick: (r: Return) => boolean) =>
      sum(
        returns
          .filter(pick)
          .flatMap((r) => r.items.filter((i) => i.orderItemId === item.id).map((i) => i.quantity)),
      );
    const live = inReturns(LIVE_RETURN);
    if (live > item.deliveredQuantity) {
      out.push(
        `${at}: line ${item.id}: ${live} units in returns, ${item.deliveredQuantity} delivered`,
      );
    }
  }
  const fullyRefunded = order.items.every(
    (item) =>
      sum(
        returns
          .filter((r) => r.state === 'refunded')
          .flatMap((r) => r.items.filter((i) => i.orderItemId === item.id).map((i) => i.quantity)),
      ) >= item.quantity,
  );
  if (order.state === 'returned' && !fullyRefunded) out.push(`${at}: returned, units unrefunded`);
  if (order.state === 'delivered' && fullyRefunded) {
    out.push(`${at}: every unit is returned and refunded but the order is still delivered`);
  }
  for (const r of returns) {
    const value = sum(r.items.map((i) => i.value));
    const given = linked(r, ['succeeded', 'pending']);
    if (given > r.refundAmount) out.push(`return ${r.id}: refunds ${given} > ${r.refundAmount}`);
    if (r.refundAmount + r.creditTotal > value - r.restockingFee) {
      out.push(
        `return ${r.id}: refund ${r.refundAmount} + credit ${r.creditTotal} > value ${value} − fee ${r.restockingFee}`,
      );
    }
    if (r.state === 'refunded' && linked(r, ['succeeded']) < r.refundAmount) {
      out.push(`return ${r.id}: refunded with ${linked(r, ['succeeded'])} of ${r.refundAmount}`);
    }
    if (r.exchangeOrderId) {
      const replacement = s.orders.find((o) => o.id === r.exchangeOrderId);
      if (!replacement) out.push(`return ${r.id}: replacement ${r.exchangeOrderId} missing`);
      else if (
        replacement.creditTotal !== r.creditTotal ||
        replacement.exchangeForReturnId !== r.id
      ) {
        out.push(`return ${r.id}: replacement ${replacement.id} credit/link do not match`);
      }
    }
  }
  return out;
}

/**
 * The money of one order: captured − refunds given back (not linked to a return) +
 * credit − total is −balanceDue, or an excess that a refund is on its way to give back.
 */
function balanceProblems(s: Snapshot, order: Order, settled: boolean): string[] {
  const at = `order ${order.id} (${order.state})`;
  const payments = s.payments.filter((p) => p.orderId === order.id);
  const refunds = payments.flatMap((p) => p.refunds).filter((r) => r.returnId === undefined);
  const given = sum(refunds.filter((r) => r.state === 'succeeded').map((r) => r.amount));
  const inFlight = sum(refunds.filter((r) => r.state === 'pending').map((r) => r.amount));
  const captured = sum(payments.map((p) => p.capturedAmount));
  if (order.state === 'cancelled') {
    if (order.balanceDue !== 0) return [`${at}: cancelled with balanceDue ${order.balanceDue}`];
    // An open or lost dispute's amount is not the merchant's to give back.
    const disputed = (p: (typeof payments)[number]) =>
      sum(p.disputes.filter((d) => d.state !== 'won').map((d) => d.amount));
    const held = payments.filter(
      (p) => p.capturedAmount > p.refundedAmount + disputed(p) || p.state === 'authorized',
    );
    return settled && held.length > 0
      ? [`${at}: cancelled and settled, but ${held.map((p) => p.id).join(', ')} still hold money`]
      : [];
  }
  const net = captured - given + order.creditTotal - order.total;
  if (net <= 0) {
    return net === -order.balanceDue
      ? []
      : [`${at}: balanceDue ${order.balanceDue}, ledger says ${-net}`];
  }
  if (order.balanceDue !== 0)
    return [`${at}: over-paid by ${net} with balanceDue ${order.balanceDue}`];
  const declined = refunds.some((r) => r.state === 'failed' && r.reason === EDIT_REFUND_REASON);
  // Money under a dispute (open, or lost: the bank gave it back) cannot be refunded; the
  // balance does not count disputes, so such an excess stays.
  const disputed = sum(
    payments.flatMap((p) => p.disputes.filter((d) => d.state !== 'won').map((d) => d.amount)),
  );
  if (net > inFlight + disputed && !declined) {
    return [`${at}: over-paid by ${net}, only ${inFlight} on its way back (${disputed} disputed)`];
  }
  if (settled && inFlight > 0) return [`${at}: refunds still in flight after settling`];
  return [];
}

/**
 * Refunds of what an edit left over-paid that appeared during one step (not a batch) may
 * give back the excess and no more: after them, what the order keeps still covers what it
 * costs. A second refund of the same excess would leave it owing.
 */
export function editRefundProblems(before: Snapshot, after: Snapshot): string[] {
  const seen = new Set(before.payments.flatMap((p) => p.refunds.map((r) => r.id)));
  const out: string[] = [];
  for (const order of after.orders) {
    const payments = after.payments.filter((p) => p.orderId === order.id);
    const refunds = payments.flatMap((p) => p.refunds);
    const fresh = refunds.filter((r) => r.reason === EDIT_REFUND_REASON && !seen.has(r.id));
    if (fresh.length === 0 || order.state === 'cancelled') continue;
    const kept =
      sum(payments.map((p) => p.capturedAmount)) -
      sum(
        refunds
          .filter((r) => r.returnId === undefined && r.state !== 'failed')
          .map((r) => r.amount),
      );
    if (kept < order.total - order.creditTotal) {
      out.push(
        `order ${order.id}: edit refunds ${fresh.map((r) => `${r.id} ${r.amount}`).join(', ')} leave ${kept} for a total of ${order.total} − credit ${order.creditTotal}`,
      );
    }
  }
  return out;
}

/** History rows announced by events of their own (`order.edited`, `return.refund_failed`, …). */
const OWN_EVENTS = new Set(['EDIT', 'UPDATE_TRACKING', 'REFUND_FAILED', 'RETRY_REFUND']);

/**
 * Every history row that creates or moves an entity was announced by exactly one event
 * (`*.created`, `*.state_changed`); rows of edits, tracking corrections and refund
 * failures have their own.
 */
export function eventProblems(s: Snapshot, events: ReadonlyMap<string, number>): string[] {
  const out: string[] = [];
  for (const [key, rows] of Object.entries(s.history)) {
    const moves = rows.filter((r) => !OWN_EVENTS.has(r.event)).length;
    const seen = events.get(key) ?? 0;
    if (seen !== moves) out.push(`${key}: ${moves} history rows, ${seen} events`);
  }
  return out;
}

/** What is wrong with the state after a step. */
export function stepProblems(
  s: Snapshot,
  provider: FakePaymentProvider,
  settled = false,
): string[] {
  const out = [...paymentProblems(s, provider), ...historyProblems(s)];
  for (const order of s.orders) {
    out.push(...fulfilmentProblems(s, order), ...returnProblems(s, order));
    out.push(...balanceProblems(s, order, settled));
  }
  for (const stock of s.stock) {
    if (stock.available !== stock.onHand - stock.reserved) out.push(`${stock.sku}: available`);
    if (!stock.allowBackorder && stock.available < 0) out.push(`${stock.sku}: available < 0`);
  }
  return out;
}

/**
 * What is still wrong once faults stopped and the sweep had its turns: every provider call
 * is recorded, so records and ledger must agree everywhere.
 */
export function settledProblems(s: Snapshot, provider: FakePaymentProvider): string[] {
  const out = stepProblems(s, provider, true);
  for (const p of s.payments) if (!isSettled(p)) out.push(`payment ${p.id} never settled`);
  return out;
}
