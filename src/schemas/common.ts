import { z } from 'zod';
import { isCurrencyCode } from '../domain/money.js';

/** An amount in the currency's minor unit (cents): a safe integer ≥ 0, never a float. */
export const amountSchema = z
  .number()
  .int('must be an integer number of minor units')
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .describe('Amount in the minor unit of the currency (e.g. cents), a safe integer ≥ 0');

/** An ISO 4217 currency code in upper case, e.g. `USD`, `JPY`, `KWD`. */
export const currencySchema = z
  .string()
  .refine(isCurrencyCode, { message: 'must be an ISO 4217 currency code such as USD' })
  .describe('ISO 4217 currency code');

/** A timestamp as an ISO 8601 string in UTC. */
export const timestampSchema = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 timestamp, e.g. 2026-01-31T12:00:00.000Z');

/** Free-form JSON object stored with an entity. */
export const metadataSchema = z
  .record(z.string(), z.json())
  .describe('Free-form JSON object kept with the entity');

/** A postal address; `country` is ISO 3166-1 alpha-2. */
export const addressSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(20),
  country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as US'),
});

/** `limit` and `cursor` of a keyset-paginated list. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(500).optional(),
});

/** Options accepted by create/pay/refund commands. */
export const commandOptionsSchema = z.object({
  idempotencyKey: z.string().min(1).max(255).optional(),
});

/** Options accepted by transitions. */
export const transitionOptionsSchema = z.object({
  expectedVersion: z.number().int().min(0).optional(),
  actor: z.string().min(1).max(200).optional(),
  reason: z.string().max(1000).optional(),
});

/** An id with the given prefix, e.g. `idSchema('ord')`. */
export function idSchema(prefix: string) {
  return z
    .string()
    .min(prefix.length + 2)
    .max(100)
    .startsWith(`${prefix}_`, `must be an id starting with ${prefix}_`);
}

/** A page of results with the cursor of the next page (null at the end). */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export type Page<T> = { data: T[]; nextCursor: string | null };
export type CommandOptions = z.infer<typeof commandOptionsSchema>;
export type TransitionOptions = z.infer<typeof transitionOptionsSchema>;
export type Address = z.infer<typeof addressSchema>;
export type Metadata = z.infer<typeof metadataSchema>;
