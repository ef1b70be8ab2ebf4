import { describe, expect, it } from 'vitest';
import {
  eventForTarget,
  machineEvents,
  nextState,
  reachableStates,
} from '../../src/machines/decide.js';
import { type PaymentMachineContext, paymentMachine } from '../../src/machines/payment-machine.js';
import {
  PAYMENT_EVENTS,
  PAYMENT_STATES,
  type PaymentEventType,
  type PaymentState,
} from '../../src/schemas/payment.js';

/** A transition whose target depends on `context.fullyRefunded`. */
interface Guarded {
  whenFullyRefunded: PaymentState;
  otherwise: PaymentState;
}
type Expected = PaymentState | Guarded;

/**
 * SPEC §5, written out by hand (not read from the machine):
 * pending → authorized → captured → partially_refunded → refunded; failed from pending or
 * authorized; voided from authorized. A refund leads to refunded once refunds reach the
 * captured amount, otherwise to (or stays in) partially_refunded.
 *
 * pending → captured on CAPTURE is the "authorize and capture at once" of SPEC §3
 * (`payments.process` without `capture: 'manual'`), recorded as one step.
 *
 * SPEC §16: from pending a provider may ask for a customer action (requires_action) or
 * report the outcome later (processing); from either the payment goes on to authorized,
 * captured or failed.
 *
 * refunded, failed and voided are final. Every pair not listed is refused.
 */
const REFUND: Guarded = { whenFullyRefunded: 'refunded', otherwise: 'partially_refunded' };
const ALLOWED: Record<PaymentState, Partial<Record<PaymentEventType, Expected>>> = {
  pending: {
    REQUIRE_ACTION: 'requires_action',
    START_PROCESSING: 'processing',
    AUTHORIZE: 'authorized',
    CAPTURE: 'captured',
    FAIL: 'failed',
  },
  requires_action: { AUTHORIZE: 'authorized', CAPTURE: 'captured', FAIL: 'failed' },
  processing: { AUTHORIZE: 'authorized', CAPTURE: 'captured', FAIL: 'failed' },
  authorized: { CAPTURE: 'captured', FAIL: 'failed', VOID: 'voided' },
  captured: { REFUND },
  partially_refunded: { REFUND },
  refunded: {},
  failed: {},
  voided: {},
};

const CONTEXTS: PaymentMachineContext[] = [{ fullyRefunded: false }, { fullyRefunded: true }];

function expectedTarget(
  state: PaymentState,
  event: PaymentEventType,
  context: PaymentMachineContext,
): PaymentState | undefined {
  const rule = ALLOWED[state][event];
  if (rule === undefined || typeof rule === 'string') return rule;
  return context.fullyRefunded ? rule.whenFullyRefunded : rule.otherwise;
}

const PAIRS = CONTEXTS.flatMap((context) =>
  PAYMENT_STATES.flatMap((state) =>
    PAYMENT_EVENTS.map((event) => ({
      state,
      event,
      context,
      expected: expectedTarget(state, event, context),
    })),
  ),
);

describe('payment machine', () => {
  it('knows exactly the states and events of the payment schema', () => {
    expect(Object.keys(paymentMachine.root.states).sort()).toEqual([...PAYMENT_STATES].sort());
    expect(machineEvents(paymentMachine).sort()).toEqual([...PAYMENT_EVENTS].sort());
  });

  it('starts in pending', () => {
    expect(paymentMachine.root.initial.target.map((s) => s.key)).toEqual(['pending']);
  });

  it('treats refunded, failed and voided as its only final states', () => {
    const finals = Object.values(paymentMachine.root.states)
      .filter((s) => s.type === 'final')
      .map((s) => s.key);
    expect(finals.sort()).toEqual(['failed', 'refunded', 'voided']);
  });

  describe.each(PAIRS)(
    'from $state on $event with fullyRefunded=$context.fullyRefunded',
    ({ state, event, context, expected }) => {
      if (expected === undefined) {
        it('refuses the event', () => {
          expect(nextState(paymentMachine, state, { type: event }, context)).toBeUndefined();
        });
      } else {
        it(`moves to ${expected}`, () => {
          expect(nextState(paymentMachine, state, { type: event }, context)).toBe(expected);
        });
      }
    },
  );

  describe('the REFUND guard', () => {
    it('makes a captured payment refunded when the refund covers the whole capture', () => {
      expect(
        nextState(paymentMachine, 'captured', { type: 'REFUND' }, { fullyRefunded: true }),
      ).toBe('refunded');
    });

    it('makes a captured payment partially_refunded when some of the capture remains', () => {
      expect(
        nextState(paymentMachine, 'captured', { type: 'REFUND' }, { fullyRefunded: false }),
      ).toBe('partially_refunded');
    });

    it('keeps a partially refunded payment partially_refunded until refunds reach the capture', () => {
      expect(
        nextState(
          paymentMachine,
          'partially_refunded',
          { type: 'REFUND' },
          { fullyRefunded: false },
        ),
      ).toBe('partially_refunded');
      expect(
        nextState(
          paymentMachine,
          'partially_refunded',
          { type: 'REFUND' },
          { fullyRefunded: true },
        ),
      ).toBe('refunded');
    });

    it('answers from the current guard facts even after the opposite answer was cached', () => {
      const ask = (fullyRefunded: boolean) =>
        nextState(paymentMachine, 'captured', { type: 'REFUND' }, { fullyRefunded });
      expect([ask(true), ask(false), ask(true)]).toEqual([
        'refunded',
        'partially_refunded',
        'refunded',
      ]);
    });

    it('refuses refunds of payments that were never captured', () => {
      for (const state of ['pending', 'authorized', 'failed', 'voided'] as const) {
        for (const context of CONTEXTS) {
          expect(nextState(paymentMachine, state, { type: 'REFUND' }, context)).toBeUndefined();
        }
      }
    });
  });

  describe('eventForTarget', () => {
    it('maps authorized → voided to VOID', () => {
      expect(eventForTarget(paymentMachine, 'authorized', 'voided', { fullyRefunded: false })).toBe(
        'VOID',
      );
    });

    it('maps captured → refunded to REFUND only when the refund covers the capture', () => {
      expect(eventForTarget(paymentMachine, 'captured', 'refunded', { fullyRefunded: true })).toBe(
        'REFUND',
      );
      expect(
        eventForTarget(paymentMachine, 'captured', 'refunded', { fullyRefunded: false }),
      ).toBeUndefined();
    });

    it('finds no event that voids a captured payment', () => {
      expect(
        eventForTarget(paymentMachine, 'captured', 'voided', { fullyRefunded: false }),
      ).toBeUndefined();
    });

    it('maps every allowed move of the table back to its event', () => {
      for (const { state, event, context, expected } of PAIRS) {
        if (expected !== undefined) {
          expect(eventForTarget(paymentMachine, state, expected, context)).toBe(event);
        }
      }
    });
  });

  describe('reachableStates', () => {
    it('offers authorized, captured, failed and the two wait states from pending', () => {
      expect(reachableStates(paymentMachine, 'pending', { fullyRefunded: false }).sort()).toEqual([
        'authorized',
        'captured',
        'failed',
        'processing',
        'requires_action',
      ]);
    });

    it('offers authorized, captured and failed from either wait state', () => {
      for (const state of ['requires_action', 'processing'] as const) {
        expect(reachableStates(paymentMachine, state, { fullyRefunded: false }).sort()).toEqual([
          'authorized',
          'captured',
          'failed',
        ]);
      }
    });

    it('offers nothing from the final states', () => {
      for (const state of ['refunded', 'failed', 'voided'] as const) {
        for (const context of CONTEXTS) {
          expect(reachableStates(paymentMachine, state, context)).toEqual([]);
        }
      }
    });

    it('offers exactly the targets of the table from every state', () => {
      for (const context of CONTEXTS) {
        for (const state of PAYMENT_STATES) {
          const expected = PAYMENT_EVENTS.map((e) => expectedTarget(state, e, context)).filter(
            (t) => t !== undefined,
          );
          expect(reachableStates(paymentMachine, state, context).sort()).toEqual(
            [...new Set(expected)].sort(),
          );
        }
      }
    });
  });
});
