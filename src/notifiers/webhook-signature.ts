/**
 * Webhook signatures as the Standard Webhooks specification defines them
 * (standardwebhooks.com), so a receiver can check orderflow's deliveries with the
 * `standardwebhooks` library of its language, or with `verifyWebhookSignature` below:
 *
 * - `webhook-id`: the message id (the event id; the same on every redelivery);
 * - `webhook-timestamp`: when this delivery was signed, in Unix seconds;
 * - `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>">`, keyed
 *   with the bytes of the secret `whsec_<base64>`; several space-separated signatures may
 *   be present (while a secret is rotated), any one may match.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';
/** The shortest key the notifier accepts (the specification asks for 24 to 64 bytes). */
export const MIN_WEBHOOK_SECRET_BYTES = 24;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The HMAC key of a `whsec_<base64>` secret (the prefix may be left out, as the
 * `standardwebhooks` libraries allow), or undefined when it is not valid base64.
 */
export function webhookSecretKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (encoded.length === 0 || !BASE64.test(encoded)) return undefined;
  return Buffer.from(encoded, 'base64');
}

/**
 * A new random secret for `webhookNotifier({ secret })` and the receiver:
 * `whsec_` and 32 random bytes in base64.
 *
 * ```ts
 * import { generateWebhookSecret } from 'orderflow';
 * console.log(generateWebhookSecret()); // whsec_Vh3P…=
 * ```
 */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The headers a delivery of `payload` signed with `key` at `timestamp` carries. */
export function signWebhook(
  key: Buffer,
  id: string,
  timestamp: number,
  payload: string | Uint8Array,
): Record<string, string> {
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
    [WEBHOOK_SIGNATURE_HEADER]: `v1,${hmac(key, id, timestamp, payload).toString('base64')}`,
  };
}

/** Arguments of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The raw request body exactly as received (not re-serialized JSON). */
  payload: string | Uint8Array;
  /**
   * The request headers (any case; e.g. Express's `req.headers`): `webhook-id`,
   * `webhook-timestamp` and `webhook-signature`. A missing one fails verification.
   */
  headers: Record<string, string | string[] | undefined>;
  /** The secret given to `webhookNotifier({ secret })`: `whsec_<base64>`. */
  secret: string;
  /**
   * How far the signed timestamp may be from `now`, in seconds: an older (replayed) or
   * far-future delivery fails.
   * @default 300
   */
  toleranceSeconds?: number;
  /**
   * The current time in milliseconds since the epoch.
   * @default Date.now()
   */
  now?: number;
}

/**
 * Checks a Standard Webhooks delivery on the receiving side: a `webhook-timestamp` within
 * `toleranceSeconds` of now and a `v1` signature in `webhook-signature` that is the
 * HMAC-SHA256 of `"<webhook-id>.<webhook-timestamp>.<raw body>"` with the secret's key
 * (compared in constant time). Returns false for anything else — a tampered body, another
 * secret, a replay, a malformed header. The `standardwebhooks` package's
 * `new Webhook(secret).verify(body, headers)` accepts exactly the same deliveries.
 *
 * ```ts
 * import { verifyWebhookSignature } from 'orderflow';
 * app.post('/hooks/orderflow', express.raw({ type: 'application/json' }), (req, res) => {
 *   const ok = verifyWebhookSignature({
 *     payload: req.body, headers: req.headers, secret: process.env.HOOK_SECRET!,
 *   });
 *   if (!ok) return res.sendStatus(400);
 *   const event = JSON.parse(req.body.toString('utf8')); // dedupe on event.id
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  const { payload, headers, secret, toleranceSeconds = 300, now = Date.now() } = options;
  const key = typeof secret === 'string' ? webhookSecretKey(secret) : undefined;
  if (!key || key.length === 0) {
    throw new TypeError('verifyWebhookSignature: `secret` must be a `whsec_<base64>` string');
  }
  const get = (name: string): string | undefined => {
    for (const [key, value] of Object.entries(headers ?? {})) {
      if (key.toLowerCase() === name) return typeof value === 'string' ? value : undefined;
    }
    return undefined;
  };
  const id = get(WEBHOOK_ID_HEADER);
  const timestampText = get(WEBHOOK_TIMESTAMP_HEADER);
  const signatures = get(WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestampText || !signatures || !/^\d{1,15}$/.test(timestampText)) return false;
  const timestamp = Number(timestampText);
  if (!(Math.abs(now / 1000 - timestamp) <= toleranceSeconds)) return false;
  const expected = hmac(key, id, timestamp, payload);
  let matched = false;
  for (const signature of signatures.split(' ')) {
    const [version, value] = signature.split(',');
    if (version !== 'v1' || value === undefined || !BASE64.test(value)) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

function hmac(key: Buffer, id: string, timestamp: number, payload: string | Uint8Array): Buffer {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(payload).digest();
}
