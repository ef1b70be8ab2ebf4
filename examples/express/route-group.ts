/**
 * A route group is a router and its OpenAPI description in one place: every route names its
 * method, its path (in OpenAPI form, `/orders/{id}`), its handler and the operation the
 * document shows for it. `mountRoutes` turns a group into an Express router (answering
 * other methods on a known path with 405 and `Allow`); `buildOpenApiDocument` turns every
 * group into the document. So a route and its description cannot drift apart, and a new
 * endpoint is written in one file.
 *
 * ```ts
 * export const widgetRoutes = defineRoutes<OrderSystem>({
 *   scope: 'api',
 *   tag: { name: 'Widgets', description: 'Widgets' },
 *   routes: [
 *     {
 *       method: 'get', path: '/widgets/{id}',
 *       operation: { operationId: 'getWidget', summary: 'Get widget', … },
 *       handler: (oms) => async (req, res) => { … },
 *     },
 *   ],
 * });
 * ```
 */
import { type RequestHandler, Router } from 'express';
import type { z } from 'zod';
import { methodNotAllowed } from './errors.js';
import type { HttpMethod, JsonObject, OperationSpec } from './openapi/types.js';

/** Where a group's paths live. */
export const SCOPE_BASE = {
  /** Under `/api/v1`, behind the bearer key, with JSON bodies parsed. */
  api: '/api/v1',
  /** At the root, without a key or body parsing. */
  public: '',
} as const;

export type RouteScope = keyof typeof SCOPE_BASE;

export interface RouteSpec<C> {
  method: HttpMethod;
  /** Below the scope's base, in OpenAPI form: `/orders/{id}/history`. */
  path: string;
  operation: OperationSpec;
  /** Makes the handler (or handlers, run in order) from what the group is mounted with. */
  handler: (context: C) => RequestHandler | RequestHandler[];
}

export interface RouteGroup<C> {
  scope: RouteScope;
  /** The tag of every operation in the group (groups may share a tag). */
  tag: { name: string; description: string };
  /** Components the group's operations refer to by name. */
  components?: {
    /** Response schemas (the output side of zod: fields with defaults are always present). */
    outputs?: Record<string, z.ZodType>;
    /** Request body schemas (the input side: fields with defaults are optional). */
    inputs?: Record<string, z.ZodType>;
    /** Parameters, e.g. the path `id` of the group's entity (`OrderId`). */
    parameters?: Record<string, JsonObject>;
  };
  /**
   * The routes, matched in this order (put `/returns/preview` before `/returns/{id}`).
   * Routes on one path are answered by one Express route.
   */
  routes: RouteSpec<C>[];
}

/** Declares a route group (an identity function, for the types). */
export function defineRoutes<C>(group: RouteGroup<C>): RouteGroup<C> {
  return group;
}

/** `/orders/{id}/history` → `/orders/:id/history`. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1');
}

/**
 * The Express router of a group, to mount at its scope's base (the `/api/v1` router for
 * `api`, the app for `public`). A known path asked with another method answers 405.
 */
export function mountRoutes<C>(group: RouteGroup<C>, context: C): Router {
  const router = Router();
  const byPath = new Map<string, RouteSpec<C>[]>();
  for (const route of group.routes) {
    byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  }
  for (const [path, routes] of byPath) {
    const route = router.route(expressPath(path));
    for (const spec of routes) {
      const handlers = spec.handler(context);
      route[spec.method](...(Array.isArray(handlers) ? handlers : [handlers]));
    }
    const allowed = routes.map((spec) => spec.method.toUpperCase()).sort();
    route.all(methodNotAllowed(allowed));
  }
  return router;
}
