/**
 * Steps of the payment provider telling orderflow things later: a payment that waited for
 * the customer (3-D Secure) or the bank (a debit) succeeds or fails, a dispute opens and
 * closes, someone refunds in the provider's dashboard — each event applied as a webhook
 * would deliver it, sometimes twice, and earlier events delivered again out of order. A
 * repeated event must always be answered `duplicate` and change nothing.
 */
import fc from 'fast-check';
import type { Payment, ProviderEvent } from 'orderflow';
import { type Action, pick, share, showPick } from './action.js';
import { pickArb } from './order-actions.js';
import { ModelFailure, type World } from './world.js';

/** Every event a world's provider reported, in order (for the out-of-order replays). */
const reported = new WeakMap<World, ProviderEvent[]>();

/**
 * Has the provider do something; undefined when it refuses — in a batch, another action may
 * have done it first (completed the action, closed the dispute): a fact of the provider,
 * not of orderflow.
 */
function atProvider(make: () => ProviderEvent): ProviderEvent | undefined {
  try {
    return make();
  } catch (error) {
    if ((error as Error).message.startsWith('fake provider:')) return undefined;
    throw error;
  }
}

async function apply(
  w: World,
  made: ProviderEvent | undefined,
  twice: boolean,
): Promise<string | undefined> {
  if (!made) return undefined;
  const event = made;
  const first = await w.oms.payments.applyProviderEvent(event);
  reported.set(w, [...(reported.get(w) ?? []), event]);
  if (twice) {
    const again = await w.oms.payments.applyProviderEvent(event);
    if (again.status !== 'duplicate') {
      throw new ModelFailure(
        `event ${event.id} delivered twice was ${again.status} the second time`,
      );
    }
  }
  return `${event.type} ${event.id}: ${first.status}${first.reason ? ` (${first.reason})` : ''}`;
}

const waitingPayArb = fc
  .record({
    p: pickArb,
    token: fc.constantFrom('tok_threeDSecure', 'tok_async'),
    capture: fc.constantFrom<'automatic' | 'manual'>('automatic', 'automatic', 'manual'),
  })
  .map(
    (a): Action => ({
      label: `pay order ${showPick(a.p)} with ${a.token} ${a.capture}`,
      async run(w) {
        const order = pick(w.state.orders, a.p, (o) => o.balanceDue > 0 && o.state !== 'cancelled');
        if (!order) return undefined;
        const payment = await w.oms.payments.process({
          orderId: order.id,
          paymentMethod: { token: a.token },
          capture: a.capture,
        });
        return `pay ${order.id} with ${a.token}: ${payment.id} ${payment.state}`;
      },
    }),
  );

const WAITING = new Set(['requires_action', 'processing']);
const CAPTURED = new Set(['captured', 'partially_refunded']);
/** What a dashboard refund may take without racing orderflow's own refunds at the provider. */
const dashboardRoom = (p: Payment) =>
  p.refunds.some((r) => r.state === 'pending') ? 0 : p.capturedAmount - p.refundedAmount;

const reportArb = fc
  .record({
    p: pickArb,
    kind: fc.constantFrom('outcome', 'outcome', 'dispute', 'close', 'replay'),
    succeed: fc.boolean(),
    part: fc.double({ min: 0.05, max: 1, noNaN: true }),
    twice: fc.boolean(),
  })
  .map(
    (r): Action => ({
      label: `provider reports ${r.kind} on payment ${showPick(r.p)} (${r.succeed ? 'good' : 'bad'}, ${r.part.toFixed(2)})${r.twice ? ' twice' : ''}`,
      async run(w) {
        const provider = w.provider;
        if (r.kind === 'replay') {
          const past = reported.get(w) ?? [];
          const event = past[r.p.n % Math.max(1, past.length)];
          if (!event) return undefined;
          const outcome = await w.oms.payments.applyProviderEvent(event);
          if (outcome.status !== 'duplicate') {
            throw new ModelFailure(`event ${event.id} replayed later was ${outcome.status}`);
          }
          return `replay ${event.type} ${event.id}: duplicate`;
        }
        if (r.kind === 'outcome') {
          const payment = pick(w.state.payments, r.p, (p) => WAITING.has(p.state));
          if (!payment || !WAITING.has(payment.state)) return undefined;
          const reference = payment.providerReference ?? '';
          const outcome = r.succeed ? 'succeed' : 'fail';
          const event = atProvider(() =>
            payment.state === 'requires_action'
              ? provider.completeAction(reference, outcome)
              : provider.settle(reference, outcome),
          );
          return apply(w, event, r.twice);
        }
        if (r.kind === 'close') {
          const payment = pick(w.state.payments, r.p, (p) =>
            p.disputes.some((d) => d.state === 'open'),
          );
          const dispute = payment?.disputes.find((d) => d.state === 'open');
          if (!dispute) return undefined;
          const closed = atProvider(() =>
            provider.closeDispute(dispute.id, r.succeed ? 'won' : 'lost'),
          );
          return apply(w, closed, r.twice);
        }
        const payment = pick(w.state.payments, r.p, (p) => CAPTURED.has(p.state));
        if (!payment || !CAPTURED.has(payment.state)) return undefined;
        const reference = payment.providerReference ?? '';
        const opened = atProvider(() =>
          provider.openDispute(reference, share(r.part, payment.capturedAmount)),
        );
        return apply(w, opened, r.twice);
      },
    }),
  );

/**
 * A refund made in the provider's dashboard. Only as a step of its own: at the same time as
 * one of orderflow's refunds of the payment, the provider would decline whichever came
 * second — a race no library can see coming, which the fake provider reports as a
 * violation. The room is read live, from the payment and from the provider.
 */
const dashboardRefundArb = fc
  .record({ p: pickArb, part: fc.double({ min: 0.05, max: 1, noNaN: true }), twice: fc.boolean() })
  .map(
    (r): Action => ({
      label: `dashboard refund on payment ${showPick(r.p)} (${r.part.toFixed(2)})${r.twice ? ' twice' : ''}`,
      async run(w) {
        const chosen = pick(w.state.payments, r.p, (p) => CAPTURED.has(p.state));
        if (!chosen) return undefined;
        const payment = await w.oms.payments.get(chosen.id);
        const reference = payment.providerReference ?? '';
        const charge = w.provider.charges().find((c) => c.reference === reference);
        const room = Math.min(
          dashboardRoom(payment),
          charge ? charge.captured - charge.refunded : 0,
        );
        if (!CAPTURED.has(payment.state) || room <= 0) return undefined;
        const refunded = atProvider(() =>
          w.provider.refundFromDashboard(reference, share(r.part, room)),
        );
        return apply(w, refunded, r.twice);
      },
    }),
  );

/** Provider steps with their weights (any of them may run at once with others). */
export const providerEventActions: fc.WeightedArbitrary<Action>[] = [
  { arbitrary: waitingPayArb, weight: 2 },
  { arbitrary: reportArb, weight: 3 },
];

/** Provider steps that run only on their own (never in a batch). */
export const soloProviderActions: fc.Arbitrary<Action> = dashboardRefundArb;
