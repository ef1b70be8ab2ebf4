import { ValidationError } from '../errors.js';

/** The position of a row in keyset order (createdAt, id). */
export interface CursorPosition {
  createdAt: string;
  id: string;
}

/** Opaque cursor for keyset pagination; adapters share it so cursors look alike everywhere. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

/** A timestamp exactly as the library writes it: UTC, milliseconds, `Z`. */
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A row id: printable ASCII without spaces (`ord_…`, `notify:evt_…`), at most 200 characters. */
const ROW_ID = /^[\x21-\x7e]{1,200}$/;

/** Whether `value` is a real instant in the canonical form `2026-01-31T12:00:00.000Z`. */
export function isCanonicalTimestamp(value: string): boolean {
  if (!CANONICAL_TIMESTAMP.test(value)) return false;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && new Date(ms).toISOString() === value;
}

/** The position a cursor holds, or undefined when it is not one `encodeCursor` made. */
export function readCursor(cursor: string): CursorPosition | undefined {
  if (cursor.length === 0 || cursor.length > 500 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    return undefined;
  }
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      isCanonicalTimestamp(value[0]) &&
      ROW_ID.test(value[1])
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // not JSON: not a cursor
  }
  return undefined;
}

/** The ValidationError for a cursor no list call made, naming `cursor`. */
export function invalidCursorError(): ValidationError {
  return new ValidationError('Invalid query: cursor: is not a cursor returned by a list call', [
    {
      path: ['cursor'],
      message: 'is not a cursor returned by a list call',
      code: 'invalid_cursor',
    },
  ]);
}

/**
 * Decodes a cursor from `encodeCursor`. Anything else — not base64url JSON, a date that is
 * not a real instant in the canonical form, an id with characters no id has — is a
 * ValidationError naming `cursor`, thrown before any query runs.
 */
export function decodeCursor(cursor: string): CursorPosition {
  const position = readCursor(cursor);
  if (!position) throw invalidCursorError();
  return position;
}

/** Compares two rows in keyset order (createdAt, then id). */
export function compareKeys(a: CursorPosition, b: CursorPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** The time bounds of a list query (`…After` inclusive, `…Before` exclusive). */
export interface TimeBounds {
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
}

/**
 * The bounds in the canonical form rows are stored in (UTC, milliseconds), so an adapter
 * that compares text compares instants: `2026-01-31T13:00:00+01:00` becomes
 * `2026-01-31T12:00:00.000Z`. A bound that is not an ISO 8601 date-time is a
 * ValidationError naming it.
 */
export function canonicalBounds<T extends TimeBounds>(bounds: T): T {
  const out = { ...bounds };
  for (const field of ['createdAfter', 'createdBefore', 'updatedAfter', 'updatedBefore'] as const) {
    const value = bounds[field];
    if (value === undefined || isCanonicalTimestamp(value)) continue;
    const ms = ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new ValidationError(`Invalid query: ${field}: must be an ISO 8601 date-time`, [
        { path: [field], message: 'must be an ISO 8601 date-time', code: 'invalid_format' },
      ]);
    }
    out[field] = new Date(ms).toISOString();
  }
  return out;
}

/** An ISO 8601 date-time with seconds and `Z` or an offset. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
