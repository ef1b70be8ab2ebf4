import { OrderflowError } from '../../../src/errors.js';
import type { EnqueueOptions, JobHandler, JobRunner } from '../../../src/ports/job-runner.js';
import { loadPeer } from '../../storage/sql/load-peer.js';
import { assertJobName, assertRegistered, enqueueSettings } from '../job-checks.js';
import { ConnectionHealth, isConnectionError } from './connection-health.js';
import { BULLMQ_PEER, RedisConnections, unavailable } from './connections.js';
import type { BullJobOptions, BullmqModule, BullQueue, RedisClient } from './driver-types.js';
import { toBullmqJobId } from './job-ids.js';
import { JobWorker } from './job-worker.js';
import {
  type BullmqJobsOptions,
  type ResolvedBullmqJobsOptions,
  resolveBullmqJobsOptions,
} from './options.js';

type State = 'created' | 'started' | 'stopping' | 'stopped';

/** How often `idle()` looks at the queue's counts. */
const IDLE_POLL_MS = 20;
/** How long `ping()` waits for Redis to answer. */
const PING_TIMEOUT_MS = 2_000;
/** How long a command waits for a process's first connection to Redis. */
const CONNECT_TIMEOUT_MS = 10_000;

interface Producer {
  bullmq: BullmqModule;
  queue: BullQueue;
  connection: RedisClient;
}

interface Schedule {
  everyMs: number;
  payload: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The BullMQ `JobRunner`; build it with `bullmqJobs()`. */
export class BullmqJobRunner implements JobRunner {
  readonly name = 'bullmq' as const;

  readonly #options: ResolvedBullmqJobsOptions;
  readonly #handlers = new Map<string, JobHandler<unknown>>();
  /** What `schedule()` was asked, to re-create after Redis comes back (it may have lost them). */
  readonly #schedules = new Map<string, Schedule>();
  readonly #health: ConnectionHealth;
  readonly #connections: RedisConnections;
  #state: State = 'created';
  /** Set once the queue is being closed: from then on nothing can be enqueued. */
  #queueClosing = false;
  #producer: Promise<Producer> | undefined;
  #worker: Promise<JobWorker | undefined> | undefined;
  #stopped: Promise<void> | undefined;

  constructor(options: BullmqJobsOptions) {
    this.#options = resolveBullmqJobsOptions(options);
    const { url, connection, logger } = this.#options;
    this.#health = new ConnectionHealth(logger);
    this.#connections = new RedisConnections(
      url !== undefined ? { url } : { connection: connection! },
      this.#health,
      () => void this.#restoreSchedules(),
    );
  }

  register<P>(name: string, handler: JobHandler<P>): void {
    assertJobName(name);
    this.#handlers.set(name, handler as JobHandler<unknown>);
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<void> {
    this.#assertAccepting('enqueue');
    assertRegistered(this.#handlers, name);
    const { delayMs, attempts } = enqueueSettings(
      'bullmqJobs',
      name,
      options,
      this.#options.attempts,
    );
    const opts = this.#jobOptions(attempts);
    if (options.jobId !== undefined) opts.jobId = toBullmqJobId(options.jobId);
    if (delayMs > 0) opts.delay = Math.ceil(delayMs);
    const { queue } = await this.#connected('enqueue');
    // An existing job with the same id (waiting, delayed, active or waiting to retry)
    // makes BullMQ skip the add: that is the jobId dedupe.
    await this.#send(`job ${name} was not enqueued`, () => queue.add(name, payload, opts));
  }

  async schedule<P>(name: string, everyMs: number, payload?: P): Promise<void> {
    this.#assertAccepting('schedule');
    assertRegistered(this.#handlers, name);
    if (!Number.isFinite(everyMs) || everyMs <= 0) {
      throw new RangeError(`Schedule ${name}: everyMs must be a finite number > 0, got ${everyMs}`);
    }
    const schedule: Schedule = { everyMs: Math.ceil(everyMs), payload };
    this.#schedules.set(name, schedule);
    const { queue } = await this.#connected('schedule');
    await this.#send(`schedule ${name} was not saved`, () =>
      this.#upsertSchedule(queue, name, schedule),
    );
  }

  async start(): Promise<void> {
    if (this.#state === 'started') {
      await this.#worker;
      return;
    }
    if (this.#state !== 'created') throw stoppedError('start');
    this.#state = 'started';
    this.#worker = this.#createWorker();
    const worker = await this.#worker;
    await worker?.waitUntilReady();
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async idle(): Promise<void> {
    if (this.#isStopping()) return this.stop();
    const { queue, connection } = await this.#producerReady();
    // Two quiet looks in a row: a job moving between states (a retry going back to
    // delayed, a due delayed job being promoted) is not missed between the two reads.
    // While Redis is unreachable it keeps waiting.
    let quietLooks = 0;
    for (;;) {
      if (this.#isStopping()) return this.stop();
      let pending = 1;
      if (connection.status === 'ready') {
        try {
          const dueDelayed = await queue.getDelayedCount(Date.now() + 1);
          const counts = await queue.getJobCounts('active', 'waiting', 'prioritized');
          pending = dueDelayed + Object.values(counts).reduce((sum, n) => sum + n, 0);
        } catch (error) {
          if (!isConnectionError(error)) throw error;
        }
      }
      quietLooks = pending === 0 ? quietLooks + 1 : 0;
      if (quietLooks >= 2) return;
      await sleep(IDLE_POLL_MS);
    }
  }

  async ping(): Promise<void> {
    if (this.#isStopping()) throw stoppedError('ping');
    const { connection } = await this.#producerReady();
    await this.#connections.ping(connection, PING_TIMEOUT_MS);
  }

  /** The job options every job gets; `removeOn*` frees the jobId once a job is done. */
  #jobOptions(attempts: number): BullJobOptions {
    return {
      attempts,
      backoff: { type: 'exponential', delay: this.#options.backoff.delayMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }

  /**
   * One BullMQ job scheduler per name (upsert replaces it), first run one interval from
   * now like the in-process runner's, rather than at once.
   */
  #upsertSchedule(queue: BullQueue, name: string, schedule: Schedule): Promise<unknown> {
    return queue.upsertJobScheduler(
      toBullmqJobId(name),
      { every: schedule.everyMs, startDate: Date.now() + schedule.everyMs },
      { name, data: schedule.payload, opts: this.#jobOptions(this.#options.attempts) },
    );
  }

  /** Re-creates this runner's schedules once Redis is back (a restarted Redis may have lost them). */
  async #restoreSchedules(): Promise<void> {
    if (this.#schedules.size === 0 || this.#isStopping() || this.#queueClosing) return;
    const producer = await this.#producer?.catch(() => undefined);
    if (!producer) return;
    for (const [name, schedule] of this.#schedules) {
      try {
        await this.#upsertSchedule(producer.queue, name, schedule);
      } catch (error) {
        this.#options.logger.warn(
          { name, error: error instanceof Error ? error.message : String(error), err: error },
          `bullmq job runner could not re-create schedule ${name} after reconnecting; it retries on the next reconnect`,
        );
      }
    }
  }

  /** The open producer, once its connection can take commands. */
  async #connected(what: string): Promise<Producer> {
    const producer = await this.#producerReady();
    this.#assertAccepting(what);
    await this.#connections.available(producer.connection, CONNECT_TIMEOUT_MS);
    return producer;
  }

  /** Runs a Redis command; a lost connection becomes `job_runner_unavailable`. */
  async #send(failure: string, command: () => Promise<unknown>): Promise<void> {
    try {
      await command();
    } catch (error) {
      if (isConnectionError(error)) throw unavailable(`Redis is unreachable; ${failure}`, error);
      throw error;
    }
  }

  /** Loads `bullmq` and opens the queue on first use (enqueueing needs no worker). */
  #producerReady(): Promise<Producer> {
    this.#producer ??= this.#openProducer().catch((error: unknown) => {
      this.#producer = undefined; // a later call may try again
      throw error;
    });
    return this.#producer;
  }

  async #openProducer(): Promise<Producer> {
    const bullmq = await loadPeer<BullmqModule>('bullmq', 'bullmq', BULLMQ_PEER);
    const connection = await this.#connections.producer();
    const { queueName, prefix } = this.#options;
    const queue = new bullmq.Queue(queueName, { connection, prefix });
    queue.on('error', (error) => this.#health.onError('queue', error));
    return { bullmq, queue, connection };
  }

  async #createWorker(): Promise<JobWorker | undefined> {
    const { bullmq } = await this.#producerReady();
    const connection = await this.#connections.worker();
    if (this.#state !== 'started') return undefined; // stopped while loading
    return new JobWorker({
      bullmq,
      connection,
      options: this.#options,
      handlers: this.#handlers,
      health: this.#health,
      logger: this.#options.logger,
    });
  }

  async #stop(): Promise<void> {
    this.#state = 'stopping';
    // Closing connections makes BullMQ and ioredis emit errors: expected now, so not reported.
    this.#health.closing();
    const errors: unknown[] = [];
    const attempt = async (fn: () => Promise<void> | void) => {
      try {
        await fn();
      } catch (error) {
        errors.push(error);
      }
    };
    // The worker first: it takes no new jobs and waits for the running ones, which may
    // still enqueue follow-up jobs through the open queue.
    const worker = await this.#worker?.catch(() => undefined);
    if (worker) await attempt(() => worker.close());
    this.#queueClosing = true;
    const producer = await this.#producer?.catch(() => undefined);
    if (producer) await attempt(() => producer.queue.close());
    await attempt(() => this.#connections.close());
    this.#state = 'stopped';
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, 'bullmq job runner: stop failed');
  }

  #isStopping(): boolean {
    return this.#state === 'stopping' || this.#state === 'stopped';
  }

  #assertAccepting(what: string): void {
    if (this.#state === 'stopped' || this.#queueClosing) throw stoppedError(what);
  }
}

function stoppedError(what: string): OrderflowError {
  return new OrderflowError(
    'job_runner_stopped',
    `The bullmq job runner was stopped; cannot ${what}`,
  );
}
