/**
 * Writes entities with their fields in the order of their response schema (the order the
 * OpenAPI document lists them in), whatever order the object was built or loaded in. An
 * entity is then the same bytes however it was produced: a first answer and its
 * Idempotency-Key replay, a memory record and one read back from SQL. Fields the schema
 * does not name (the client's `metadata` keys) keep their own order, after the named ones.
 */
import {
  orderSchema,
  paymentSchema,
  refundSchema,
  returnSchema,
  shipmentSchema,
  stockMovementSchema,
} from 'orderflow';
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** `value` with the keys of every object the schema describes in the schema's order. */
export function inSchemaOrder(schema: z.ZodType, value: unknown): unknown {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
      return def.innerType ? inSchemaOrder(def.innerType, value) : value;
    case 'pipe':
      return def.in ? inSchemaOrder(def.in, value) : value;
    case 'array':
      return Array.isArray(value) && def.element
        ? value.map((item) => inSchemaOrder(def.element!, item))
        : value;
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !def.shape) {
        return value;
      }
      const source = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(def.shape)) {
        if (Object.hasOwn(source, key)) out[key] = inSchemaOrder(field, source[key]);
      }
      for (const key of Object.keys(source)) if (!Object.hasOwn(out, key)) out[key] = source[key];
      return out;
    }
    default:
      return value;
  }
}

/** Response schemas by id prefix. */
const SCHEMAS: Record<string, z.ZodType> = {
  ord: orderSchema,
  pay: paymentSchema,
  rfd: refundSchema,
  ret: returnSchema,
  shp: shipmentSchema,
  mov: stockMovementSchema,
};

/** An entity (known by its id prefix) in the field order of its schema; others as they are. */
export function inFieldOrder<T>(entity: T): T {
  const id = (entity as { id?: unknown } | null)?.id;
  const schema = typeof id === 'string' ? SCHEMAS[id.slice(0, id.indexOf('_'))] : undefined;
  return schema ? (inSchemaOrder(schema, entity) as T) : entity;
}
