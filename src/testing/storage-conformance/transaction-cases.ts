import { expect, it } from 'vitest';
import type { StorageAdapter } from '../../ports/storage.js';
import {
  at,
  deferred,
  historyEntry,
  idempotencyRecord,
  idsOf,
  orderRecord,
  outboxRecord,
  paymentRecord,
  returnRecord,
} from './fixtures.js';

const PENDING = Symbol('still pending');

/** Resolves to the value of `promise`, or PENDING if it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<typeof PENDING>((r) => setTimeout(() => r(PENDING), ms))]);

/** `transaction(fn)`: all or nothing, read-your-writes inside, invisible outside. */
export function transactionCases(storage: () => StorageAdapter): void {
  it('commits every write of a transaction and returns what fn returned', async () => {
    const s = storage();
    const order = orderRecord();
    const ret = returnRecord(order.id);
    const payment = paymentRecord(order.id);
    const event = outboxRecord();
    const key = idempotencyRecord();
    const result = await s.transaction(async (tx) => {
      await tx.orders.insert(order);
      await tx.returns.insert(ret);
      await tx.payments.insert(payment);
      await tx.history.append(historyEntry(order.id));
      await tx.outbox.insert([event]);
      await tx.idempotency.claim(key);
      return { ok: order.id };
    });
    expect(result).toEqual({ ok: order.id });
    expect(await s.orders.get(order.id)).toEqual(order);
    expect(await s.returns.get(ret.id)).toEqual(ret);
    expect(await s.payments.get(payment.id)).toEqual(payment);
    expect(await s.history.list('order', order.id)).toEqual([historyEntry(order.id)]);
    expect(await s.outbox.count()).toBe(1);
    expect(await s.idempotency.get(key.scope, key.key)).toEqual(key);
  });

  it('rolls back every write when fn throws, and rethrows its error', async () => {
    const s = storage();
    const existing = orderRecord();
    const payment = paymentRecord(existing.id);
    await s.orders.insert(existing);
    await s.payments.insert(payment);
    const created = orderRecord({ createdAt: at(1) });
    const key = idempotencyRecord();
    const boom = new Error('boom');
    const attempt = s.transaction(async (tx) => {
      await tx.orders.insert(created);
      await tx.returns.insert(returnRecord(created.id));
      expect(await tx.orders.update({ ...existing, state: 'confirmed', version: 2 }, 1)).toBe(true);
      expect(await tx.payments.update({ ...payment, state: 'refunded', version: 2 }, 1)).toBe(true);
      await tx.history.append(historyEntry(created.id));
      await tx.history.append(historyEntry(existing.id, { to: 'confirmed', event: 'CONFIRM' }));
      await tx.outbox.insert([outboxRecord(), outboxRecord()]);
      await tx.idempotency.claim(key);
      throw boom;
    });
    await expect(attempt).rejects.toBe(boom);

    expect(await s.orders.get(created.id)).toBeUndefined();
    expect(await s.orders.get(existing.id)).toEqual(existing);
    expect(await s.payments.get(payment.id)).toEqual(payment);
    expect(await s.returns.listByOrder(created.id)).toEqual([]);
    expect(idsOf((await s.orders.list({ limit: 10 })).data)).toEqual([existing.id]);
    expect(await s.history.list('order', created.id)).toEqual([]);
    expect(await s.history.list('order', existing.id)).toEqual([]);
    expect(await s.outbox.count()).toBe(0);
    expect(await s.idempotency.get(key.scope, key.key)).toBeUndefined();
  });

  it('sees its own writes inside a transaction, in get, list and listByOrder', async () => {
    const s = storage();
    const committed = orderRecord({ createdAt: at(0) });
    await s.orders.insert(committed);
    const created = orderRecord({ createdAt: at(1) });
    const ret = returnRecord(committed.id);
    const payment = paymentRecord(created.id);
    await s.transaction(async (tx) => {
      await tx.orders.insert(created);
      expect(await tx.orders.get(created.id, { forUpdate: true })).toEqual(created);
      expect(idsOf((await tx.orders.list({ limit: 10 })).data)).toEqual([created.id, committed.id]);

      const confirmed = { ...committed, state: 'confirmed' as const, version: 2 };
      expect(await tx.orders.update(confirmed, 1)).toBe(true);
      expect(await tx.orders.get(committed.id)).toEqual(confirmed);
      expect((await tx.orders.list({ state: 'confirmed', limit: 10 })).data).toEqual([confirmed]);
      expect(idsOf((await tx.orders.list({ state: 'pending', limit: 10 })).data)).toEqual([
        created.id,
      ]);
      // Its own update also moves the version the next update has to name.
      expect(await tx.orders.update({ ...confirmed, version: 3 }, 1)).toBe(false);

      await tx.returns.insert(ret);
      expect(await tx.returns.listByOrder(committed.id)).toEqual([ret]);
      expect((await tx.returns.list({ orderId: committed.id, limit: 10 })).data).toEqual([ret]);
      await tx.payments.insert(payment);
      expect(await tx.payments.listByOrder(created.id)).toEqual([payment]);
      expect(await tx.payments.listByOrders([created.id])).toEqual([payment]);

      await tx.history.append(historyEntry(created.id));
      expect(await tx.history.list('order', created.id)).toEqual([historyEntry(created.id)]);
      const event = outboxRecord();
      await tx.outbox.insert([event]);
      expect(await tx.outbox.count()).toBe(1);
      await tx.outbox.delete([event.id]);
      expect(await tx.outbox.count()).toBe(0);
    });
    expect((await s.orders.get(committed.id))?.state).toBe('confirmed');
    expect(await s.returns.listByOrder(committed.id)).toEqual([ret]);
  });

  it('keeps writes invisible outside a transaction until it commits', async () => {
    const s = storage();
    const existing = orderRecord();
    await s.orders.insert(existing);
    const created = orderRecord({ createdAt: at(1) });
    const written = deferred();
    const release = deferred();
    const tx = s.transaction(async (t) => {
      await t.orders.insert(created);
      await t.orders.update({ ...existing, state: 'confirmed', version: 2 }, 1);
      await t.history.append(historyEntry(created.id));
      await t.outbox.insert([outboxRecord()]);
      written.resolve();
      await release.promise;
    });
    try {
      await Promise.race([written.promise, tx]);
      // An adapter may make outside readers wait for the writer (that is isolation too);
      // what it must never do is show them uncommitted rows.
      const seen = await within(
        Promise.all([
          s.orders.get(created.id),
          s.orders.get(existing.id),
          s.orders.list({ limit: 10 }),
          s.history.list('order', created.id),
          s.outbox.count(),
        ]),
        250,
      );
      if (seen !== PENDING) {
        const [fresh, old, page, history, outbox] = seen;
        expect(fresh).toBeUndefined();
        expect(old).toEqual(existing);
        expect(page.data).toEqual([existing]);
        expect(history).toEqual([]);
        expect(outbox).toBe(0);
      }
    } finally {
      release.resolve();
      await tx;
    }
    expect(await s.orders.get(created.id)).toEqual(created);
    expect((await s.orders.get(existing.id))?.version).toBe(2);
    expect(await s.outbox.count()).toBe(1);
  });
}
