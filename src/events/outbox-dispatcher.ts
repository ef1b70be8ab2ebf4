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
 * How long dispatched rows wait for a command to delete them in its own transaction before
 * a delete of their own is sent.
 */
const FLUSH_DELAY_MS = 10;

/**
 * Moves committed outbox rows to the job runner and the event emitter, then deletes them.
 * The committing process dispatches its own rows right after commit; `drain()` (run by
 * the sweep and at start) picks up rows whose dispatcher died. Delivery is at least once:
 * jobs dedupe on ids derived from the event, listeners may see an event again after a crash.
 *
 * Where the store says `outboxDeletesInLog`, a command's rows are dispatched with
 * deletion `later`: the next command this process commits deletes them in its own
 * transaction (`takeDispatched`), so a busy process sends no delete statements of its
 * own; when no command comes within a few milliseconds, or on `flush()`, they go in one
 * delete. Until then a row stays leased to this process (its `availableAt` lies ahead by
 * the lease), so no other dispatcher claims it; after a crash the sweep sends it again.
 */
export class OutboxDispatcher {
  /** Ids of dispatched rows not deleted yet. */
  #dispatched: string[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** Ids of dispatched rows waiting for the next delete. */
  #queued: string[] = [];
  /** The delete that will take the queued ids, once the one in flight is done. */
  #next: Promise<void> | undefined;
  /** The delete statement running now. */
  #inFlight: Promise<void> | undefined;

  constructor(private readonly deps: OutboxDispatcherDeps) {}

  /**
   * Dispatches committed rows, then deletes them: `now` (with every row dispatched before
   * and not deleted yet) and resolves when they are gone, or `later`, by the next command
   * or a few milliseconds on (see the class). Never throws: what fails is left for `drain`.
   */
  async dispatch(rows: readonly OutboxRecord[], deletion: 'now' | 'later' = 'now'): Promise<void> {
    for (const row of rows) {
      if (await this.#deliver(row)) this.#dispatched.push(row.id);
    }
    if (deletion === 'now') await this.flush();
    else this.#scheduleFlush();
  }

  /**
   * Hands the ids of the rows dispatched so far to a command, which deletes them in its
   * transaction; it gives them back (`returnDispatched`) if that transaction fails.
   */
  takeDispatched(): string[] {
    const ids = this.#dispatched;
    this.#dispatched = [];
    return ids;
  }

  returnDispatched(ids: readonly string[]): void {
    if (ids.length === 0) return;
    this.#dispatched.push(...ids);
    this.#scheduleFlush();
  }

  /**
   * Deletes every dispatched row not deleted yet; resolves when they are gone, also those a
   * delete already under way takes (`close()` must not end the storage under it, and
   * `idle()` would count its rows as still waiting).
   */
  async flush(): Promise<void> {
    this.#clearTimer();
    const ids = this.takeDispatched();
    if (ids.length > 0) await this.#delete(ids);
    else await (this.#next ?? this.#inFlight);
  }

  #scheduleFlush(): void {
    if (this.#flushTimer !== undefined || this.#dispatched.length === 0) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = undefined;
      void this.flush();
    }, FLUSH_DELAY_MS);
    this.#flushTimer.unref?.();
  }

  #clearTimer(): void {
    if (this.#flushTimer !== undefined) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
  }

  /**
   * Deletes dispatched rows like a group commit: with no delete running, at once; while one
   * runs, the rows of every flush meanwhile wait for it and then go in one statement.
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

  /**
   * Claims and dispatches every row that is due, in batches, and deletes what was
   * dispatched; returns how many were sent.
   */
  async drain(batchSize = 100): Promise<number> {
    let sent = 0;
    for (;;) {
      const now = this.deps.clock.now();
      const claimed = await this.deps.storage.outbox.claim(
        new Date(now).toISOString(),
        new Date(now + this.deps.leaseMs).toISOString(),
        batchSize,
      );
      if (claimed.length === 0) break;
      await this.dispatch(claimed);
      sent += claimed.length;
      if (claimed.length < batchSize) break;
    }
    // Rows this process dispatched after its own commands, too.
    await this.flush();
    return sent;
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
