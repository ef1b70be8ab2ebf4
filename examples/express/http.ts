/**
 * Small helpers the routes share: headers in (Idempotency-Key, If-Match), headers out
 * (ETag, Idempotency-Replayed, Location), ids, bodies and query strings.
 */
import { isUtf8 } from 'node:buffer';
import type { Request, RequestHandler, Response } from 'express';
import {
  type IdKind,
  isId,
  isReplayed,
  NotFoundError,
  parseInput,
  ValidationError,
  type ValidationIssue,
} from 'orderflow';
import type { z } from 'zod';
import { HttpError } from './errors.js';
import { inFieldOrder } from './field-order.js';

/** Media types accepted as JSON request bodies. */
export const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Refuses a request body that is not JSON with 415, before any parser sees it. A request
 * without a body (or with an empty one) passes: its body counts as `{}`.
 */
export const requireJsonBody: RequestHandler = (req, _res, next) => {
  const length = Number(req.headers['content-length']);
  const hasBody = req.headers['transfer-encoding'] !== undefined || length > 0;
  if (hasBody && !req.is(JSON_TYPES)) {
    next(
      new HttpError(
        415,
        'unsupported_media_type',
        'Send the request body as JSON with Content-Type: application/json',
      ),
    );
    return;
  }
  next();
};

/**
 * The `verify` hook of the JSON parser: refuses a body declared (or defaulted to) UTF-8
 * that is not valid UTF-8, with 400 `malformed_json`, instead of letting the decoder turn
 * the bad bytes into U+FFFD and store that.
 */
export function refuseInvalidUtf8(
  _req: unknown,
  _res: unknown,
  body: Buffer,
  encoding: string | null,
): void {
  if (encoding !== null && encoding.toLowerCase() !== 'utf-8') return;
  if (isUtf8(body)) return;
  throw Object.assign(new Error('The request body is not valid UTF-8'), {
    status: 400,
    type: 'body.invalid_utf8',
  });
}

/**
 * Deepest nesting a JSON body may have. The schemas validate recursively (zod's `z.json()`
 * for `metadata` overflows the stack at a depth of about 1,500), so deeper bodies are
 * refused before any schema sees them.
 */
export const MAX_JSON_DEPTH = 64;

/** An unpaired UTF-16 surrogate. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` has a NUL character or an unpaired surrogate: Postgres refuses to store either. */
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** The first place in `root` that is nested too deep or holds unstorable text. */
function unacceptable(root: unknown): ValidationIssue | undefined {
  // Iterative, so the walk itself cannot overflow the stack.
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (unstorable(value)) {
        return {
          path,
          message: 'must not contain NUL characters or unpaired surrogates',
          code: 'invalid_string',
        };
      }
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH) {
      return { path, message: `nested deeper than ${MAX_JSON_DEPTH} levels`, code: 'too_deep' };
    }
    const isArray = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) {
      const at = [...path, isArray ? Number(key) : key];
      if (!isArray && unstorable(key)) {
        return {
          path: at,
          message: 'field names must not contain NUL characters or unpaired surrogates',
          code: 'invalid_key',
        };
      }
      stack.push({ value: child, path: at });
    }
  }
  return undefined;
}

/**
 * Refuses with 400 `validation_error` a JSON body nested deeper than `MAX_JSON_DEPTH`, and
 * a body or query string with a NUL character or an unpaired surrogate anywhere (Postgres
 * cannot store either, in text or jsonb), so no such input ever reaches the system.
 */
export const checkInput: RequestHandler = (req, _res, next) => {
  for (const [what, input] of [
    ['body', req.body],
    ['query', req.query],
  ] as const) {
    const issue = unacceptable(input);
    if (issue) {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      next(new ValidationError(`Invalid ${what}: ${where}${issue.message}`, [issue]));
      return;
    }
  }
  next();
};

/** The parsed JSON body, or `{}` when the request had none. Managers validate it. */
export function bodyOf(req: Request): unknown {
  return req.body ?? {};
}

function headerError(header: string, message: string): ValidationError {
  return new ValidationError(`Invalid ${header} header: ${message}`, [
    { path: ['headers', header.toLowerCase()], message, code: 'invalid_header' },
  ]);
}

/** `{ idempotencyKey }` from the `Idempotency-Key` header (1–255 characters), or `{}`. */
export function idempotencyOptions(req: Request): { idempotencyKey?: string } {
  const key = req.headers['idempotency-key'];
  if (key === undefined) return {};
  if (typeof key !== 'string' || key.length < 1 || key.length > 255) {
    throw headerError('Idempotency-Key', 'must be between 1 and 255 characters');
  }
  return { idempotencyKey: key };
}

/**
 * `{ expectedVersion }` from `If-Match`: accepts `3`, `"3"` and `W/"3"`; `*` (any version)
 * and no header give `{}`. Anything else is a 400.
 */
export function versionOptions(req: Request): { expectedVersion?: number } {
  const header = req.headers['if-match'];
  if (header === undefined) return {};
  const value = header.trim();
  if (value === '*') return {};
  const match = /^(?:W\/)?"(\d{1,15})"$|^(\d{1,15})$/.exec(value);
  const digits = match?.[1] ?? match?.[2];
  if (digits === undefined) {
    throw headerError('If-Match', 'must be the entity version, e.g. "3" (as sent in ETag)');
  }
  return { expectedVersion: Number(digits) };
}

/** The route parameter `name` as an id of `kind`; an id of the wrong shape is a 404. */
export function idParam(req: Request, name: string, kind: IdKind, entity: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !isId(kind, value))
    throw new NotFoundError(entity, String(value));
  return value;
}

/**
 * Parses the query string with one of the exported list schemas (400 on bad input). An
 * unknown parameter is refused too, so a typo (`?status=…`) never silently lists everything.
 */
export function queryOf<S extends z.ZodObject>(schema: S, req: Request): z.output<S> {
  const query: Record<string, unknown> = { ...req.query };
  const unknown = Object.keys(query).filter((key) => !Object.hasOwn(schema.shape, key));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Invalid query: unknown parameter ${unknown[0]}`,
      unknown.map((key) => ({
        path: [key],
        message: `unknown parameter ${key}`,
        code: 'unrecognized_keys',
      })),
    );
  }
  return parseInput(schema, query, 'query');
}

/**
 * Sends an entity as JSON, its fields in the order of its schema (so a replay is the same
 * bytes as the first answer): `ETag: "<version>"` when it has a version,
 * `Idempotency-Replayed: true` when it was replayed from an idempotency key, and
 * `Location` when given (201 responses).
 */
export function sendEntity(
  res: Response,
  status: number,
  entity: object,
  options: { location?: string } = {},
): void {
  const version = (entity as { version?: unknown }).version;
  if (typeof version === 'number') res.setHeader('ETag', `"${version}"`);
  if (isReplayed(entity)) res.setHeader('Idempotency-Replayed', 'true');
  if (options.location !== undefined) res.setHeader('Location', options.location);
  res.status(status).json(inFieldOrder(entity));
}
