import { z } from 'zod';
import { isCountryCode } from '../domain/countries.js';
import { readCursor } from '../domain/cursor.js';
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

/**
 * A timestamp given as input: any ISO 8601 date-time with `Z` or an offset, with or
 * without fractions of a second, turned into the one form the library stores
 * (`2026-01-31T12:00:00.000Z`: UTC, milliseconds), so every adapter compares instants.
 *
 * ```ts
 * instantSchema.parse('2026-01-31T13:00:00+01:00'); // '2026-01-31T12:00:00.000Z'
 * ```
 */
export const instantSchema = z.iso
  .datetime({ offset: true })
  .transform((value) => new Date(value).toISOString())
  .describe(
    'ISO 8601 date-time with Z or an offset, e.g. 2026-01-31T13:00:00+01:00; read as that instant',
  );

/**
 * Limits of `metadata`, per entity (as Stripe's): at most 50 keys, each key 1–40
 * characters, each value at most 500 characters once written as JSON.
 *
 * ```ts
 * Object.keys(metadata).length <= METADATA_LIMITS.keys; // else a validation_error
 * ```
 */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

/**
 * Free-form JSON object stored with an entity, within {@link METADATA_LIMITS}. Its keys
 * keep the order the client sent them in (integer-like keys, as in any JavaScript object,
 * come first).
 */
export const metadataSchema = z
  .record(z.string().min(1).max(METADATA_LIMITS.keyLength), z.json())
  .superRefine((metadata, ctx) => {
    const keys = Object.keys(metadata);
    if (keys.length > METADATA_LIMITS.keys) {
      ctx.addIssue({
        code: 'custom',
        message: `has ${keys.length} keys; at most ${METADATA_LIMITS.keys} are allowed`,
      });
    }
    for (const key of keys) {
      const length = JSON.stringify(metadata[key])?.length ?? 0;
      if (length > METADATA_LIMITS.valueLength) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `is ${length} characters as JSON; at most ${METADATA_LIMITS.valueLength} are allowed`,
        });
      }
    }
  })
  .meta({ maxProperties: METADATA_LIMITS.keys })
  .describe(
    `Free-form JSON object kept with the entity: at most ${METADATA_LIMITS.keys} keys of up to ${METADATA_LIMITS.keyLength} characters, each value at most ${METADATA_LIMITS.valueLength} characters as JSON`,
  );

/** A postal address; `country` is ISO 3166-1 alpha-2. */
export const addressSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  line1: z.string().min(1).max(200),
  line2: z.string().max(200).optional(),
  city: z.string().min(1).max(100),
  region: z.string().max(100).optional(),
  postalCode: z.string().min(1).max(20),
  country: z
    .string()
    .refine(isCountryCode, 'must be an assigned ISO 3166-1 alpha-2 country code such as US'),
});

/**
 * A whole number given as a number or, from a query string, as plain decimal digits:
 * `'0x10'`, `'1e2'`, `' 5'` and `'5.0'` are refused rather than read as numbers.
 *
 * ```ts
 * queryInteger(z.number().int().min(1)).parse('16'); // 16
 * queryInteger(z.number().int().min(1)).parse('0x10'); // throws
 * ```
 */
export function queryInteger<T extends z.ZodType<number>>(schema: T) {
  return z.preprocess(
    (value: unknown) =>
      typeof value === 'string' && /^-?[0-9]+$/.test(value) ? Number(value) : value,
    schema,
  );
}

/**
 * `limit` of a list: 1–100, 20 when absent.
 *
 * ```ts
 * limitSchema.parse(undefined); // 20
 * ```
 */
export const limitSchema = queryInteger(
  z
    .number({ error: 'must be a whole number written in decimal digits' })
    .int()
    .min(1)
    .max(100)
    .default(20),
);

/**
 * A keyset cursor: the `nextCursor` of an earlier page, checked before any query runs.
 *
 * ```ts
 * cursorSchema.safeParse(page.nextCursor).success; // true
 * ```
 */
export const cursorSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((cursor) => readCursor(cursor) !== undefined, 'is not a cursor returned by a list call')
  .describe('The nextCursor of the previous page');

/** `limit` and `cursor` of a keyset-paginated list; unknown keys are refused. */
export const pageQuerySchema = z.strictObject({
  limit: limitSchema,
  cursor: cursorSchema.optional(),
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
