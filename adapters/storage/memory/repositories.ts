import {
  type CursorPosition,
  canonicalBounds,
  decodeCursor,
  encodeCursor,
} from '../../../src/domain/cursor.js';
import { extend } from '../../../src/domain/extend.js';
import { decodeSkuCursor, encodeSkuCursor } from '../../../src/domain/inventory.js';
import type {
  DeadLetterRepository,
  GetOptions,
  HistoryRepository,
  IdempotencyRecord,
  IdempotencyRepository,
  InventoryRepository,
  OrderRepository,
  OutboxRecord,
  OutboxRepository,
  PaymentRepository,
  ProviderEventRepository,
  Repositories,
  ReturnRepository,
  ShipmentRepository,
  StoredPage,
  TimeFilter,
} from '../../../src/ports/storage.js';
import type { InventoryRecord } from '../../../src/schemas/inventory.js';
import type { PaymentRecord } from '../../../src/schemas/payment.js';
import type { InventoryRow, MemoryTables, MemoryView } from './memory-store.js';
import type { Row, Table } from './table.js';

type Filter<T> = { index?: string; value?: string; where: (row: T) => boolean };

/**
 * Chooses the narrowest index for a list query; every condition is still re-checked by
 * `where` (staged rows in a transaction are not in the indexes yet).
 */
function filterFor<T extends Row & { updatedAt?: string }>(
  conditions: Record<string, string | undefined>,
  time: TimeFilter,
  read: (row: T, field: string) => unknown,
): Filter<T> {
  const active = Object.entries(conditions).filter(([, v]) => v !== undefined);
  const [index, value] = active[0] ?? [];
  return {
    ...(index === undefined ? {} : { index, value }),
    where: (row) =>
      active.every(([field, v]) => read(row, field) === v) &&
      (time.createdAfter === undefined || row.createdAt >= time.createdAfter) &&
      (time.updatedBefore === undefined || (row.updatedAt ?? '') < time.updatedBefore) &&
      (time.updatedAfter === undefined || (row.updatedAt ?? '') >= time.updatedAfter),
  };
}

function page<T extends Row>(
  view: MemoryView,
  table: Table<T>,
  filter: Filter<T>,
  query: { limit: number; cursor?: string | undefined } & TimeFilter,
): StoredPage<T> {
  let start: CursorPosition | undefined = query.cursor ? decodeCursor(query.cursor) : undefined;
  if (query.createdBefore !== undefined) {
    const bound = { createdAt: query.createdBefore, id: '' };
    if (!start || bound.createdAt < start.createdAt) start = bound;
  }
  const data: T[] = [];
  let more = false;
  for (const row of view.scan(table, filter.index, filter.value, filter.where, start)) {
    if (query.createdAfter !== undefined && row.createdAt < query.createdAfter) break;
    if (!filter.where(row)) continue;
    if (data.length === query.limit) {
      more = true;
      break;
    }
    data.push(row);
  }
  const last = data[data.length - 1];
  return { data, nextCursor: more && last ? encodeCursor(last) : null };
}

function byOrder<T extends Row & { orderId: string }>(
  view: MemoryView,
  table: Table<T>,
  orderIds: readonly string[],
): T[] {
  const out: T[] = [];
  for (const orderId of orderIds) {
    const rows = [...view.scan(table, 'orderId', orderId, (r) => r.orderId === orderId)];
    out.push(...rows.reverse());
  }
  return out;
}

function versioned<T extends Row & { version: number }>(
  view: MemoryView,
  table: Table<T>,
  row: T,
  expectedVersion: number,
): boolean {
  const current = view.get(table, row.id);
  if (!current || current.version !== expectedVersion) return false;
  view.put(table, row);
  return true;
}

const field = (row: unknown, name: string) => (row as Record<string, unknown>)[name];
const idemId = (scope: string, key: string) => `${scope}\u0000${key}`;

/**
 * The state every memory repository works on: one unit of work's view of the tables. The
 * repositories' methods live on shared prototypes below, so opening a transaction creates
 * one small object per repository rather than a closure per method.
 */
interface Scope {
  view: MemoryView;
  tables: MemoryTables;
}

const noLock = (_?: GetOptions) => undefined;

const orders: OrderRepository & ThisType<Scope> = {
  async get(id, options) {
    noLock(options);
    return this.view.get(this.tables.orders, id);
  },
  async insert(order) {
    if (this.view.get(this.tables.orders, order.id))
      throw new Error(`order ${order.id} already exists`);
    this.view.put(this.tables.orders, order);
  },
  async update(order, expectedVersion) {
    return versioned(this.view, this.tables.orders, order, expectedVersion);
  },
  async list(request) {
    const query = canonicalBounds(request);
    const conditions = { customerId: query.customerId, state: query.state };
    return page(this.view, this.tables.orders, filterFor(conditions, query, field), query);
  },
};

const returns: ReturnRepository & ThisType<Scope> = {
  async get(id) {
    return this.view.get(this.tables.returns, id);
  },
  async insert(ret) {
    if (this.view.get(this.tables.returns, ret.id))
      throw new Error(`return ${ret.id} already exists`);
    this.view.put(this.tables.returns, ret);
  },
  async update(ret, expectedVersion) {
    return versioned(this.view, this.tables.returns, ret, expectedVersion);
  },
  async list(request) {
    const query = canonicalBounds(request);
    const conditions = { orderId: query.orderId, state: query.state };
    return page(this.view, this.tables.returns, filterFor(conditions, query, field), query);
  },
  async listByOrder(orderId) {
    return byOrder(this.view, this.tables.returns, [orderId]);
  },
};

const payments: PaymentRepository & ThisType<Scope> = {
  async get(id) {
    return this.view.get(this.tables.payments, id);
  },
  async insert(payment) {
    if (this.view.get(this.tables.payments, payment.id)) {
      throw new Error(`payment ${payment.id} already exists`);
    }
    this.view.put(this.tables.payments, payment);
  },
  async update(payment, expectedVersion) {
    return versioned(this.view, this.tables.payments, payment, expectedVersion);
  },
  async list(request) {
    const query = canonicalBounds(request);
    const conditions = { orderId: query.orderId, state: query.state };
    return page(this.view, this.tables.payments, filterFor(conditions, query, field), query);
  },
  async listByOrder(orderId) {
    return byOrder(this.view, this.tables.payments, [orderId]);
  },
  async listByOrders(orderIds) {
    return byOrder(this.view, this.tables.payments, [...new Set(orderIds)]);
  },
  async listUnsettled(before, limit) {
    const out: PaymentRecord[] = [];
    const unsettled = (p: PaymentRecord) =>
      p.state === 'pending' ||
      p.pendingCapture !== undefined ||
      p.pendingVoid !== undefined ||
      p.refunds.some((r) => r.state === 'pending');
    for (const p of this.view.scan(this.tables.payments, 'unsettled', 'yes', unsettled)) {
      if (unsettled(p) && p.updatedAt < before) out.push(p);
    }
    // Least recently updated first, as the port asks (the index is few rows: in flight).
    out.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
    return out.slice(0, limit);
  },
  async findIdByProviderReference(providerReference) {
    const matches = (p: PaymentRecord) => p.providerReference === providerReference;
    let found: PaymentRecord | undefined;
    for (const p of this.view.scan(
      this.tables.payments,
      'providerReference',
      providerReference,
      matches,
    )) {
      // Newest first: keep going to the oldest, as the SQL adapters answer.
      if (matches(p)) found = p;
    }
    return found?.id;
  },
};

const shipments: ShipmentRepository & ThisType<Scope> = {
  async get(id) {
    return this.view.get(this.tables.shipments, id);
  },
  async insert(shipment) {
    if (this.view.get(this.tables.shipments, shipment.id)) {
      throw new Error(`shipment ${shipment.id} already exists`);
    }
    this.view.put(this.tables.shipments, shipment);
  },
  async update(shipment, expectedVersion) {
    return versioned(this.view, this.tables.shipments, shipment, expectedVersion);
  },
  async listByOrder(orderId) {
    return byOrder(this.view, this.tables.shipments, [orderId]);
  },
  async listByOrders(orderIds) {
    return byOrder(this.view, this.tables.shipments, [...new Set(orderIds)]);
  },
};

const inventory: InventoryRepository & ThisType<Scope> = {
  async get(sku) {
    const row = this.view.get(this.tables.inventory, sku);
    return row ? stockOf(row) : undefined;
  },
  async getMany(skus) {
    const found: InventoryRecord[] = [];
    for (const sku of [...new Set(skus)].sort()) {
      const row = this.view.get(this.tables.inventory, sku);
      if (row) found.push(stockOf(row));
    }
    return found;
  },
  async insert(record) {
    if (this.view.get(this.tables.inventory, record.sku)) {
      throw new Error(`stock of ${record.sku} already exists`);
    }
    this.view.put(this.tables.inventory, extend(record, { id: record.sku }));
  },
  async update(record, expectedVersion) {
    return versioned(
      this.view,
      this.tables.inventory,
      extend(record, { id: record.sku }),
      expectedVersion,
    );
  },
  async list(query) {
    const after = query.cursor === undefined ? undefined : decodeSkuCursor(query.cursor);
    const below = query.belowAvailable;
    const rows = [...this.view.scan(this.tables.inventory, undefined, undefined, () => true)]
      .filter((r) => after === undefined || r.sku > after)
      .filter((r) => below === undefined || r.onHand - r.reserved < below)
      .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
    const data = rows.slice(0, query.limit).map(stockOf);
    const last = data[data.length - 1];
    const more = rows.length > query.limit;
    return { data, nextCursor: more && last ? encodeSkuCursor(last.sku) : null };
  },
  async appendMovements(movements) {
    for (const m of movements) this.view.put(this.tables.movements, extend(m, { createdAt: m.at }));
  },
  async movements(sku, query) {
    const found = page(
      this.view,
      this.tables.movements,
      { index: 'sku', value: sku, where: (m) => m.sku === sku },
      query,
    );
    return { ...found, data: found.data.map(({ createdAt: _c, ...m }) => m) };
  },
  async reservedForOrder(orderId) {
    const held = new Map<string, number>();
    for (const m of this.view.scan(
      this.tables.movements,
      'orderId',
      orderId,
      (r) => r.orderId === orderId,
    )) {
      if (m.reservedDelta !== 0) held.set(m.sku, (held.get(m.sku) ?? 0) + m.reservedDelta);
    }
    return held;
  },
};

const history: HistoryRepository & ThisType<Scope> = {
  async append(entry) {
    this.tables.historySeq += 1;
    const seq = this.tables.historySeq;
    const id = `h_${seq.toString().padStart(12, '0')}`;
    this.view.put(this.tables.history, extend(entry, { id, seq, createdAt: entry.at }));
  },
  async list(entity, entityId) {
    const key = `${entity}:${entityId}`;
    const rows = [
      ...this.view.scan(
        this.tables.history,
        'entity',
        key,
        (h) => `${h.entity}:${h.entityId}` === key,
      ),
    ];
    rows.sort((a, b) => a.seq - b.seq);
    return rows.map(({ id: _id, seq: _seq, createdAt: _c, ...entry }) => entry);
  },
};

const outbox: OutboxRepository & ThisType<Scope> = {
  async insert(records) {
    for (const r of records) this.view.put(this.tables.outbox, { ...r });
  },
  async claim(now, leaseUntil, limit) {
    const claimed: OutboxRecord[] = [];
    const rows = [
      ...this.view.scan(this.tables.outbox, undefined, undefined, () => true),
    ].reverse();
    for (const row of rows) {
      if (claimed.length === limit) break;
      if (row.availableAt > now) continue;
      const next = { ...row, availableAt: leaseUntil, attempts: row.attempts + 1 };
      this.view.put(this.tables.outbox, next);
      claimed.push(next);
    }
    return claimed;
  },
  async delete(ids) {
    for (const id of ids) this.view.delete(this.tables.outbox, id);
  },
  async count() {
    let n = 0;
    for (const _ of this.view.scan(this.tables.outbox, undefined, undefined, () => true)) n++;
    return n;
  },
};

const idempotency: IdempotencyRepository & ThisType<Scope> = {
  async claim(record) {
    const id = idemId(record.scope, record.key);
    const existing = this.view.get(this.tables.idempotency, id);
    if (existing) return strip(existing);
    this.view.put(this.tables.idempotency, extend(record, { id }));
    return undefined;
  },
  async get(scope, key) {
    const existing = this.view.get(this.tables.idempotency, idemId(scope, key));
    return existing ? strip(existing) : undefined;
  },
  async takeOver(scope, key, previousLockedUntil, lockedUntil) {
    const existing = this.view.get(this.tables.idempotency, idemId(scope, key));
    if (existing?.status !== 'in_flight') return false;
    if (existing.lockedUntil !== previousLockedUntil) return false;
    this.view.put(this.tables.idempotency, { ...existing, lockedUntil });
    return true;
  },
  async complete(scope, key, response) {
    const existing = this.view.get(this.tables.idempotency, idemId(scope, key));
    if (!existing) return;
    this.view.put(this.tables.idempotency, { ...existing, status: 'completed', response });
  },
  async release(scope, key, lockedUntil) {
    const existing = this.view.get(this.tables.idempotency, idemId(scope, key));
    if (existing?.status !== 'in_flight') return;
    if (lockedUntil !== undefined && existing.lockedUntil !== lockedUntil) return;
    this.view.delete(this.tables.idempotency, idemId(scope, key));
  },
  async purgeExpired(now) {
    let n = 0;
    for (const row of this.view.scan(this.tables.idempotency, undefined, undefined, () => true)) {
      if (row.expiresAt < now) {
        this.view.delete(this.tables.idempotency, row.id);
        n++;
      }
    }
    return n;
  },
};

const providerEvents: ProviderEventRepository & ThisType<Scope> = {
  async insert(record) {
    if (this.view.get(this.tables.providerEvents, record.id)) return false;
    this.view.put(this.tables.providerEvents, extend(record, { createdAt: record.receivedAt }));
    return true;
  },
  async get(id) {
    const row = this.view.get(this.tables.providerEvents, id);
    if (!row) return undefined;
    const { createdAt: _createdAt, ...record } = row;
    return record;
  },
};

const deadLetters: DeadLetterRepository & ThisType<Scope> = {
  async insert(record) {
    if (this.view.get(this.tables.deadLetters, record.id)) return;
    this.view.put(this.tables.deadLetters, record);
  },
  async list(query) {
    return page(this.view, this.tables.deadLetters, { where: () => true }, query);
  },
};

function scoped<T extends object>(methods: T, view: MemoryView, tables: MemoryTables): T {
  const repository = Object.create(methods) as T & Scope;
  repository.view = view;
  repository.tables = tables;
  return repository;
}

/** The storage repositories over one memory unit of work. */
export function memoryRepositories(view: MemoryView, tables: MemoryTables): Repositories {
  return {
    orders: scoped(orders, view, tables),
    returns: scoped(returns, view, tables),
    payments: scoped(payments, view, tables),
    shipments: scoped(shipments, view, tables),
    inventory: scoped(inventory, view, tables),
    history: scoped(history, view, tables),
    outbox: scoped(outbox, view, tables),
    idempotency: scoped(idempotency, view, tables),
    providerEvents: scoped(providerEvents, view, tables),
    deadLetters: scoped(deadLetters, view, tables),
    readsAreLocal: true,
    outboxDeletesInLog: true,
  };
}

function stockOf(row: InventoryRow): InventoryRecord {
  const { id: _id, ...record } = row;
  return record;
}

function strip(row: IdempotencyRecord & Row): IdempotencyRecord {
  const { id: _id, ...record } = row;
  return record;
}
