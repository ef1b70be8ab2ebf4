import type { JobRunner } from '../../../src/ports/job-runner.js';
import type { BullmqJobsOptions } from './options.js';
import { BullmqJobRunner } from './runner.js';

export type { RedisClient, RedisConnectionOptions } from './driver-types.js';
export type { BullmqBackoffOptions, BullmqJobsOptions } from './options.js';

/**
 * A `JobRunner` on BullMQ and Redis (needs `npm install bullmq ioredis`): jobs live in
 * Redis, so they survive restarts and any number of processes share the work. Jobs are
 * at-least-once: a job whose worker died mid-run is run again, so handlers must be
 * idempotent (orderflow's are).
 *
 * - `enqueue()` and `schedule()` work without `start()`: a process that only produces
 *   (an API server) never runs a job. `start()` starts a BullMQ worker in this process,
 *   which runs jobs of every process, at most `concurrency` at a time.
 * - All jobs travel on one queue (`prefix`, `queueName`); the job name picks the handler.
 *   Payloads are stored as JSON.
 * - `delayMs` and schedules run on real time (BullMQ cannot follow an injected clock).
 * - `jobId` dedupes while a job with that id is waiting, delayed, running or waiting to
 *   retry; finished jobs are removed, so the id can be used again. BullMQ refuses `:` in
 *   ids, so ids are escaped in Redis (`notify:evt_1` → `notify%3Aevt_1`, see
 *   `toBullmqJobId`); handlers see the original id in `context.id`.
 * - A failing handler is retried until it has run `attempts` times, with exponential
 *   backoff. Failed attempts are logged with `logger.warn`, a job given up with
 *   `logger.error` (`{ name, id, attempt, attempts, error, err }`).
 * - `schedule(name, everyMs)` upserts one BullMQ job scheduler per name, first run one
 *   interval from now; calling it again (from any process) replaces it.
 * - A lost Redis connection is logged once (`warn`) and ioredis reconnects by itself;
 *   jobs wait in Redis meanwhile. During the outage `enqueue()`, `schedule()` and `ping()`
 *   reject at once with `job_runner_unavailable` (the caller is not stalled; orderflow's
 *   outbox and sweep enqueue the work again), while the worker waits it out. When Redis
 *   is back, the runner re-creates its schedules, in case Redis lost them.
 * - A worker that dies mid-job leaves the job locked for up to `lockDurationMs`; then
 *   another worker runs it again.
 * - `stop()` takes no new jobs, waits for the running ones, then closes the queue and the
 *   connections the runner made (never a `connection` instance you passed). If Redis is
 *   unreachable it does not wait for it: results not yet recorded are lost and those jobs
 *   run again later.
 * - `idle()` resolves once nothing is waiting or running on the queue, in any process
 *   (so it also waits for jobs that running handlers enqueue); delayed jobs not yet due,
 *   retries waiting out their backoff among them, don't count. Before `start()` it waits
 *   for other processes' workers.
 *
 * ```ts
 * import { bullmqJobs } from 'orderflow/adapters/bullmq';
 *
 * const jobs = bullmqJobs({ url: 'redis://127.0.0.1:6379', concurrency: 8 });
 * jobs.register('email', async (p: { to: string }, { attempt }) => send(p.to, attempt));
 * await jobs.enqueue('email', { to: 'a@b.c' }, { jobId: 'welcome:a@b.c', delayMs: 60_000 });
 * await jobs.start(); // only in processes that should run jobs
 * await jobs.stop();
 * ```
 */
export function bullmqJobs(options: BullmqJobsOptions): JobRunner & { readonly name: 'bullmq' } {
  return new BullmqJobRunner(options);
}

export { fromBullmqJobId, toBullmqJobId } from './job-ids.js';
