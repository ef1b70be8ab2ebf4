import type { Clock } from '../ports/clock.js';

/**
 * A clock that moves only when told to. Pass it to `createOrderSystem({ clock })` (or a job
 * runner) so return windows, unpaid-order expiry and delayed jobs can be tested without
 * sleeping. Listeners registered with `onAdvance` run synchronously after every
 * `advance` and `set`.
 *
 * ```ts
 * const clock = manualClock('2026-01-01T00:00:00Z');
 * const jobs = inProcessJobs({ clock });
 * clock.advance(61 * 60_000); // a job delayed by 60 minutes is now due
 * ```
 */
export interface ManualClock extends Clock {
  /** The current time in milliseconds since the epoch. */
  now(): number;
  /**
   * Moves the clock forward by `ms` milliseconds (0 is allowed and still notifies the
   * listeners). Throws a `RangeError` for a negative or non-finite `ms`.
   */
  advance(ms: number): void;
  /** Jumps to `time` (ISO string, epoch milliseconds or `Date`); going back is allowed. */
  set(time: string | number | Date): void;
  /** Calls `listener` after every `advance` and `set`; returns a function that unsubscribes. */
  onAdvance(listener: () => void): () => void;
}

/** Where a manual clock starts when it is given no time. */
const MANUAL_CLOCK_DEFAULT_START = '2026-01-01T00:00:00.000Z';

/**
 * Creates a {@link ManualClock}, starting at `start` (default `2026-01-01T00:00:00.000Z`).
 *
 * ```ts
 * const clock = manualClock();
 * clock.now(); // Date.parse('2026-01-01T00:00:00.000Z')
 * const off = clock.onAdvance(() => console.log(new Date(clock.now()).toISOString()));
 * clock.advance(1_000); // logs 2026-01-01T00:00:01.000Z
 * clock.set('2026-02-01T00:00:00Z'); // logs 2026-02-01T00:00:00.000Z
 * off();
 * ```
 */
export function manualClock(
  start: string | number | Date = MANUAL_CLOCK_DEFAULT_START,
): ManualClock {
  let current = toEpochMs(start);
  const listeners = new Set<() => void>();

  const notify = (): void => {
    let failure: { error: unknown } | undefined;
    // A snapshot, so a listener may unsubscribe (itself or another) while we iterate.
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };

  return {
    now: () => current,
    advance(ms: number): void {
      if (!Number.isFinite(ms) || ms < 0) {
        throw new RangeError(`manualClock.advance() needs a finite number >= 0, got ${ms}`);
      }
      current += ms;
      notify();
    },
    set(time: string | number | Date): void {
      current = toEpochMs(time);
      notify();
    },
    onAdvance(listener: () => void): () => void {
      // Wrapped so the same function can be subscribed twice and unsubscribed separately.
      const entry = () => listener();
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
  };
}

function toEpochMs(time: string | number | Date): number {
  const ms =
    typeof time === 'number' ? time : time instanceof Date ? time.getTime() : Date.parse(time);
  if (!Number.isFinite(ms)) {
    throw new RangeError(`manualClock: ${String(time)} is not a valid time`);
  }
  return ms;
}
