import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'orderflow-signature';

/**
 * The `orderflow-signature` value for a body sent at `timestamp` (Unix seconds):
 * `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 */
export function signWebhookPayload(
  secret: string,
  payload: string | Uint8Array,
  timestamp: number,
): string {
  return `t=${timestamp},v1=${hmac(secret, payload, timestamp)}`;
}

/** Arguments of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The raw request body exactly as received (not re-serialized JSON). */
  payload: string | Uint8Array;
  /** The `orderflow-signature` header (a missing header fails verification). */
  header: string | string[] | null | undefined;
  /** The secret given to `webhookNotifier({ secret })`. */
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
 * Checks an orderflow webhook on the receiving side: the `orderflow-signature` header must
 * carry a timestamp within `toleranceSeconds` of now and an HMAC-SHA256 of
 * `"<timestamp>.<raw body>"` made with `secret` (compared in constant time). Returns
 * false for anything else — a tampered body, another secret, a replay, a malformed header.
 *
 * ```ts
 * import { verifyWebhookSignature } from 'orderflow';
 * app.post('/hooks/orderflow', express.raw({ type: 'application/json' }), (req, res) => {
 *   const ok = verifyWebhookSignature({
 *     payload: req.body, header: req.get('orderflow-signature'), secret: process.env.HOOK_SECRET!,
 *   });
 *   if (!ok) return res.sendStatus(400);
 *   const event = JSON.parse(req.body.toString('utf8')); // dedupe on event.id
 *   res.sendStatus(204);
 * });
 * ```
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): boolean {
  const { payload, header, secret, toleranceSeconds = 300, now = Date.now() } = options;
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new TypeError('verifyWebhookSignature: `secret` must be a non-empty string');
  }
  if (typeof header !== 'string') return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,15}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (!(Math.abs(now / 1000 - timestamp) <= toleranceSeconds)) return false;
  const expected = Buffer.from(hmac(secret, payload, timestamp), 'hex');
  // Several v1 values may be present (e.g. while a secret is being rotated): any may match.
  let matched = false;
  for (const candidate of candidates) {
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) matched = true;
  }
  return matched;
}

function hmac(secret: string, payload: string | Uint8Array, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(payload).digest('hex');
}
