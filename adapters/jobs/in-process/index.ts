import type { JobRunner } from '../../../src/ports/job-runner.js';
import type { InProcessJobsOptions } from './options.js';
import { InProcessJobRunner } from './runner.js';

export type { InProcessBackoffOptions, InProcessJobsOptions } from './options.js';

/**
 * A `JobRunner` that runs jobs in this process with timers: no Redis, nothing to install.
 * Jobs live in memory, so work still waiting when the process exits is lost (orderflow's
 * recurring sweep re-enqueues it); use `bullmqJobs()` to share work between processes.
 *
 * - Jobs enqueued before `start()` wait for it; handlers always run asynchronously, at
 *   most `concurrency` at a time.
 * - `delayMs` and `schedule()` follow the runner's clock. With a clock that has
 *   `onAdvance` (a manual clock) due jobs fire as soon as the clock moves, no sleeping.
 *   Real timers are unref'd: they do not keep the process alive on their own.
 * - `jobId` dedupes while a job with that id is waiting, delayed, running or waiting to
 *   retry; once it has completed or failed for good the id can be used again.
 * - A failing handler is retried until it has run `attempts` times, with exponential
 *   backoff measured in real time (p-retry). Failed attempts are logged with
 *   `logger.warn`, a job given up with `logger.error` (`{ name, id, attempt, error, err }`).
 * - A scheduled run is skipped while the previous run of the same schedule is still
 *   waiting or running; runs missed while the clock jumped are not caught up.
 * - `stop()` takes no new jobs, drops jobs still waiting or delayed and **drops retries
 *   waiting out their backoff**, then resolves once the running handlers have finished.
 *   The runner cannot be started again.
 * - `idle()` resolves once nothing is due or running — jobs waiting to retry count as
 *   running, delayed jobs not yet due don't — including jobs that running handlers
 *   enqueue. Before `start()` it rejects if jobs are waiting (they would never run).
 *
 * ```ts
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 *
 * const jobs = inProcessJobs({ concurrency: 2, backoff: { minTimeoutMs: 10 } });
 * jobs.register('email', async (p: { to: string }, { attempt }) => send(p.to, attempt));
 * await jobs.start();
 * await jobs.enqueue('email', { to: 'a@b.c' }, { jobId: 'welcome:a@b.c', delayMs: 60_000 });
 * await jobs.stop();
 * ```
 */
export function inProcessJobs(
  options?: InProcessJobsOptions,
): JobRunner & { readonly name: 'in-process' } {
  return new InProcessJobRunner(options);
}
