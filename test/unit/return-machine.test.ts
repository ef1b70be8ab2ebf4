import { describe, expect, it } from 'vitest';
import {
  eventForTarget,
  machineEvents,
  nextState,
  reachableStates,
} from '../../src/machines/decide.js';
import { type ReturnMachineContext, returnMachine } from '../../src/machines/return-machine.js';
import {
  RETURN_EVENTS,
  RETURN_STATES,
  type ReturnEventType,
  type ReturnState,
} from '../../src/schemas/return.js';

/** A transition that only happens when `context.refundSettled` is true. */
interface Guarded {
  whenRefundSettled: ReturnState;
}
type Expected = ReturnState | Guarded;

/**
 * SPEC §5, written out by hand (not read from the machine):
 * initiated → approved → pickup_scheduled → in_transit → received → processed → refunded;
 * rejected from initiated or approved; cancelled (by the customer) from initiated, approved
 * or pickup_scheduled. refunded, rejected and cancelled are final. Every pair not listed is
 * refused. Per SPEC §6 ("refund succeeded → return refunded") processed becomes refunded
 * only once the refund has settled.
 */
const ALLOWED: Record<ReturnState, Partial<Record<ReturnEventType, Expected>>> = {
  initiated: { APPROVE: 'approved', REJECT: 'rejected', CANCEL: 'cancelled' },
  approved: { SCHEDULE_PICKUP: 'pickup_scheduled', REJECT: 'rejected', CANCEL: 'cancelled' },
  pickup_scheduled: { PICK_UP: 'in_transit', CANCEL: 'cancelled' },
  in_transit: { RECEIVE: 'received' },
  received: { PROCESS: 'processed' },
  processed: { REFUND: { whenRefundSettled: 'refunded' } },
  refunded: {},
  rejected: {},
  cancelled: {},
};

const CONTEXTS: ReturnMachineContext[] = [{ refundSettled: false }, { refundSettled: true }];
const SETTLED: ReturnMachineContext = { refundSettled: true };
const UNSETTLED: ReturnMachineContext = { refundSettled: false };

function expectedTarget(
  state: ReturnState,
  event: ReturnEventType,
  context: ReturnMachineContext,
): ReturnState | undefined {
  const rule = ALLOWED[state][event];
  if (rule === undefined || typeof rule === 'string') return rule;
  return context.refundSettled ? rule.whenRefundSettled : undefined;
}

const PAIRS = CONTEXTS.flatMap((context) =>
  RETURN_STATES.flatMap((state) =>
    RETURN_EVENTS.map((event) => ({
      state,
      event,
      context,
      expected: expectedTarget(state, event, context),
    })),
  ),
);

describe('return machine', () => {
  it('knows exactly the states and events of the return schema', () => {
    expect(Object.keys(returnMachine.root.states).sort()).toEqual([...RETURN_STATES].sort());
    expect(machineEvents(returnMachine).sort()).toEqual([...RETURN_EVENTS].sort());
  });

  it('starts in initiated', () => {
    expect(returnMachine.root.initial.target.map((s) => s.key)).toEqual(['initiated']);
  });

  it('treats refunded, rejected and cancelled as its only final states', () => {
    const finals = Object.values(returnMachine.root.states)
      .filter((s) => s.type === 'final')
      .map((s) => s.key);
    expect(finals.sort()).toEqual(['cancelled', 'refunded', 'rejected']);
  });

  describe.each(PAIRS)(
    'from $state on $event with refundSettled=$context.refundSettled',
    ({ state, event, context, expected }) => {
      if (expected === undefined) {
        it('refuses the event', () => {
          expect(nextState(returnMachine, state, { type: event }, context)).toBeUndefined();
        });
      } else {
        it(`moves to ${expected}`, () => {
          expect(nextState(returnMachine, state, { type: event }, context)).toBe(expected);
        });
      }
    },
  );

  describe('the REFUND guard', () => {
    it('makes a processed return refunded once its refund has settled', () => {
      expect(nextState(returnMachine, 'processed', { type: 'REFUND' }, SETTLED)).toBe('refunded');
    });

    it('keeps a processed return processed while its refund has not settled', () => {
      expect(nextState(returnMachine, 'processed', { type: 'REFUND' }, UNSETTLED)).toBeUndefined();
    });

    it('answers from the current guard facts even after the opposite answer was cached', () => {
      const ask = (refundSettled: boolean) =>
        nextState(returnMachine, 'processed', { type: 'REFUND' }, { refundSettled });
      expect([ask(false), ask(true), ask(false)]).toEqual([undefined, 'refunded', undefined]);
    });

    it('does not let a settled refund skip any step before processed', () => {
      for (const state of RETURN_STATES.filter((s) => s !== 'processed')) {
        expect(nextState(returnMachine, state, { type: 'REFUND' }, SETTLED)).toBeUndefined();
      }
    });
  });

  it('lets the customer cancel until the pickup has happened, but not after', () => {
    const cancellable = RETURN_STATES.filter(
      (s) => nextState(returnMachine, s, { type: 'CANCEL' }, SETTLED) !== undefined,
    );
    expect(cancellable).toEqual(['initiated', 'approved', 'pickup_scheduled']);
  });

  it('lets the merchant reject only before the pickup is scheduled', () => {
    const reject = { type: 'REJECT', reason: 'damaged in transit' };
    const rejectable = RETURN_STATES.filter(
      (s) => nextState(returnMachine, s, reject, SETTLED) !== undefined,
    );
    expect(rejectable).toEqual(['initiated', 'approved']);
  });

  describe('eventForTarget', () => {
    it('maps approved → pickup_scheduled to SCHEDULE_PICKUP', () => {
      expect(eventForTarget(returnMachine, 'approved', 'pickup_scheduled', UNSETTLED)).toBe(
        'SCHEDULE_PICKUP',
      );
    });

    it('maps pickup_scheduled → cancelled to CANCEL', () => {
      expect(eventForTarget(returnMachine, 'pickup_scheduled', 'cancelled', UNSETTLED)).toBe(
        'CANCEL',
      );
    });

    it('maps processed → refunded to REFUND only once the refund has settled', () => {
      expect(eventForTarget(returnMachine, 'processed', 'refunded', SETTLED)).toBe('REFUND');
      expect(eventForTarget(returnMachine, 'processed', 'refunded', UNSETTLED)).toBeUndefined();
    });

    it('finds no event from initiated straight to refunded', () => {
      expect(eventForTarget(returnMachine, 'initiated', 'refunded', SETTLED)).toBeUndefined();
    });

    it('finds no event that rejects a return already in transit', () => {
      expect(eventForTarget(returnMachine, 'in_transit', 'rejected', SETTLED)).toBeUndefined();
    });

    it('maps every allowed move of the table back to its event', () => {
      for (const { state, event, context, expected } of PAIRS) {
        if (expected !== undefined) {
          expect(eventForTarget(returnMachine, state, expected, context)).toBe(event);
        }
      }
    });
  });

  describe('reachableStates', () => {
    it('offers approved, rejected and cancelled from initiated', () => {
      expect(reachableStates(returnMachine, 'initiated', UNSETTLED).sort()).toEqual([
        'approved',
        'cancelled',
        'rejected',
      ]);
    });

    it('offers nothing from the final states', () => {
      for (const state of ['refunded', 'rejected', 'cancelled'] as const) {
        for (const context of CONTEXTS) {
          expect(reachableStates(returnMachine, state, context)).toEqual([]);
        }
      }
    });

    it('offers exactly the targets of the table from every state', () => {
      for (const context of CONTEXTS) {
        for (const state of RETURN_STATES) {
          const expected = RETURN_EVENTS.map((e) => expectedTarget(state, e, context)).filter(
            (t) => t !== undefined,
          );
          expect(reachableStates(returnMachine, state, context).sort()).toEqual(
            [...new Set(expected)].sort(),
          );
        }
      }
    });
  });
});
