/**
 * The shapes of the OpenAPI 3.1 document the example app serves, and of the operation
 * descriptions each router declares beside its handlers (see `route-group.ts`).
 */
import type { z } from 'zod';

/** A JSON Schema (OpenAPI 3.1 Schema Object) or any other plain JSON object of the document. */
export type JsonObject = { [key: string]: unknown };

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

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

/** Error statuses with a shared response component (`openapi/shared.ts`). */
export type ErrorStatus = '400' | '401' | '402' | '404' | '409' | '413' | '415' | '422' | '503';

/** Response headers with a shared component. */
export type SuccessHeader = 'ETag' | 'IdempotencyReplayed' | 'Location';

/** What a router says about one of its operations; turned into an Operation Object. */
export interface OperationSpec {
  operationId: string;
  summary: string;
  description: string;
  /** Component name of the path parameter `id`, e.g. `OrderId` (declared by a route group). */
  pathId?: string;
  /** The zod schema of the query string; each field becomes an `in: query` parameter. */
  query?: z.ZodObject;
  /**
   * Component name of the JSON body (an input schema of some route group) and an example
   * the schema accepts; `required: false` when an empty body means `{}`.
   */
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
  /** Responses of this operation alone (e.g. the 503 of a health check, with its own body). */
  otherResponses?: Record<string, JsonObject>;
}
