/** One route's `OperationSpec` → its OpenAPI Operation Object. */
import { ERROR_RESPONSES, HEADER_NAMES } from './shared.js';
import type { ErrorStatus, JsonObject, OpenApiOperation, OperationSpec } from './types.js';
import { ref } from './zod-schemas.js';

/** A converted query schema → one `in: query` parameter per field, in field order. */
export function queryParameters(query: JsonObject): JsonObject[] {
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

export interface OperationContext {
  tag: string;
  /** No bearer key needed. */
  public: boolean;
  /** The converted query schema of `spec.query`. */
  query?: JsonObject;
}

export function operationObject(spec: OperationSpec, context: OperationContext): OpenApiOperation {
  const parameters: JsonObject[] = [];
  if (spec.pathId) parameters.push({ $ref: `#/components/parameters/${spec.pathId}` });
  if (spec.query) {
    if (!context.query)
      throw new Error(`openapi: the query of ${spec.operationId} did not convert`);
    parameters.push(...queryParameters(context.query));
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
    ...spec.otherResponses,
  };
  const errors = new Set<ErrorStatus>(spec.errors);
  if (!context.public) errors.add('401');
  if (spec.body) for (const status of ['400', '413', '415'] as const) errors.add(status);
  // A query string can fail its schema; a path id can be undecodable (bad_request).
  if (spec.query || spec.pathId) errors.add('400');
  for (const status of [...errors].sort()) {
    responses[status] = { $ref: `#/components/responses/${ERROR_RESPONSES[status].name}` };
  }

  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: [context.tag],
    ...(context.public ? { security: [] } : {}),
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
