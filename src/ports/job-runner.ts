import type { Clock } from './clock.js';

/** What a handler gets besides its payload. */
export interface JobContext {
  /** The job's id (the `jobId` given at enqueue, or one made up by the runner). */
  id: string;
  name: string;
  /** 1 on the first run, 2 on the first retry, … */
  attempt: number;
  /** Total runs the job gets: when `attempt === attempts`, this run is its last. */
  attempts: number;
}

export type JobHandler<P = unknown> = (payload: P, context: JobContext) => Promise<void>;

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now (by the runner's clock). */
  delayMs?: number;
  /**
   * Deduplication id: while a job with this id is waiting, delayed or running, enqueueing
   * another with the same id does nothing.
   */
  jobId?: string;
  /** Total runs before the job is given up (first run included). */
  attempts?: number;
}

/**
 * The job-runner port: at-least-once background work. Handlers must be idempotent.
 * Every runner must pass `jobRunnerConformanceSuite` from `orderflow/testing`.
 *
 * ```ts
 * jobs.register('email', async (p: { to: string }) => send(p.to));
 * await jobs.start();
 * await jobs.enqueue('email', { to: 'a@b.c' }, { delayMs: 1000, jobId: 'welcome:a@b.c' });
 * ```
 */
export interface JobRunner {
  /** A short name for logs and health checks, e.g. `in-process`, `bullmq`. */
  readonly name: string;
  /** Registers the handler of a job name. Call before `start()`. */
  register<P>(name: string, handler: JobHandler<P>): void;
  enqueue<P>(name: string, payload: P, options?: EnqueueOptions): Promise<void>;
  /** Runs the job every `everyMs` milliseconds (recurring; one schedule per name). */
  schedule<P>(name: string, everyMs: number, payload?: P): Promise<void>;
  /** Starts processing. Jobs enqueued before `start()` wait for it. */
  start(): Promise<void>;
  /** Graceful stop: takes no new jobs, waits for running ones to finish. */
  stop(): Promise<void>;
  /** Resolves once nothing is waiting or running (delayed jobs not yet due don't count). */
  idle(): Promise<void>;
  /** Resolves when the runner can take work; rejects otherwise (health checks). */
  ping(): Promise<void>;
  /**
   * Optional: lets `createOrderSystem` hand the runner its clock when the runner was not
   * given one, so delayed jobs follow an injected (manual) clock.
   */
  useClock?(clock: Clock): void;
}
