/**
 * A counting semaphore for the concurrency limit. Retries waiting for a slot (`acquire`)
 * are served before new jobs (`tryAcquire` refuses while anyone waits).
 */
export class Slots {
  #inUse = 0;
  readonly #limit: number;
  readonly #waiters: Array<() => void> = [];
  readonly #onFree: () => void;

  /** `onFree` runs whenever a slot is given back and nobody was waiting for it. */
  constructor(limit: number, onFree: () => void) {
    this.#limit = limit;
    this.#onFree = onFree;
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** Takes a slot if one is free and no retry is waiting for one. */
  tryAcquire(): boolean {
    if (this.#inUse >= this.#limit || this.#waiters.length > 0) return false;
    this.#inUse++;
    return true;
  }

  /** Waits for a slot; rejects with `signal.reason` if the signal aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#waiters.indexOf(grant);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(signal.reason);
      };
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Gives a slot back: straight to a waiting retry, else to the pool. */
  release(): void {
    const next = this.#waiters.shift();
    if (next) {
      next(); // the slot changes hands; `inUse` stays the same
      return;
    }
    this.#inUse--;
    this.#onFree();
  }
}
