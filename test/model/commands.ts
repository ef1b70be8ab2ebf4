/**
 * The commands of the model-based run (fast-check `fc.commands`): every step runs one
 * action — or a batch of them at once — then lets the jobs finish, reads storage back and
 * checks the invariants. A step that was refused must have left storage exactly as it
 * was; only a payment step may leave its recorded outcome behind when the provider
 * declined or timed out.
 */
import fc from 'fast-check';
import { isOrderflowError } from 'orderflow';
import { assertStockInvariants } from '../../src/testing/storage-conformance/stock-invariants.js';
import type { Action } from './action.js';
import { fulfilmentActions } from './fulfilment-actions.js';
import { editRefundProblems, eventProblems, settledProblems, stepProblems } from './invariants.js';
import { createOrderArb, orderActions } from './order-actions.js';
import { paymentActions } from './payment-actions.js';
import { progressActions } from './progress-actions.js';
import { providerEventActions, soloProviderActions } from './provider-event-actions.js';
import {
  type Fault,
  ModelFailure,
  readSnapshot,
  type Snapshot,
  TRACKED,
  type World,
} from './world.js';

const MINUTE = 60_000;
/** Refusals after which a payment step may have recorded something (a failed payment, an intent). */
const MAY_HAVE_WRITTEN = new Set(['payment_declined', 'provider_unavailable']);

function failIf(problems: readonly string[], after: string): void {
  if (problems.length > 0) throw new ModelFailure(`after ${after}:\n  ${problems.join('\n  ')}`);
}

/** What went differently between two snapshots, by entity (for a refused step). */
function changes(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const key of Object.keys(after) as (keyof Snapshot)[]) {
    const [a, b] = [JSON.stringify(before[key]), JSON.stringify(after[key])];
    if (a !== b) out.push(`${key} changed:\n    before ${a}\n    after  ${b}`);
  }
  return out;
}

/** Lets the jobs finish, reads everything back and checks the invariants. */
async function observe(w: World, what: string): Promise<Snapshot> {
  await w.oms.idle();
  const after = await readSnapshot(w.oms);
  failIf([...stepProblems(after, w.provider), ...eventProblems(after, w.events)], what);
  try {
    await assertStockInvariants(
      w.oms,
      TRACKED.map((t) => t.sku),
    );
  } catch (error) {
    failIf([(error as Error).message], what);
  }
  w.state = after;
  return after;
}

/** Runs an action; an error must be a refusal (an OrderflowError), never a crash. */
async function attempt(w: World, action: Action): Promise<{ did?: string; code?: string }> {
  try {
    const did = await action.run(w);
    return did === undefined ? {} : { did };
  } catch (error) {
    if (!isOrderflowError(error)) {
      throw new ModelFailure(
        `${action.label} crashed: ${(error as Error)?.stack ?? String(error)}`,
      );
    }
    return { did: `${action.label}: refused`, code: error.code };
  }
}

/**
 * A provider outage during a step: faults armed for every call of one operation until the
 * step's jobs are done, so they also hit the refunds, voids and captures the step sets off.
 */
export interface Outage {
  operation: 'authorize' | 'capture' | 'void' | 'refund';
  fault: Fault;
  count: number;
}

const outageArb: fc.Arbitrary<Outage> = fc.record({
  operation: fc.constantFrom<Outage['operation']>('authorize', 'capture', 'refund', 'refund'),
  fault: fc.constantFrom<Fault>('timeout', 'timeout_after_success'),
  count: fc.constantFrom(1, 4, 8),
});

class Step implements fc.AsyncCommand<object, World> {
  constructor(
    readonly action: Action,
    readonly outage: Outage | null = null,
  ) {}
  check = () => true;
  async run(_: object, w: World): Promise<void> {
    const before = w.state;
    if (this.outage) w.provider.arm(this.outage.operation, this.outage.fault, this.outage.count);
    const outcome = await attempt(w, this.action);
    if (!this.outage) w.provider.disarm();
    if (outcome.did === undefined) {
      w.provider.disarm();
      w.trace.push(`(nothing for: ${this.action.label})`);
      return;
    }
    w.trace.push(
      `${outcome.code ? `${outcome.did} ${outcome.code}` : outcome.did}${this.outage ? ' (outage)' : ''}`,
    );
    await w.oms.idle();
    w.provider.disarm();
    const after = await observe(w, this.toString());
    failIf(editRefundProblems(before, after), this.toString());
    if (outcome.code && !MAY_HAVE_WRITTEN.has(outcome.code)) {
      failIf(changes(before, after), `${this.action.label} refused (${outcome.code}) but wrote`);
    }
  }
  toString = () =>
    this.outage
      ? `${this.action.label} during a ${this.outage.operation} outage (${this.outage.fault}×${this.outage.count})`
      : this.action.label;
}

class Batch implements fc.AsyncCommand<object, World> {
  constructor(readonly actions: readonly Action[]) {}
  check = () => true;
  async run(_: object, w: World): Promise<void> {
    w.alone = false;
    const outcomes = await Promise.all(this.actions.map((a) => attempt(w, a))).finally(() => {
      w.alone = true;
    });
    w.provider.disarm();
    const lines = outcomes.map((o, i) => o.did ?? `(nothing for: ${this.actions[i]?.label})`);
    w.trace.push(
      `at once: ${lines.map((l, i) => `${l}${outcomes[i]?.code ? ` ${outcomes[i]?.code}` : ''}`).join(' | ')}`,
    );
    await observe(w, this.toString());
  }
  toString = () => `at once [${this.actions.map((a) => a.label).join(' | ')}]`;
}

class Advance implements fc.AsyncCommand<object, World> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(_: object, w: World): Promise<void> {
    w.clock.advance(this.ms);
    w.trace.push(this.toString());
    await observe(w, this.toString());
  }
  toString = () => `advance the clock ${this.ms / MINUTE} min`;
}

class Sweep implements fc.AsyncCommand<object, World> {
  check = () => true;
  async run(_: object, w: World): Promise<void> {
    const found = await w.oms.sweep();
    w.trace.push(`sweep: ${found} job(s)`);
    await observe(w, 'sweep');
  }
  toString = () => 'sweep';
}

const weighted = [
  ...orderActions,
  ...paymentActions,
  ...providerEventActions,
  ...fulfilmentActions,
  ...progressActions,
];
const actionArb = fc.oneof(...weighted);

/** Every command of a run, with how often each comes. */
export const commandArbs: fc.Arbitrary<fc.AsyncCommand<object, World>>[] = [
  fc.oneof(
    { arbitrary: actionArb.map((a) => new Step(a)), weight: 10 },
    { arbitrary: soloProviderActions.map((a) => new Step(a)), weight: 1 },
    {
      arbitrary: fc.tuple(actionArb, outageArb).map(([a, o]) => new Step(a, o)),
      weight: 2,
    },
    {
      arbitrary: fc.array(actionArb, { minLength: 2, maxLength: 4 }).map((as) => new Batch(as)),
      weight: 3,
    },
    {
      // The same action two or three times at once: the copies pick the same entity.
      arbitrary: fc
        .tuple(actionArb, fc.integer({ min: 2, max: 3 }))
        .map(([a, n]) => new Batch(Array.from({ length: n }, () => a))),
      weight: 2,
    },
    {
      arbitrary: fc
        .constantFrom(1, 3, 61, 24 * 60, 31 * 24 * 60)
        .map((m) => new Advance(m * MINUTE)),
      weight: 1,
    },
    { arbitrary: fc.constant(new Sweep()), weight: 1 },
  ),
];

/** The orders a run starts with (as steps, checked like the others). */
export const openingArb = fc
  .array(createOrderArb, { minLength: 1, maxLength: 3 })
  .map((as) => as.map((a) => new Step(a)));

/**
 * The end of a run: no more faults; the clock moves past the sweep's grace and the sweep
 * runs until every provider call is recorded (or five rounds pass). Then records and the
 * provider's ledger must agree everywhere, and cancelled orders hold no money.
 */
export async function settle(w: World): Promise<void> {
  w.provider.disarm();
  for (let round = 0; round < 5; round++) {
    w.clock.advance(3 * MINUTE);
    await w.oms.sweep();
    await w.oms.idle();
    const state = await readSnapshot(w.oms);
    w.state = state;
    if (settledProblems(state, w.provider).length === 0) break;
  }
  w.trace.push('settled');
  failIf(settledProblems(w.state, w.provider), 'settling');
}
