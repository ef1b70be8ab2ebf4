import assert from 'node:assert/strict';
import type { JobContext, JobRunner } from '../ports/job-runner.js';
import { type ManualClock, manualClock } from './manual-clock.js';
import type { TestApi } from './test-api.js';

/**
 * What the suite hands a {@link JobRunnerFactory}: a fresh manual clock when the runner
 * follows one (`supportsManualClock`, the default), else `undefined` (real time).
 *
 * ```ts
 * const factory: JobRunnerFactory = async ({ clock }) => ({ runner: inProcessJobs({ clock }) });
 * ```
 */
export interface JobRunnerFactoryContext {
  clock: ManualClock | undefined;
}

/**
 * Builds a fresh, not yet started runner for one test. Configure small retry backoff
 * (a few milliseconds: the retry cases must finish within `timeoutMs`) and a quiet logger
 * (the suite makes handlers fail on purpose). `cleanup` runs after the suite's own
 * `runner.stop()` (even if that fails), e.g. to close connections or delete a Redis prefix.
 *
 * ```ts
 * const factory: JobRunnerFactory = async () => {
 *   const runner = bullmqJobs({ connection, prefix: `t${Date.now()}` });
 *   return { runner, cleanup: () => connection.flushdb().then(() => {}) };
 * };
 * ```
 */
export type JobRunnerFactory = (
  ctx: JobRunnerFactoryContext,
) => Promise<{ runner: JobRunner; cleanup?: () => Promise<void> }>;

/**
 * Options of {@link jobRunnerConformanceSuite}. Only `test` is required: the suite does
 * not depend on a test framework, it registers its cases through the one you pass.
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 *
 * jobRunnerConformanceSuite('bullmq', factory, {
 *   test: { describe, it, beforeEach, afterEach },
 *   supportsManualClock: false,
 *   timeoutMs: 10_000,
 * });
 * ```
 */
export interface JobRunnerConformanceOptions {
  /**
   * The test framework to register the cases with: `describe`, `it`, `beforeEach` and
   * `afterEach` from Vitest, Jest or `node:test`. The suite asserts with
   * `node:assert/strict`, polls with real timers and stops each case's runner in an
   * `afterEach` hook. It passes no per-case timeout, so let your framework's test
   * timeout exceed `timeoutMs` (a case only polls that long when it is failing).
   */
  test: TestApi;
  /**
   * Whether the runner measures `delayMs` and schedules with the clock it is given, so
   * the delay and schedule cases can move a manual clock. When `false` they use short
   * real-time delays (`realDelayMs`, `realEveryMs`) instead.
   * @default true
   */
  supportsManualClock?: boolean;
  /**
   * The delay of the real-time delayed-job case, in milliseconds.
   * @default 300
   */
  realDelayMs?: number;
  /**
   * The interval of the real-time schedule cases, in milliseconds.
   * @default 100
   */
  realEveryMs?: number;
  /**
   * How long a case polls for something that should happen, in milliseconds.
   * @default 5_000
   */
  timeoutMs?: number;
}

interface Gate {
  promise: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The one short real wait: for asserting that something has NOT happened (yet). */
const settle = () => sleep(25);

/**
 * Calls `check` every `intervalMs` (real time) until it returns (or resolves) without
 * throwing, and returns its result. Once `timeoutMs` have passed it throws the last
 * error of `check`, or a timeout error if `check` is still pending.
 */
async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs: number,
  intervalMs = 5,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const pendingTooLong = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`waitFor: check still pending after ${timeoutMs} ms`)),
        Math.max(deadline - Date.now(), 0),
      );
    });
    try {
      return await Promise.race([Promise.resolve().then(check), pendingTooLong]);
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    } finally {
      clearTimeout(timer);
    }
    await sleep(intervalMs);
  }
}

/** A handler's context as a plain object, without `undefined` fields, for `deepEqual`. */
function plainContext(context: JobContext): Record<string, unknown> {
  return Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
}

/** An `assert.rejects` check: the rejection is an `Error` whose message matches `pattern`. */
function messageMatches(pattern: RegExp): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof Error, `expected an Error, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

const MINUTE = 60_000;

/**
 * The conformance suite every `JobRunner` must pass (in-process, BullMQ, your own). It
 * only uses the `JobRunner` port: `idle()` to wait for work, bounded polling for retries
 * and real-time delays. Each case builds its runner with `factory`; an `afterEach` hook
 * stops it (and then runs `cleanup`), so `stop()` must be safe to call twice.
 * Concurrency limits are runner-specific options and are tested by each runner's own
 * tests, not here.
 *
 * The suite does not import a test framework (so `orderflow/testing` works without
 * Vitest installed, from ESM and CJS): pass `describe`, `it`, `beforeEach` and
 * `afterEach` as `options.test`. It asserts with `node:assert/strict`.
 *
 * ```ts
 * import { afterEach, beforeEach, describe, it } from 'vitest';
 * import { jobRunnerConformanceSuite } from 'orderflow/testing';
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 *
 * jobRunnerConformanceSuite(
 *   'in-process',
 *   async ({ clock }) => ({
 *     runner: inProcessJobs({ clock, logger: silentLogger, backoff: { minTimeoutMs: 1 } }),
 *   }),
 *   { test: { describe, it, beforeEach, afterEach } },
 * );
 * ```
 */
export function jobRunnerConformanceSuite(
  name: string,
  factory: JobRunnerFactory,
  options: JobRunnerConformanceOptions,
): void {
  const {
    test,
    supportsManualClock = true,
    realDelayMs = 300,
    realEveryMs = 100,
    timeoutMs = 5_000,
  } = options;
  const { describe, it, afterEach } = test;
  const eventually = <T>(check: () => T | Promise<T>) => waitFor(check, timeoutMs);

  /** What the running case registered to undo; run last-in first-out by `afterEach`. */
  const cleanups: Array<() => unknown> = [];
  const onCleanup = (fn: () => unknown) => {
    cleanups.push(fn);
  };

  async function runCleanups(): Promise<void> {
    const errors: unknown[] = [];
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'Job runner cleanup failed');
  }

  async function setup(): Promise<{ runner: JobRunner; clock: ManualClock | undefined }> {
    const clock = supportsManualClock ? manualClock() : undefined;
    const { runner, cleanup } = await factory({ clock });
    if (cleanup) onCleanup(cleanup);
    onCleanup(() => runner.stop());
    return { runner, clock };
  }

  describe(`JobRunner conformance: ${name}`, () => {
    afterEach(runCleanups);

    it('runs an enqueued job with its payload once', async () => {
      const { runner } = await setup();
      const runs: Array<{ payload: unknown; context: JobContext }> = [];
      runner.register('greet', async (payload, context) => {
        runs.push({ payload, context: { ...context } });
      });
      await runner.start();
      await runner.enqueue('greet', { to: 'ada@example.com' }, { jobId: 'greet-1' });
      await runner.enqueue('greet', { to: 'bob@example.com' });
      await runner.idle();

      assert.equal(runs.length, 2);
      const byRecipient = (to: string) =>
        runs.find((run) => (run.payload as { to: string }).to === to);
      const ada = byRecipient('ada@example.com')?.context;
      assert.ok(ada, 'no run for ada@example.com');
      const { attempts, ...rest } = plainContext(ada) as { attempts: unknown };
      assert.deepEqual(rest, { id: 'greet-1', name: 'greet', attempt: 1 });
      assert.ok(Number.isInteger(attempts) && (attempts as number) >= 1, 'context.attempts');
      const other = byRecipient('bob@example.com')?.context;
      assert.ok(other, 'no run for bob@example.com');
      assert.equal(other.name, 'greet');
      assert.equal(other.attempt, 1);
      assert.equal(typeof other.id, 'string');
      assert.notEqual(other.id, 'greet-1');
    });

    it('runs jobs enqueued before start only after start', async () => {
      const { runner } = await setup();
      const seen: number[] = [];
      runner.register('count', async (payload: { n: number }) => {
        seen.push(payload.n);
      });
      await runner.enqueue('count', { n: 1 });
      await runner.enqueue('count', { n: 2 });
      await settle();
      assert.deepEqual(seen, []);

      await runner.start();
      await runner.idle();
      assert.deepEqual(
        [...seen].sort((a, b) => a - b),
        [1, 2],
      );
    });

    it('dedupes jobs by jobId while one is pending or running', async () => {
      const { runner } = await setup();
      const seen: string[] = [];
      const release = gate();
      onCleanup(release.open);
      runner.register('charge', async (payload: { v: string }) => {
        seen.push(payload.v);
        await release.promise;
      });
      await runner.enqueue('charge', { v: 'first' }, { jobId: 'charge-1' });
      await runner.enqueue('charge', { v: 'while waiting' }, { jobId: 'charge-1' });
      await runner.start();
      await eventually(() => assert.deepEqual(seen, ['first']));
      await runner.enqueue('charge', { v: 'while running' }, { jobId: 'charge-1' });
      release.open();
      await runner.idle();

      assert.deepEqual(seen, ['first']);
    });

    it('allows the same jobId again after the job completed', async () => {
      const { runner } = await setup();
      const seen: number[] = [];
      runner.register('sync', async (payload: { n: number }) => {
        seen.push(payload.n);
      });
      await runner.start();
      await runner.enqueue('sync', { n: 1 }, { jobId: 'sync-1' });
      await runner.idle();
      await runner.enqueue('sync', { n: 2 }, { jobId: 'sync-1' });
      await runner.idle();

      assert.deepEqual(seen, [1, 2]);
    });

    it('retries a failing handler and reports attempt numbers', async () => {
      const { runner } = await setup();
      const contexts: JobContext[] = [];
      let succeeded = false;
      runner.register('flaky', async (_payload, context) => {
        contexts.push({ ...context });
        if (context.attempt < 3) throw new Error(`transient failure ${context.attempt}`);
        succeeded = true;
      });
      await runner.start();
      await runner.enqueue('flaky', {}, { jobId: 'flaky-1', attempts: 3 });
      await eventually(() => assert.equal(succeeded, true));
      await runner.idle();

      assert.deepEqual(
        contexts.map(plainContext),
        [1, 2, 3].map((attempt) => ({ id: 'flaky-1', name: 'flaky', attempt, attempts: 3 })),
      );
    });

    it('gives up after `attempts` runs and then frees the jobId', async () => {
      const { runner } = await setup();
      const rounds: number[] = [];
      runner.register('doomed', async (payload: { round: number }) => {
        rounds.push(payload.round);
        throw new Error('permanent failure');
      });
      await runner.start();
      await runner.enqueue('doomed', { round: 1 }, { jobId: 'doomed-1', attempts: 2 });
      // While round 1 is pending this enqueue is a no-op; once it has been given up it runs.
      await eventually(async () => {
        await runner.enqueue('doomed', { round: 2 }, { jobId: 'doomed-1', attempts: 1 });
        assert.ok(rounds.includes(2), `round 2 has not run yet: ${JSON.stringify(rounds)}`);
      });

      assert.deepEqual(
        rounds.filter((round) => round === 1),
        [1, 1],
      );
    });

    if (supportsManualClock) {
      it('delays a job until its time on the manual clock', async () => {
        const { runner, clock } = await setup();
        const seen: string[] = [];
        runner.register('expire', async (payload: { orderId: string }) => {
          seen.push(payload.orderId);
        });
        await runner.start();
        await runner.enqueue('expire', { orderId: 'ord_1' }, { delayMs: 60 * MINUTE });
        await runner.idle();
        assert.deepEqual(seen, []);

        clock!.advance(59 * MINUTE);
        await runner.idle();
        assert.deepEqual(seen, []);

        clock!.advance(2 * MINUTE);
        await eventually(() => assert.deepEqual(seen, ['ord_1']));
        await runner.idle();
        assert.deepEqual(seen, ['ord_1']);
      });
    } else {
      it(`delays a job until its time (real ${realDelayMs} ms delay: the runner cannot follow a manual clock)`, async () => {
        const { runner } = await setup();
        const ranAfter: number[] = [];
        const started = performance.now();
        runner.register('expire', async () => {
          ranAfter.push(performance.now() - started);
        });
        await runner.start();
        await runner.enqueue('expire', {}, { delayMs: realDelayMs });
        await runner.idle();
        assert.deepEqual(ranAfter, []);

        await eventually(() => assert.equal(ranAfter.length, 1));
        const [ranAfterMs = Number.NaN] = ranAfter;
        assert.ok(
          ranAfterMs >= realDelayMs - 50,
          `ran after ${ranAfterMs} ms, expected at least ${realDelayMs - 50} ms`,
        );
      });
    }

    if (supportsManualClock) {
      it('runs a recurring schedule every interval of the manual clock', async () => {
        const { runner, clock } = await setup();
        const seen: unknown[] = [];
        runner.register('sweep', async (payload) => {
          seen.push(payload);
        });
        await runner.start();
        await runner.schedule('sweep', 5 * MINUTE, { batch: 10 });
        await runner.idle();
        assert.deepEqual(seen, []);

        for (let run = 1; run <= 3; run++) {
          clock!.advance(5 * MINUTE);
          await eventually(() => assert.equal(seen.length, run));
          await runner.idle();
        }
        assert.deepEqual(seen, [{ batch: 10 }, { batch: 10 }, { batch: 10 }]);
      });

      it('keeps one schedule per name when a schedule is replaced', async () => {
        const { runner, clock } = await setup();
        const seen: unknown[] = [];
        runner.register('sweep', async (payload) => {
          seen.push(payload);
        });
        await runner.start();
        await runner.schedule('sweep', 5 * MINUTE, { version: 1 });
        await runner.schedule('sweep', 5 * MINUTE, { version: 2 });

        for (let run = 1; run <= 2; run++) {
          clock!.advance(5 * MINUTE);
          await eventually(() => assert.equal(seen.length, run));
          await runner.idle();
        }
        assert.deepEqual(seen, [{ version: 2 }, { version: 2 }]);
      });
    } else {
      it(`runs a recurring schedule repeatedly (real ${realEveryMs} ms interval: the runner cannot follow a manual clock)`, async () => {
        const { runner } = await setup();
        const seen: unknown[] = [];
        runner.register('sweep', async (payload) => {
          seen.push(payload);
        });
        await runner.start();
        await runner.schedule('sweep', realEveryMs, { batch: 10 });

        await eventually(() =>
          assert.ok(seen.length >= 3, `${seen.length} runs so far, expected at least 3`),
        );
        assert.deepEqual(
          new Set(seen.map((payload) => JSON.stringify(payload))),
          new Set([JSON.stringify({ batch: 10 })]),
        );
      });

      it(`keeps one schedule per name when a schedule is replaced (real ${realEveryMs} ms interval: the runner cannot follow a manual clock)`, async () => {
        const { runner } = await setup();
        const seen: number[] = [];
        runner.register('sweep', async (payload: { version: number }) => {
          seen.push(payload.version);
        });
        await runner.start();
        await runner.schedule('sweep', realEveryMs, { version: 1 });
        await runner.schedule('sweep', realEveryMs, { version: 2 });

        await eventually(() => {
          const runs = seen.filter((v) => v === 2).length;
          assert.ok(runs >= 3, `${runs} runs of version 2 so far, expected at least 3`);
        });
        assert.deepEqual(
          seen.filter((v) => v !== 2),
          [],
        );
      });
    }

    it('stop waits for a running job to finish', async () => {
      const { runner } = await setup();
      const events: string[] = [];
      const release = gate();
      onCleanup(release.open);
      runner.register('slow', async () => {
        events.push('started');
        await release.promise;
        events.push('finished');
      });
      await runner.start();
      await runner.enqueue('slow', {});
      await eventually(() => assert.deepEqual(events, ['started']));

      const stopped = runner.stop().then(() => {
        events.push('stopped');
      });
      await settle();
      assert.deepEqual(events, ['started']);

      release.open();
      await stopped;
      assert.deepEqual(events, ['started', 'finished', 'stopped']);
    });

    it('idle waits for jobs enqueued by running handlers', async () => {
      const { runner } = await setup();
      const seen: string[] = [];
      runner.register('place', async () => {
        seen.push('place');
        await runner.enqueue('confirm', {});
      });
      runner.register('confirm', async () => {
        await sleep(10);
        seen.push('confirm');
        await runner.enqueue('notify', {});
      });
      runner.register('notify', async () => {
        seen.push('notify');
      });
      await runner.start();
      await runner.enqueue('place', {});
      await runner.idle();

      assert.deepEqual(seen, ['place', 'confirm', 'notify']);
    });

    it('rejects enqueue of a job name without a handler, naming it', async () => {
      const { runner } = await setup();
      runner.register('known', async () => {});
      await runner.start();

      await assert.rejects(runner.enqueue('no-such-job', {}), messageMatches(/no-such-job/));
    });

    it('answers ping while started and rejects it after stop', async () => {
      const { runner } = await setup();
      await runner.start();
      assert.equal(await runner.ping(), undefined);

      await runner.stop();
      await assert.rejects(runner.ping());
    });
  });
}
