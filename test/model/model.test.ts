/**
 * Model-based test: random sequences of commands over the managers of a real order system
 * (orders, payments with declines and provider faults, shipments, stock, edits, returns and
 * exchanges, the clock, the sweep, batches of commands at once), with the invariants of
 * `invariants.ts` checked after every step and once more after settling.
 *
 * It runs once per storage backend (the `systems-*` vitest projects). The default budget is
 * small; `ORDERFLOW_MODEL_RUNS=200` runs longer, `ORDERFLOW_MODEL_STEPS` makes sequences
 * longer. A failure prints the seed, the fast-check path and every step with its outcome;
 * `ORDERFLOW_MODEL_SEED=<seed> ORDERFLOW_MODEL_PATH=<path>` replays it, and
 * `ORDERFLOW_MODEL_SHRINK=1` looks for a shorter sequence.
 */
import fc from 'fast-check';
import { afterEach, describe, it } from 'vitest';
import { closeSystems, systemBackend } from '../managers/setup.js';
import { commandArbs, openingArb, settle } from './commands.js';
import { newWorld } from './world.js';

const backend = systemBackend();
/** Runs per backend by default: about a minute for the three together in CI. */
const DEFAULT_RUNS = { memory: 60, sqlite: 40, postgres: 15 } as const;

function envNumber(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`${name}=${raw} is not an integer`);
  return n;
}

const runs = envNumber('ORDERFLOW_MODEL_RUNS') ?? DEFAULT_RUNS[backend];
const steps = envNumber('ORDERFLOW_MODEL_STEPS') ?? 25;
const seed = envNumber('ORDERFLOW_MODEL_SEED') ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const path = process.env.ORDERFLOW_MODEL_PATH?.trim();

describe(`model-based run on ${backend}`, () => {
  afterEach(closeSystems);

  it(
    'keeps every invariant through random command sequences',
    async () => {
      const property = fc.asyncProperty(
        openingArb,
        fc.commands(commandArbs, { maxCommands: steps, size: 'max' }),
        async (opening, commands) => {
          const world = await newWorld();
          try {
            for (const step of opening) await step.run({}, world);
            await fc.asyncModelRun(() => ({ model: {}, real: world }), commands);
            await settle(world);
            if (process.env.ORDERFLOW_MODEL_VERBOSE === '1') {
              console.log(`run on ${backend}:\n  ${world.trace.join('\n  ')}`);
            }
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            throw new Error(`${message}\n\nsteps (${backend}):\n  ${world.trace.join('\n  ')}`, {
              cause: error,
            });
          } finally {
            await closeSystems();
          }
        },
      );
      const result = await fc.check(property, {
        numRuns: runs,
        seed,
        ...(path ? { path } : {}),
        endOnFailure: process.env.ORDERFLOW_MODEL_SHRINK !== '1',
      });
      if (result.failed) {
        const replay = `ORDERFLOW_SYSTEM_BACKEND=${backend} ORDERFLOW_MODEL_SEED=${result.seed} ORDERFLOW_MODEL_PATH=${result.counterexamplePath}`;
        throw new Error(
          `model-based run failed on ${backend} (seed ${result.seed}; replay with ${replay})\n${fc.defaultReportMessage(result)}\n\n${(result.errorInstance as Error | undefined)?.message ?? String(result.errorInstance)}`,
        );
      }
    },
    // Postgres steps cost the most; the budget grows with the runs asked for.
    Math.max(60_000, runs * steps * 600),
  );
});
