/**
 * zod → OpenAPI component schemas, with zod's own JSON Schema generator (draft 2020-12).
 * Request bodies and query strings are converted from their input side (a field with a
 * default is optional), responses from their output side.
 */
import { z } from 'zod';
import type { JsonObject } from './types.js';

export const SCHEMA_REF = '#/components/schemas/';

/** `{ $ref }` to the component schema `name`. */
export const ref = (name: string): JsonObject => ({ $ref: `${SCHEMA_REF}${name}` });

/** A JSON response body of `schema`. */
export const json = (schema: JsonObject): JsonObject => ({ 'application/json': { schema } });

/** zod's format names that are not JSON Schema formats (the `pattern` beside them says it). */
const NON_STANDARD_FORMATS = new Set(['starts_with', 'ends_with', 'includes']);

/** Rewrites what zod emits for a standalone JSON Schema into what an OpenAPI component holds. */
export function tidy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$schema' || key === '$id') continue;
    if (key === 'format' && typeof v === 'string' && NON_STANDARD_FORMATS.has(v)) continue;
    if (key === '$ref' && typeof v === 'string') {
      // zod puts schemas reused without an id under `__shared`; they are hoisted beside the rest.
      out[key] = v.replace(/^#\/components\/schemas\/__shared#\/\$defs\//, SCHEMA_REF);
      continue;
    }
    out[key] = tidy(v);
  }
  return out;
}

/** Converts the named schemas together, so a schema registered by name becomes a `$ref`. */
export function convert(
  entries: Array<[string, z.ZodType]>,
  io: 'input' | 'output',
): Record<string, JsonObject> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of entries) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    uri: (id) => `${SCHEMA_REF}${id}`,
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
export function mergeSchemas(
  into: Record<string, JsonObject>,
  more: Record<string, JsonObject>,
): void {
  for (const [name, schema] of Object.entries(more)) {
    const existing = into[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) {
      throw new Error(`openapi: component schema ${name} differs between requests and responses`);
    }
    into[name] = schema;
  }
}

/** The JSON Schema of one zod schema on its own (e.g. the `id` of a path). */
export function standalone(schema: z.ZodType): JsonObject {
  return tidy(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' })) as JsonObject;
}
