/**
 * The OpenAPI 3.1 description of the example REST API (SPEC §9), generated from the same zod
 * schemas the library validates with: request bodies and query strings from their input side
 * (defaults make a field optional), responses from their output side. Nothing here restates a
 * field by hand, so the document cannot drift from what the library accepts and returns.
 *
 * ```ts
 * const doc = buildOpenApiDocument();
 * doc.paths['/api/v1/orders']?.post?.operationId; // 'createOrder'
 * ```
 */
import {
  addressSchema,
  cancelOrderInput,
  capturePaymentInput,
  createOrderInput,
  createReturnInput,
  historyEntrySchema,
  listOrdersQuery,
  listReturnsQuery,
  metadataSchema,
  orderItemInputSchema,
  orderItemSchema,
  orderSchema,
  orderStateSchema,
  pageSchema,
  paymentSchema,
  paymentStateSchema,
  pickupSchema,
  processPaymentInput,
  refundPaymentInput,
  refundSchema,
  refundStateSchema,
  returnItemInputSchema,
  returnItemSchema,
  returnPreviewSchema,
  returnReasonSchema,
  returnSchema,
  returnStateSchema,
  transitionOrderInput,
  transitionReturnInput,
} from 'orderflow';
import { z } from 'zod';

/** A JSON Schema (OpenAPI 3.1 Schema Object) or any other plain JSON object of the document. */
export type JsonObject = { [key: string]: unknown };

export type HttpMethod = 'get' | 'post' | 'patch';

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: JsonObject[];
  requestBody?: JsonObject;
  responses: Record<string, JsonObject>;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license: { name: string; identifier: string };
  };
  servers: Array<{ url: string; description: string }>;
  security: Array<Record<string, string[]>>;
  tags: Array<{ name: string; description: string }>;
  paths: Record<string, Partial<Record<HttpMethod, OpenApiOperation>>>;
  components: {
    schemas: Record<string, JsonObject>;
    responses: Record<string, JsonObject>;
    parameters: Record<string, JsonObject>;
    headers: Record<string, JsonObject>;
    securitySchemes: Record<string, JsonObject>;
  };
}

export interface BuildOpenApiOptions {
  /** `servers[0].url`; the default `/` means "where this document was served from". */
  serverUrl?: string;
  /** `info.version`. */
  version?: string;
}

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

const checkSchema = z.enum(['ok', 'error']);

/** What `GET /health` reports: liveness, and whether storage and the job runner answer. */
export const healthSchema = z.object({
  status: checkSchema.describe('`ok` when every check passed (200), else `error` (503)'),
  storage: checkSchema,
  jobs: checkSchema,
});

/** `GET /api/v1/orders/{id}/history`: every state change, oldest first. */
export const historyListSchema = z.object({ data: z.array(historyEntrySchema) });
/** `GET /api/v1/orders/{id}/payments`: the payments of one order. */
export const paymentListSchema = z.object({ data: z.array(paymentSchema) });

const REF = '#/components/schemas/';
const ref = (name: string): JsonObject => ({ $ref: `${REF}${name}` });

/** Response-side components (zod `io: 'output'`). Sub-schemas registered here become `$ref`s. */
const OUTPUT_SCHEMAS: Array<[string, z.ZodType]> = [
  ['Order', orderSchema],
  ['OrderItem', orderItemSchema],
  ['OrderState', orderStateSchema],
  ['OrderPage', pageSchema(orderSchema)],
  ['Address', addressSchema],
  ['HistoryEntry', historyEntrySchema],
  ['HistoryList', historyListSchema],
  ['Return', returnSchema],
  ['ReturnItem', returnItemSchema],
  ['ReturnState', returnStateSchema],
  ['ReturnReason', returnReasonSchema],
  ['ReturnPage', pageSchema(returnSchema)],
  ['Pickup', pickupSchema],
  ['ReturnPreview', returnPreviewSchema],
  ['Payment', paymentSchema],
  ['PaymentList', paymentListSchema],
  ['PaymentState', paymentStateSchema],
  ['Refund', refundSchema],
  ['RefundState', refundStateSchema],
  ['JsonValue', metadataSchema.valueType],
  ['Error', errorResponseSchema],
  ['Health', healthSchema],
];

/** Request-side components (zod `io: 'input'`: a field with a default is optional). */
const INPUT_SCHEMAS: Array<[string, z.ZodType]> = [
  ['CreateOrderInput', createOrderInput],
  ['OrderItemInput', orderItemInputSchema],
  ['TransitionOrderInput', transitionOrderInput],
  ['CancelOrderInput', cancelOrderInput],
  ['CreateReturnInput', createReturnInput],
  ['ReturnItemInput', returnItemInputSchema],
  ['TransitionReturnInput', transitionReturnInput],
  ['ProcessPaymentInput', processPaymentInput],
  ['RefundPaymentInput', refundPaymentInput],
  ['CapturePaymentInput', capturePaymentInput],
  ['Address', addressSchema],
  ['OrderState', orderStateSchema],
  ['ReturnState', returnStateSchema],
  ['ReturnReason', returnReasonSchema],
  ['JsonValue', metadataSchema.valueType],
];

/** Query strings: converted like bodies, then spread into `in: query` parameters. */
const QUERY_SCHEMAS: Array<[string, z.ZodType]> = [
  ['ListOrdersQuery', listOrdersQuery],
  ['ListReturnsQuery', listReturnsQuery],
];

/** zod's format names that are not JSON Schema formats (the `pattern` beside them says it). */
const NON_STANDARD_FORMATS = new Set(['starts_with', 'ends_with', 'includes']);

/** Rewrites what zod emits for a standalone JSON Schema into what an OpenAPI component holds. */
function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    if (key === 'format' && typeof v === 'string' && NON_STANDARD_FORMATS.has(v)) continue;
    if (key === '$ref' && typeof v === 'string') {
      // zod puts schemas reused without an id under `__shared`; they are hoisted beside the rest.
      out[key] = v.replace(/^#\/components\/schemas\/__shared#\/\$defs\//, REF);
      continue;
    }
    out[key] = tidy(v);
  }
  return out;
}

/** Converts the registered schemas with zod's own JSON Schema generator (draft 2020-12). */
function convert(entries: Array<[string, z.ZodType]>, io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    uri: (id) => `${REF}${id}`,
  });
  const out: Record<string, JsonObject> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (name === '__shared') {
      const defs = (schema as { $defs?: Record<string, unknown> }).$defs ?? {};
      for (const [defName, def] of Object.entries(defs)) out[defName] = tidy(def) as JsonObject;
    } else {
      out[name] = tidy(schema) as JsonObject;
    }
  }
  return out;
}

/** Puts `more` into `into`, refusing one name for two different schemas. */
function mergeSchemas(into: Record<string, JsonObject>, more: Record<string, JsonObject>): void {
  for (const [name, schema] of Object.entries(more)) {
    const existing = into[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) {
      throw new Error(`openapi: component schema ${name} differs between requests and responses`);
    }
    into[name] = schema;
  }
}

function pathIdSchema(shape: { id: z.ZodType }): JsonObject {
  return tidy(z.toJSONSchema(shape.id, { target: 'draft-2020-12', io: 'input' })) as JsonObject;
}

type ErrorStatus = '400' | '401' | '402' | '404' | '409' | '413' | '415' | '422' | '503';

const ERROR_RESPONSES: Record<
  ErrorStatus,
  { name: string; description: string; example: JsonObject }
> = {
  '400': {
    name: 'BadRequest',
    description:
      'validation_error (a body, query string or header that fails its schema; `details.issues` ' +
      'point at each problem) or malformed_json',
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
    description: 'not_found: no such order, return or payment (an id of the wrong shape too)',
    example: {
      error: {
        code: 'not_found',
        message: 'order ord_123 was not found',
        details: { entity: 'order', id: 'ord_123' },
      },
    },
  },
  '409': {
    name: 'Conflict',
    description:
      'invalid_transition (not reachable from the current state), concurrency_conflict ' +
      '(`If-Match` names an older version, or a concurrent write won) or idempotency_in_flight ' +
      '(the first request with this `Idempotency-Key` is still running)',
    example: {
      error: {
        code: 'invalid_transition',
        message:
          'order ord_123 cannot go from pending to shipped; reachable now: confirmed, cancelled',
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
        message: 'The return window of order ord_123 closed 2 days ago',
      },
    },
  },
  '503': {
    name: 'ServiceUnavailable',
    description:
      'provider_unavailable: the payment provider could not be reached; retry with the same ' +
      '`Idempotency-Key`',
    example: {
      error: { code: 'provider_unavailable', message: 'The payment provider is unavailable' },
    },
  },
};

type SuccessHeader = 'ETag' | 'IdempotencyReplayed' | 'Location';

const HEADER_NAMES: Record<SuccessHeader, string> = {
  ETag: 'ETag',
  IdempotencyReplayed: 'Idempotency-Replayed',
  Location: 'Location',
};

interface OperationSpec {
  method: HttpMethod;
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tag: 'Orders' | 'Returns' | 'Payments' | 'System';
  /** No bearer token needed. */
  public?: boolean;
  /** Component name of the path parameter `id`. */
  pathId?: 'OrderId' | 'ReturnId' | 'PaymentId';
  /** QUERY_SCHEMAS name spread into query parameters. */
  query?: 'ListOrdersQuery' | 'ListReturnsQuery';
  /** Component name of the JSON body; `required: false` when an empty body means `{}`. */
  body?: { schema: string; example: JsonObject; required?: boolean };
  /** Takes an `Idempotency-Key` header. */
  idempotencyKey?: boolean;
  /** Takes an `If-Match` header. */
  ifMatch?: boolean;
  success: {
    status: '200' | '201';
    description: string;
    content: JsonObject;
    headers?: SuccessHeader[];
  };
  /** Error statuses besides the ones every operation of its kind has (401, and 400/413/415 with a body). */
  errors: ErrorStatus[];
}

const json = (schema: JsonObject): JsonObject => ({ 'application/json': { schema } });

const ORDER_ID_EXAMPLE = 'ord_01J9Z6Q0A4T6K8N4X2M5B7C3D1';
const ITEM_ID_EXAMPLE = 'oli_01J9Z6Q0A4T6K8N4X2M5B7C3D2';
const REPLAY_NOTE =
  ' Send an `Idempotency-Key` to make retries safe: the same key and body replay the first ' +
  'response with `Idempotency-Replayed: true`.';

/** Every endpoint of SPEC §9 in the order of its table, and the few more the app serves. */
const OPERATIONS: OperationSpec[] = [
  {
    method: 'post',
    path: '/api/v1/orders',
    operationId: 'createOrder',
    summary: 'Create order',
    description: `Creates a \`pending\` order. Line totals, subtotal and total are computed by the server.${REPLAY_NOTE}`,
    tag: 'Orders',
    body: {
      schema: 'CreateOrderInput',
      example: {
        customerId: 'cus_42',
        currency: 'USD',
        items: [{ sku: 'TSHIRT-M', name: 'T-shirt (M)', quantity: 2, unitPrice: 1999 }],
        shippingTotal: 500,
      },
    },
    idempotencyKey: true,
    success: {
      status: '201',
      description: 'The created order (or the replayed first result of this idempotency key)',
      content: json(ref('Order')),
      headers: ['ETag', 'Location', 'IdempotencyReplayed'],
    },
    errors: ['409', '422'],
  },
  {
    method: 'get',
    path: '/api/v1/orders',
    operationId: 'listOrders',
    summary: 'List orders',
    description:
      'Newest first, keyset-paginated: pass `nextCursor` of a page as `cursor` for the next.',
    tag: 'Orders',
    query: 'ListOrdersQuery',
    success: { status: '200', description: 'A page of orders', content: json(ref('OrderPage')) },
    errors: ['400'],
  },
  {
    method: 'get',
    path: '/api/v1/orders/{id}',
    operationId: 'getOrder',
    summary: 'Get order',
    description: 'The order with its derived `paidTotal` and `refundedTotal`.',
    tag: 'Orders',
    pathId: 'OrderId',
    success: {
      status: '200',
      description: 'The order',
      content: json(ref('Order')),
      headers: ['ETag'],
    },
    errors: ['404'],
  },
  {
    method: 'patch',
    path: '/api/v1/orders/{id}/state',
    operationId: 'transitionOrder',
    summary: 'Transition order',
    description:
      'Moves the order to `state` (or applies the machine `event`). SHIP may carry `carrier` ' +
      'and `trackingNumber`. With `If-Match` the change applies only to that version.',
    tag: 'Orders',
    pathId: 'OrderId',
    ifMatch: true,
    body: {
      schema: 'TransitionOrderInput',
      example: { state: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
    },
    success: {
      status: '200',
      description: 'The order after the transition',
      content: json(ref('Order')),
      headers: ['ETag'],
    },
    errors: ['404', '409', '422'],
  },
  {
    method: 'post',
    path: '/api/v1/orders/{id}/cancel',
    operationId: 'cancelOrder',
    summary: 'Cancel order',
    description:
      'Cancels an order that has not shipped yet. Idempotent by nature: a cancelled order ' +
      'stays cancelled.',
    tag: 'Orders',
    pathId: 'OrderId',
    ifMatch: true,
    idempotencyKey: true,
    body: {
      schema: 'CancelOrderInput',
      example: { reason: 'customer changed their mind' },
      required: false,
    },
    success: {
      status: '200',
      description: 'The cancelled order',
      content: json(ref('Order')),
      headers: ['ETag'],
    },
    errors: ['404', '409', '422'],
  },
  {
    method: 'get',
    path: '/api/v1/orders/{id}/history',
    operationId: 'getOrderHistory',
    summary: 'Get order history',
    description: 'Every state change of the order, oldest first.',
    tag: 'Orders',
    pathId: 'OrderId',
    success: { status: '200', description: 'The state history', content: json(ref('HistoryList')) },
    errors: ['404'],
  },
  {
    method: 'get',
    path: '/api/v1/orders/{id}/payments',
    operationId: 'listOrderPayments',
    summary: 'List payments of order',
    description: 'Every payment made for the order, with its refunds.',
    tag: 'Orders',
    pathId: 'OrderId',
    success: { status: '200', description: 'The payments', content: json(ref('PaymentList')) },
    errors: ['404'],
  },
  {
    method: 'post',
    path: '/api/v1/returns',
    operationId: 'createReturn',
    summary: 'Create return',
    description: `Initiates a return of delivered order lines; each line's refund is computed as in \`previewReturn\`.${REPLAY_NOTE}`,
    tag: 'Returns',
    body: {
      schema: 'CreateReturnInput',
      example: {
        orderId: ORDER_ID_EXAMPLE,
        items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1, reason: 'damaged' }],
      },
    },
    idempotencyKey: true,
    success: {
      status: '201',
      description: 'The created return (or the replayed first result of this idempotency key)',
      content: json(ref('Return')),
      headers: ['ETag', 'Location', 'IdempotencyReplayed'],
    },
    errors: ['404', '409', '422'],
  },
  {
    method: 'get',
    path: '/api/v1/returns',
    operationId: 'listReturns',
    summary: 'List returns',
    description:
      'Newest first, keyset-paginated: pass `nextCursor` of a page as `cursor` for the next.',
    tag: 'Returns',
    query: 'ListReturnsQuery',
    success: { status: '200', description: 'A page of returns', content: json(ref('ReturnPage')) },
    errors: ['400'],
  },
  {
    method: 'post',
    path: '/api/v1/returns/preview',
    operationId: 'previewReturn',
    summary: 'Preview return',
    description:
      'The same checks and refund calculation as `createReturn`, as a dry run: nothing is ' +
      'written, so it takes no `Idempotency-Key`.',
    tag: 'Returns',
    body: {
      schema: 'CreateReturnInput',
      example: {
        orderId: ORDER_ID_EXAMPLE,
        items: [{ orderItemId: ITEM_ID_EXAMPLE, quantity: 1, reason: 'no_longer_needed' }],
      },
    },
    success: {
      status: '200',
      description: 'What the return would refund, line by line',
      content: json(ref('ReturnPreview')),
    },
    errors: ['404', '422'],
  },
  {
    method: 'get',
    path: '/api/v1/returns/{id}',
    operationId: 'getReturn',
    summary: 'Get return',
    description: 'The return with its lines and refund amount.',
    tag: 'Returns',
    pathId: 'ReturnId',
    success: {
      status: '200',
      description: 'The return',
      content: json(ref('Return')),
      headers: ['ETag'],
    },
    errors: ['404'],
  },
  {
    method: 'patch',
    path: '/api/v1/returns/{id}/state',
    operationId: 'transitionReturn',
    summary: 'Transition return',
    description:
      'Moves the return to `state` (or applies the machine `event`); `pickup_scheduled` takes ' +
      '`pickupAt`, `rejected` a `reason`. With `If-Match` the change applies only to that version.',
    tag: 'Returns',
    pathId: 'ReturnId',
    ifMatch: true,
    body: { schema: 'TransitionReturnInput', example: { state: 'approved' } },
    success: {
      status: '200',
      description: 'The return after the transition',
      content: json(ref('Return')),
      headers: ['ETag'],
    },
    errors: ['404', '409', '422'],
  },
  {
    method: 'post',
    path: '/api/v1/payments',
    operationId: 'createPayment',
    summary: 'Create payment',
    description: `Authorizes and captures a payment for the order (only authorizes with \`capture: 'manual'\`). \`amount\` defaults to what the order still owes.${REPLAY_NOTE}`,
    tag: 'Payments',
    body: {
      schema: 'ProcessPaymentInput',
      example: { orderId: ORDER_ID_EXAMPLE, paymentMethod: { token: 'tok_visa' } },
    },
    idempotencyKey: true,
    success: {
      status: '201',
      description: 'The payment (or the replayed first result of this idempotency key)',
      content: json(ref('Payment')),
      headers: ['ETag', 'Location', 'IdempotencyReplayed'],
    },
    errors: ['402', '404', '409', '422', '503'],
  },
  {
    method: 'get',
    path: '/api/v1/payments/{id}',
    operationId: 'getPayment',
    summary: 'Get payment',
    description: 'The payment with its refunds.',
    tag: 'Payments',
    pathId: 'PaymentId',
    success: {
      status: '200',
      description: 'The payment',
      content: json(ref('Payment')),
      headers: ['ETag'],
    },
    errors: ['404'],
  },
  {
    method: 'post',
    path: '/api/v1/payments/{id}/refund',
    operationId: 'refundPayment',
    summary: 'Refund payment',
    description: `Refunds part or all of a captured payment. \`amount\` defaults to everything still refundable; with \`returnId\` the refund counts against that return.${REPLAY_NOTE}`,
    tag: 'Payments',
    pathId: 'PaymentId',
    body: { schema: 'RefundPaymentInput', example: { amount: 1999, reason: 'damaged' } },
    idempotencyKey: true,
    success: {
      status: '201',
      description: 'The refund (or the replayed first result of this idempotency key)',
      content: json(ref('Refund')),
      headers: ['IdempotencyReplayed'],
    },
    errors: ['402', '404', '409', '422', '503'],
  },
  {
    method: 'post',
    path: '/api/v1/payments/{id}/capture',
    operationId: 'capturePayment',
    summary: 'Capture payment',
    description:
      "Captures a payment made with `capture: 'manual'`; `amount` defaults to all of it.",
    tag: 'Payments',
    pathId: 'PaymentId',
    body: { schema: 'CapturePaymentInput', example: { amount: 4498 }, required: false },
    success: {
      status: '200',
      description: 'The payment after the capture',
      content: json(ref('Payment')),
      headers: ['ETag'],
    },
    errors: ['402', '404', '409', '422', '503'],
  },
  {
    method: 'post',
    path: '/api/v1/payments/{id}/void',
    operationId: 'voidPayment',
    summary: 'Void payment',
    description: 'Releases an authorized payment that was not captured.',
    tag: 'Payments',
    pathId: 'PaymentId',
    success: {
      status: '200',
      description: 'The voided payment',
      content: json(ref('Payment')),
      headers: ['ETag'],
    },
    errors: ['404', '409', '422', '503'],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'Get OpenAPI document',
    description: 'This document: OpenAPI 3.1, generated from the zod schemas of the library.',
    tag: 'System',
    public: true,
    success: {
      status: '200',
      description: 'The OpenAPI document',
      content: json({ type: 'object', additionalProperties: true }),
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getDocs',
    summary: 'Interactive API docs',
    description: 'A page rendered from this document, served from local files (no CDN).',
    tag: 'System',
    public: true,
    success: {
      status: '200',
      description: 'The docs page',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/health',
    operationId: 'getHealth',
    summary: 'Health check',
    description:
      'Liveness, and whether storage and the job runner answer (503 naming the one that did not).',
    tag: 'System',
    public: true,
    success: { status: '200', description: 'Ready', content: json(ref('Health')) },
    errors: [],
  },
];

function queryParameters(query: JsonObject): JsonObject[] {
  const properties = (query.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((query.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function operationObject(
  spec: OperationSpec,
  queries: Record<string, JsonObject>,
): OpenApiOperation {
  const parameters: JsonObject[] = [];
  if (spec.pathId) parameters.push({ $ref: `#/components/parameters/${spec.pathId}` });
  if (spec.query) {
    const query = queries[spec.query];
    if (!query) throw new Error(`openapi: no query schema ${spec.query}`);
    parameters.push(...queryParameters(query));
  }
  if (spec.idempotencyKey) parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (spec.ifMatch) parameters.push({ $ref: '#/components/parameters/IfMatch' });

  const headers: Record<string, JsonObject> = {};
  for (const header of spec.success.headers ?? []) {
    headers[HEADER_NAMES[header]] = { $ref: `#/components/headers/${header}` };
  }
  const responses: Record<string, JsonObject> = {
    [spec.success.status]: {
      description: spec.success.description,
      ...(Object.keys(headers).length > 0 ? { headers } : {}),
      content: spec.success.content,
    },
  };
  if (spec.path === '/health') {
    responses['503'] = {
      description: 'Storage or the job runner did not answer',
      content: json(ref('Health')),
    };
  }
  const errors = new Set<ErrorStatus>(spec.errors);
  if (!spec.public) errors.add('401');
  if (spec.body) for (const status of ['400', '413', '415'] as const) errors.add(status);
  for (const status of [...errors].sort()) {
    responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
  }

  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [spec.tag],
    ...(spec.public ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: spec.body.required ?? true,
            content: {
              'application/json': { schema: ref(spec.body.schema), example: spec.body.example },
            },
          },
        }
      : {}),
    responses,
  };
}

/**
 * Builds the OpenAPI 3.1 document of the example API from the library's zod schemas.
 * Cheap and pure; `docsRouter()` builds it once and serves it as `/openapi.json`.
 */
export function buildOpenApiDocument(options: BuildOpenApiOptions = {}): OpenApiDocument {
  const schemas: Record<string, JsonObject> = {};
  mergeSchemas(schemas, convert(OUTPUT_SCHEMAS, 'output'));
  mergeSchemas(schemas, convert(INPUT_SCHEMAS, 'input'));
  // Query schemas are converted beside the input components (so `state` refers to OrderState),
  // then taken out again: they become parameters, not components.
  const queryConversion = convert([...QUERY_SCHEMAS, ...INPUT_SCHEMAS], 'input');
  const queries: Record<string, JsonObject> = {};
  for (const [name] of QUERY_SCHEMAS) {
    const query = queryConversion[name];
    if (!query) throw new Error(`openapi: ${name} did not convert`);
    queries[name] = query;
  }

  const paths: OpenApiDocument['paths'] = {};
  for (const spec of OPERATIONS) {
    const item = paths[spec.path] ?? {};
    item[spec.method] = operationObject(spec, queries);
    paths[spec.path] = item;
  }

  const responses: Record<string, JsonObject> = {};
  for (const { name, description, example } of Object.values(ERROR_RESPONSES)) {
    responses[name] = {
      description,
      content: { 'application/json': { schema: ref('Error'), example } },
    };
  }

  const idParameter = (prefix: string, schema: JsonObject, what: string): JsonObject => ({
    name: 'id',
    in: 'path',
    required: true,
    description: `Id of the ${what}`,
    schema,
    example: `${prefix}_01J9Z6Q0A4T6K8N4X2M5B7C3D1`,
  });

  return {
    openapi: '3.1.0',
    info: {
      title: 'orderflow example API',
      version: options.version ?? '1.0.0',
      description:
        'REST API of the orderflow example Express app: orders, returns, payments and refunds. ' +
        'Every `/api/v1` request needs `Authorization: Bearer <key>` (`ORDERFLOW_API_KEY`, or ' +
        'the key printed at start). Amounts are integers in the minor unit of the currency. ' +
        'Every error is `{ "error": { "code", "message", "details"? } }`. Generated from the ' +
        'zod schemas of the library.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: 'This server' }],
    security: [{ bearerAuth: [] }],
    tags: [
      { name: 'Orders', description: 'Orders and their state machine' },
      { name: 'Returns', description: 'Returns of delivered order lines' },
      { name: 'Payments', description: 'Payments and refunds' },
      { name: 'System', description: 'Health, this document and the docs page' },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses,
      parameters: {
        OrderId: idParameter('ord', pathIdSchema(orderSchema.shape), 'order'),
        ReturnId: idParameter('ret', pathIdSchema(returnSchema.shape), 'return'),
        PaymentId: idParameter('pay', pathIdSchema(paymentSchema.shape), 'payment'),
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Makes a retry safe: the same key with the same body replays the first result ' +
            '(with `Idempotency-Replayed: true`); with another body it fails with 422 ' +
            'idempotency_conflict; while the first is still running, 409 idempotency_in_flight.',
          schema: { type: 'string', minLength: 1, maxLength: 255 },
          example: 'order-7f3c2a',
        },
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: false,
          description:
            'The `version` the change is based on, as sent in `ETag` (`"3"`, `W/"3"` or `3`); ' +
            'if the entity has moved on, 409 concurrency_conflict. `*` matches any version.',
          schema: { type: 'string' },
          example: '"3"',
        },
      },
      headers: {
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
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'The API key: `ORDERFLOW_API_KEY`, or the one printed at start',
        },
      },
    },
  };
}
