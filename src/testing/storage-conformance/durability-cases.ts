import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import {
  at,
  deferred,
  historyEntry,
  idempotencyRecord,
  orderRecord,
  outboxRecord,
  paymentRecord,
  refundRecord,
  returnRecord,
} from './fixtures.js';
import type { ReopenableStorageFactory } from './types.js';

/** Registered only when the adapter can open the same data again (`options.reopen`). */
export function durabilityCases(test: TestApi, factory: ReopenableStorageFactory): void {
  const { it } = test;
  it('keeps its data after close and reopen', async () => {
    const { storage, reopen, cleanup } = await factory();
    let open: StorageAdapter | undefined = storage;
    try {
      await storage.migrate();
      const order = orderRecord({ state: 'delivered', deliveredAt: at(3) });
      const ret = returnRecord(order.id);
      const payment = paymentRecord(order.id);
      payment.refunds = [refundRecord(payment.id, { returnId: ret.id, state: 'pending' })];
      const entries = [
        historyEntry(order.id),
        historyEntry(order.id, { to: 'confirmed', event: 'CONFIRM' }),
      ];
      const event = outboxRecord();
      const key = idempotencyRecord();
      await storage.transaction(async (tx) => {
        await tx.orders.insert(order);
        await tx.returns.insert(ret);
        await tx.payments.insert(payment);
        for (const entry of entries) await tx.history.append(entry);
        await tx.outbox.insert([event]);
        await tx.idempotency.claim(key);
      });
      await storage.close();
      open = undefined;

      open = await reopen();
      await open.migrate();
      sameData(await open.orders.get(order.id), order);
      sameData(await open.returns.get(ret.id), ret);
      sameData(await open.payments.get(payment.id), payment);
      sameData(await open.payments.listUnsettled(at(60), 10), [payment]);
      sameData(await open.history.list('order', order.id), entries);
      sameData(await open.outbox.claim(at(1), at(2), 10), [
        { ...event, availableAt: at(2), attempts: 1 },
      ]);
      sameData(await open.idempotency.get(key.scope, key.key), key);
      sameData((await open.orders.list({ limit: 10 })).data, [order]);
    } finally {
      await open?.close();
      await cleanup?.();
    }
  });

  it("keeps a transaction's writes invisible to a second connection until it commits", async () => {
    const { storage, reopen, cleanup } = await factory();
    const opened: StorageAdapter[] = [storage];
    const release = deferred();
    try {
      await storage.migrate();
      const existing = orderRecord();
      await storage.orders.insert(existing);
      const other = await reopen();
      opened.push(other);
      const created = orderRecord({ createdAt: at(1) });
      const written = deferred();
      const tx = storage.transaction(async (t) => {
        await t.orders.insert(created);
        await t.orders.update({ ...existing, state: 'confirmed', version: 2 }, 1);
        await t.outbox.insert([outboxRecord()]);
        written.resolve();
        await release.promise;
      });
      await Promise.race([written.promise, tx]);
      // Another process's connection reads the last committed data while the writer holds
      // its transaction open (Postgres READ COMMITTED, SQLite WAL snapshots).
      assert.equal(await other.orders.get(created.id), undefined);
      sameData(await other.orders.get(existing.id), existing);
      sameData((await other.orders.list({ limit: 10 })).data, [existing]);
      assert.equal(await other.outbox.count(), 0);
      release.resolve();
      await tx;
      sameData(await other.orders.get(created.id), created);
      assert.equal((await other.orders.get(existing.id))?.version, 2);
      assert.equal(await other.outbox.count(), 1);
    } finally {
      release.resolve();
      for (const s of opened.reverse()) await s.close();
      await cleanup?.();
    }
  });
}
