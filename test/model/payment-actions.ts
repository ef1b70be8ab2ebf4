/**
 * Steps that move money: pay (with declines), capture, void, refund, each possibly hit by
 * a provider fault armed for its own calls: a decline, one or more timeouts (four exhaust
 * the retries), or a timeout after the provider did the work.
 */
import fc from 'fast-check';
import type { Payment } from 'orderflow';
import { type Action, pick, share, showPick } from './action.js';
import { pickArb } from './order-actions.js';
import type { Fault, World } from './world.js';

type Operation = 'authorize' | 'capture' | 'void' | 'refund';
interface FaultChoice {
  fault: Fault;
  count: number;
  /** For pay with automatic capture: fault the capture instead of the authorization. */
  second: boolean;
}

const faultArb: fc.Arbitrary<FaultChoice | null> = fc.option(
  fc.record({
    fault: fc.constantFrom<Fault>('decline', 'timeout', 'timeout_after_success'),
    count: fc.constantFrom(1, 1, 4),
    second: fc.boolean(),
  }),
  { freq: 3 },
);
const showFault = (f: FaultChoice | null) =>
  f
    ? ` with ${f.fault}${f.fault === 'timeout' ? `×${f.count}` : ''}${f.second ? ' (2nd call)' : ''}`
    : '';

function arm(w: World, operation: Operation, f: FaultChoice | null): void {
  if (!f) return;
  w.provider.arm(operation, f.fault, f.fault === 'timeout' ? f.count : 1);
}

const REFUNDABLE = new Set(['captured', 'partially_refunded']);
const refundable = (p: Payment) =>
  p.capturedAmount -
  p.refundedAmount -
  p.refunds.filter((r) => r.state === 'pending').reduce((a, r) => a + r.amount, 0);

const payArb = fc
  .record({
    p: pickArb,
    amount: fc.constantFrom('owed', 'owed', 'half', 'over'),
    token: fc.constantFrom('tok_visa', 'tok_visa', 'tok_visa', 'tok_chargeDeclined'),
    capture: fc.constantFrom<'automatic' | 'manual'>('automatic', 'automatic', 'manual'),
    fault: faultArb,
  })
  .map(
    (a): Action => ({
      label: `pay order ${showPick(a.p)} ${a.amount} ${a.token} ${a.capture}${showFault(a.fault)}`,
      async run(w) {
        const order = pick(w.state.orders, a.p, (o) => o.balanceDue > 0 && o.state !== 'cancelled');
        if (!order) return undefined;
        const amount =
          a.amount === 'owed'
            ? undefined
            : a.amount === 'half'
              ? share(0.5, order.balanceDue)
              : order.balanceDue + 100;
        if (a.fault) {
          const second = a.fault.second && a.capture === 'automatic';
          arm(w, second ? 'capture' : 'authorize', a.fault);
        }
        const payment = await w.oms.payments.process({
          orderId: order.id,
          ...(amount === undefined ? {} : { amount }),
          paymentMethod: { token: a.token },
          capture: a.capture,
        });
        return `pay ${order.id} (owes ${order.balanceDue}) ${amount ?? 'owed'}: ${payment.id} ${payment.state}`;
      },
    }),
  );

const captureArb = fc
  .record({
    p: pickArb,
    part: fc.option(fc.double({ min: 0.1, max: 1.3, noNaN: true })),
    fault: faultArb,
  })
  .map(
    (c): Action => ({
      label: `capture payment ${showPick(c.p)} ${c.part ?? 'all'}${showFault(c.fault)}`,
      async run(w) {
        const payment = pick(w.state.payments, c.p, (p) => p.state === 'authorized');
        if (!payment) return undefined;
        const amount = c.part === null ? undefined : share(c.part, payment.amount);
        arm(w, 'capture', c.fault);
        const after = await w.oms.payments.capture(
          payment.id,
          amount === undefined ? {} : { amount },
        );
        return `capture ${payment.id} ${amount ?? 'all'} of ${payment.amount}: ${after.state}`;
      },
    }),
  );

const voidArb = fc.record({ p: pickArb, fault: faultArb }).map(
  (v): Action => ({
    label: `void payment ${showPick(v.p)}${showFault(v.fault)}`,
    async run(w) {
      const payment = pick(w.state.payments, v.p, (p) => p.state === 'authorized');
      if (!payment) return undefined;
      arm(w, 'void', v.fault);
      const after = await w.oms.payments.void(payment.id);
      return `void ${payment.id}: ${after.state}`;
    },
  }),
);

const refundArb = fc
  .record({
    p: pickArb,
    part: fc.option(fc.double({ min: 0.1, max: 1.3, noNaN: true })),
    forReturn: fc.boolean(),
    key: fc.option(fc.constantFrom('refund-1', 'refund-2'), { freq: 4 }),
    fault: faultArb,
  })
  .map(
    (r): Action => ({
      label: `refund payment ${showPick(r.p)} ${r.part ?? 'all'}${r.forReturn ? ' for a return' : ''}${r.key ? ` key ${r.key}` : ''}${showFault(r.fault)}`,
      async run(w) {
        const payment = pick(w.state.payments, r.p, (p) => REFUNDABLE.has(p.state));
        if (!payment) return undefined;
        const ret = r.forReturn
          ? w.state.returns.find((x) => x.orderId === payment.orderId)
          : undefined;
        const amount =
          r.part === null ? undefined : share(r.part, Math.max(1, refundable(payment)));
        arm(w, 'refund', r.fault);
        const refund = await w.oms.payments.refund(
          payment.id,
          {
            ...(amount === undefined ? {} : { amount }),
            reason: 'goodwill',
            ...(ret ? { returnId: ret.id } : {}),
          },
          r.key ? { idempotencyKey: r.key } : {},
        );
        return `refund ${payment.id} ${amount ?? 'all'} of ${refundable(payment)}${ret ? ` for ${ret.id}` : ''}: ${refund.id} ${refund.state}`;
      },
    }),
  );

/** Money steps with their weights. */
export const paymentActions: fc.WeightedArbitrary<Action>[] = [
  { arbitrary: payArb, weight: 6 },
  { arbitrary: captureArb, weight: 2 },
  { arbitrary: voidArb, weight: 1 },
  { arbitrary: refundArb, weight: 3 },
];
