import { consoleLogger, type Logger } from '../../../src/ports/logger.js';
import { assertPositiveInteger as assertPositive } from '../job-checks.js';
import type { RedisClient, RedisConnectionOptions } from './driver-types.js';

/**
 * How long BullMQ waits between two runs of a failing job: the n-th retry waits
 * `delayMs * 2 ** (n - 1)` (BullMQ's `exponential` backoff).
 *
 * ```ts
 * bullmqJobs({ url, backoff: { delayMs: 10 } }); // fast retries in tests
 * ```
 */
export interface BullmqBackoffOptions {
  /**
   * BullMQ's backoff type; only exponential backoff is offered.
   * @default 'exponential'
   */
  type?: 'exponential';
  /**
   * Wait before the first retry, in milliseconds.
   * @default 1000
   */
  delayMs?: number;
}

/**
 * Options of {@link bullmqJobs}: give `url` or `connection`.
 *
 * ```ts
 * const jobs = bullmqJobs({ url: process.env.REDIS_URL, concurrency: 8, logger: pino() });
 * ```
 */
export interface BullmqJobsOptions {
  /**
   * A `redis://` (or `rediss://`) URL. The runner creates its own ioredis connections
   * (needs `npm install ioredis`) and closes them on `stop()`.
   * @default undefined
   */
  url?: string;
  /**
   * Your own ioredis `Redis` instance, or ioredis connection options. An instance is used
   * for enqueueing and never closed by the runner; the worker runs on a duplicate of it
   * (with `maxRetriesPerRequest: null`, as BullMQ needs) that the runner closes. From
   * options the runner creates and closes its own connections. The instance must not
   * use ioredis' `keyPrefix` (use `prefix`).
   * @default undefined
   */
  connection?: RedisClient | RedisConnectionOptions;
  /**
   * BullMQ key prefix: every Redis key of the queue starts with `<prefix>:<queueName>:`.
   * @default 'orderflow'
   */
  prefix?: string;
  /**
   * The one BullMQ queue that carries every orderflow job; job names pick the handler.
   * Processes that share work use the same `prefix` and `queueName`.
   * @default 'orderflow-jobs'
   */
  queueName?: string;
  /**
   * How many handlers this process's worker runs at the same time.
   * @default 4
   */
  concurrency?: number;
  /**
   * How long a running job's lock lasts; the worker renews it while the handler runs. When
   * a worker dies mid-job, the lock expires and another worker runs the job again after
   * at most about two of these (BullMQ's `lockDuration`, also used as `stalledInterval`).
   * @default 30_000
   */
  lockDurationMs?: number;
  /**
   * Total runs of a failing job before it is given up (first run included). A job's own
   * `enqueue(..., { attempts })` wins over this.
   * @default 3
   */
  attempts?: number;
  /**
   * Exponential backoff between runs of a failing job.
   * @default { type: 'exponential', delayMs: 1000 }
   */
  backoff?: BullmqBackoffOptions;
  /**
   * Where failed attempts (`warn`), given-up jobs (`error`) and lost Redis connections
   * (`warn`, once per outage) are reported.
   * @default consoleLogger
   */
  logger?: Logger;
}

/** Options with every default filled in; exactly one of `url` and `connection` is set. */
export interface ResolvedBullmqJobsOptions {
  url: string | undefined;
  connection: RedisClient | RedisConnectionOptions | undefined;
  prefix: string;
  queueName: string;
  concurrency: number;
  lockDurationMs: number;
  attempts: number;
  backoff: { type: 'exponential'; delayMs: number };
  logger: Logger;
}

/** Fills in the defaults and rejects values that cannot work. */
export function resolveBullmqJobsOptions(options: BullmqJobsOptions): ResolvedBullmqJobsOptions {
  const { url, connection } = options ?? {};
  if ((url === undefined) === (connection === undefined)) {
    throw new TypeError('bullmqJobs: give exactly one of `url` or `connection`');
  }
  const resolved: ResolvedBullmqJobsOptions = {
    url,
    connection,
    prefix: options.prefix ?? 'orderflow',
    queueName: options.queueName ?? 'orderflow-jobs',
    concurrency: options.concurrency ?? 4,
    lockDurationMs: options.lockDurationMs ?? 30_000,
    attempts: options.attempts ?? 3,
    backoff: { type: 'exponential', delayMs: options.backoff?.delayMs ?? 1000 },
    logger: options.logger ?? consoleLogger,
  };
  if (resolved.queueName === '' || resolved.queueName.includes(':')) {
    throw new TypeError(
      `bullmqJobs: queueName must be non-empty without ':', got "${resolved.queueName}"`,
    );
  }
  if (resolved.prefix === '') throw new TypeError('bullmqJobs: prefix must not be empty');
  assertPositiveInteger('concurrency', resolved.concurrency);
  assertPositiveInteger('attempts', resolved.attempts);
  assertPositiveInteger('lockDurationMs', resolved.lockDurationMs);
  if (options.backoff?.type !== undefined && options.backoff.type !== 'exponential') {
    throw new TypeError(`bullmqJobs: backoff.type must be 'exponential'`);
  }
  const { delayMs } = resolved.backoff;
  if (!Number.isFinite(delayMs) || delayMs < 0) {
    throw new RangeError(
      `bullmqJobs: backoff.delayMs must be a finite number >= 0, got ${delayMs}`,
    );
  }
  return resolved;
}

/** Throws a `RangeError` unless `value` is an integer >= 1. */
export function assertPositiveInteger(what: string, value: number): void {
  assertPositive('bullmqJobs', what, value);
}

/** Whether `connection` is a client instance rather than connection options. */
export function isRedisClient(
  connection: RedisClient | RedisConnectionOptions,
): connection is RedisClient {
  return (
    typeof (connection as Partial<RedisClient>).duplicate === 'function' &&
    typeof (connection as Partial<RedisClient>).disconnect === 'function'
  );
}
