/**
 * The small part of `bullmq` and `ioredis` this adapter uses, as local structural types:
 * the core never imports a driver, and both packages stay optional peers (loaded with
 * `loadPeer` on first use). `test/conformance/bullmq-jobs.test.ts` checks that the real
 * packages fit these shapes.
 */

/** An ioredis client (`new Redis(...)`), or anything with the same shape. */
export interface RedisClient {
  /** `'ready'` while connected; `'connecting'`, `'reconnecting'`, `'end'`, … otherwise. */
  readonly status: string;
  /** A new connection with the same options, `override` applied. */
  duplicate(override?: Record<string, unknown>): RedisClient;
  ping(): Promise<string>;
  /** Closes the connection now (no reconnect). */
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * Options for the ioredis connections the adapter creates (`host`, `port`, `db`,
 * `username`, `password`, `tls`, …): any ioredis `RedisOptions`.
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
  [option: string]: unknown;
}

/** The `ioredis` module: its default export is the `Redis` class. */
export interface IoredisModule {
  new (url: string, options?: Record<string, unknown>): RedisClient;
  new (options: Record<string, unknown>): RedisClient;
}

/** The job options orderflow sets (BullMQ `JobsOptions`). */
export interface BullJobOptions {
  jobId?: string;
  delay?: number;
  attempts?: number;
  backoff?: { type: 'exponential'; delay: number };
  removeOnComplete?: boolean;
  removeOnFail?: boolean;
}

/** A BullMQ `Job` as a processor sees it. */
export interface BullJob {
  id?: string | undefined;
  name: string;
  data: unknown;
  /** Failed runs so far: 0 on the first run. */
  attemptsMade: number;
  opts: { attempts?: number | undefined };
}

/** What a BullMQ `Queue` / `Worker` takes besides its name. */
export interface BullQueueOptions {
  connection: RedisClient;
  prefix: string;
}

export interface BullWorkerOptions extends BullQueueOptions {
  concurrency: number;
  autorun: boolean;
  /** How long a running job's lock lasts (renewed while it runs), in milliseconds. */
  lockDuration: number;
  /** How often workers look for jobs whose lock expired (their worker died), in milliseconds. */
  stalledInterval: number;
}

/** A BullMQ `Queue`: the producer side. */
export interface BullQueue {
  add(name: string, data: unknown, opts?: BullJobOptions): Promise<unknown>;
  upsertJobScheduler(
    schedulerId: string,
    repeat: { every: number; startDate?: number },
    template: { name: string; data?: unknown; opts?: BullJobOptions },
  ): Promise<unknown>;
  /** Counts per state (`active`, `waiting`, `prioritized`, …) in one atomic read. */
  getJobCounts(...types: Array<'active' | 'waiting' | 'prioritized'>): Promise<{
    [state: string]: number;
  }>;
  /** Delayed jobs due strictly before `timestamp` (epoch ms). */
  getDelayedCount(timestamp?: number): Promise<number>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A BullMQ `Worker`: fetches jobs and runs the processor. */
export interface BullWorker {
  waitUntilReady(): Promise<void>;
  /** Stops fetching jobs (without waiting for the running ones when `doNotWaitActive`). */
  pause(doNotWaitActive?: boolean): Promise<void>;
  /** Closes the worker; `force` does not wait for running jobs. */
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** A job's result was recorded in Redis (`completed`, or `failed` for a failed run). */
  on(event: 'completed' | 'failed', listener: (job: { id?: string } | undefined) => void): unknown;
}

/** The `bullmq` module. */
export interface BullmqModule {
  Queue: new (name: string, options: BullQueueOptions) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<void>,
    options: BullWorkerOptions,
  ) => BullWorker;
}
