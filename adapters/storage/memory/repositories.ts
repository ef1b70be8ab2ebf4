import {
  type CursorPosition,
  canonicalBounds,
  decodeCursor,
  encodeCursor,
} from '../../../src/domain/cursor.js';
import { decodeSkuCursor, encodeSkuCursor } from '../../../src/domain/inventory.js';
import type {
  GetOptions,
  IdempotencyRecord,
  OutboxRecord,
  Repositories,
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

/** The storage repositories over one memory unit of work. */
export function memoryRepositories(view: MemoryView, tables: MemoryTables): Repositories {
  const noLock = (_?: GetOptions) => undefined;
  return {
    orders: {
      async get(id, options) {
        noLock(options);
        return view.get(tables.orders, id);
      },
      async insert(order) {
        if (view.get(tables.orders, order.id)) throw new Error(`order ${order.id} already exists`);
        view.put(tables.orders, order);
      },
      async update(order, expectedVersion) {
        return versioned(view, tables.orders, order, expectedVersion);
      },
      async list(request) {
        const query = canonicalBounds(request);
        const conditions = { customerId: query.customerId, state: query.state };
        return page(view, tables.orders, filterFor(conditions, query, field), query);
      },
    },
    returns: {
      async get(id) {
        return view.get(tables.returns, id);
      },
      async insert(ret) {
        if (view.get(tables.returns, ret.id)) throw new Error(`return ${ret.id} already exists`);
        view.put(tables.returns, ret);
      },
      async update(ret, expectedVersion) {
        return versioned(view, tables.returns, ret, expectedVersion);
      },
      async list(request) {
        const query = canonicalBounds(request);
        const conditions = { orderId: query.orderId, state: query.state };
        return page(view, tables.returns, filterFor(conditions, query, field), query);
      },
      async listByOrder(orderId) {
        return byOrder(view, tables.returns, [orderId]);
      },
    },
    payments: {
      async get(id) {
        return view.get(tables.payments, id);
      },
      async insert(payment) {
        if (view.get(tables.payments, payment.id)) {
          throw new Error(`payment ${payment.id} already exists`);
        }
        view.put(tables.payments, payment);
      },
      async update(payment, expectedVersion) {
        return versioned(view, tables.payments, payment, expectedVersion);
      },
      async list(request) {
        const query = canonicalBounds(request);
        const conditions = { orderId: query.orderId, state: query.state };
        return page(view, tables.payments, filterFor(conditions, query, field), query);
      },
      async listByOrder(orderId) {
        return byOrder(view, tables.payments, [orderId]);
      },
      async listByOrders(orderIds) {
        return byOrder(view, tables.payments, [...new Set(orderIds)]);
      },
      async listUnsettled(before, limit) {
        const out: PaymentRecord[] = [];
        const unsettled = (p: PaymentRecord) =>
          p.state === 'pending' ||
          p.pendingCapture !== undefined ||
          p.pendingVoid !== undefined ||
          p.refunds.some((r) => r.state === 'pending');
        for (const p of view.scan(tables.payments, 'unsettled', 'yes', unsettled)) {
          if (unsettled(p) && p.updatedAt < before) out.push(p);
        }
        // Least recently updated first, as the port asks (the index is few rows: in flight).
        out.sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : a.updatedAt > b.updatedAt ? 1 : 0));
        return out.slice(0, limit);
      },
      async findIdByProviderReference(providerReference) {
        const matches = (p: PaymentRecord) => p.providerReference === providerReference;
        let found: PaymentRecord | undefined;
        for (const p of view.scan(
          tables.payments,
          'providerReference',
          providerReference,
          matches,
        )) {
          // Newest first: keep going to the oldest, as the SQL adapters answer.
          if (matches(p)) found = p;
        }
        return found?.id;
      },
    },
    shipments: {
      async get(id) {
        return view.get(tables.shipments, id);
      },
      async insert(shipment) {
        if (view.get(tables.shipments, shipment.id)) {
          throw new Error(`shipment ${shipment.id} already exists`);
        }
        view.put(tables.shipments, shipment);
      },
      async update(shipment, expectedVersion) {
        return versioned(view, tables.shipments, shipment, expectedVersion);
      },
      async listByOrder(orderId) {
        return byOrder(view, tables.shipments, [orderId]);
      },
      async listByOrders(orderIds) {
        return byOrder(view, tables.shipments, [...new Set(orderIds)]);
      },
    },
    inventory: {
      async get(sku) {
        const row = view.get(tables.inventory, sku);
        return row ? stockOf(row) : undefined;
      },
      async getMany(skus) {
        const found: InventoryRecord[] = [];
        for (const sku of [...new Set(skus)].sort()) {
          const row = view.get(tables.inventory, sku);
          if (row) found.push(stockOf(row));
        }
        return found;
      },
      async insert(record) {
        if (view.get(tables.inventory, record.sku)) {
          throw new Error(`stock of ${record.sku} already exists`);
        }
        view.put(tables.inventory, { ...record, id: record.sku });
      },
      async update(record, expectedVersion) {
        return versioned(view, tables.inventory, { ...record, id: record.sku }, expectedVersion);
      },
      async list(query) {
        const after = query.cursor === undefined ? undefined : decodeSkuCursor(query.cursor);
        const below = query.belowAvailable;
        const rows = [...view.scan(tables.inventory, undefined, undefined, () => true)]
          .filter((r) => after === undefined || r.sku > after)
          .filter((r) => below === undefined || r.onHand - r.reserved < below)
          .sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
        const data = rows.slice(0, query.limit).map(stockOf);
        const last = data[data.length - 1];
        const more = rows.length > query.limit;
        return { data, nextCursor: more && last ? encodeSkuCursor(last.sku) : null };
      },
      async appendMovements(movements) {
        for (const m of movements) view.put(tables.movements, { ...m, createdAt: m.at });
      },
      async movements(sku, query) {
        const found = page(
          view,
          tables.movements,
          { index: 'sku', value: sku, where: (m) => m.sku === sku },
          query,
        );
        return { ...found, data: found.data.map(({ createdAt: _c, ...m }) => m) };
      },
      async reservedForOrder(orderId) {
        const held = new Map<string, number>();
        for (const m of view.scan(
          tables.movements,
          'orderId',
          orderId,
          (r) => r.orderId === orderId,
        )) {
          if (m.reservedDelta !== 0) held.set(m.sku, (held.get(m.sku) ?? 0) + m.reservedDelta);
        }
        return held;
      },
    },
    history: {
      async append(entry) {
        tables.historySeq += 1;
        const seq = tables.historySeq;
        const id = `h_${seq.toString().padStart(12, '0')}`;
        view.put(tables.history, { ...entry, id, seq, createdAt: entry.at });
      },
      async list(entity, entityId) {
        const key = `${entity}:${entityId}`;
        const rows = [
          ...view.scan(tables.history, 'entity', key, (h) => `${h.entity}:${h.entityId}` === key),
        ];
        rows.sort((a, b) => a.seq - b.seq);
        return rows.map(({ id: _id, seq: _seq, createdAt: _c, ...entry }) => entry);
      },
    },
    outbox: {
      async insert(records) {
        for (const r of records) view.put(tables.outbox, { ...r });
      },
      async claim(now, leaseUntil, limit) {
        const claimed: OutboxRecord[] = [];
        const rows = [...view.scan(tables.outbox, undefined, undefined, () => true)].reverse();
        for (const row of rows) {
          if (claimed.length === limit) break;
          if (row.availableAt > now) continue;
          const next = { ...row, availableAt: leaseUntil, attempts: row.attempts + 1 };
          view.put(tables.outbox, next);
          claimed.push(next);
        }
        return claimed;
      },
      async delete(ids) {
        for (const id of ids) view.delete(tables.outbox, id);
      },
      async count() {
        let n = 0;
        for (const _ of view.scan(tables.outbox, undefined, undefined, () => true)) n++;
        return n;
      },
    },
    idempotency: {
      async claim(record) {
        const id = idemId(record.scope, record.key);
        const existing = view.get(tables.idempotency, id);
        if (existing) return strip(existing);
        view.put(tables.idempotency, { ...record, id });
        return undefined;
      },
      async get(scope, key) {
        const existing = view.get(tables.idempotency, idemId(scope, key));
        return existing ? strip(existing) : undefined;
      },
      async takeOver(scope, key, previousLockedUntil, lockedUntil) {
        const existing = view.get(tables.idempotency, idemId(scope, key));
        if (existing?.status !== 'in_flight') return false;
        if (existing.lockedUntil !== previousLockedUntil) return false;
        view.put(tables.idempotency, { ...existing, lockedUntil });
        return true;
      },
      async complete(scope, key, response) {
        const existing = view.get(tables.idempotency, idemId(scope, key));
        if (!existing) return;
        view.put(tables.idempotency, { ...existing, status: 'completed', response });
      },
      async release(scope, key, lockedUntil) {
        const existing = view.get(tables.idempotency, idemId(scope, key));
        if (existing?.status !== 'in_flight') return;
        if (lockedUntil !== undefined && existing.lockedUntil !== lockedUntil) return;
        view.delete(tables.idempotency, idemId(scope, key));
      },
      async purgeExpired(now) {
        let n = 0;
        for (const row of view.scan(tables.idempotency, undefined, undefined, () => true)) {
          if (row.expiresAt < now) {
            view.delete(tables.idempotency, row.id);
            n++;
          }
        }
        return n;
      },
    },
    providerEvents: {
      async insert(record) {
        if (view.get(tables.providerEvents, record.id)) return false;
        view.put(tables.providerEvents, { ...record, createdAt: record.receivedAt });
        return true;
      },
      async get(id) {
        const row = view.get(tables.providerEvents, id);
        if (!row) return undefined;
        const { createdAt: _createdAt, ...record } = row;
        return record;
      },
    },
    deadLetters: {
      async insert(record) {
        if (view.get(tables.deadLetters, record.id)) return;
        view.put(tables.deadLetters, record);
      },
      async list(query) {
        return page(view, tables.deadLetters, { where: () => true }, query);
      },
    },
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
