import type { Notification, NotifierPort } from '../ports/notifier.js';
import {
  MIN_WEBHOOK_SECRET_BYTES,
  signWebhook,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSecretKey,
} from './webhook-signature.js';

/** The part of `fetch` the webhook notifier uses (the global one, undici's, or a test double). */
export type WebhookFetch = (
  url: string,
  init: {
    method: 'POST';
    headers: Record<string, string>;
    body: string;
    redirect: 'manual';
    signal: AbortSignal;
  },
) => Promise<{ status: number; text(): Promise<string> }>;

/** Options of {@link webhookNotifier}. */
export interface WebhookNotifierOptions {
  /** The receiver's endpoint, `http:` or `https:`. Every event is POSTed here. */
  url: string;
  /**
   * The signing secret, `whsec_<base64>` as Standard Webhooks defines it (at least 24 bytes
   * once decoded; `generateWebhookSecret()` makes one). Give the same one to the receiver's
   * `standardwebhooks` library or to `verifyWebhookSignature`.
   */
  secret: string;
  /**
   * How long one delivery may take (connect, answer and body), in milliseconds; a
   * delivery that takes longer fails and is retried.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * Extra request headers, e.g. `{ authorization: 'Bearer …' }`. They cannot replace the
   * headers the notifier sets itself (content type, user agent, `webhook-*`).
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * The `fetch` to send with (a proxy-aware one, or a test double).
   * @default globalThis.fetch
   */
  fetch?: WebhookFetch;
}

/** Headers the notifier sets on every delivery. */
const OWN_HEADERS = [
  'content-type',
  'user-agent',
  WEBHOOK_ID_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
];

/**
 * A notifier that POSTs every event to a webhook endpoint as JSON
 * `{ id, type, timestamp, data }`, signed as the Standard Webhooks specification says, so
 * receivers verify with the `standardwebhooks` library of their language:
 *
 * - `webhook-id`: the event id, the same on every redelivery (dedupe on it);
 * - `webhook-timestamp`: when this delivery was signed, in Unix seconds;
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed
 *   with the secret's bytes, so bodies can't be forged and old deliveries can't be replayed.
 *
 * Anything but a 2xx answer (a redirect included), a network error or a timeout throws:
 * the job runner retries with backoff, and after its last attempt orderflow records the
 * notification as a dead letter (`oms.deadLetters.list()`).
 *
 * ```ts
 * import { createOrderSystem, webhookNotifier } from 'orderflow';
 * const oms = await createOrderSystem({
 *   storage, jobs,
 *   notifier: webhookNotifier({ url: 'https://example.com/hooks/orderflow', secret: process.env.HOOK_SECRET! }), // whsec_…
 * });
 * ```
 */
export function webhookNotifier(options: WebhookNotifierOptions): NotifierPort {
  const { url, key, timeoutMs, headers, send } = resolveOptions(options);
  const target = describeUrl(url);
  return {
    async notify(n: Notification) {
      const body = JSON.stringify({
        id: n.id,
        type: n.name,
        timestamp: n.createdAt,
        data: n.payload,
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let status: number;
      let answer: string;
      try {
        const response = await send(url, {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'orderflow-webhooks',
            ...signWebhook(key, n.id, timestamp, body),
          },
          body,
          redirect: 'manual',
          signal: controller.signal,
        });
        status = response.status;
        // Read the answer to the end, so the connection can be reused (bounded by the timeout).
        answer = await response.text();
      } catch (error) {
        const why = controller.signal.aborted
          ? `timed out after ${timeoutMs} ms`
          : error instanceof Error
            ? detail(error)
            : String(error);
        throw new Error(`webhook ${n.name} (${n.id}) to ${target} failed: ${why}`, {
          cause: error,
        });
      } finally {
        clearTimeout(timer);
      }
      if (status < 200 || status > 299) {
        const excerpt = answer.trim().slice(0, 200);
        throw new Error(
          `webhook ${n.name} (${n.id}) to ${target} failed: HTTP ${status}${excerpt ? ` ${excerpt}` : ''}`,
        );
      }
    },
  };
}

function resolveOptions(options: WebhookNotifierOptions) {
  const fail = (message: string): never => {
    throw new TypeError(`webhookNotifier: ${message}`);
  };
  if (!options || typeof options !== 'object') fail('options `{ url, secret }` are required');
  let parsed: URL | undefined;
  try {
    parsed = new URL(options.url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    fail(`\`url\` must be an absolute http(s) URL, got ${JSON.stringify(options.url)}`);
  }
  const key = typeof options.secret === 'string' ? webhookSecretKey(options.secret) : undefined;
  if (!key || key.length < MIN_WEBHOOK_SECRET_BYTES) {
    fail(
      `\`secret\` must be \`whsec_\` and at least ${MIN_WEBHOOK_SECRET_BYTES} bytes in base64 (make one with generateWebhookSecret())`,
    );
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    fail(`\`timeoutMs\` must be a finite number > 0, got ${timeoutMs}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const key = name.toLowerCase();
    if (OWN_HEADERS.includes(key)) fail(`header \`${key}\` is set by the notifier itself`);
    if (typeof value !== 'string') fail(`header \`${key}\` must be a string`);
    headers[key] = value;
  }
  const send = options.fetch ?? (globalThis.fetch as WebhookFetch | undefined);
  if (typeof send !== 'function') fail('no global `fetch`; pass `fetch`');
  return { url: options.url, key: key!, timeoutMs, headers, send: send! };
}

/** The URL without credentials or query string, for error messages and dead letters. */
function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

/** `fetch failed` says little; undici puts the reason (ECONNREFUSED, …) in `cause`. */
function detail(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error && cause.message) return `${error.message} (${cause.message})`;
  return error.message;
}
