import { OrderflowError } from '../../../src/errors.js';
import { loadPeer } from '../../storage/sql/load-peer.js';
import type { ConnectionHealth } from './connection-health.js';
import type { IoredisModule, RedisClient, RedisConnectionOptions } from './driver-types.js';
import { isRedisClient } from './options.js';

/** BullMQ needs its Redis client too: a missing one of the two names both. */
export const BULLMQ_PEER = { kind: 'jobs', install: 'bullmq ioredis' } as const;

export type RedisSource = { url: string } | { connection: RedisClient | RedisConnectionOptions };

/**
 * The runner's Redis connections.
 *
 * - The producer connection (enqueue, schedule, counts, `ping()`) is the caller's instance
 *   (never closed here) or one made from `url` / options that fails fast: no offline queue
 *   and one retry, so during an outage `enqueue()` rejects at once instead of stalling the
 *   command that called it (orderflow's outbox and sweep enqueue the job again later).
 * - The worker connection is always the runner's own, with `maxRetriesPerRequest: null`
 *   so the worker's commands wait out an outage (BullMQ requires it).
 *
 * Every connection reports its `error` and `ready` events to the runner's
 * {@link ConnectionHealth}; `onReconnect` runs when the producer connection is ready again
 * after having been lost (the runner re-creates its schedules then: Redis may have lost them).
 */
export class RedisConnections {
  readonly #source: RedisSource;
  readonly #health: ConnectionHealth;
  readonly #onReconnect: () => void;
  /** Connections this object made: disconnected by `close()`. */
  readonly #owned: RedisClient[] = [];
  /** Every connection listened to; the listeners are removed by `close()`. */
  readonly #watched: RedisClient[] = [];
  readonly #onError = (error: Error) => this.#health.onError('connection', error);
  #producerWasReady = false;
  readonly #onProducerReady = () => {
    if (this.#producerWasReady) this.#onReconnect();
    this.#producerWasReady = true;
  };

  constructor(source: RedisSource, health: ConnectionHealth, onReconnect: () => void) {
    this.#source = source;
    this.#health = health;
    this.#onReconnect = onReconnect;
  }

  /** The connection for enqueueing, scheduling, counting and `ping()` (call once). */
  async producer(): Promise<RedisClient> {
    const source = this.#source;
    const client =
      'connection' in source && isRedisClient(source.connection)
        ? this.#watch(source.connection)
        : await this.#create({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    client.on('ready', this.#onProducerReady);
    if (client.status === 'ready') this.#producerWasReady = true;
    return client;
  }

  /**
   * Resolves once `producer` can take a command. Before it was ever connected this waits
   * (up to `timeoutMs`): a process that just started is still connecting. Once it has
   * been connected, a lost connection rejects at once with `job_runner_unavailable`.
   */
  async available(producer: RedisClient, timeoutMs: number): Promise<void> {
    if (producer.status === 'ready') return;
    if (this.#producerWasReady) throw unavailable('the connection to Redis is lost');
    let onReady: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onReady = resolve;
        producer.on('ready', onReady);
        timer = setTimeout(
          () => reject(unavailable(`Redis did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
    } finally {
      clearTimeout(timer);
      if (onReady) producer.off('ready', onReady);
    }
  }

  /** PINGs Redis on `producer`; rejects with `job_runner_unavailable` if no answer in time. */
  async ping(producer: RedisClient, timeoutMs: number): Promise<void> {
    await this.available(producer, timeoutMs);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unavailable(`Redis did not answer PING within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([producer.ping(), timeout]);
    } catch (error) {
      throw error instanceof OrderflowError ? error : unavailable('PING failed', error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A new connection for the BullMQ worker (which duplicates it once more for blocking reads). */
  async worker(): Promise<RedisClient> {
    const source = this.#source;
    const override = { maxRetriesPerRequest: null };
    if ('connection' in source && isRedisClient(source.connection)) {
      const client = source.connection.duplicate(override);
      this.#owned.push(client);
      return this.#watch(client);
    }
    return this.#create(override);
  }

  /** Disconnects the connections made here and stops listening to the caller's instance. */
  close(): void {
    for (const client of this.#watched.splice(0)) {
      client.off('error', this.#onError);
      client.off('ready', this.#health.onReady);
      client.off('ready', this.#onProducerReady);
    }
    for (const client of this.#owned.splice(0)) client.disconnect();
  }

  async #create(override: Record<string, unknown>): Promise<RedisClient> {
    const Redis = await loadPeer<IoredisModule>('ioredis', 'bullmq', BULLMQ_PEER);
    const source = this.#source;
    const client =
      'url' in source
        ? new Redis(source.url, override)
        : new Redis({ ...(source.connection as RedisConnectionOptions), ...override });
    this.#owned.push(client);
    return this.#watch(client);
  }

  #watch(client: RedisClient): RedisClient {
    client.on('error', this.#onError);
    client.on('ready', this.#health.onReady);
    this.#watched.push(client);
    return client;
  }
}

/** The error of a command that could not reach Redis. */
export function unavailable(why: string, cause?: unknown): OrderflowError {
  return new OrderflowError('job_runner_unavailable', `bullmq job runner: ${why}`, {
    cause,
  });
}
