/**
 * The OpenAPI 3.1 description of the example REST API, assembled from the route groups:
 * each router (`routes/*.ts`, `docs.ts`, `health.ts`) declares its operations beside its
 * handlers, and this file only puts them together with the shared part (`openapi/shared.ts`:
 * the error body and responses, `Idempotency-Key` / `If-Match`, response headers, security).
 * Schemas come from the same zod schemas the library validates with: request bodies and
 * query strings from their input side, responses from their output side, so the document
 * cannot drift from what the library accepts and returns.
 *
 * Adding an endpoint: add a route (method, path, handler, operation) to its group in
 * `routes/<entity>.ts`; nothing else. Adding a router: write `routes/<entity>.ts` with
 * `defineRoutes({ scope, tag, components, routes })` — its response and body schemas under
 * `components.outputs` / `components.inputs`, its path `id` under `components.parameters` —
 * and list it in `API_ROUTE_GROUPS` (`routes/index.ts`), which both mounts it under
 * `/api/v1` and documents it here. A router outside the bearer key (`scope: 'public'`)
 * goes in `PUBLIC_ROUTE_GROUPS` below and is mounted by `app.ts` itself.
 *
 * ```ts
 * const doc = buildOpenApiDocument();
 * doc.paths['/api/v1/orders']?.post?.operationId; // 'createOrder'
 * ```
 */
import type { z } from 'zod';
import { docsRoutes } from './docs.js';
import { healthRoutes } from './health.js';
import { operationObject } from './openapi/operation.js';
import {
  API_DESCRIPTION,
  errorResponseComponents,
  SECURITY_SCHEMES,
  SHARED_HEADERS,
  SHARED_INPUT_SCHEMAS,
  SHARED_OUTPUT_SCHEMAS,
  SHARED_PARAMETERS,
} from './openapi/shared.js';
import type { JsonObject, OpenApiDocument } from './openapi/types.js';
import { convert, mergeSchemas } from './openapi/zod-schemas.js';
import { redocRoutes } from './redoc.js';
import { type RouteGroup, SCOPE_BASE } from './route-group.js';
import { API_ROUTE_GROUPS } from './routes/index.js';
import { webhooksRoutes } from './routes/webhooks.js';

export { errorResponseSchema, historyListSchema } from './openapi/shared.js';
export type {
  HttpMethod,
  JsonObject,
  OpenApiDocument,
  OpenApiOperation,
} from './openapi/types.js';

export interface BuildOpenApiOptions {
  /** `servers[0].url`; the default `/` means "where this document was served from". */
  serverUrl?: string;
  /** `info.version`. */
  version?: string;
}

/** The routers outside `/api/v1`, in the order their paths appear in the document. */
const PUBLIC_ROUTE_GROUPS = [webhooksRoutes, docsRoutes, redocRoutes, healthRoutes];

/** Every documented group: the API's first, in `API_ROUTE_GROUPS` order. */
function routeGroups(): RouteGroup<never>[] {
  return [...API_ROUTE_GROUPS, ...PUBLIC_ROUTE_GROUPS] as RouteGroup<never>[];
}

/** Named schemas of every group (and the shared ones), refusing one name for two schemas. */
function collect(
  shared: Record<string, z.ZodType>,
  pick: (group: RouteGroup<never>) => Record<string, z.ZodType> | undefined,
): Array<[string, z.ZodType]> {
  const byName = new Map<string, z.ZodType>(Object.entries(shared));
  for (const group of routeGroups()) {
    for (const [name, schema] of Object.entries(pick(group) ?? {})) {
      const known = byName.get(name);
      if (known && known !== schema) throw new Error(`openapi: two schemas are named ${name}`);
      byName.set(name, schema);
    }
  }
  return [...byName];
}

/**
 * Builds the OpenAPI 3.1 document of the example API from the route groups and the
 * library's zod schemas. Cheap and pure; `app.ts` builds it once and serves it as
 * `/openapi.json`.
 */
export function buildOpenApiDocument(options: BuildOpenApiOptions = {}): OpenApiDocument {
  const groups = routeGroups();
  const outputs = collect(SHARED_OUTPUT_SCHEMAS, (g) => g.components?.outputs);
  const inputs = collect(SHARED_INPUT_SCHEMAS, (g) => g.components?.inputs);
  const schemas: Record<string, JsonObject> = {};
  mergeSchemas(schemas, convert(outputs, 'output'));
  mergeSchemas(schemas, convert(inputs, 'input'));

  // Query schemas are converted beside the input components (so `state` refers to
  // OrderState), then taken out again: they become parameters, not components.
  const queryNames = new Map<z.ZodType, string>();
  for (const group of groups) {
    for (const { operation } of group.routes) {
      if (operation.query && !queryNames.has(operation.query)) {
        queryNames.set(operation.query, `__query_${operation.operationId}`);
      }
    }
  }
  const convertedQueries = convert(
    [...[...queryNames].map(([schema, name]): [string, z.ZodType] => [name, schema]), ...inputs],
    'input',
  );

  const paths: OpenApiDocument['paths'] = {};
  const tags: OpenApiDocument['tags'] = [];
  const parameters: Record<string, JsonObject> = {};
  for (const group of groups) {
    const known = tags.find((tag) => tag.name === group.tag.name);
    if (!known) tags.push(group.tag);
    else if (known.description !== group.tag.description) {
      throw new Error(`openapi: tag ${group.tag.name} is described twice, differently`);
    }
    for (const [name, parameter] of Object.entries(group.components?.parameters ?? {})) {
      if (parameters[name]) throw new Error(`openapi: parameter ${name} is declared twice`);
      parameters[name] = parameter;
    }
    for (const route of group.routes) {
      const path = `${SCOPE_BASE[group.scope]}${route.path}`;
      const item = paths[path] ?? {};
      if (item[route.method]) throw new Error(`openapi: ${route.method} ${path} is declared twice`);
      const query = route.operation.query && queryNames.get(route.operation.query);
      item[route.method] = operationObject(route.operation, {
        tag: group.tag.name,
        public: group.scope === 'public',
        ...(query ? { query: convertedQueries[query] } : {}),
      });
      paths[path] = item;
    }
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'orderflow example API',
      version: options.version ?? '1.0.0',
      description: API_DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: options.serverUrl ?? '/', description: 'This server' }],
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      responses: errorResponseComponents(),
      parameters: { ...parameters, ...SHARED_PARAMETERS },
      headers: { ...SHARED_HEADERS },
      securitySchemes: { ...SECURITY_SCHEMES },
    },
  };
}
