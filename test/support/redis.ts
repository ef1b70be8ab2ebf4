/**
 * Redis for the BullMQ tests, read from `ORDERFLOW_REDIS_URL` (`scripts/ensure-services.sh`
 * starts a local server). Like Postgres: locally an unreachable server is skipped with a
 * loud message; under `CI=true` it is a failure. Each runner gets its own key prefix
 * (`uniquePrefix()`), so tests never see each other's jobs; `deleteTestKeys()` removes
 * what they left.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.ORDERFLOW_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The start of every prefix this process hands out. */
const RUN_PREFIX = `orderflow-test-${process.pid}-`;
const prefixes = new Set<string>();

let reachable: Promise<string | undefined> | undefined;

/** undefined when Redis answers PING; otherwise why not. */
function redisProblem(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 3000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => {}); // reported through the rejected connect()
    try {
      await client.connect();
      await client.ping();
      return undefined;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    } finally {
      client.disconnect();
    }
  })();
  return reachable;
}

/**
 * Whether the Redis tests run. Throws under CI=true when the server cannot be reached, so
 * CI never passes by skipping; prints a loud warning locally.
 */
export async function redisEnabled(): Promise<boolean> {
  const problem = await redisProblem();
  if (!problem) return true;
  const message = `Redis at ${REDIS_URL} is unreachable (${problem})`;
  if (process.env.CI === 'true') throw new Error(`${message}; CI requires it`);
  console.warn(
    `\n*** SKIPPING REDIS TESTS: ${message}. Start it or set ORDERFLOW_REDIS_URL. ***\n`,
  );
  return false;
}

/** A BullMQ key prefix unique to this run and call: `orderflow-test-<pid>-<random>`. */
export function uniquePrefix(): string {
  const prefix = `${RUN_PREFIX}${randomBytes(4).toString('hex')}`;
  prefixes.add(prefix);
  return prefix;
}

/**
 * Deletes the Redis keys under `prefix`, or under every prefix `uniquePrefix()` handed out
 * (call it from `afterAll`).
 */
export async function deleteTestKeys(prefix?: string): Promise<void> {
  const wanted = prefix === undefined ? new Set(prefixes) : new Set([prefix]);
  if (wanted.size === 0) return;
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const match = prefix === undefined ? `${RUN_PREFIX}*` : `${prefix}:*`;
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', 1000);
      cursor = next;
      const ours = keys.filter((key) => wanted.has(key.slice(0, key.indexOf(':'))));
      if (ours.length > 0) await client.unlink(...ours);
    } while (cursor !== '0');
    for (const done of wanted) prefixes.delete(done);
  } finally {
    client.disconnect();
  }
}
