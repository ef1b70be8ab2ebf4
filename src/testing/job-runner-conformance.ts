import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type { JobContext, JobRunner } from '../ports/job-runner.js';
import { type ManualClock, manualClock } from './manual-clock.js';

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
 * `runner.stop()`, e.g. to close connections or delete a Redis prefix.
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
 * Options of {@link jobRunnerConformanceSuite}.
 *
 * ```ts
 * jobRunnerConformanceSuite('bullmq', factory, { supportsManualClock: false, timeoutMs: 10_000 });
 * ```
 */
export interface JobRunnerConformanceOptions {
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

/** The one short real wait: for asserting that something has NOT happened (yet). */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 25));

const MINUTE = 60_000;

/**
 * The conformance suite every `JobRunner` must pass (in-process, BullMQ, your own). It
 * only uses the `JobRunner` port: `idle()` to wait for work, bounded polling for retries
 * and real-time delays. Each case builds its runner with `factory` and stops it (and runs
 * `cleanup`) afterwards, so `stop()` must be safe to call twice. Concurrency limits are
 * runner-specific options and are tested by each runner's own tests, not here.
 *
 * ```ts
 * import { jobRunnerConformanceSuite } from 'orderflow/testing';
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 *
 * jobRunnerConformanceSuite('in-process', async ({ clock }) => ({
 *   runner: inProcessJobs({ clock, logger: silentLogger, backoff: { minTimeoutMs: 1 } }),
 * }));
 * ```
 */
export function jobRunnerConformanceSuite(
  name: string,
  factory: JobRunnerFactory,
  options: JobRunnerConformanceOptions = {},
): void {
  const {
    supportsManualClock = true,
    realDelayMs = 300,
    realEveryMs = 100,
    timeoutMs = 5_000,
  } = options;
  const eventually = <T>(check: () => T | Promise<T>) =>
    vi.waitFor(check, { timeout: timeoutMs, interval: 5 });

  async function setup(): Promise<{ runner: JobRunner; clock: ManualClock | undefined }> {
    const clock = supportsManualClock ? manualClock() : undefined;
    const { runner, cleanup } = await factory({ clock });
    onTestFinished(async () => {
      await runner.stop();
      await cleanup?.();
    });
    return { runner, clock };
  }

  describe(`JobRunner conformance: ${name}`, () => {
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

      expect(runs).toHaveLength(2);
      const byRecipient = (to: string) =>
        runs.find((run) => (run.payload as { to: string }).to === to);
      expect(byRecipient('ada@example.com')?.context).toEqual({
        id: 'greet-1',
        name: 'greet',
        attempt: 1,
      });
      const other = byRecipient('bob@example.com')?.context;
      expect(other).toMatchObject({ name: 'greet', attempt: 1 });
      expect(other?.id).toEqual(expect.any(String));
      expect(other?.id).not.toBe('greet-1');
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
      expect(seen).toEqual([]);

      await runner.start();
      await runner.idle();
      expect([...seen].sort((a, b) => a - b)).toEqual([1, 2]);
    });

    it('dedupes jobs by jobId while one is pending or running', async () => {
      const { runner } = await setup();
      const seen: string[] = [];
      const release = gate();
      onTestFinished(release.open);
      runner.register('charge', async (payload: { v: string }) => {
        seen.push(payload.v);
        await release.promise;
      });
      await runner.enqueue('charge', { v: 'first' }, { jobId: 'charge-1' });
      await runner.enqueue('charge', { v: 'while waiting' }, { jobId: 'charge-1' });
      await runner.start();
      await eventually(() => expect(seen).toEqual(['first']));
      await runner.enqueue('charge', { v: 'while running' }, { jobId: 'charge-1' });
      release.open();
      await runner.idle();

      expect(seen).toEqual(['first']);
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

      expect(seen).toEqual([1, 2]);
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
      await eventually(() => expect(succeeded).toBe(true));
      await runner.idle();

      expect(contexts).toEqual(
        [1, 2, 3].map((attempt) => ({ id: 'flaky-1', name: 'flaky', attempt })),
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
        expect(rounds).toContain(2);
      });

      expect(rounds.filter((round) => round === 1)).toEqual([1, 1]);
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
        expect(seen).toEqual([]);

        clock!.advance(59 * MINUTE);
        await runner.idle();
        expect(seen).toEqual([]);

        clock!.advance(2 * MINUTE);
        await eventually(() => expect(seen).toEqual(['ord_1']));
        await runner.idle();
        expect(seen).toEqual(['ord_1']);
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
        expect(ranAfter).toEqual([]);

        await eventually(() => expect(ranAfter).toHaveLength(1));
        expect(ranAfter[0]).toBeGreaterThanOrEqual(realDelayMs - 50);
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
        expect(seen).toEqual([]);

        for (let run = 1; run <= 3; run++) {
          clock!.advance(5 * MINUTE);
          await eventually(() => expect(seen).toHaveLength(run));
          await runner.idle();
        }
        expect(seen).toEqual([{ batch: 10 }, { batch: 10 }, { batch: 10 }]);
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
          await eventually(() => expect(seen).toHaveLength(run));
          await runner.idle();
        }
        expect(seen).toEqual([{ version: 2 }, { version: 2 }]);
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

        await eventually(() => expect(seen.length).toBeGreaterThanOrEqual(3));
        expect(new Set(seen.map((payload) => JSON.stringify(payload)))).toEqual(
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

        await eventually(() =>
          expect(seen.filter((v) => v === 2).length).toBeGreaterThanOrEqual(3),
        );
        expect(seen.filter((v) => v !== 2)).toEqual([]);
      });
    }

    it('stop waits for a running job to finish', async () => {
      const { runner } = await setup();
      const events: string[] = [];
      const release = gate();
      onTestFinished(release.open);
      runner.register('slow', async () => {
        events.push('started');
        await release.promise;
        events.push('finished');
      });
      await runner.start();
      await runner.enqueue('slow', {});
      await eventually(() => expect(events).toEqual(['started']));

      const stopped = runner.stop().then(() => {
        events.push('stopped');
      });
      await settle();
      expect(events).toEqual(['started']);

      release.open();
      await stopped;
      expect(events).toEqual(['started', 'finished', 'stopped']);
    });

    it('idle waits for jobs enqueued by running handlers', async () => {
      const { runner } = await setup();
      const seen: string[] = [];
      runner.register('place', async () => {
        seen.push('place');
        await runner.enqueue('confirm', {});
      });
      runner.register('confirm', async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        seen.push('confirm');
        await runner.enqueue('notify', {});
      });
      runner.register('notify', async () => {
        seen.push('notify');
      });
      await runner.start();
      await runner.enqueue('place', {});
      await runner.idle();

      expect(seen).toEqual(['place', 'confirm', 'notify']);
    });

    it('rejects enqueue of a job name without a handler, naming it', async () => {
      const { runner } = await setup();
      runner.register('known', async () => {});
      await runner.start();

      await expect(runner.enqueue('no-such-job', {})).rejects.toThrow(/no-such-job/);
    });

    it('answers ping while started and rejects it after stop', async () => {
      const { runner } = await setup();
      await runner.start();
      await expect(runner.ping()).resolves.toBeUndefined();

      await runner.stop();
      await expect(runner.ping()).rejects.toThrow();
    });
  });
}
