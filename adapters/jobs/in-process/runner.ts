import { randomUUID } from 'node:crypto';
import { OrderflowError } from '../../../src/errors.js';
import { type Clock, systemClock } from '../../../src/ports/clock.js';
import type { EnqueueOptions, JobHandler, JobRunner } from '../../../src/ports/job-runner.js';
import { assertJobName, assertRegistered, enqueueSettings } from '../job-checks.js';
import {
  type InProcessJobsOptions,
  type ResolvedInProcessJobsOptions,
  resolveInProcessJobsOptions,
} from './options.js';
import { insertByDueAt, type QueuedJob } from './queued-job.js';
import { runJob } from './run-job.js';
import { Slots } from './slots.js';
import { WakeTimer } from './wake-timer.js';

type State = 'created' | 'started' | 'stopping' | 'stopped';

interface Schedule {
  everyMs: number;
  payload: unknown;
  nextAt: number;
}

/** The in-process `JobRunner`; build it with `inProcessJobs()`. */
export class InProcessJobRunner implements JobRunner {
  readonly name = 'in-process' as const;

  readonly #options: ResolvedInProcessJobsOptions;
  #clock: Clock;
  #state: State = 'created';
  readonly #handlers = new Map<string, JobHandler<unknown>>();
  /** Ids of every job waiting, delayed, running or waiting to retry (the dedupe set). */
  readonly #ids = new Set<string>();
  readonly #ready: QueuedJob[] = [];
  /** Not yet due, sorted by `dueAt`. */
  readonly #delayed: QueuedJob[] = [];
  readonly #schedules = new Map<string, Schedule>();
  /** Schedules whose last run is still waiting or running. */
  readonly #busySchedules = new Set<string>();
  readonly #executions = new Set<Promise<void>>();
  readonly #slots: Slots;
  readonly #wake = new WakeTimer(() => this.#tick());
  readonly #abort = new AbortController();
  readonly #changeListeners = new Set<() => void>();
  #pumpQueued = false;
  #scheduleRuns = 0;
  #stopped: Promise<void> | undefined;

  constructor(options?: InProcessJobsOptions) {
    this.#options = resolveInProcessJobsOptions(options);
    this.#clock = this.#options.clock ?? systemClock;
    this.#slots = new Slots(this.#options.concurrency, () => this.#queuePump());
  }

  register<P>(name: string, handler: JobHandler<P>): void {
    assertJobName(name);
    this.#handlers.set(name, handler as JobHandler<unknown>);
  }

  async enqueue<P>(name: string, payload: P, options: EnqueueOptions = {}): Promise<void> {
    this.#assertAccepting('enqueue');
    assertRegistered(this.#handlers, name);
    const { delayMs, attempts } = enqueueSettings(
      'inProcessJobs',
      name,
      options,
      this.#options.attempts,
    );
    const id = options.jobId ?? randomUUID();
    if (this.#ids.has(id)) {
      this.#options.logger.debug(
        { name, id },
        `job ${name} ${id} is already pending; not enqueued`,
      );
      return;
    }
    this.#ids.add(id);
    const job: QueuedJob = { id, name, payload, attempts, dueAt: this.#clock.now() + delayMs };
    if (delayMs > 0) {
      insertByDueAt(this.#delayed, job);
      if (this.#state === 'started') this.#armTimer();
    } else {
      this.#ready.push(job);
      this.#queuePump();
    }
  }

  async schedule<P>(name: string, everyMs: number, payload?: P): Promise<void> {
    this.#assertAccepting('schedule');
    assertRegistered(this.#handlers, name);
    if (!Number.isFinite(everyMs) || everyMs <= 0) {
      throw new RangeError(`Schedule ${name}: everyMs must be a finite number > 0, got ${everyMs}`);
    }
    this.#schedules.set(name, { everyMs, payload, nextAt: this.#clock.now() + everyMs });
    if (this.#state === 'started') this.#armTimer();
  }

  async start(): Promise<void> {
    if (this.#state === 'started') return;
    if (this.#state !== 'created') throw stoppedError('start');
    this.#state = 'started';
    this.#wake.follow(this.#clock);
    this.#tick();
    this.#queuePump();
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async idle(): Promise<void> {
    this.#promoteDueJobs();
    if (this.#state === 'created') {
      if (this.#ready.length === 0) return;
      throw new OrderflowError(
        'job_runner_not_started',
        `idle() would never resolve: ${this.#ready.length} job(s) are waiting but start() was not called`,
      );
    }
    for (;;) {
      if (this.#state !== 'started') return this.stop();
      while (!this.#isQuiet() && this.#state === 'started') await this.#nextChange();
      // Let anything a finished handler set off (a timer, a late enqueue) happen, then look again.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#isQuiet()) return;
    }
  }

  async ping(): Promise<void> {
    if (this.#state === 'started') return;
    if (this.#state === 'created') {
      throw new OrderflowError(
        'job_runner_not_started',
        'The in-process job runner was not started',
      );
    }
    throw stoppedError('ping');
  }

  useClock(clock: Clock): void {
    if (this.#options.clock !== undefined || clock === this.#clock) return;
    const previous = this.#clock;
    this.#clock = clock;
    // Keep what is left of each wait, measured on the new clock.
    const shift = clock.now() - previous.now();
    for (const job of this.#delayed) job.dueAt += shift;
    for (const schedule of this.#schedules.values()) schedule.nextAt += shift;
    if (this.#state === 'started') {
      this.#wake.follow(clock);
      this.#tick();
    }
  }

  async #stop(): Promise<void> {
    const wasStarted = this.#state === 'started';
    this.#state = 'stopping';
    this.#wake.clear();
    this.#abort.abort(stoppedError('retry'));
    const dropped = this.#ready.length + this.#delayed.length;
    for (const job of [...this.#ready, ...this.#delayed]) this.#ids.delete(job.id);
    this.#ready.length = 0;
    this.#delayed.length = 0;
    this.#schedules.clear();
    if (dropped > 0 && wasStarted) {
      this.#options.logger.info(
        { dropped },
        `in-process job runner stopped; ${dropped} waiting job(s) dropped`,
      );
    }
    this.#notifyChange();
    await Promise.allSettled([...this.#executions]);
    this.#state = 'stopped';
    this.#notifyChange();
  }

  /** Moves due delayed jobs to the ready queue, fires due schedules, re-arms the timer. */
  #tick(): void {
    if (this.#state !== 'started') return;
    this.#promoteDueJobs();
    this.#fireDueSchedules();
    this.#armTimer();
    if (this.#ready.length > 0) this.#queuePump();
  }

  #promoteDueJobs(): void {
    const now = this.#clock.now();
    let due = 0;
    while (due < this.#delayed.length && this.#delayed[due]!.dueAt <= now) due++;
    if (due > 0) this.#ready.push(...this.#delayed.splice(0, due));
  }

  #fireDueSchedules(): void {
    const now = this.#clock.now();
    for (const [name, schedule] of this.#schedules) {
      if (schedule.nextAt > now) continue;
      schedule.nextAt += schedule.everyMs;
      if (schedule.nextAt <= now) schedule.nextAt = now + schedule.everyMs; // missed runs are not caught up
      if (this.#busySchedules.has(name)) {
        this.#options.logger.debug(
          { name },
          `schedule ${name} skipped: its previous run is not finished`,
        );
        continue;
      }
      const id = `schedule:${name}:${++this.#scheduleRuns}`;
      this.#busySchedules.add(name);
      this.#ids.add(id);
      this.#ready.push({
        id,
        name,
        payload: schedule.payload,
        attempts: this.#options.attempts,
        dueAt: now,
        schedule: name,
      });
    }
  }

  #armTimer(): void {
    let next = this.#delayed[0]?.dueAt;
    for (const schedule of this.#schedules.values()) {
      if (next === undefined || schedule.nextAt < next) next = schedule.nextAt;
    }
    this.#wake.arm(next, this.#clock);
  }

  /** Handlers never run inside the caller's stack: the pump always runs in a microtask. */
  #queuePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    queueMicrotask(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#state === 'started' && this.#ready.length > 0 && this.#slots.tryAcquire()) {
      const job = this.#ready.shift()!;
      const handler = this.#handlers.get(job.name)!;
      const { logger, backoff } = this.#options;
      const signal = this.#abort.signal;
      const execution: Promise<void> = runJob(job, {
        handler,
        slots: this.#slots,
        signal,
        logger,
        backoff,
      }).finally(() => {
        this.#ids.delete(job.id);
        if (job.schedule !== undefined) this.#busySchedules.delete(job.schedule);
        this.#executions.delete(execution);
        this.#notifyChange();
      });
      this.#executions.add(execution);
    }
    this.#notifyChange();
  }

  #isQuiet(): boolean {
    return this.#ready.length === 0 && this.#executions.size === 0 && !this.#pumpQueued;
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => this.#changeListeners.add(resolve));
  }

  #notifyChange(): void {
    if (this.#changeListeners.size === 0) return;
    const listeners = [...this.#changeListeners];
    this.#changeListeners.clear();
    for (const listener of listeners) listener();
  }

  #assertAccepting(what: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') throw stoppedError(what);
  }
}

function stoppedError(what: string): OrderflowError {
  return new OrderflowError(
    'job_runner_stopped',
    `The in-process job runner was stopped; cannot ${what}`,
  );
}
