import { newId } from '../../domain/ids.js';
import type {
  DeadLetterRecord,
  IdempotencyRecord,
  OutboxRecord,
  StorageAdapter,
  StoredPage,
} from '../../ports/storage.js';
import type { HistoryEntry, OrderRecord } from '../../schemas/order.js';
import type { PaymentRecord, Refund } from '../../schemas/payment.js';
import type { ReturnRecord } from '../../schemas/return.js';
import type { ShipmentRecord } from '../../schemas/shipment.js';
import type { TestApi } from '../test-api.js';
import type { StorageFactory } from './types.js';

const BASE = Date.parse('2026-01-01T00:00:00.000Z');

/** The suite's timestamps: `minutes` after 2026-01-01T00:00Z, as an ISO string. */
export const at = (minutes: number): string => new Date(BASE + minutes * 60_000).toISOString();

/**
 * Registers beforeEach/afterEach (from `test`) in the current `describe` that give every
 * test a fresh, migrated storage and close it (then run `cleanup`) afterwards.
 */
export function useStorage(test: TestApi, factory: StorageFactory): () => StorageAdapter {
  const { beforeEach, afterEach } = test;
  let current: Awaited<ReturnType<StorageFactory>> | undefined;
  beforeEach(async () => {
    current = await factory();
    await current.storage.migrate();
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    if (!done) return;
    try {
      await done.storage.close();
    } finally {
      await done.cleanup?.();
    }
  });
  return () => {
    if (!current) throw new Error('storage conformance: no storage (did the factory fail?)');
    return current.storage;
  };
}

export function orderRecord(overrides: Partial<OrderRecord> = {}): OrderRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('order'),
    customerId: 'cus_conformance',
    currency: 'USD',
    items: [
      {
        id: newId('orderLine'),
        sku: 'TSHIRT-M',
        name: 'T-shirt',
        quantity: 2,
        unitPrice: 1999,
        lineTotal: 3998,
        returnable: true,
      },
      {
        id: newId('orderLine'),
        sku: 'MUG',
        name: 'Mug “Café” ☕',
        quantity: 1,
        unitPrice: 1200,
        lineTotal: 1200,
        returnable: false,
      },
    ],
    subtotal: 5198,
    shippingTotal: 500,
    taxTotal: 0,
    discountTotal: 0,
    total: 5698,
    state: 'pending',
    version: 1,
    metadata: { source: 'conformance', tags: ['a', 'b'], nested: { n: 1.5, ok: true, no: null } },
    creditTotal: 0,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function returnRecord(orderId: string, overrides: Partial<ReturnRecord> = {}): ReturnRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('return'),
    orderId,
    items: [
      {
        orderItemId: newId('orderLine'),
        quantity: 1,
        reason: 'damaged',
        value: 1999,
        restockingFee: 0,
      },
    ],
    state: 'initiated',
    currency: 'USD',
    refundAmount: 1999,
    restockingFee: 0,
    creditTotal: 0,
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function paymentRecord(
  orderId: string,
  overrides: Partial<PaymentRecord> = {},
): PaymentRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('payment'),
    orderId,
    amount: 5698,
    currency: 'USD',
    state: 'captured',
    provider: 'fake',
    providerReference: 'ch_fake_1',
    paymentMethod: { token: 'tok_visa' },
    captureMode: 'automatic',
    capturedAmount: 5698,
    refundedAmount: 0,
    refunds: [],
    disputes: [],
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function refundRecord(paymentId: string, overrides: Partial<Refund> = {}): Refund {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('refund'),
    paymentId,
    amount: 100,
    state: 'succeeded',
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** A pending shipment of `orderId` with one line of 2 units. */
export function shipmentRecord(
  orderId: string,
  overrides: Partial<ShipmentRecord> = {},
): ShipmentRecord {
  return {
    id: newId('shipment'),
    orderId,
    state: 'pending',
    items: [{ orderItemId: newId('orderLine'), quantity: 2 }],
    version: 1,
    createdAt: at(1),
    updatedAt: at(1),
    ...overrides,
  };
}

export function historyEntry(
  entityId: string,
  overrides: Partial<HistoryEntry> = {},
): HistoryEntry {
  return {
    entity: 'order',
    entityId,
    from: null,
    to: 'pending',
    event: 'CREATE',
    at: at(0),
    ...overrides,
  };
}

export function outboxRecord(overrides: Partial<OutboxRecord> = {}): OutboxRecord {
  const createdAt = overrides.createdAt ?? at(0);
  return {
    id: newId('event'),
    name: 'order.created',
    payload: { id: 'ord_x', nested: { list: [1, 'two', null], flag: false } },
    createdAt,
    availableAt: createdAt,
    attempts: 0,
    ...overrides,
  };
}

export function idempotencyRecord(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return {
    scope: 'orders.create',
    key: `key-${newId('event')}`,
    fingerprint: 'fingerprint-1',
    status: 'in_flight',
    lockedUntil: at(1),
    createdAt: at(0),
    expiresAt: at(24 * 60),
    ...overrides,
  };
}

export function deadLetterRecord(overrides: Partial<DeadLetterRecord> = {}): DeadLetterRecord {
  const eventId = newId('event');
  return {
    id: `notify:${eventId}`,
    job: 'orderflow.notify',
    jobId: `notify:${eventId}`,
    payload: { id: eventId, name: 'order.created', nested: { list: [1, 'zwei', null], ok: false } },
    error: 'webhook answered 503 “unavailable”',
    attempts: 3,
    createdAt: at(0),
    ...overrides,
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

type Keyed = { createdAt: string; id: string };

/** Rows in keyset order: newest first by (createdAt, id). */
export function newestFirst<T extends Keyed>(rows: readonly T[]): T[] {
  const desc = (a: string, b: string) => (a < b ? 1 : a > b ? -1 : 0);
  return [...rows].sort((a, b) => desc(a.createdAt, b.createdAt) || desc(a.id, b.id));
}

/** A fixed permutation, so inserts do not happen in keyset order. */
export function scrambled<T>(rows: readonly T[]): T[] {
  return [...rows.filter((_, i) => i % 2 === 1).reverse(), ...rows.filter((_, i) => i % 2 === 0)];
}

export const idsOf = (rows: readonly { id: string }[]): string[] => rows.map((r) => r.id);

/** Follows `nextCursor` to the end (at most 100 pages); returns every page. */
export async function allPages<T>(
  fetch: (cursor: string | undefined) => Promise<StoredPage<T>>,
): Promise<{ pages: T[][]; cursors: (string | null)[] }> {
  const pages: T[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 100; n++) {
    const page = await fetch(cursor);
    pages.push(page.data);
    cursors.push(page.nextCursor);
    if (page.nextCursor === null) return { pages, cursors };
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end after 100 pages');
}

/** Inserts rows one after another (not in parallel), in the order given. */
export async function insertAll<T>(rows: readonly T[], insert: (row: T) => Promise<void>) {
  for (const row of rows) await insert(row);
}
