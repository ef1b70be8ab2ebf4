import type { AnyStateMachine } from 'xstate';
import { ConcurrencyError, InvalidTransitionError } from '../errors.js';
import { eventForTarget, nextState, reachableStates } from '../machines/decide.js';

/** What the caller asked for: a target state or a machine event. */
export type TransitionRequest = { state: string } | { event: string };

export interface Versioned {
  id: string;
  state: string;
  version: number;
}

/** The machine's verdict on a request: the event and target state, or a no-op. */
export type Verdict = { kind: 'noop' } | { kind: 'move'; event: string; from: string; to: string };

/**
 * Asks the machine about a request. A target state is mapped to the one event that leads
 * there; asking for the current state is a no-op (duplicate webhooks and retries must not
 * fail), unless `expectedVersion` is stale. Anything else the machine refuses is an
 * InvalidTransitionError listing the states reachable now.
 */
export function decideTransition(
  machine: AnyStateMachine,
  entityName: string,
  entity: Versioned,
  request: TransitionRequest,
  context: object,
  expectedVersion?: number,
): Verdict {
  assertVersion(entityName, entity, expectedVersion);
  if ('state' in request) {
    if (request.state === entity.state) return { kind: 'noop' };
    const event = eventForTarget(machine, entity.state, request.state, context);
    if (event === undefined) {
      throw new InvalidTransitionError(
        entityName,
        entity.id,
        entity.state,
        request.state,
        reachableStates(machine, entity.state, context),
      );
    }
    return { kind: 'move', event, from: entity.state, to: request.state };
  }
  const to = nextState(machine, entity.state, { type: request.event }, context);
  if (to === undefined) {
    throw new InvalidTransitionError(
      entityName,
      entity.id,
      entity.state,
      request.event,
      reachableStates(machine, entity.state, context),
    );
  }
  return { kind: 'move', event: request.event, from: entity.state, to };
}

/** Throws ConcurrencyError when the caller's `expectedVersion` is not the entity's version. */
export function assertVersion(
  entityName: string,
  entity: Pick<Versioned, 'id' | 'version'>,
  expectedVersion: number | undefined,
): void {
  if (expectedVersion !== undefined && expectedVersion !== entity.version) {
    throw new ConcurrencyError(entityName, entity.id, expectedVersion, entity.version);
  }
}

/** Throws ConcurrencyError when a versioned write lost its race. */
export function assertWritten(written: boolean, entityName: string, id: string): void {
  if (!written) throw new ConcurrencyError(entityName, id);
}
