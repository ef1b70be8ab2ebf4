import { type CursorPosition, compareKeys } from '../../../src/domain/cursor.js';

/**
 * Row keys kept in keyset order (createdAt, id) ascending. New rows almost always come
 * last (ids and clocks move forward), so inserts are usually a push.
 */
export class SortedKeys {
  readonly keys: CursorPosition[] = [];

  insert(key: CursorPosition): void {
    const last = this.keys[this.keys.length - 1];
    if (!last || compareKeys(last, key) < 0) {
      this.keys.push(key);
      return;
    }
    this.keys.splice(this.lowerBound(key), 0, key);
  }

  remove(key: CursorPosition): void {
    const at = this.lowerBound(key);
    const found = this.keys[at];
    if (found && compareKeys(found, key) === 0) this.keys.splice(at, 1);
  }

  /** Index of the first key ≥ `key`. */
  lowerBound(key: CursorPosition): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Keys strictly before `cursor` (or all), newest first. */
  *newestFirst(cursor?: CursorPosition): Generator<CursorPosition> {
    let i = cursor ? this.lowerBound(cursor) - 1 : this.keys.length - 1;
    for (; i >= 0; i--) yield this.keys[i]!;
  }
}
