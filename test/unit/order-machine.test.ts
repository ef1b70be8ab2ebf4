import { describe, expect, it } from 'vitest';
import {
  allowedMoves,
  eventForTarget,
  machineEvents,
  nextState,
  reachableStates,
} from '../../src/machines/decide.js';
import { type OrderMachineContext, orderMachine } from '../../src/machines/order-machine.js';
import {
  ORDER_EVENTS,
  ORDER_STATES,
  type OrderEventType,
  type OrderState,
} from '../../src/schemas/order.js';

/** A transition that only happens when `context.fullyReturned` is true. */
interface Guarded {
  whenFullyReturned: OrderState;
}
type Expected = OrderState | Guarded;

/**
 * SPEC §5, written out by hand (not read from the machine):
 * pending → confirmed → processing → shipped → delivered; cancelled from pending, confirmed,
 * processing; returned from delivered only when every delivered unit has been returned and
 * refunded. cancelled and returned are final. Every pair not listed is refused.
 */
const ALLOWED: Record<OrderState, Partial<Record<OrderEventType, Expected>>> = {
  pending: { CONFIRM: 'confirmed', CANCEL: 'cancelled' },
  confirmed: { PROCESS: 'processing', CANCEL: 'cancelled' },
  processing: { SHIP: 'shipped', CANCEL: 'cancelled' },
  shipped: { DELIVER: 'delivered' },
  delivered: { RETURN: { whenFullyReturned: 'returned' } },
  cancelled: {},
  returned: {},
};

const CONTEXTS: OrderMachineContext[] = [{ fullyReturned: false }, { fullyReturned: true }];

function expectedTarget(
  state: OrderState,
  event: OrderEventType,
  context: OrderMachineContext,
): OrderState | undefined {
  const rule = ALLOWED[state][event];
  if (rule === undefined || typeof rule === 'string') return rule;
  return context.fullyReturned ? rule.whenFullyReturned : undefined;
}

const PAIRS = CONTEXTS.flatMap((context) =>
  ORDER_STATES.flatMap((state) =>
    ORDER_EVENTS.map((event) => ({
      state,
      event,
      context,
      expected: expectedTarget(state, event, context),
    })),
  ),
);

describe('order machine', () => {
  it('knows exactly the states and events of the order schema', () => {
    expect(Object.keys(orderMachine.root.states).sort()).toEqual([...ORDER_STATES].sort());
    expect(machineEvents(orderMachine).sort()).toEqual([...ORDER_EVENTS].sort());
  });

  it('starts in pending', () => {
    expect(orderMachine.root.initial.target.map((s) => s.key)).toEqual(['pending']);
  });

  it('treats cancelled and returned as its only final states', () => {
    const finals = Object.values(orderMachine.root.states)
      .filter((s) => s.type === 'final')
      .map((s) => s.key);
    expect(finals.sort()).toEqual(['cancelled', 'returned']);
  });

  describe.each(PAIRS)(
    'from $state on $event with fullyReturned=$context.fullyReturned',
    ({ state, event, context, expected }) => {
      if (expected === undefined) {
        it('refuses the event', () => {
          expect(nextState(orderMachine, state, { type: event }, context)).toBeUndefined();
        });
      } else {
        it(`moves to ${expected}`, () => {
          expect(nextState(orderMachine, state, { type: event }, context)).toBe(expected);
        });
      }
    },
  );

  describe('the RETURN guard', () => {
    it('lets a delivered order become returned once every unit has been returned and refunded', () => {
      expect(
        nextState(orderMachine, 'delivered', { type: 'RETURN' }, { fullyReturned: true }),
      ).toBe('returned');
    });

    it('keeps a partially returned order delivered by refusing RETURN', () => {
      expect(
        nextState(orderMachine, 'delivered', { type: 'RETURN' }, { fullyReturned: false }),
      ).toBeUndefined();
    });

    it('answers from the current guard facts even after the opposite answer was cached', () => {
      const ask = (fullyReturned: boolean) =>
        nextState(orderMachine, 'delivered', { type: 'RETURN' }, { fullyReturned });
      expect([ask(false), ask(true), ask(false), ask(true)]).toEqual([
        undefined,
        'returned',
        undefined,
        'returned',
      ]);
    });

    it('does not let fullyReturned open RETURN from any state other than delivered', () => {
      for (const state of ORDER_STATES.filter((s) => s !== 'delivered')) {
        expect(
          nextState(orderMachine, state, { type: 'RETURN' }, { fullyReturned: true }),
        ).toBeUndefined();
      }
    });
  });

  it('refuses an event type the machine does not know', () => {
    expect(
      nextState(orderMachine, 'pending', { type: 'TELEPORT' }, { fullyReturned: false }),
    ).toBeUndefined();
  });

  it('accepts SHIP with carrier details', () => {
    const ship = { type: 'SHIP', carrier: 'ups', trackingNumber: '1Z999' };
    expect(nextState(orderMachine, 'processing', ship, { fullyReturned: false })).toBe('shipped');
  });

  describe('eventForTarget', () => {
    it('maps processing → shipped to SHIP', () => {
      expect(eventForTarget(orderMachine, 'processing', 'shipped', { fullyReturned: false })).toBe(
        'SHIP',
      );
    });

    it('finds no event from pending straight to shipped', () => {
      expect(
        eventForTarget(orderMachine, 'pending', 'shipped', { fullyReturned: false }),
      ).toBeUndefined();
    });

    it('maps delivered → returned to RETURN only when the order is fully returned', () => {
      expect(eventForTarget(orderMachine, 'delivered', 'returned', { fullyReturned: true })).toBe(
        'RETURN',
      );
      expect(
        eventForTarget(orderMachine, 'delivered', 'returned', { fullyReturned: false }),
      ).toBeUndefined();
    });

    it('finds no event to the state the order is already in', () => {
      for (const state of ORDER_STATES) {
        expect(eventForTarget(orderMachine, state, state, { fullyReturned: true })).toBeUndefined();
      }
    });

    it('maps every allowed move of the table back to its event', () => {
      for (const { state, event, context, expected } of PAIRS) {
        if (expected !== undefined) {
          expect(eventForTarget(orderMachine, state, expected, context)).toBe(event);
        }
      }
    });
  });

  describe('reachableStates', () => {
    it('offers confirmed and cancelled from pending', () => {
      expect(reachableStates(orderMachine, 'pending', { fullyReturned: false }).sort()).toEqual([
        'cancelled',
        'confirmed',
      ]);
    });

    it('offers nothing from a partially returned delivered order', () => {
      expect(reachableStates(orderMachine, 'delivered', { fullyReturned: false })).toEqual([]);
    });

    it('offers returned from a fully returned delivered order', () => {
      expect(reachableStates(orderMachine, 'delivered', { fullyReturned: true })).toEqual([
        'returned',
      ]);
    });

    it('offers nothing from the final states', () => {
      for (const state of ['cancelled', 'returned'] as const) {
        expect(reachableStates(orderMachine, state, { fullyReturned: true })).toEqual([]);
      }
    });

    it('offers exactly the targets of the table from every state', () => {
      for (const context of CONTEXTS) {
        for (const state of ORDER_STATES) {
          const expected = ORDER_EVENTS.map((e) => expectedTarget(state, e, context)).filter(
            (t) => t !== undefined,
          );
          expect(reachableStates(orderMachine, state, context).sort()).toEqual(
            [...new Set(expected)].sort(),
          );
        }
      }
    });
  });

  it('lists allowed moves with their event, origin and target', () => {
    const moves = allowedMoves(orderMachine, 'processing', { fullyReturned: false });
    expect(moves.sort((a, b) => a.event.localeCompare(b.event))).toEqual([
      { event: 'CANCEL', from: 'processing', to: 'cancelled' },
      { event: 'SHIP', from: 'processing', to: 'shipped' },
    ]);
  });
});
