import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../adapters/storage/memory/index.js';
import { withReadCache } from '../../src/managers/read-cache.js';
import type { GetOptions, Repositories } from '../../src/ports/storage.js';
import type { InventoryRecord } from '../../src/schemas/inventory.js';
import type { OrderRecord } from '../../src/schemas/order.js';
import type { PaymentRecord } from '../../src/schemas/payment.js';
import type { ShipmentRecord } from '../../src/schemas/shipment.js';
import {
  orderRecord,
  paymentRecord,
  returnRecord,
} from '../../src/testing/storage-conformance/fixtures.js';

/**
 * A store of orders and shipments that other transactions may change at any time, and
 * that remembers how each order was read.
 */
function store() {
  const orders = new Map<string, OrderRecord>();
  const shipments: ShipmentRecord[] = [];
  const reads: { id: string; forUpdate: boolean }[] = [];
  const tx = {
    orders: {
      async get(id: string, options?: GetOptions) {
        reads.push({ id, forUpdate: options?.forUpdate === true });
        return structuredClone(orders.get(id));
      },
      async insert(order: OrderRecord) {
        orders.set(order.id, structuredClone(order));
      },
      async update(order: OrderRecord, expectedVersion: number) {
        if (orders.get(order.id)?.version !== expectedVersion) return false;
        orders.set(order.id, structuredClone(order));
        return true;
      },
    },
    shipments: {
      async listByOrder(orderId: string) {
        return structuredClone(shipments.filter((s) => s.orderId === orderId));
      },
    },
    inventory: {},
  };
  return { orders, shipments, reads, tx: tx as unknown as Repositories };
}

function shipment(orderId: string): ShipmentRecord {
  const now = '2026-01-01T00:00:00.000Z';
  return {
    id: `shp_${orderId}`,
    orderId,
    state: 'pending',
    items: [],
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
}

describe('the read cache of a transaction', () => {
  it('answers a locked order again with copies the caller may change', async () => {
    const db = store();
    const order = orderRecord();
    db.orders.set(order.id, order);
    const tx = withReadCache(db.tx);

    const first = await tx.orders.get(order.id, { forUpdate: true });
    first!.customerId = 'changed by the caller';
    const second = await tx.orders.get(order.id, { forUpdate: true });
    second!.customerId = 'changed again';

    expect(await tx.orders.get(order.id, { forUpdate: true })).toEqual(order);
  });

  it('takes the lock of an order it read before without one', async () => {
    const db = store();
    const order = orderRecord();
    db.orders.set(order.id, order);
    const tx = withReadCache(db.tx);

    await tx.orders.get(order.id);
    const moved = { ...order, state: 'cancelled' as const, version: order.version + 1 };
    db.orders.set(order.id, moved);

    expect(await tx.orders.get(order.id, { forUpdate: true })).toEqual(moved);
    expect(db.reads).toEqual([
      { id: order.id, forUpdate: false },
      { id: order.id, forUpdate: true },
    ]);
  });

  it('does not answer with an order whose versioned update was refused', async () => {
    const db = store();
    const order = orderRecord();
    db.orders.set(order.id, order);
    const tx = withReadCache(db.tx);
    await tx.orders.get(order.id, { forUpdate: true });

    const stale = { ...order, customerId: 'lost write', version: order.version + 1 };
    expect(await tx.orders.update(stale, order.version + 5)).toBe(false);

    expect(await tx.orders.get(order.id, { forUpdate: true })).toEqual(order);
  });

  it('reads the shipments of an order it has not locked from the store every time', async () => {
    const db = store();
    const order = orderRecord();
    db.orders.set(order.id, order);
    const tx = withReadCache(db.tx);

    expect(await tx.shipments.listByOrder(order.id)).toEqual([]);
    db.shipments.push(shipment(order.id));

    expect(await tx.shipments.listByOrder(order.id)).toEqual([shipment(order.id)]);
  });

  it('answers the shipments of a locked pending order without a read, and of no other', async () => {
    const db = store();
    const pending = orderRecord();
    const confirmed = orderRecord({ state: 'confirmed' });
    db.orders.set(pending.id, pending);
    db.orders.set(confirmed.id, confirmed);
    // Rows a pending order cannot have: seen only if the cache reads the store.
    db.shipments.push(shipment(pending.id), shipment(confirmed.id));
    const tx = withReadCache(db.tx);

    await tx.orders.get(pending.id);
    expect(await tx.shipments.listByOrder(pending.id)).toEqual([shipment(pending.id)]);
    await tx.orders.get(pending.id, { forUpdate: true });
    expect(await tx.shipments.listByOrder(pending.id)).toEqual([]);
    await tx.orders.get(confirmed.id, { forUpdate: true });
    expect(await tx.shipments.listByOrder(confirmed.id)).toEqual([shipment(confirmed.id)]);
  });
});

/**
 * The memory store as a transaction's repositories, recording the calls that reach it;
 * writes through `storage` play the other transactions.
 */
function recorded() {
  const storage = memoryStorage();
  const calls: string[] = [];
  const wrap = <T extends object>(name: string, repo: T): T =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${String(key)}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const tx = {
    orders: wrap('orders', storage.orders),
    returns: wrap('returns', storage.returns),
    payments: wrap('payments', storage.payments),
    shipments: wrap('shipments', storage.shipments),
    inventory: wrap('inventory', storage.inventory),
  } as unknown as Repositories;
  const count = (call: string) => calls.filter((c) => c === call).length;
  return { storage, tx: withReadCache(tx), count };
}

describe('the read cache: returns and payment lists', () => {
  it('answers a locked return again from what it read or wrote', async () => {
    const { storage, tx, count } = recorded();
    const ret = returnRecord('order_1');
    await storage.returns.insert(ret);

    await tx.returns.get(ret.id, { forUpdate: true });
    const approved = { ...ret, state: 'approved' as const, version: 2 };
    expect(await tx.returns.update(approved, 1)).toBe(true);

    expect(await tx.returns.get(ret.id, { forUpdate: true })).toEqual(approved);
    expect(count('returns.get')).toBe(1);
  });

  it("reads an order's payments once, and again after a lock it did not hold", async () => {
    const { storage, tx, count } = recorded();
    const order = orderRecord();
    await storage.orders.insert(order);
    const payment = paymentRecord(order.id);
    await storage.payments.insert(payment);

    expect(await tx.payments.listByOrder(order.id)).toEqual([payment]);
    expect(await tx.payments.listByOrder(order.id)).toEqual([payment]);
    expect(count('payments.listByOrder')).toBe(1);

    // Another transaction refunds part of it, and this one then waits for the row lock.
    const refunded = { ...payment, refundedAmount: 100, version: 2 };
    await storage.payments.update(refunded, 1);
    await tx.payments.get(payment.id, { forUpdate: true });

    expect(await tx.payments.listByOrder(order.id)).toEqual([refunded]);
    expect(count('payments.listByOrder')).toBe(2);
  });

  const order = orderRecord();
  const payment = paymentRecord(order.id);
  const ret = returnRecord(order.id);
  const shipmentOfOrder = shipment(order.id);
  const stock: InventoryRecord = {
    sku: 'MUG',
    onHand: 5,
    reserved: 0,
    allowBackorder: false,
    version: 1,
    createdAt: order.createdAt,
    updatedAt: order.createdAt,
  };
  type Step = (tx: Repositories) => Promise<unknown>;
  const afterLockOrPaymentWrite: [string, Step][] = [
    ['a locked payment read', (tx) => tx.payments.get(payment.id, { forUpdate: true })],
    ['a locked order read', (tx) => tx.orders.get(order.id, { forUpdate: true })],
    ['a locked return read', (tx) => tx.returns.get(ret.id, { forUpdate: true })],
    ['a locked shipment read', (tx) => tx.shipments.get(shipmentOfOrder.id, { forUpdate: true })],
    ['a locked stock read', (tx) => tx.inventory.get('MUG', { forUpdate: true })],
    ['locked stock reads', (tx) => tx.inventory.getMany!(['MUG'], { forUpdate: true })],
    ['a payment write', (tx) => tx.payments.update({ ...payment, version: 2 }, 1)],
    ['a new payment', (tx) => tx.payments.insert(paymentRecord(order.id))],
    ['a write of an order not locked', (tx) => tx.orders.update({ ...order, version: 2 }, 1)],
    ['a write of a return not locked', (tx) => tx.returns.update({ ...ret, version: 2 }, 1)],
  ];
  const withoutNewLock: [string, Step][] = [
    ['a plain payment read', (tx) => tx.payments.get(payment.id)],
    ['a plain order read', (tx) => tx.orders.get(order.id)],
    ['an order it holds locked, read again', (tx) => tx.orders.get(order.id, { forUpdate: true })],
    ['a write of the order it holds locked', (tx) => tx.orders.update({ ...order, version: 2 }, 1)],
  ];

  async function listTwiceAround(step: Step): Promise<number> {
    const { storage, tx, count } = recorded();
    await storage.orders.insert(order);
    await storage.payments.insert(payment);
    await storage.returns.insert(ret);
    await storage.shipments.insert(shipmentOfOrder);
    await storage.inventory.insert(stock);
    if (step === withoutNewLock[2]![1] || step === withoutNewLock[3]![1]) {
      await tx.orders.get(order.id, { forUpdate: true });
    }
    await tx.payments.listByOrder(order.id);
    await step(tx);
    await tx.payments.listByOrder(order.id);
    return count('payments.listByOrder');
  }

  it.each(afterLockOrPaymentWrite)('reads the payments again after %s', async (_, step) => {
    expect(await listTwiceAround(step)).toBe(2);
  });

  it.each(withoutNewLock)('answers the payments again after %s', async (_, step) => {
    expect(await listTwiceAround(step)).toBe(1);
  });
});

/** A processing order with one shipment, locked by the transaction, its shipments read once. */
async function lockedOrderWithShipmentList() {
  const recorder = recorded();
  const { storage, tx } = recorder;
  const order = orderRecord({ state: 'processing' });
  await storage.orders.insert(order);
  const first = shipment(order.id);
  await storage.shipments.insert(first);
  await tx.orders.get(order.id, { forUpdate: true });
  await tx.shipments.listByOrder(order.id);
  return { ...recorder, order, first };
}

describe('the read cache: shipments a transaction inserts', () => {
  it('places a newer shipment last in the cached list of its locked order', async () => {
    const { tx, count, order, first } = await lockedOrderWithShipmentList();

    const second = { ...first, id: 'shp_second', createdAt: '2026-01-02T00:00:00.000Z' };
    await tx.shipments.insert(second);

    expect(await tx.shipments.listByOrder(order.id)).toEqual([first, second]);
    expect(count('shipments.listByOrder')).toBe(1);
  });

  it('reads the list again when an inserted shipment ties with a cached one', async () => {
    const { storage, tx, count, order, first } = await lockedOrderWithShipmentList();

    await tx.shipments.insert({ ...first, id: 'shp_0_same_time' });

    expect((await tx.shipments.listByOrder(order.id)).map((s) => s.id)).toEqual(
      (await storage.shipments.listByOrder(order.id)).map((s) => s.id),
    );
    expect(count('shipments.listByOrder')).toBe(2);
  });
});

/** A store that records every call that would be a statement, in order. */
function recordingStore() {
  const calls: string[] = [];
  const orders = new Map<string, OrderRecord>();
  const payments = new Map<string, PaymentRecord>();
  const record =
    (name: string, answer: unknown = undefined) =>
    async (...args: unknown[]) => {
      calls.push(`${name} ${(args[0] as { id?: string } | undefined)?.id ?? args[0] ?? ''}`.trim());
      return answer;
    };
  const tx = {
    orders: {
      async get(id: string) {
        calls.push(`orders.get ${id}`);
        return structuredClone(orders.get(id));
      },
      async insert(order: OrderRecord) {
        calls.push(`orders.insert ${order.id}`);
        orders.set(order.id, structuredClone(order));
      },
      async update(order: OrderRecord, expectedVersion: number) {
        calls.push(`orders.update ${order.id}@${expectedVersion}`);
        if (orders.get(order.id)?.version !== expectedVersion) return false;
        orders.set(order.id, structuredClone(order));
        return true;
      },
      list: record('orders.list', { data: [], nextCursor: null }),
    },
    returns: { listByOrder: record('returns.listByOrder', []) },
    payments: {
      listByOrder: record('payments.listByOrder', []),
      insert: record('payments.insert'),
      list: record('payments.list', { data: [], nextCursor: null }),
      listByOrders: record('payments.listByOrders', []),
      listUnsettled: record('payments.listUnsettled', []),
      findIdByProviderReference: record('payments.findIdByProviderReference'),
      async get(id: string) {
        calls.push(`payments.get ${id}`);
        return structuredClone(payments.get(id));
      },
      async update(payment: PaymentRecord, expectedVersion: number) {
        calls.push(`payments.update ${payment.id}@${expectedVersion}`);
        if (payments.get(payment.id)?.version !== expectedVersion) return false;
        payments.set(payment.id, structuredClone(payment));
        return true;
      },
    },
    shipments: {
      listByOrder: record('shipments.listByOrder', []),
      insert: record('shipments.insert'),
    },
    inventory: { get: record('inventory.get'), getMany: record('inventory.getMany', []) },
  };
  return { calls, orders, payments, tx: tx as unknown as Repositories };
}

/** A transaction that keeps orders, returns and payments for the log. */
const KEEPS_PAYMENTS = { defersEntities: true, defersPayments: true };

describe('orders, returns and payments kept for the log', () => {
  it('keeps a new order and the changes of a locked one as one write each, from the stored version', async () => {
    const db = recordingStore();
    const locked = orderRecord();
    db.orders.set(locked.id, locked);
    const tx = withReadCache(db.tx, { defersEntities: true });
    const created = orderRecord();

    await tx.orders.insert(created);
    await tx.orders.get(locked.id, { forUpdate: true });
    expect(await tx.orders.update({ ...locked, state: 'confirmed', version: 2 }, 1)).toBe(true);
    expect(await tx.orders.update({ ...locked, state: 'processing', version: 3 }, 2)).toBe(true);
    expect(await tx.orders.get(locked.id)).toMatchObject({ state: 'processing', version: 3 });
    expect(await tx.orders.get(created.id)).toEqual(created);

    expect(db.calls).toEqual([`orders.get ${locked.id}`]);
    expect(tx.takeEntityWrites()).toEqual([
      { entity: 'order', record: created },
      {
        entity: 'order',
        record: { ...locked, state: 'processing', version: 3 },
        expectedVersion: 1,
      },
    ]);
    expect(tx.takeEntityWrites()).toEqual([]);
  });

  it('writes what it keeps before a statement that could depend on it or a stock lock, not before other reads', async () => {
    const db = recordingStore();
    const tx = withReadCache(db.tx, { defersEntities: true });
    const settledBy: [string, (orderId: string) => Promise<unknown>][] = [
      ['shipments.insert', (id) => tx.shipments.insert(shipment(id))],
      ['orders.list', () => tx.orders.list({ limit: 10 })],
      ['returns.listByOrder', (id) => tx.returns.listByOrder(id)],
      ['inventory.get', () => tx.inventory.get('SKU', { forUpdate: true })],
      ['inventory.getMany', () => tx.inventory.getMany!(['SKU'], { forUpdate: true })],
    ];
    for (const [name, call] of settledBy) {
      db.calls.length = 0;
      const kept = orderRecord();
      await tx.orders.insert(kept);
      await tx.payments.listByOrder(kept.id);
      await tx.shipments.listByOrder(kept.id);
      await tx.inventory.getMany!(['SKU']);
      expect(db.calls, name).toEqual([
        `payments.listByOrder ${kept.id}`,
        `shipments.listByOrder ${kept.id}`,
        'inventory.getMany SKU',
      ]);
      await call(kept.id);
      expect(db.calls.slice(3), name).toEqual([
        `orders.insert ${kept.id}`,
        expect.stringMatching(`^${name}`),
      ]);
      expect(tx.takeEntityWrites(), name).toEqual([]);
    }
  });

  it('keeps a new payment and the changes of one it locked, after the order they belong to', async () => {
    const db = recordingStore();
    const order = orderRecord();
    const stored = paymentRecord(order.id);
    db.payments.set(stored.id, stored);
    const tx = withReadCache(db.tx, KEEPS_PAYMENTS);
    const created = paymentRecord(order.id);

    await tx.orders.insert(order);
    await tx.payments.insert(created);
    await tx.payments.get(stored.id, { forUpdate: true });
    expect(await tx.payments.update({ ...stored, state: 'authorized', version: 2 }, 1)).toBe(true);
    expect(await tx.payments.update({ ...stored, state: 'captured', version: 3 }, 2)).toBe(true);
    expect(await tx.payments.update({ ...created, state: 'failed', version: 2 }, 1)).toBe(true);

    expect(db.calls).toEqual([`payments.get ${stored.id}`]);
    expect(tx.takeEntityWrites()).toEqual([
      { entity: 'order', record: order },
      { entity: 'payment', record: { ...created, state: 'failed', version: 2 } },
      {
        entity: 'payment',
        record: { ...stored, state: 'captured', version: 3 },
        expectedVersion: 1,
      },
    ]);
  });

  it('writes kept payments before any read of payments that could see them', async () => {
    const db = recordingStore();
    const tx = withReadCache(db.tx, KEEPS_PAYMENTS);
    const reads: [string, (orderId: string, paymentId: string) => Promise<unknown>][] = [
      ['payments.listByOrder', (orderId) => tx.payments.listByOrder(orderId)],
      ['payments.get', (_, id) => tx.payments.get(id)],
      ['payments.list', () => tx.payments.list({ limit: 10 })],
      ['payments.listByOrders', (orderId) => tx.payments.listByOrders([orderId])],
      ['payments.listUnsettled', () => tx.payments.listUnsettled('2026-01-01T00:00:00.000Z', 10)],
      ['payments.findIdByProviderReference', () => tx.payments.findIdByProviderReference('pi_1')],
    ];
    for (const [name, read] of reads) {
      db.calls.length = 0;
      const order = orderRecord();
      await tx.orders.insert(order);
      const kept = paymentRecord(order.id);
      await tx.payments.insert(kept);
      await tx.payments.get('pay_another');
      expect(db.calls, name).toEqual(['payments.get pay_another']);
      await read(order.id, kept.id);
      expect(db.calls.slice(1), name).toEqual([
        `orders.insert ${order.id}`,
        `payments.insert ${kept.id}`,
        expect.stringMatching(`^${name} `),
      ]);
      expect(tx.takeEntityWrites(), name).toEqual([]);
    }
  });

  it('lets a read of payments started while kept payments are being written wait for them', async () => {
    const db = recordingStore();
    // The payment's insert takes a while, as a round trip does.
    const insert = db.tx.payments.insert.bind(db.tx.payments);
    db.tx.payments.insert = async (payment) => {
      await insert(payment);
      await new Promise((resolve) => setTimeout(resolve, 5));
      db.calls.push('payments.insert done');
    };
    const tx = withReadCache(db.tx, KEEPS_PAYMENTS);
    const order = orderRecord();
    await tx.orders.insert(order);
    await tx.payments.insert(paymentRecord(order.id));

    await Promise.all([tx.shipments.insert(shipment(order.id)), tx.payments.list({ limit: 10 })]);

    expect(db.calls.indexOf('payments.insert done')).toBeLessThan(
      db.calls.findIndex((c) => c.startsWith('payments.list')),
    );
  });

  it('writes at once a payment it has not locked, or has locked at another version', async () => {
    const db = recordingStore();
    const order = orderRecord();
    const [read, locked] = [paymentRecord(order.id), paymentRecord(order.id)];
    db.orders.set(order.id, order);
    db.payments.set(read.id, read);
    db.payments.set(locked.id, locked);
    const tx = withReadCache(db.tx, KEEPS_PAYMENTS);

    await tx.payments.get(read.id);
    expect(await tx.payments.update({ ...read, version: 2 }, 1)).toBe(true);
    await tx.payments.get(locked.id, { forUpdate: true });
    expect(await tx.payments.update({ ...locked, version: 6 }, 5)).toBe(false);
    // After a refused write the stored version is unknown: the next one goes at once too.
    expect(await tx.payments.update({ ...locked, version: 2 }, 1)).toBe(true);

    expect(db.calls).toEqual([
      `payments.get ${read.id}`,
      `payments.update ${read.id}@1`,
      `payments.get ${locked.id}`,
      `payments.update ${locked.id}@5`,
      `payments.update ${locked.id}@1`,
    ]);
    expect(tx.takeEntityWrites()).toEqual([]);
  });

  it('keeps no payment where the store does not take payments in the log', async () => {
    const db = recordingStore();
    const tx = withReadCache(db.tx, { defersEntities: true });
    const order = orderRecord();
    const payment = paymentRecord(order.id);
    await tx.orders.insert(order);
    await tx.payments.insert(payment);

    expect(db.calls).toEqual([`orders.insert ${order.id}`, `payments.insert ${payment.id}`]);
    expect(tx.takeEntityWrites()).toEqual([]);
  });

  it('writes an order it has not locked, or a change from another version, at once', async () => {
    const db = recordingStore();
    const unlocked = orderRecord();
    const locked = orderRecord();
    db.orders.set(unlocked.id, unlocked);
    db.orders.set(locked.id, locked);
    const tx = withReadCache(db.tx, { defersEntities: true });

    expect(await tx.orders.update({ ...unlocked, version: 2 }, 1)).toBe(true);
    await tx.orders.get(locked.id, { forUpdate: true });
    expect(await tx.orders.update({ ...locked, version: 6 }, 5)).toBe(false);

    expect(db.calls).toEqual([
      `orders.update ${unlocked.id}@1`,
      `orders.get ${locked.id}`,
      `orders.update ${locked.id}@5`,
    ]);
    expect(tx.takeEntityWrites()).toEqual([]);
  });
});

describe('writing kept orders before statements started together', () => {
  it('lets every statement that waits for the kept writes wait for all of them', async () => {
    const db = recordingStore();
    // Each insert takes a while, as a round trip does.
    const insert = db.tx.orders.insert.bind(db.tx.orders);
    db.tx.orders.insert = async (order) => {
      await insert(order);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const tx = withReadCache(db.tx, { defersEntities: true });
    const [a, b] = [orderRecord(), orderRecord()];
    await tx.orders.insert(a);
    await tx.orders.insert(b);

    await Promise.all([tx.shipments.insert(shipment(a.id)), tx.shipments.insert(shipment(b.id))]);

    const firstShipment = db.calls.findIndex((c) => c.startsWith('shipments.insert'));
    expect(db.calls.slice(0, firstShipment)).toEqual([
      `orders.insert ${a.id}`,
      `orders.insert ${b.id}`,
    ]);
    expect(db.calls.filter((c) => c.startsWith('shipments.insert'))).toHaveLength(2);
  });
});
