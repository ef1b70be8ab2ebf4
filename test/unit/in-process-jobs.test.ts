import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { type InProcessJobsOptions, inProcessJobs } from '../../adapters/jobs/in-process/index.js';
import { isOrderflowError } from '../../src/errors.js';
import { type Logger, silentLogger } from '../../src/ports/logger.js';
import { manualClock } from '../../src/testing/manual-clock.js';

const MINUTE = 60_000;
const tinyBackoff = { minTimeoutMs: 1, factor: 1 };

/** A runner that is stopped when the test ends. */
function runner(options: InProcessJobsOptions = {}) {
  const jobs = inProcessJobs({ logger: silentLogger, backoff: tinyBackoff, ...options });
  onTestFinished(() => jobs.stop());
  return jobs;
}

function spyLogger() {
  type LogFn = Logger['error'];
  return {
    debug: vi.fn<LogFn>(),
    info: vi.fn<LogFn>(),
    warn: vi.fn<LogFn>(),
    error: vi.fn<LogFn>(),
  } satisfies Logger;
}

describe('inProcessJobs', () => {
  it('is named in-process', () => {
    expect(runner().name).toBe('in-process');
  });

  it('never runs more handlers at once than the concurrency limit', async () => {
    const jobs = runner({ concurrency: 2 });
    let running = 0;
    let most = 0;
    let done = 0;
    jobs.register('work', async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      done++;
    });
    await jobs.start();
    for (let i = 0; i < 7; i++) await jobs.enqueue('work', { i });
    await jobs.idle();

    expect(done).toBe(7);
    expect(most).toBe(2);
  });

  it('runs handlers asynchronously, never inside the enqueue call', async () => {
    const jobs = runner();
    let ran = false;
    jobs.register('sync', async () => {
      ran = true;
    });
    await jobs.start();
    const enqueued = jobs.enqueue('sync', {});
    expect(ran).toBe(false);
    await enqueued;
    await jobs.idle();
    expect(ran).toBe(true);
  });

  it('runs a 60-minute-delayed job as soon as a manual clock moves 61 minutes', async () => {
    const clock = manualClock();
    const jobs = runner({ clock });
    const seen: string[] = [];
    jobs.register('expire', async (payload: { orderId: string }) => {
      seen.push(payload.orderId);
    });
    await jobs.start();
    await jobs.enqueue('expire', { orderId: 'ord_late' }, { delayMs: 60 * MINUTE });
    await jobs.enqueue('expire', { orderId: 'ord_later' }, { delayMs: 90 * MINUTE });

    clock.advance(61 * MINUTE);
    await jobs.idle();
    expect(seen).toEqual(['ord_late']);

    clock.set(clock.now() + 30 * MINUTE);
    await jobs.idle();
    expect(seen).toEqual(['ord_late', 'ord_later']);
  });

  it('wakes for a delayed job due sooner than the one its timer waits for, in real time', async () => {
    const jobs = runner();
    const seen: string[] = [];
    jobs.register('expire', async (payload: { orderId: string }) => {
      seen.push(payload.orderId);
    });
    await jobs.start();
    // The timer waits for the first job; a later one leaves it, a sooner one must replace it.
    await jobs.enqueue('expire', { orderId: 'ord_hour' }, { delayMs: 60 * MINUTE });
    await jobs.enqueue('expire', { orderId: 'ord_two_hours' }, { delayMs: 120 * MINUTE });
    await jobs.enqueue('expire', { orderId: 'ord_soon' }, { delayMs: 30 });
    await vi.waitFor(() => expect(seen).toEqual(['ord_soon']), { timeout: 2000, interval: 10 });
    await jobs.enqueue('expire', { orderId: 'ord_soon_again' }, { delayMs: 30 });
    await vi.waitFor(() => expect(seen).toEqual(['ord_soon', 'ord_soon_again']), {
      timeout: 2000,
      interval: 10,
    });
  });

  it('follows the clock given by useClock unless one was passed in options', async () => {
    const handed = manualClock();
    const followed = runner();
    const own = manualClock();
    const pinned = runner({ clock: own });
    const seen: string[] = [];
    for (const [label, jobs] of [
      ['followed', followed],
      ['pinned', pinned],
    ] as const) {
      jobs.register('tick', async () => {
        seen.push(label);
      });
      jobs.useClock?.(handed);
      await jobs.start();
      await jobs.enqueue('tick', {}, { delayMs: MINUTE });
    }

    handed.advance(MINUTE);
    await Promise.all([followed.idle(), pinned.idle()]);
    expect(seen).toEqual(['followed']);

    own.advance(MINUTE);
    await pinned.idle();
    expect(seen).toEqual(['followed', 'pinned']);
  });

  it('skips a scheduled run while the previous run is still running', async () => {
    const clock = manualClock();
    const jobs = runner({ clock });
    let runs = 0;
    let release!: () => void;
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    onTestFinished(() => release());
    jobs.register('sweep', async () => {
      runs++;
      await blocked;
    });
    await jobs.start();
    await jobs.schedule('sweep', MINUTE);

    clock.advance(MINUTE);
    await vi.waitFor(() => expect(runs).toBe(1));
    clock.advance(MINUTE);
    clock.advance(MINUTE);
    release();
    await jobs.idle();
    expect(runs).toBe(1);

    clock.advance(MINUTE);
    await jobs.idle();
    expect(runs).toBe(2);
  });

  it('waits in idle() for a retry that is waiting out its backoff', async () => {
    const jobs = runner({ backoff: { minTimeoutMs: 30 } });
    const attempts: number[] = [];
    jobs.register('flaky', async (_payload, { attempt }) => {
      attempts.push(attempt);
      if (attempt === 1) throw new Error('transient');
    });
    await jobs.start();
    await jobs.enqueue('flaky', {});
    await jobs.idle();
    expect(attempts).toEqual([1, 2]);
  });

  it('retries a handler that throws a TypeError or a non-Error value', async () => {
    const jobs = runner();
    const attempts: number[] = [];
    jobs.register('buggy', async (_payload, { attempt }) => {
      attempts.push(attempt);
      if (attempt === 1) throw new TypeError('x is undefined');
      if (attempt === 2) throw 'a string';
    });
    await jobs.start();
    await jobs.enqueue('buggy', {}, { attempts: 3 });
    await jobs.idle();
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('drops a retry waiting in backoff when stopped', async () => {
    const logger = spyLogger();
    const jobs = runner({ logger, backoff: { minTimeoutMs: 60_000 } });
    let calls = 0;
    jobs.register('flaky', async () => {
      calls++;
      throw new Error('transient');
    });
    await jobs.start();
    await jobs.enqueue('flaky', {}, { jobId: 'flaky-1' });
    await vi.waitFor(() => expect(logger.warn).toHaveBeenCalledTimes(1)); // "retrying"

    const started = performance.now();
    await jobs.stop();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(calls).toBe(1);
    expect(logger.warn).toHaveBeenLastCalledWith(
      expect.objectContaining({ name: 'flaky', id: 'flaky-1', attempt: 1 }),
      expect.stringContaining('runner stopped'),
    );
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('logs each failed attempt as a warning and a job given up as an error', async () => {
    const logger = spyLogger();
    const jobs = runner({ logger, attempts: 2 });
    jobs.register('refund', async () => {
      throw new Error('provider down');
    });
    await jobs.start();
    await jobs.enqueue('refund', { refundId: 'rfd_1' }, { jobId: 'refund:rfd_1' });
    await jobs.idle();

    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledWith(
      expect.objectContaining({
        name: 'refund',
        id: 'refund:rfd_1',
        attempt: 2,
        error: 'provider down',
        err: expect.any(Error),
      }),
      expect.stringContaining('giving up'),
    );
  });

  it('rejects enqueue after stop, and stopping twice is fine', async () => {
    const jobs = runner();
    jobs.register('late', async () => {});
    await jobs.start();
    await jobs.stop();
    await jobs.stop();

    const error = await jobs.enqueue('late', {}).catch((e: unknown) => e);
    expect(isOrderflowError(error) && error.code).toBe('job_runner_stopped');
  });

  it('rejects enqueue of an unknown job name with a configuration error', async () => {
    const jobs = runner();
    await expect(jobs.enqueue('mystery', {})).rejects.toMatchObject({
      code: 'configuration_error',
      message: expect.stringContaining('"mystery"'),
    });
  });

  it('idle() before start resolves when nothing waits and rejects when jobs wait', async () => {
    const jobs = runner();
    jobs.register('later', async () => {});
    await expect(jobs.idle()).resolves.toBeUndefined();

    await jobs.enqueue('later', {}, { delayMs: MINUTE });
    await expect(jobs.idle()).resolves.toBeUndefined(); // delayed, not due

    await jobs.enqueue('later', {});
    await expect(jobs.idle()).rejects.toThrow(/start\(\) was not called/);
  });

  it('ping() rejects before start', async () => {
    await expect(runner().ping()).rejects.toMatchObject({ code: 'job_runner_not_started' });
  });
});

describe('manualClock', () => {
  it('starts at 2026-01-01 and moves only when told to', () => {
    const clock = manualClock();
    expect(new Date(clock.now()).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    clock.advance(1_500);
    expect(new Date(clock.now()).toISOString()).toBe('2026-01-01T00:00:01.500Z');
    clock.set(new Date('2025-06-01T12:00:00Z'));
    expect(clock.now()).toBe(Date.parse('2025-06-01T12:00:00Z'));
  });

  it('calls listeners synchronously after advance and set until unsubscribed', () => {
    const clock = manualClock(0);
    const seen: number[] = [];
    const off = clock.onAdvance(() => seen.push(clock.now()));
    clock.advance(10);
    clock.set(5);
    off();
    clock.advance(1);
    expect(seen).toEqual([10, 5]);
  });

  it('refuses a negative advance and an invalid time', () => {
    const clock = manualClock();
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => manualClock('not a date')).toThrow(RangeError);
  });
});
