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

/** Decodes a cursor from `encodeCursor`; a malformed one is a ValidationError. */
export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('cursor is not valid', [
    {
      path: ['cursor'],
      message: 'is not a cursor returned by a list call',
      code: 'invalid_cursor',
    },
  ]);
}

/** Compares two rows in keyset order (createdAt, then id). */
export function compareKeys(a: CursorPosition, b: CursorPosition): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}
