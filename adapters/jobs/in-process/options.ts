import type { Clock } from '../../../src/ports/clock.js';
import { consoleLogger, type Logger } from '../../../src/ports/logger.js';
import { assertPositiveInteger as assertPositive } from '../job-checks.js';

/**
 * How long the in-process runner waits between two runs of a failing job: the n-th retry
 * waits `minTimeoutMs * factor ** (n - 1)`, capped at `maxTimeoutMs` (p-retry's formula).
 * The waits are real-time timers, not the injected clock.
 *
 * ```ts
 * inProcessJobs({ backoff: { minTimeoutMs: 1, factor: 1 } }); // near-instant retries in tests
 * ```
 */
export interface InProcessBackoffOptions {
  /**
   * Wait before the first retry, in milliseconds.
   * @default 100
   */
  minTimeoutMs?: number;
  /**
   * Growth of the wait from one retry to the next.
   * @default 2
   */
  factor?: number;
  /**
   * Longest wait between two runs, in milliseconds.
   * @default 30_000
   */
  maxTimeoutMs?: number;
}

/**
 * Options of {@link inProcessJobs}.
 *
 * ```ts
 * const jobs = inProcessJobs({ concurrency: 8, attempts: 5, logger: pino() });
 * ```
 */
export interface InProcessJobsOptions {
  /**
   * How many handlers may run at the same time.
   * @default 4
   */
  concurrency?: number;
  /**
   * Total runs of a failing job before it is given up (first run included). A job's own
   * `enqueue(..., { attempts })` wins over this.
   * @default 3
   */
  attempts?: number;
  /**
   * Exponential backoff between runs of a failing job.
   * @default { minTimeoutMs: 100, factor: 2, maxTimeoutMs: 30_000 }
   */
  backoff?: InProcessBackoffOptions;
  /**
   * The clock that `delayMs` and schedules are measured with. A clock with `onAdvance`
   * (such as `manualClock()` from `orderflow/testing`) fires due jobs as soon as it moves.
   * When left out, the runner follows the clock handed to it by `useClock()`
   * (`createOrderSystem` does that), else the system clock.
   * @default the clock given to `useClock()`, else `systemClock`
   */
  clock?: Clock;
  /**
   * Where failed attempts (`warn`) and given-up jobs (`error`) are reported.
   * @default consoleLogger
   */
  logger?: Logger;
}

/** Options with every default filled in. */
export interface ResolvedInProcessJobsOptions {
  concurrency: number;
  attempts: number;
  backoff: Required<InProcessBackoffOptions>;
  clock: Clock | undefined;
  logger: Logger;
}

/** Fills in the defaults and rejects values that cannot work. */
export function resolveInProcessJobsOptions(
  options: InProcessJobsOptions = {},
): ResolvedInProcessJobsOptions {
  const resolved: ResolvedInProcessJobsOptions = {
    concurrency: options.concurrency ?? 4,
    attempts: options.attempts ?? 3,
    backoff: {
      minTimeoutMs: options.backoff?.minTimeoutMs ?? 100,
      factor: options.backoff?.factor ?? 2,
      maxTimeoutMs: options.backoff?.maxTimeoutMs ?? 30_000,
    },
    clock: options.clock,
    logger: options.logger ?? consoleLogger,
  };
  assertPositiveInteger('concurrency', resolved.concurrency);
  assertPositiveInteger('attempts', resolved.attempts);
  for (const [key, value] of Object.entries(resolved.backoff)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`inProcessJobs: backoff.${key} must be a finite number >= 0`);
    }
  }
  return resolved;
}

/** Throws a `RangeError` unless `value` is an integer >= 1. */
export function assertPositiveInteger(what: string, value: number): void {
  assertPositive('inProcessJobs', what, value);
}
