import type { JobHandler } from '../../../src/ports/job-runner.js';
import type { Logger } from '../../../src/ports/logger.js';
import type { ConnectionHealth } from './connection-health.js';
import type { BullmqModule, BullWorker, RedisClient } from './driver-types.js';
import type { ResolvedBullmqJobsOptions } from './options.js';
import { processJob } from './process-job.js';

/** How long `close()` waits for BullMQ to record the last results once no handler runs. */
const RECORD_GRACE_MS = 10_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface JobWorkerDeps {
  bullmq: BullmqModule;
  connection: RedisClient;
  options: ResolvedBullmqJobsOptions;
  handlers: ReadonlyMap<string, JobHandler<unknown>>;
  health: ConnectionHealth;
  logger: Logger;
}

/**
 * This process's BullMQ worker: runs the queue's jobs with the registered handlers, at
 * most `concurrency` at a time, and knows which of its jobs are still running or have a
 * result not yet recorded in Redis (so `close()` can be graceful without depending on
 * BullMQ's own graceful close, which never ends while Redis is unreachable).
 */
export class JobWorker {
  readonly #worker: BullWorker;
  readonly #deps: JobWorkerDeps;
  /** Handlers running right now. */
  #running = 0;
  /** Jobs started here whose result BullMQ has not recorded yet. */
  readonly #unrecorded = new Set<string>();

  constructor(deps: JobWorkerDeps) {
    this.#deps = deps;
    const { bullmq, connection, options, handlers, health, logger } = deps;
    this.#worker = new bullmq.Worker(
      options.queueName,
      async (job) => {
        if (job.id !== undefined) this.#unrecorded.add(job.id);
        this.#running++;
        try {
          await processJob(job, { handlers, logger });
        } finally {
          this.#running--;
        }
      },
      {
        connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        autorun: true,
        lockDuration: options.lockDurationMs,
        stalledInterval: options.lockDurationMs,
      },
    );
    const recorded = (job: { id?: string } | undefined) => {
      if (job?.id !== undefined) this.#unrecorded.delete(job.id);
    };
    this.#worker.on('completed', recorded);
    this.#worker.on('failed', recorded);
    this.#worker.on('error', (error) => health.onError('worker', error));
  }

  /** Resolves once the worker's connections are ready. */
  waitUntilReady(): Promise<void> {
    return this.#worker.waitUntilReady();
  }

  /**
   * Takes no new jobs, waits for the running handlers and for BullMQ to record their
   * results, then closes the worker. While Redis is unreachable results cannot be
   * recorded: once no handler runs any more, the worker is closed anyway and jobs whose
   * results were not recorded run again later (at-least-once).
   */
  async close(): Promise<void> {
    await this.#worker.pause(true);
    let idleSince: number | undefined;
    while (this.#running > 0 || this.#unrecorded.size > 0) {
      if (this.#running > 0) {
        idleSince = undefined;
      } else {
        idleSince ??= Date.now();
        if (this.#deps.health.down || Date.now() - idleSince >= RECORD_GRACE_MS) {
          this.#deps.logger.warn(
            { queueName: this.#deps.options.queueName, jobs: this.#unrecorded.size },
            'bullmq job runner: Redis is unreachable, so the worker closed without recording its last results; those jobs will run again',
          );
          break;
        }
      }
      await sleep(20);
    }
    await this.#worker.close(true);
  }
}
