/**
 * The part of the OpenAPI document no single router owns: the error body and the error
 * responses every router refers to, the `Idempotency-Key` and `If-Match` parameters, the
 * response headers, history entries, the bearer scheme and the document's `info`.
 */
import { historyEntrySchema, metadataSchema } from 'orderflow';
import { z } from 'zod';
import type { ErrorStatus, JsonObject, SuccessHeader } from './types.js';
import { ref, standalone } from './zod-schemas.js';

/** The body of every error response: `{ error: { code, message, details? } }`. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z
      .string()
      .describe(
        'Machine-readable code to branch on: validation_error, malformed_json, unauthorized, ' +
          'not_found, invalid_transition, concurrency_conflict, idempotency_in_flight, ' +
          'idempotency_conflict, payment_declined, payload_too_large, unsupported_media_type, ' +
          'provider_unavailable, or the business rule that refused the command, such as ' +
          'return_window_closed',
      ),
    message: z.string().describe('Human-readable explanation; never branch on it'),
    details: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Structured context, e.g. `issues` of a validation error'),
  }),
});

/** `GET /api/v1/{orders,returns,payments}/{id}/history`: every state change, oldest first. */
export const historyListSchema = z.object({ data: z.array(historyEntrySchema) });

/** Response-side schemas several routers use. */
export const SHARED_OUTPUT_SCHEMAS: Record<string, z.ZodType> = {
  HistoryEntry: historyEntrySchema,
  HistoryList: historyListSchema,
  JsonValue: metadataSchema.valueType,
  Error: errorResponseSchema,
};

/** Request-side schemas several routers use. */
export const SHARED_INPUT_SCHEMAS: Record<string, z.ZodType> = {
  JsonValue: metadataSchema.valueType,
};

/** The part after the prefix of the example ids. */
const EXAMPLE_ID_BODY = '01j9z6q0a4t6k8n4x2m5b7c3d1';

/** Example ids, shaped like real ones (lower-case Crockford base32: `isId` accepts them). */
export const ORDER_ID_EXAMPLE = `ord_${EXAMPLE_ID_BODY}`;
export const ITEM_ID_EXAMPLE = 'oli_01j9z6q0a4t6k8n4x2m5b7c3d2';

/** The shared error responses, by status: their component name, description and example. */
export const ERROR_RESPONSES: Record<
  ErrorStatus,
  { name: string; description: string; example: JsonObject; retryAfter?: boolean }
> = {
  '400': {
    name: 'BadRequest',
    description:
      'validation_error (a body, query string or header that fails its schema, or a body ' +
      'that is JSON but not an object; `details.issues` point at each problem), ' +
      'malformed_json (a body that is not JSON, or not valid UTF-8) or bad_request (a ' +
      'request the server cannot read at all: a path with broken percent-encoding, a ' +
      'compressed body that does not decompress)',
    example: {
      error: {
        code: 'validation_error',
        message: 'Invalid input: items: Too small: expected array to have >=1 items',
        details: { issues: [{ path: ['items'], message: 'Too small', code: 'too_small' }] },
      },
    },
  },
  '401': {
    name: 'Unauthorized',
    description: 'unauthorized: missing or wrong `Authorization: Bearer <key>`',
    example: {
      error: {
        code: 'unauthorized',
        message: 'Missing Authorization header: send Authorization: Bearer <api key>',
      },
    },
  },
  '402': {
    name: 'PaymentDeclined',
    description: 'payment_declined: the payment provider declined',
    example: { error: { code: 'payment_declined', message: 'The card was declined' } },
  },
  '404': {
    name: 'NotFound',
    description:
      'not_found: no such order, return, payment or shipment (an id of the wrong shape too), ' +
      'or a SKU without stock',
    example: {
      error: {
        code: 'not_found',
        message: `order ${ORDER_ID_EXAMPLE} was not found`,
        details: { entity: 'order', id: ORDER_ID_EXAMPLE },
      },
    },
  },
  '409': {
    name: 'Conflict',
    description:
      'invalid_transition (not reachable from the current state), concurrency_conflict ' +
      '(`If-Match` names an older version, or a concurrent write won) or idempotency_in_flight ' +
      '(the first request with this `Idempotency-Key` is still running; retry after ' +
      '`Retry-After` seconds) or insufficient_stock (`details: { sku, requested, available }`; ' +
      'retrying may succeed once stock is back)',
    retryAfter: true,
    example: {
      error: {
        code: 'invalid_transition',
        message: `order ${ORDER_ID_EXAMPLE} cannot go from pending to shipped; reachable now: confirmed, cancelled`,
      },
    },
  },
  '413': {
    name: 'PayloadTooLarge',
    description: 'payload_too_large: the body is larger than the server accepts (1 MB)',
    example: { error: { code: 'payload_too_large', message: 'The request body is too large' } },
  },
  '415': {
    name: 'UnsupportedMediaType',
    description: 'unsupported_media_type: a body that is not `application/json`',
    example: {
      error: {
        code: 'unsupported_media_type',
        message: 'Send the request body as JSON with Content-Type: application/json',
      },
    },
  },
  '422': {
    name: 'UnprocessableEntity',
    description:
      'A business rule refused the command (the rule is the code, e.g. return_window_closed, ' +
      'amount_exceeds_balance) or idempotency_conflict (the key was used with another body)',
    example: {
      error: {
        code: 'return_window_closed',
        message: `The return window of order ${ORDER_ID_EXAMPLE} closed 2 days ago`,
      },
    },
  },
  '503': {
    name: 'ServiceUnavailable',
    description:
      'provider_unavailable: the payment provider could not be reached (or job_runner_*: the ' +
      'job runner cannot take work); retry after `Retry-After` seconds with the same ' +
      '`Idempotency-Key`',
    retryAfter: true,
    example: {
      error: { code: 'provider_unavailable', message: 'The payment provider is unavailable' },
    },
  },
};

/** The shared error responses as components. */
export function errorResponseComponents(): Record<string, JsonObject> {
  const responses: Record<string, JsonObject> = {};
  for (const { name, description, example, retryAfter } of Object.values(ERROR_RESPONSES)) {
    responses[name] = {
      description,
      ...(retryAfter
        ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } }
        : {}),
      content: { 'application/json': { schema: ref('Error'), example } },
    };
  }
  return responses;
}

/** Header names of the shared response headers. */
export const HEADER_NAMES: Record<SuccessHeader, string> = {
  ETag: 'ETag',
  IdempotencyReplayed: 'Idempotency-Replayed',
  Location: 'Location',
};

export const SHARED_HEADERS: Record<SuccessHeader | 'RetryAfter', JsonObject> = {
  ETag: {
    description: 'The entity `version` in quotes, e.g. `"3"`: send it back as `If-Match`',
    schema: { type: 'string' },
  },
  IdempotencyReplayed: {
    description: '`true` when this is the stored first result of the `Idempotency-Key`',
    schema: { type: 'string', enum: ['true'] },
  },
  Location: {
    description: 'Path of the created entity, e.g. `/api/v1/orders/ord_…`',
    schema: { type: 'string' },
  },
  RetryAfter: {
    description:
      'Seconds to wait before retrying (on 503, and on 409 idempotency_in_flight); an ' +
      'integer, as in RFC 9110',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
};

/**
 * The header parameters operations opt into with `idempotencyKey` and `ifMatch`. They carry
 * no `example` or `default` on purpose: Swagger UI pre-fills those, so every "Try it out"
 * would send the same key (and get the first result replayed) or a stale version (409).
 */
export const SHARED_PARAMETERS: Record<'IdempotencyKey' | 'IfMatch', JsonObject> = {
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description:
      'Makes a retry safe: the same key with the same body replays the first result ' +
      '(with `Idempotency-Replayed: true`); with another body it fails with 422 ' +
      'idempotency_conflict; while the first is still running, 409 idempotency_in_flight.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    required: false,
    description:
      'The `version` the change is based on, as sent in `ETag` (`"3"`, `W/"3"` or `3`); ' +
      'if the entity has moved on, 409 concurrency_conflict. `*` matches any version.',
    schema: { type: 'string' },
  },
};

export const SECURITY_SCHEMES: Record<string, JsonObject> = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    description: 'The API key: `ORDERFLOW_API_KEY`, or the one printed at start',
  },
};

export const API_DESCRIPTION =
  'REST API of the orderflow example Express app: orders, returns, payments and refunds. ' +
  'Every `/api/v1` request needs `Authorization: Bearer <key>` (`ORDERFLOW_API_KEY`, or ' +
  'the key printed at start). Amounts are integers in the minor unit of the currency. ' +
  'Every error is `{ "error": { "code", "message", "details"? } }`. Generated from the ' +
  'zod schemas of the library.';

/**
 * The `in: path` parameter `id` of one kind of entity, for a route group's components.
 *
 * ```ts
 * idPathParameter(orderSchema.shape.id, 'ord', 'order') // → OrderId
 * ```
 */
export function idPathParameter(id: z.ZodType, prefix: string, what: string): JsonObject {
  return {
    name: 'id',
    in: 'path',
    required: true,
    description: `Id of the ${what}`,
    schema: standalone(id),
    example: `${prefix}_${EXAMPLE_ID_BODY}`,
  };
}

/** Appended to the description of operations that take an `Idempotency-Key`. */
export const REPLAY_NOTE =
  ' Send an `Idempotency-Key` to make retries safe: the same key and body replay the first ' +
  'response with `Idempotency-Replayed: true`.';
