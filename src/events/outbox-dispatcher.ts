import type { ResolvedConfig } from '../config.js';
import { jobsForEvent } from '../jobs/routes.js';
import type { Clock } from '../ports/clock.js';
import type { JobRunner } from '../ports/job-runner.js';
import type { Logger } from '../ports/logger.js';
import type { OutboxRecord, StorageAdapter } from '../ports/storage.js';
import type { OrderflowEvents } from './event-bus.js';
import type { DomainEvent } from './event-map.js';

export interface OutboxDispatcherDeps {
  storage: StorageAdapter;
  jobs: JobRunner;
  events: OrderflowEvents;
  clock: Clock;
  logger: Logger;
  config: ResolvedConfig;
  /** How long a claimed row is reserved for its dispatcher. */
  leaseMs: number;
}

/**
 * Moves committed outbox rows to the job runner and the event emitter, then deletes them.
 * The committing process dispatches its own rows right after commit; `drain()` (run by
 * the sweep and at start) picks up rows whose dispatcher died. Delivery is at least once:
 * jobs dedupe on ids derived from the event, listeners may see an event again after a crash.
 */
export class OutboxDispatcher {
  /** Ids of dispatched rows waiting for the next delete. */
  #queued: string[] = [];
  /** The delete that will take the queued ids, once the one in flight is done. */
  #next: Promise<void> | undefined;
  /** The delete statement running now. */
  #inFlight: Promise<void> | undefined;

  constructor(private readonly deps: OutboxDispatcherDeps) {}

  /**
   * Dispatches rows this process just committed, then deletes them; resolves once they are
   * deleted. Never throws: what fails is left for `drain`.
   */
  async dispatch(rows: readonly OutboxRecord[]): Promise<void> {
    const done: string[] = [];
    for (const row of rows) {
      if (await this.#deliver(row)) done.push(row.id);
    }
    if (done.length > 0) await this.#delete(done);
  }

  /**
   * Deletes dispatched rows like a group commit: with no delete running, at once; while one
   * runs, the rows of every command dispatched meanwhile wait for it and then go in one
   * statement. Each caller still resolves only after its own rows are gone, so a command
   * returns with its outbox rows deleted exactly as with one delete per command, in fewer
   * round trips under concurrency.
   */
  #delete(ids: readonly string[]): Promise<void> {
    this.#queued.push(...ids);
    this.#next ??= (async () => {
      await this.#inFlight;
      const batch = this.#queued;
      this.#queued = [];
      this.#next = undefined;
      const running = this.deps.storage.outbox.delete(batch).catch((error: unknown) => {
        this.deps.logger.error({ err: error }, 'could not delete dispatched outbox rows');
      });
      this.#inFlight = running;
      await running;
      if (this.#inFlight === running) this.#inFlight = undefined;
    })();
    return this.#next;
  }

  /** Claims and dispatches every row that is due, in batches; returns how many were sent. */
  async drain(batchSize = 100): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const claimed = await this.deps.storage.outbox.claim(
        new Date(now).toISOString(),
        new Date(now + this.deps.leaseMs).toISOString(),
        batchSize,
      );
      if (claimed.length === 0) return sent;
      await this.dispatch(claimed);
      sent += claimed.length;
      if (claimed.length < batchSize) return sent;
    }
  }

  async #deliver(row: OutboxRecord): Promise<boolean> {
    const event: DomainEvent = {
      id: row.id,
      name: row.name as DomainEvent['name'],
      payload: row.payload as DomainEvent['payload'],
      createdAt: row.createdAt,
    };
    try {
      for (const job of jobsForEvent(event, this.deps.config, this.deps.clock.now())) {
        await this.deps.jobs.enqueue(job.name, job.payload, {
          jobId: job.jobId,
          ...(job.delayMs === undefined ? {} : { delayMs: job.delayMs }),
        });
      }
    } catch (error) {
      this.deps.logger.error(
        { err: error, eventId: row.id, event: row.name },
        'could not enqueue jobs for event; the sweep will retry',
      );
      return false;
    }
    // The bus catches and logs listener errors itself.
    this.deps.events.emit(event.name, event.payload as never);
    return true;
  }
}
