import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorFromJSON, IdempotencyConflictError, type OrderflowError } from '../errors.js';
import type { Repositories } from '../ports/storage.js';
import type { SystemContext } from './system-context.js';

/** Results replayed from an idempotency key, so callers (the REST API) can say so. */
const replayed = new WeakSet<object>();

/**
 * True when `result` — a command's result, or the error it threw — was replayed from an
 * earlier request with the same idempotency key rather than produced now.
 *
 * ```ts
 * const order = await oms.orders.create(input, { idempotencyKey });
 * if (isReplayed(order)) res.setHeader('Idempotency-Replayed', 'true');
 * // in an error handler: if (isReplayed(error)) res.setHeader('Idempotency-Replayed', 'true');
 * ```
 */
export function isReplayed(result: unknown): boolean {
  return typeof result === 'object' && result !== null && replayed.has(result);
}

/** JSON with sorted keys, so equal inputs always hash alike. */
function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

export function fingerprint(input: unknown): string {
  return createHash('sha256').update(canonical(input)).digest('hex');
}

/** Stored outcome of a keyed command. */
export type StoredResponse =
  | { result: unknown }
  | { error: ReturnType<OrderflowError['toJSON']> }
  | { ref: string };

/**
 * Handed to a keyed command: call `finish` inside the command's last transaction, so the
 * stored outcome commits together with the effect.
 */
export interface IdempotencyScope {
  finish(tx: Repositories, response: StoredResponse): Promise<void>;
}

const noKey: IdempotencyScope = { finish: async () => {} };

const POLL_MS = 20;

/**
 * Runs a command under an idempotency key (Stripe / IETF draft semantics):
 * the same key and input replay the stored outcome; other input fails with
 * `idempotency_conflict`; a request whose twin is still running waits for it up to
 * `config.idempotencyWaitMs`, then fails with `idempotency_in_flight`. A command must
 * `finish` the key in the same transaction as its first durable effect (for payments:
 * the saved intent), so a retry resumes that effect instead of repeating it; a command
 * that fails before any effect releases the key so a retry can run.
 */
export async function idempotent<T extends object>(
  ctx: SystemContext,
  scope: string,
  key: string | undefined,
  input: unknown,
  run: (idem: IdempotencyScope) => Promise<T>,
  replay: (response: StoredResponse) => Promise<T> = async (response) => {
    if ('result' in response) return response.result as T;
    if ('error' in response) throw errorFromJSON(response.error);
    throw new Error(`cannot replay reference ${response.ref} without a replay function`);
  },
): Promise<T> {
  if (key === undefined) return run(noKey);
  const { storage, clock, config } = ctx;
  const print = fingerprint(input);
  const started = Date.now();
  let lease = '';
  for (;;) {
    const now = clock.now();
    const claim = {
      scope,
      key,
      fingerprint: print,
      status: 'in_flight' as const,
      lockedUntil: new Date(now + config.idempotencyLeaseMs).toISOString(),
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + config.idempotencyKeyTtlHours * 3_600_000).toISOString(),
    };
    const existing = await storage.idempotency.claim(claim);
    if (!existing) {
      lease = claim.lockedUntil;
      break;
    }
    if (existing.fingerprint !== print)
      throw new IdempotencyConflictError('idempotency_conflict', key);
    if (existing.status === 'completed') {
      let result: T;
      try {
        result = await replay(existing.response as StoredResponse);
      } catch (error) {
        // A refusal answered again (a decline, a business rule) is a replay too.
        if (typeof error === 'object' && error !== null) replayed.add(error);
        throw error;
      }
      replayed.add(result);
      return result;
    }
    if (existing.lockedUntil < claim.createdAt) {
      if (await storage.idempotency.takeOver(scope, key, existing.lockedUntil, claim.lockedUntil)) {
        lease = claim.lockedUntil;
        break;
      }
      continue;
    }
    if (Date.now() - started >= config.idempotencyWaitMs) {
      throw new IdempotencyConflictError('idempotency_in_flight', key);
    }
    await sleep(POLL_MS);
  }

  const scopeHandle: IdempotencyScope = {
    finish: (tx, response) => tx.idempotency.complete(scope, key, response),
  };
  try {
    return await run(scopeHandle);
  } catch (error) {
    // A command that committed an effect has completed its key in that same transaction;
    // one that failed before any write leaves it in flight: forget it so a retry can run.
    try {
      await storage.idempotency.release(scope, key, lease);
    } catch (releaseError) {
      ctx.logger.error({ err: releaseError, scope, key }, 'could not release idempotency key');
    }
    throw error;
  }
}
