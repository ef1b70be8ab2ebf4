import type { ErrorRequestHandler, RequestHandler } from 'express';
import {
  httpStatusFor,
  isOrderflowError,
  isOrderflowErrorCode,
  isReplayed,
  type OrderflowError,
} from 'orderflow';
import type { Logger } from 'pino';

/** The body of every error response: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** An error the HTTP layer raises itself (auth, headers, content type, unknown routes). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * The HTTP status an orderflow error is answered with: the library's own mapping
 * (`httpStatusFor`). A code this copy of the library does not know (another version's
 * business rule) is still a refusal, 422, when it comes as a BusinessRuleError.
 */
export function statusForError(error: OrderflowError): number {
  if (isOrderflowErrorCode(error.code)) return httpStatusFor(error.code);
  return error.name === 'BusinessRuleError' ? 422 : 500;
}

/** Codes for the errors Express and body-parser raise on bad requests, by their `type`. */
const BODY_ERROR_CODES: Record<string, string> = {
  'entity.parse.failed': 'malformed_json',
  'body.invalid_utf8': 'malformed_json',
  'entity.too.large': 'payload_too_large',
  'charset.unsupported': 'unsupported_media_type',
  'encoding.unsupported': 'unsupported_media_type',
};

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

interface ClientError {
  status: number;
  type?: string;
  message: string;
  /** The body text a parser refused, when it says. */
  body?: string;
}

/** An error Express or one of its parsers raised for a bad request (status 4xx). */
function asClientError(error: unknown): ClientError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; statusCode?: unknown; type?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  const body = (error as { body?: unknown }).body;
  return {
    status,
    ...(typeof e.type === 'string' ? { type: e.type } : {}),
    message: typeof e.message === 'string' ? e.message : 'Bad request',
    ...(typeof body === 'string' ? { body } : {}),
  };
}

/**
 * Whether a body the JSON parser refused is valid JSON after all: `null`, `42`, `"text"`
 * (the parser takes only objects and arrays), so the answer can say what is wrong with it.
 */
function isJsonValue(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The 400 for a body that is JSON but not an object. */
const NOT_AN_OBJECT: ErrorBody = {
  error: {
    code: 'validation_error',
    message: 'Invalid body: must be a JSON object',
    details: { issues: [{ path: [], message: 'must be a JSON object', code: 'invalid_type' }] },
  },
};

const BODY_MESSAGES: Record<string, string> = {
  malformed_json: 'The request body is not valid JSON',
  'body.invalid_utf8': 'The request body is not valid UTF-8',
  payload_too_large: 'The request body is too large',
};

/** The status and body answering `error`. Unknown errors become a 500 without internals. */
export function toErrorResponse(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) {
    const body: ErrorBody['error'] = { code: error.code, message: error.message };
    if (error.details !== undefined) body.details = error.details;
    return { status: error.status, body: { error: body } };
  }
  if (isOrderflowError(error)) {
    return { status: statusForError(error), body: { error: error.toJSON() } };
  }
  const client = asClientError(error);
  if (client?.type === 'entity.parse.failed' && isJsonValue(client.body)) {
    return { status: 400, body: NOT_AN_OBJECT };
  }
  if (client) {
    const code =
      (client.type && BODY_ERROR_CODES[client.type]) ??
      CODE_BY_STATUS[client.status] ??
      'bad_request';
    const message =
      (client.type && BODY_MESSAGES[client.type]) ?? BODY_MESSAGES[code] ?? client.message;
    return { status: client.status, body: { error: { code, message } } };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side' } },
  };
}

/** Answers any request that matched no route with 404 `not_found`. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};

/** Answers a known path asked with a method it does not support with 405. */
export function methodNotAllowed(allowed: string[]): RequestHandler {
  return (req, res, next) => {
    res.setHeader('Allow', allowed.join(', '));
    next(
      new HttpError(
        405,
        'method_not_allowed',
        `${req.method} is not supported here; use ${allowed.join(' or ')}`,
      ),
    );
  };
}

/** Seconds to wait before retrying a request that got 503 (the service should be back). */
export const RETRY_AFTER_UNAVAILABLE_SECONDS = 5;
/** Seconds to wait before retrying a key whose first request is still running. */
export const RETRY_AFTER_IN_FLIGHT_SECONDS = 1;

/** The `Retry-After` of an error response, in seconds: 503s and `idempotency_in_flight`. */
export function retryAfterSeconds(status: number, code: string): number | undefined {
  if (status === 503) return RETRY_AFTER_UNAVAILABLE_SECONDS;
  if (code === 'idempotency_in_flight') return RETRY_AFTER_IN_FLIGHT_SECONDS;
  return undefined;
}

/**
 * The one error middleware: every error becomes `{ error: { code, message, details? } }`
 * with the status its code maps to, `Retry-After` where retrying later may succeed
 * (503, 409 `idempotency_in_flight`) and `Idempotency-Replayed: true` on a replayed refusal. Server faults are logged with the request.
 */
export function errorHandler(logger?: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const { status, body } = toErrorResponse(error);
    if (status >= 500) {
      const log = (req as { log?: Logger }).log ?? logger;
      log?.error({ err: error }, `request failed: ${body.error.code}`);
    }
    const retryAfter = retryAfterSeconds(status, body.error.code);
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    // A refusal replayed from an Idempotency-Key says so, as a replayed success does.
    if (isReplayed(error)) res.setHeader('Idempotency-Replayed', 'true');
    res.status(status).json(body);
  };
}
