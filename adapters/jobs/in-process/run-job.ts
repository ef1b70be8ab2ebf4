import pRetry from 'p-retry';
import type { JobHandler } from '../../../src/ports/job-runner.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { ResolvedInProcessJobsOptions } from './options.js';
import type { QueuedJob } from './queued-job.js';
import type { Slots } from './slots.js';

/**
 * A handler's failure as p-retry sees it. Wrapping matters: p-retry never retries a
 * `TypeError` and refuses non-`Error` throws, but a job must be retried whatever it threw.
 */
class AttemptFailed extends Error {
  override readonly name = 'AttemptFailed';
  readonly original: unknown;
  readonly attempt: number;
  constructor(original: unknown, attempt: number) {
    super(original instanceof Error ? original.message : String(original));
    this.original = original;
    this.attempt = attempt;
  }
}

export interface RunJobDeps {
  handler: JobHandler<unknown>;
  slots: Slots;
  /** Aborted by `stop()`: a retry waiting in backoff (or for a slot) is dropped. */
  signal: AbortSignal;
  logger: Logger;
  backoff: ResolvedInProcessJobsOptions['backoff'];
}

/**
 * Runs `job` — whose first run already holds a concurrency slot — retrying failures with
 * exponential backoff (p-retry). Each retry takes a slot only while its handler runs, so a
 * job waiting out its backoff does not block others. Never rejects: a job that fails
 * for good is logged with `logger.error`, a retry dropped by `stop()` with `logger.warn`.
 */
export async function runJob(job: QueuedJob, deps: RunJobDeps): Promise<void> {
  const { handler, slots, signal, logger, backoff } = deps;
  let holdsSlot = true;
  let succeeded = false;
  let lastFailure: AttemptFailed | undefined;
  const attempt = async (attemptNumber: number): Promise<void> => {
    if (succeeded) return;
    if (!holdsSlot) {
      await slots.acquire(signal);
      holdsSlot = true;
    }
    try {
      await handler(job.payload, {
        id: job.id,
        name: job.name,
        attempt: attemptNumber,
        attempts: job.attempts,
      });
      succeeded = true;
    } catch (error) {
      lastFailure = new AttemptFailed(error, attemptNumber);
      throw lastFailure;
    } finally {
      holdsSlot = false;
      slots.release();
    }
  };

  // Fast path: most jobs succeed on their first run, which needs no retry machinery.
  try {
    await attempt(1);
    return;
  } catch {
    // retried below (or given up when the job has a single attempt)
  } finally {
    if (holdsSlot) slots.release();
    holdsSlot = false;
  }

  try {
    // p-retry's first call replays the failure just seen, so its backoff runs before the
    // second real attempt.
    await pRetry((n) => (n === 1 ? Promise.reject(lastFailure) : attempt(n)), {
      retries: job.attempts - 1,
      minTimeout: backoff.minTimeoutMs,
      factor: backoff.factor,
      maxTimeout: backoff.maxTimeoutMs,
      signal,
      unref: true,
      onFailedAttempt: ({ error, retriesLeft }) => {
        if (!(error instanceof AttemptFailed) || retriesLeft === 0 || signal.aborted) return;
        logger.warn(
          { ...describe(job, error), retriesLeft },
          `job ${job.name} failed on attempt ${error.attempt}; retrying`,
        );
      },
    });
  } catch (error) {
    if (succeeded) return; // p-retry reports a stop that happened while the last run succeeded
    if (lastFailure && lastFailure.attempt >= job.attempts) {
      logger.error(
        describe(job, lastFailure),
        `job ${job.name} failed after ${lastFailure.attempt} attempt(s); giving up`,
      );
    } else if (signal.aborted) {
      logger.warn(
        lastFailure ? describe(job, lastFailure) : { name: job.name, id: job.id },
        `job ${job.name} was not retried because the runner stopped`,
      );
    } else {
      logger.error({ name: job.name, id: job.id, err: error }, `job ${job.name} could not run`);
    }
  } finally {
    if (holdsSlot) slots.release();
  }
}

/** The log fields of a failed attempt: `error` is the message, `err` the thrown value. */
function describe(job: QueuedJob, failure: AttemptFailed) {
  return {
    name: job.name,
    id: job.id,
    attempt: failure.attempt,
    attempts: job.attempts,
    error: failure.message,
    err: failure.original,
  };
}
