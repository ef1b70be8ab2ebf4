import { describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/managers/read-cache.js';
import type { GetOptions, Repositories } from '../../src/ports/storage.js';
import type { OrderRecord } from '../../src/schemas/order.js';
import type { ShipmentRecord } from '../../src/schemas/shipment.js';
import { orderRecord } from '../../src/testing/storage-conformance/fixtures.js';

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
});
