/**
 * Where orderflow gets the time. Inject a manual clock in tests so return windows,
 * unpaid-order expiry and delayed jobs need no sleeping.
 *
 * ```ts
 * const clock = manualClock('2026-01-01T00:00:00Z'); // from orderflow/testing
 * clock.advance(61 * 60_000);
 * ```
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Optional: called with a listener that must run whenever time jumps (a manual clock's
   * `advance`). Job runners use it to fire delayed jobs that became due. Returns an
   * unsubscribe function.
   */
  onAdvance?(listener: () => void): () => void;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** ISO 8601 string of the clock's current time. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
