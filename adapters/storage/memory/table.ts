import { cloneJson as clone } from '../../../src/domain/clone-json.js';
import type { CursorPosition } from '../../../src/domain/cursor.js';
import { SortedKeys } from './sorted-keys.js';

export interface Row {
  id: string;
  createdAt: string;
}

/** Names a secondary index and how to read its value from a row. */
export type IndexSpec<T> = Record<string, (row: T) => string | undefined>;

/**
 * One table of the memory store: rows by id, keyset order, and secondary indexes (each a
 * SortedKeys per index value) so filtered lists do not scan the whole table.
 */
export class Table<T extends Row> {
  readonly rows = new Map<string, T>();
  readonly all = new SortedKeys();
  readonly #indexes: Map<string, Map<string, SortedKeys>> = new Map();
  readonly #specs: [name: string, read: (row: T) => string | undefined][];

  constructor(specs: IndexSpec<T> = {}) {
    this.#specs = Object.entries(specs);
    for (const name of Object.keys(specs)) this.#indexes.set(name, new Map());
  }

  get(id: string): T | undefined {
    const row = this.rows.get(id);
    return row === undefined ? undefined : clone(row);
  }

  /**
   * Writes a committed row (insert or replace), keeping every index in step. Takes
   * ownership of `row`: the caller (a commit) hands over its private staged copy.
   */
  put(row: T): void {
    const stored = row;
    const previous = this.rows.get(row.id);
    const key: CursorPosition = { createdAt: stored.createdAt, id: stored.id };
    if (!previous) this.all.insert(key);
    for (const [name, read] of this.#specs) {
      const before = previous ? read(previous) : undefined;
      const after = read(stored);
      if (previous && before === after) continue;
      const index = this.#indexes.get(name)!;
      if (previous && before !== undefined) index.get(before)?.remove(key);
      if (after !== undefined) {
        let keys = index.get(after);
        if (!keys) {
          keys = new SortedKeys();
          index.set(after, keys);
        }
        keys.insert(key);
      }
    }
    this.rows.set(row.id, stored);
  }

  delete(id: string): void {
    const previous = this.rows.get(id);
    if (!previous) return;
    const key: CursorPosition = { createdAt: previous.createdAt, id };
    this.all.remove(key);
    for (const [name, read] of this.#specs) {
      const value = read(previous);
      if (value !== undefined) this.#indexes.get(name)!.get(value)?.remove(key);
    }
    this.rows.delete(id);
  }

  /** Keys in keyset order for an index value (or the whole table), newest first. */
  keysNewestFirst(index: string | undefined, value: string | undefined, cursor?: CursorPosition) {
    if (index === undefined || value === undefined) return this.all.newestFirst(cursor);
    const keys = this.#indexes.get(index)?.get(value);
    return keys ? keys.newestFirst(cursor) : [].values();
  }
}
