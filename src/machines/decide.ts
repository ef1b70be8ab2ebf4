import { type AnyStateMachine, getNextSnapshot } from 'xstate';

/** The outcome of asking a machine about one event from one state. */
export interface Decision {
  event: string;
  from: string;
  to: string;
}

function snapshotAt(machine: AnyStateMachine, state: string, context: object) {
  return machine.resolveState({ value: state, context });
}

/** Every event type the machine knows, in definition order. */
export function machineEvents(machine: AnyStateMachine): string[] {
  return [...new Set(machine.events as string[])];
}

/**
 * Where `event` leads from `state` given the guard facts in `context`, or undefined when
 * the machine refuses it.
 *
 * ```ts
 * nextState(orderMachine, 'pending', { type: 'CONFIRM' }, { fullyReturned: false }); // 'confirmed'
 * ```
 */
export function nextState(
  machine: AnyStateMachine,
  state: string,
  event: { type: string },
  context: object,
): string | undefined {
  // Machines are pure and guards read only the context, so the answer can be memoized.
  let cache = decisions.get(machine);
  if (!cache) {
    cache = new Map();
    decisions.set(machine, cache);
  }
  const key = `${state}|${event.type}|${JSON.stringify(context)}`;
  const known = cache.get(key);
  if (known !== undefined) return known ?? undefined;
  const snapshot = snapshotAt(machine, state, context);
  const to = snapshot.can(event) ? String(getNextSnapshot(machine, snapshot, event).value) : null;
  cache.set(key, to);
  return to ?? undefined;
}

const decisions = new WeakMap<AnyStateMachine, Map<string, string | null>>();

/** Every (event → state) the machine allows from `state` now. */
export function allowedMoves(machine: AnyStateMachine, state: string, context: object): Decision[] {
  return movesFrom(machine, state, context).map((m) => ({ ...m }));
}

/**
 * The moves from `state` given `context`, memoized like `nextState` (a transition asks for
 * all of them to find the event that leads to a target state). Shared: never changed.
 */
function movesFrom(
  machine: AnyStateMachine,
  state: string,
  context: object,
): readonly Readonly<Decision>[] {
  let cache = moveLists.get(machine);
  if (!cache) {
    cache = new Map();
    moveLists.set(machine, cache);
  }
  const key = `${state}|${JSON.stringify(context)}`;
  let moves = cache.get(key);
  if (!moves) {
    const found: Decision[] = [];
    for (const type of machineEvents(machine)) {
      const to = nextState(machine, state, { type }, context);
      if (to !== undefined) found.push({ event: type, from: state, to });
    }
    moves = Object.freeze(found.map((m) => Object.freeze(m)));
    cache.set(key, moves);
  }
  return moves;
}

const moveLists = new WeakMap<AnyStateMachine, Map<string, readonly Readonly<Decision>[]>>();

/** The states reachable from `state` in one step, without duplicates. */
export function reachableStates(
  machine: AnyStateMachine,
  state: string,
  context: object,
): string[] {
  return [...new Set(movesFrom(machine, state, context).map((m) => m.to))];
}

/**
 * The one event that leads from `state` to `target`, or undefined when none does.
 * Used to map `{ state: 'shipped' }` from an API to `SHIP`.
 */
export function eventForTarget(
  machine: AnyStateMachine,
  state: string,
  target: string,
  context: object,
): string | undefined {
  return movesFrom(machine, state, context).find((m) => m.to === target)?.event;
}
