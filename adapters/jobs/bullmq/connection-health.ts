import type { Logger } from '../../../src/ports/logger.js';

/** Error codes and messages of a Redis connection that is down or going down. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const CONNECTION_MESSAGE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection is closed|Stream isn't writeable|connect ETIMEDOUT|MaxRetriesPerRequest|Socket closed/i;

/** Whether `error` says the Redis connection is down (rather than something else failed). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_MESSAGE.test(error.message)) return true;
  // ioredis and BullMQ wrap some failures (AggregateError, `cause`).
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isConnectionError(cause);
}

/**
 * Turns the `error` events of the runner's queue, worker and connections into log lines
 * without a flood: ioredis reconnects by itself and re-emits an error on every attempt,
 * so a lost connection is logged once (`warn`) and its end once (`info`, on the next
 * `ready`). Other errors are logged with `error`, except during an outage (they are its
 * echoes) or while the runner is closing.
 */
export class ConnectionHealth {
  readonly #logger: Logger;
  #down = false;
  #closing = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Whether the last error seen was a lost connection that has not come back yet. */
  get down(): boolean {
    return this.#down;
  }

  /** An `error` event from `source` (`queue`, `worker`, `connection`). */
  readonly onError = (source: string, error: unknown): void => {
    const fields = {
      source,
      error: error instanceof Error ? error.message : String(error),
      err: error,
    };
    if (isConnectionError(error) && !this.#down) {
      this.#down = true;
      if (this.#closing) {
        this.#logger.debug(fields, 'bullmq job runner: Redis connection closed');
      } else {
        this.#logger.warn(
          fields,
          'bullmq job runner lost its Redis connection; reconnecting (jobs wait in Redis meanwhile)',
        );
      }
      return;
    }
    if (this.#closing || this.#down) {
      this.#logger.debug(fields, 'bullmq job runner: Redis error');
      return;
    }
    this.#logger.error(fields, 'bullmq job runner: Redis error');
  };

  /** A connection of the runner is (again) ready. */
  readonly onReady = (): void => {
    if (!this.#down) return;
    this.#down = false;
    if (!this.#closing) this.#logger.info({}, 'bullmq job runner reconnected to Redis');
  };

  /** From now on errors are expected (connections are being closed): log them at debug. */
  closing(): void {
    this.#closing = true;
  }
}
