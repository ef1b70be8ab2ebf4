import { cloneJson } from '../../../src/domain/clone-json.js';
import type { CursorPosition } from '../../../src/domain/cursor.js';
import { compareKeys } from '../../../src/domain/cursor.js';
import type {
  DeadLetterRecord,
  IdempotencyRecord,
  OutboxRecord,
  ProviderEventRecord,
} from '../../../src/ports/storage.js';
import type { InventoryRecord, StockMovement } from '../../../src/schemas/inventory.js';
import type { HistoryEntry, OrderRecord } from '../../../src/schemas/order.js';
import type { PaymentRecord } from '../../../src/schemas/payment.js';
import type { ReturnRecord } from '../../../src/schemas/return.js';
import type { ShipmentRecord } from '../../../src/schemas/shipment.js';
import { type Row, Table } from './table.js';

export type HistoryRow = HistoryEntry & Row & { seq: number };
export type IdempotencyRow = IdempotencyRecord & Row;
export type OutboxRow = OutboxRecord & Row;
/** A stock record keyed by its SKU. */
export type InventoryRow = InventoryRecord & Row;
export type MovementRow = StockMovement & Row;
export type ProviderEventRow = ProviderEventRecord & Row;

/** The committed data of a memory store. */
export class MemoryTables {
  readonly orders = new Table<OrderRecord>({
    state: (o) => o.state,
    customerId: (o) => o.customerId,
  });
  readonly returns = new Table<ReturnRecord>({ state: (r) => r.state, orderId: (r) => r.orderId });
  readonly payments = new Table<PaymentRecord>({
    state: (p) => p.state,
    orderId: (p) => p.orderId,
    providerReference: (p) => p.providerReference,
    unsettled: (p) =>
      p.state === 'pending' ||
      p.pendingCapture ||
      p.pendingVoid ||
      p.refunds.some((r) => r.state === 'pending')
        ? 'yes'
        : undefined,
  });
  readonly shipments = new Table<ShipmentRecord>({ orderId: (s) => s.orderId });
  readonly inventory = new Table<InventoryRow>();
  readonly movements = new Table<MovementRow>({
    sku: (m) => m.sku,
    orderId: (m) => m.orderId,
  });
  readonly history = new Table<HistoryRow>({ entity: (h) => `${h.entity}:${h.entityId}` });
  readonly outbox = new Table<OutboxRow>();
  readonly idempotency = new Table<IdempotencyRow>();
  readonly deadLetters = new Table<DeadLetterRecord>();
  readonly providerEvents = new Table<ProviderEventRow>();
  historySeq = 0;
}

const DELETED = Symbol('deleted');
type Staged = Map<string, Row | typeof DELETED>;

/**
 * Reads and writes of one unit of work. Writes are staged (copy-on-write) and reach the
 * tables only on `commit()`, so a transaction that throws leaves nothing behind.
 */
export class MemoryView {
  readonly #staged = new Map<Table<Row>, Staged>();
  constructor(readonly tables: MemoryTables) {}

  get<T extends Row>(table: Table<T>, id: string): T | undefined {
    const staged = this.#staged.get(table as unknown as Table<Row>)?.get(id);
    if (staged === DELETED) return undefined;
    if (staged) return cloneJson(staged) as T;
    return table.get(id);
  }

  put<T extends Row>(table: Table<T>, row: T): void {
    this.#stage(table).set(row.id, cloneJson(row));
  }

  delete<T extends Row>(table: Table<T>, id: string): void {
    this.#stage(table).set(id, DELETED);
  }

  /**
   * Rows newest first in keyset order, as this unit of work sees them: committed rows
   * from the index, merged with every staged row that `matches` (the index condition,
   * re-checked because a staged change may have moved the row between index values).
   */
  *scan<T extends Row>(
    table: Table<T>,
    index: string | undefined,
    value: string | undefined,
    matches: (row: T) => boolean,
    cursor?: CursorPosition,
  ): Generator<T> {
    const staged = this.#staged.get(table as unknown as Table<Row>);
    const extra: T[] = [];
    if (staged) {
      for (const [_id, row] of staged) {
        if (row === DELETED) continue;
        const r = row as T;
        if (matches(r) && (!cursor || compareKeys(r, cursor) < 0)) extra.push(r);
      }
      extra.sort((a, b) => compareKeys(b, a));
    }
    let e = 0;
    for (const key of table.keysNewestFirst(index, value, cursor)) {
      while (e < extra.length && compareKeys(extra[e]!, key) > 0) yield cloneJson(extra[e++]!);
      // Staged rows (changed or deleted) were merged in from `extra` already.
      if (staged?.has(key.id)) continue;
      const row = table.rows.get(key.id);
      if (row) yield cloneJson(row);
    }
    while (e < extra.length) yield cloneJson(extra[e++]!);
  }

  /** Applies every staged write to the tables. Synchronous, so no reader sees half of it. */
  commit(): void {
    for (const [table, staged] of this.#staged) {
      for (const [id, row] of staged) {
        if (row === DELETED) table.delete(id);
        else table.put(row);
      }
    }
    this.#staged.clear();
  }

  #stage<T extends Row>(table: Table<T>): Staged {
    const key = table as unknown as Table<Row>;
    let staged = this.#staged.get(key);
    if (!staged) {
      staged = new Map();
      this.#staged.set(key, staged);
    }
    return staged;
  }
}

/**
 * Serializes units of work like SQLite's `BEGIN IMMEDIATE`: one writer at a time, so a
 * read-check-write inside a transaction cannot interleave with another.
 */
export class WriteLock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
