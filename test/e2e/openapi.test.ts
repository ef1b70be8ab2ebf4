import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  adjustStockInput,
  cancelOrderInput,
  capturePaymentInput,
  createOrderInput,
  createReturnInput,
  createShipmentInput,
  editOrderInput,
  type IdKind,
  isId,
  markRefundedInput,
  processPaymentInput,
  providerEventInput,
  refundPaymentInput,
  retryRefundInput,
  setStockInput,
  transitionOrderInput,
  transitionReturnInput,
  transitionShipmentInput,
  updateTrackingInput,
} from 'orderflow';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  buildOpenApiDocument,
  type JsonObject,
  type OpenApiOperation,
} from '../../examples/express/openapi.js';

const doc = buildOpenApiDocument();

/** SPEC §9 and the §15 rows of the example server, row by row: method, path, operationId. */
const SPEC_ENDPOINTS = [
  ['post', '/api/v1/orders', 'createOrder'],
  ['get', '/api/v1/orders', 'listOrders'],
  ['get', '/api/v1/orders/{id}', 'getOrder'],
  ['patch', '/api/v1/orders/{id}/state', 'transitionOrder'],
  ['post', '/api/v1/orders/{id}/cancel', 'cancelOrder'],
  ['get', '/api/v1/orders/{id}/history', 'getOrderHistory'],
  ['post', '/api/v1/returns', 'createReturn'],
  ['get', '/api/v1/returns', 'listReturns'],
  ['get', '/api/v1/returns/{id}', 'getReturn'],
  ['patch', '/api/v1/returns/{id}/state', 'transitionReturn'],
  ['post', '/api/v1/returns/preview', 'previewReturn'],
  ['post', '/api/v1/payments', 'createPayment'],
  ['get', '/api/v1/payments/{id}', 'getPayment'],
  ['post', '/api/v1/payments/{id}/refund', 'refundPayment'],
  ['get', '/api/v1/payments', 'listPayments'],
  ['get', '/api/v1/returns/{id}/history', 'getReturnHistory'],
  ['get', '/api/v1/payments/{id}/history', 'getPaymentHistory'],
  ['post', '/api/v1/orders/{id}/shipments', 'createShipment'],
  ['get', '/api/v1/orders/{id}/shipments', 'listOrderShipments'],
  ['get', '/api/v1/shipments/{id}', 'getShipment'],
  ['patch', '/api/v1/shipments/{id}/state', 'transitionShipment'],
  ['patch', '/api/v1/shipments/{id}', 'updateShipmentTracking'],
  ['get', '/api/v1/shipments/{id}/history', 'getShipmentHistory'],
  ['post', '/api/v1/orders/{id}/edit', 'editOrder'],
  ['get', '/api/v1/inventory', 'listInventory'],
  ['get', '/api/v1/inventory/{sku}', 'getStock'],
  ['put', '/api/v1/inventory/{sku}', 'setStock'],
  ['post', '/api/v1/inventory/{sku}/adjustments', 'adjustStock'],
  ['get', '/api/v1/inventory/{sku}/movements', 'listStockMovements'],
  ['get', '/openapi.json', 'getOpenApiDocument'],
  ['get', '/docs', 'getDocs'],
  ['get', '/redoc', 'getRedoc'],
  ['get', '/health', 'getHealth'],
  ['get', '/health/live', 'getLiveness'],
  ['get', '/health/ready', 'getReadiness'],
] as const;

/** The zod schema each request body component was generated from. */
const BODY_SCHEMAS: Record<string, z.ZodType> = {
  CreateOrderInput: createOrderInput,
  TransitionOrderInput: transitionOrderInput,
  CancelOrderInput: cancelOrderInput,
  CreateReturnInput: createReturnInput,
  TransitionReturnInput: transitionReturnInput,
  ProcessPaymentInput: processPaymentInput,
  RefundPaymentInput: refundPaymentInput,
  CapturePaymentInput: capturePaymentInput,
  CreateShipmentInput: createShipmentInput,
  TransitionShipmentInput: transitionShipmentInput,
  UpdateTrackingInput: updateTrackingInput,
  SetStockInput: setStockInput,
  AdjustStockInput: adjustStockInput,
  EditOrderInput: editOrderInput,
  ProviderEvent: providerEventInput,
  RetryRefundInput: retryRefundInput,
  MarkRefundedInput: markRefundedInput,
};

function operations(): Array<{ method: string; path: string; op: OpenApiOperation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op: op as OpenApiOperation })),
  );
}

/** Follows a local `$ref` (`#/a/b`) in the document. */
function resolve(pointer: string): unknown {
  if (!pointer.startsWith('#/')) throw new Error(`not a local ref: ${pointer}`);
  let node: unknown = doc;
  for (const raw of pointer.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = (node as Record<string, unknown> | undefined)?.[key];
  }
  return node;
}

function deref(value: JsonObject): JsonObject {
  return typeof value.$ref === 'string' ? (resolve(value.$ref) as JsonObject) : value;
}

function collectRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.push(v);
      else collectRefs(v, into);
    }
  }
  return into;
}

describe('OpenAPI document of the example app', () => {
  it('is OpenAPI 3.1 with bearer auth on /api/v1', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    for (const { path, op } of operations()) {
      if (path.startsWith('/api/v1/')) expect(op.security, path).toBeUndefined();
      else expect(op.security, path).toEqual([]);
    }
  });

  it('has every endpoint of SPEC §9 with its method and operationId', () => {
    for (const [method, path, operationId] of SPEC_ENDPOINTS) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method.toUpperCase()} ${path}`).toBeDefined();
      expect(op?.operationId).toBe(operationId);
    }
    const ids = operations().map(({ op }) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every operation a success response with a schema, and shared error responses', () => {
    for (const { method, path, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      expect(success, where).toHaveLength(1);
      const ok = op.responses[success[0]!] as { content: Record<string, { schema: unknown }> };
      expect(Object.values(ok.content)[0]?.schema, where).toBeDefined();
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        const response = deref(op.responses[status]!) as {
          content: { 'application/json': { schema: JsonObject } };
        };
        const schema = response.content['application/json'].schema;
        expect(schema.$ref, `${where} ${status}`).toBe(
          path.startsWith('/health') ? '#/components/schemas/Health' : '#/components/schemas/Error',
        );
      }
      if (path.startsWith('/api/v1/')) expect(statuses, where).toContain('401');
      if (op.requestBody) expect(statuses, where).toEqual(expect.arrayContaining(['400', '413']));
    }
    expect(doc.paths['/api/v1/payments']?.post?.responses).toHaveProperty('402');
    expect(doc.paths['/api/v1/payments']?.post?.responses).toHaveProperty('503');
    expect(doc.paths['/api/v1/orders/{id}/state']?.patch?.responses).toHaveProperty('409');
    expect(doc.paths['/api/v1/returns']?.post?.responses).toHaveProperty('422');
    expect(doc.paths['/api/v1/orders/{id}']?.get?.responses).toHaveProperty('404');
    // insufficient_stock is a 409: retrying may succeed once stock is back.
    expect(doc.paths['/api/v1/orders']?.post?.responses).toHaveProperty('409');
    expect(doc.paths['/api/v1/inventory/{sku}/adjustments']?.post?.responses).toHaveProperty('409');
  });

  it('has one Error schema: { error: { code, message, details? } }', () => {
    const error = doc.components.schemas.Error as {
      required: string[];
      properties: { error: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(error.required).toEqual(['error']);
    expect(error.properties.error.required).toEqual(['code', 'message']);
    expect(Object.keys(error.properties.error.properties)).toEqual(['code', 'message', 'details']);
  });

  it('documents Idempotency-Key on create/pay/refund POSTs, If-Match on PATCH state, and the response headers', () => {
    const params = (op: OpenApiOperation | undefined) =>
      (op?.parameters ?? []).map((p) => (deref(p) as { name: string; in: string }).name);
    for (const path of [
      '/api/v1/orders',
      '/api/v1/orders/{id}/cancel',
      '/api/v1/returns',
      '/api/v1/payments',
      '/api/v1/payments/{id}/refund',
      '/api/v1/orders/{id}/shipments',
      '/api/v1/inventory/{sku}/adjustments',
      '/api/v1/orders/{id}/edit',
    ]) {
      expect(params(doc.paths[path]?.post), path).toContain('Idempotency-Key');
      const created = Object.values(doc.paths[path]?.post?.responses ?? {})[0] as {
        headers?: Record<string, unknown>;
      };
      if (path !== '/api/v1/orders/{id}/cancel') {
        expect(Object.keys(created.headers ?? {}), path).toContain('Idempotency-Replayed');
      }
    }
    for (const path of [
      '/api/v1/orders/{id}/state',
      '/api/v1/returns/{id}/state',
      '/api/v1/shipments/{id}/state',
      '/api/v1/shipments/{id}',
    ]) {
      const op = doc.paths[path]?.patch;
      expect(params(op), path).toContain('If-Match');
      const ok = op?.responses['200'] as { headers?: object } | undefined;
      expect(Object.keys(ok?.headers ?? {}), path).toContain('ETag');
    }
    expect(params(doc.paths['/api/v1/orders']?.get)).toEqual([
      'limit',
      'cursor',
      'state',
      'customerId',
      'createdAfter',
      'createdBefore',
    ]);
    expect(params(doc.paths['/api/v1/returns']?.get)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'state', 'orderId']),
    );
    expect(params(doc.paths['/api/v1/orders/{id}']?.get)).toEqual(['id']);
    expect(params(doc.paths['/api/v1/orders/{id}/edit']?.post)).toEqual([
      'id',
      'Idempotency-Key',
      'If-Match',
    ]);
    expect(params(doc.paths['/api/v1/inventory']?.get)).toEqual([
      'limit',
      'cursor',
      'belowAvailable',
    ]);
    expect(params(doc.paths['/api/v1/inventory/{sku}/movements']?.get)).toEqual([
      'sku',
      'limit',
      'cursor',
    ]);
    expect(params(doc.paths['/api/v1/inventory/{sku}']?.put)).toEqual(['sku', 'If-Match']);
    expect(params(doc.paths['/api/v1/inventory/{sku}/adjustments']?.post)).toEqual([
      'sku',
      'Idempotency-Key',
      'If-Match',
    ]);
  });

  it('pre-fills nothing Swagger UI would send on every Try it out: optional headers have no example or default', () => {
    for (const { method, path, op } of operations()) {
      for (const raw of op.parameters ?? []) {
        const p = deref(raw) as { name: string; in: string; required?: boolean } & JsonObject;
        if (p.in !== 'header' || p.required) continue;
        const where = `${method.toUpperCase()} ${path} ${p.name}`;
        expect(p, where).not.toHaveProperty('example');
        expect(p, where).not.toHaveProperty('examples');
        expect(p.schema as JsonObject, where).not.toHaveProperty('default');
      }
    }
  });

  it('gives ids examples shaped like real ids', () => {
    const kinds: Record<string, IdKind> = {
      ord: 'order',
      ret: 'return',
      pay: 'payment',
      oli: 'orderLine',
      shp: 'shipment',
    };
    const ids = JSON.stringify(doc).match(/\b(?:ord|ret|pay|oli|shp)_[0-9A-Za-z]+/g) ?? [];
    expect(ids.length).toBeGreaterThan(5);
    for (const id of ids) expect(isId(kinds[id.slice(0, 3)]!, id), id).toBe(true);
    for (const name of ['OrderId', 'ReturnId', 'PaymentId', 'ShipmentId']) {
      const param = doc.components.parameters[name] as { example: string };
      expect(param.example, name).toMatch(/^[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}$/);
    }
  });

  it('says when to retry: Retry-After on 503 and on 409 (idempotency_in_flight)', () => {
    for (const name of ['ServiceUnavailable', 'Conflict']) {
      const response = doc.components.responses[name] as { headers?: Record<string, unknown> };
      expect(response.headers, name).toEqual({
        'Retry-After': { $ref: '#/components/headers/RetryAfter' },
      });
    }
    const ready = doc.paths['/health/ready']?.get?.responses['503'] as { headers?: object };
    expect(ready.headers).toHaveProperty('Retry-After');
  });

  it('takes request bodies from the input side of the zod schemas and responses from the output side', () => {
    const schemas = doc.components.schemas as Record<
      string,
      { required?: string[]; properties?: Record<string, JsonObject> }
    >;
    // `returnable` has a default: optional in a request, always present in a response.
    expect(schemas.OrderItemInput?.required).not.toContain('returnable');
    expect(schemas.OrderItem?.required).toContain('returnable');
    expect(schemas.CreateOrderInput?.required).toEqual(['customerId', 'currency', 'items']);
    expect(schemas.Order?.required).toEqual(expect.arrayContaining(['paidTotal', 'version']));
    expect(schemas.Order?.properties?.state).toEqual({ $ref: '#/components/schemas/OrderState' });
    expect(schemas.Payment?.properties?.refunds).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Refund' },
    });
    // What the order derives from its payments and shipments, and the exchange links.
    expect(schemas.Order?.required).toEqual(
      expect.arrayContaining(['balanceDue', 'fulfillmentStatus', 'creditTotal']),
    );
    expect(schemas.Order?.properties).toHaveProperty('exchangeForReturnId');
    expect(schemas.OrderItem?.required).toEqual(
      expect.arrayContaining(['shippedQuantity', 'deliveredQuantity']),
    );
    expect(schemas.Return?.properties).toHaveProperty('exchangeOrderId');
    expect(schemas.CreateReturnInput?.properties).toHaveProperty('exchangeItems');
    expect(schemas.ReturnPreview?.required).toEqual(
      expect.arrayContaining(['exchangeTotal', 'creditTotal', 'refundAmount', 'balanceDue']),
    );
    for (const name of ['Order', 'Return', 'Payment', 'Refund', 'HistoryEntry', 'Error']) {
      expect(schemas, name).toHaveProperty(name);
    }
    const order = doc.paths['/api/v1/orders']?.post;
    expect(order?.requestBody).toMatchObject({
      required: true,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/CreateOrderInput' } },
      },
    });
  });

  it('has only refs that resolve, and request examples the zod schemas accept', () => {
    for (const ref of collectRefs(doc)) expect(resolve(ref), ref).toBeDefined();
    for (const { method, path, op } of operations()) {
      const media = (op.requestBody as { content?: Record<string, JsonObject> } | undefined)
        ?.content?.['application/json'];
      if (!media) continue;
      const name = String((media.schema as JsonObject).$ref)
        .split('/')
        .pop()!;
      const schema = BODY_SCHEMAS[name];
      expect(schema, `zod schema of ${name}`).toBeDefined();
      const parsed = schema!.safeParse(media.example);
      expect(parsed.success, `${method.toUpperCase()} ${path} example`).toBe(true);
    }
  });

  it('lints clean with @redocly/cli (recommended ruleset)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orderflow-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      const config = join(dir, 'redocly.yaml');
      await writeFile(file, JSON.stringify(doc, null, 2));
      await writeFile(config, 'extends:\n  - recommended\n');
      const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
      const run = promisify(execFile);
      let stdout: string;
      try {
        ({ stdout } = await run(
          process.execPath,
          [cli, 'lint', file, '--config', config, '--format=json'],
          {
            cwd: dir,
            env: {
              ...process.env,
              REDOCLY_TELEMETRY: 'off',
              REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
              NO_COLOR: '1',
            },
            maxBuffer: 16 * 1024 * 1024,
          },
        ));
      } catch (error) {
        // Exit code 1 means problems were found; the JSON report is still on stdout.
        stdout = (error as { stdout?: string }).stdout ?? '';
        if (!stdout.trim().startsWith('{')) throw error;
      }
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: Array<{
          ruleId: string;
          severity: string;
          message: string;
          location: Array<{ pointer: string }>;
        }>;
      };
      const lines = report.problems.map(
        (p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`,
      );
      if (lines.length > 0) {
        console.warn(`redocly lint: ${report.totals.warnings} warning(s)\n  ${lines.join('\n  ')}`);
      }
      expect(
        lines.filter((l) => l.startsWith('error')),
        'redocly lint errors',
      ).toEqual([]);
      expect(report.totals.errors).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
