/**
 * Whether a stored history is a legal path of its machine: the moves each exported machine
 * allows (under any of its guard facts), the creation row, and the rows that record a
 * change without a state move (an order edit, a tracking correction).
 */
import {
  allowedMoves,
  type HistoryEntry,
  orderMachine,
  paymentMachine,
  returnMachine,
  shipmentMachine,
} from 'orderflow';
import type { AnyStateMachine } from 'xstate';

type Entity = HistoryEntry['entity'];

const MACHINES: Record<Entity, { machine: AnyStateMachine; contexts: object[] }> = {
  order: {
    machine: orderMachine,
    contexts: [true, false].flatMap((fullyReturned) =>
      [true, false].map((nothingShipped) => ({ fullyReturned, nothingShipped })),
    ),
  },
  payment: {
    machine: paymentMachine,
    contexts: [{ fullyRefunded: true }, { fullyRefunded: false }],
  },
  return: { machine: returnMachine, contexts: [{ refundSettled: true }, { refundSettled: false }] },
  shipment: { machine: shipmentMachine, contexts: [{}] },
};

/** Rows that change an entity without moving it, and the states they may be written in. */
const SELF_LOOPS: Record<Entity, Record<string, readonly string[]>> = {
  order: { EDIT: ['pending', 'confirmed', 'processing'] },
  payment: {},
  // A refund refused for good is recorded, and retried, on a processed return.
  return: { REFUND_FAILED: ['processed'], RETRY_REFUND: ['processed'] },
  shipment: { UPDATE_TRACKING: ['pending', 'shipped'] },
};

const legal = new Map<Entity, Set<string>>();

function legalMoves(entity: Entity): Set<string> {
  let moves = legal.get(entity);
  if (moves) return moves;
  moves = new Set();
  const { machine, contexts } = MACHINES[entity];
  const states = Object.keys(machine.config.states ?? {});
  for (const state of states) {
    for (const context of contexts) {
      for (const m of allowedMoves(machine, state, context))
        moves.add(`${m.from}|${m.event}|${m.to}`);
    }
  }
  legal.set(entity, moves);
  return moves;
}

function initialState(entity: Entity): string {
  return String(MACHINES[entity].machine.config.initial);
}

/**
 * Why `rows` is not a legal history of an entity now in `state`, or undefined when it is.
 * The first row creates the entity in its machine's initial state (a replacement order
 * starts there too); every later row starts where the one before ended.
 */
export function historyProblem(
  entity: Entity,
  rows: readonly HistoryEntry[],
  state: string,
): string | undefined {
  const [first, ...rest] = rows;
  if (!first) return 'no history row';
  if (first.from !== null || first.event !== 'CREATE' || first.to !== initialState(entity)) {
    return `first row ${first.from} -${first.event}-> ${first.to} is not the creation`;
  }
  let at = first.to;
  for (const row of rest) {
    if (row.from !== at) return `row ${row.from} -${row.event}-> ${row.to} starts away from ${at}`;
    const selfLoop = SELF_LOOPS[entity][row.event];
    if (selfLoop) {
      if (row.to !== row.from || !selfLoop.includes(row.from)) {
        return `${row.event} row ${row.from} -> ${row.to} is not allowed`;
      }
    } else if (!legalMoves(entity).has(`${row.from}|${row.event}|${row.to}`)) {
      return `${row.from} -${row.event}-> ${row.to} is not a move of the ${entity} machine`;
    }
    at = row.to;
  }
  if (at !== state) return `history ends in ${at}, the ${entity} is ${state}`;
  return undefined;
}
