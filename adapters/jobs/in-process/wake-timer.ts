import type { Clock } from '../../../src/ports/clock.js';

/** setTimeout's largest delay; longer waits are re-armed when the timer fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `wake` when the next delayed job or schedule is due: by a real (unref'd) timer,
 * and — when the clock has `onAdvance`, like a manual clock — whenever the clock moves.
 */
export class WakeTimer {
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires, and by which clock. */
  #armedAt: number | undefined;
  #armedClock: Clock | undefined;
  #unsubscribe: (() => void) | undefined;
  readonly #wake: () => void;

  constructor(wake: () => void) {
    this.#wake = wake;
  }

  /** Follows `clock`'s jumps (replacing any clock followed before). */
  follow(clock: Clock): void {
    this.#unsubscribe?.();
    this.#unsubscribe = clock.onAdvance?.(this.#wake);
  }

  /** Sets the real timer to fire at `at` by `clock` (or clears it when `at` is undefined). */
  arm(at: number | undefined, clock: Clock): void {
    // Most calls leave the next due time as it was (a job delayed past the earliest one):
    // keep the pending timer rather than replace it.
    if (this.#timer !== undefined && at === this.#armedAt && clock === this.#armedClock) return;
    this.#clearTimer();
    if (at === undefined) return;
    const delay = Math.min(Math.max(0, at - clock.now()), MAX_TIMER_MS);
    this.#armedAt = at;
    this.#armedClock = clock;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#wake();
    }, delay);
    this.#timer.unref?.();
  }

  /** Clears the timer and stops following the clock. */
  clear(): void {
    this.#clearTimer();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = undefined;
    this.#armedClock = undefined;
  }
}
