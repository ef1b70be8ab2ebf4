import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, isError, sameData, withCode } from './assert.js';
import {
  at,
  deferred,
  historyEntry,
  idempotencyRecord,
  idsOf,
  orderRecord,
  outboxRecord,
  paymentRecord,
  refundRecord,
  returnRecord,
} from './fixtures.js';

const PENDING = Symbol('still pending');

/** Resolves to the value of `promise`, or PENDING if it has not settled within `ms`. */
const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<typeof PENDING>((r) => setTimeout(() => r(PENDING), ms))]);

/** `transaction(fn)`: all or nothing, read-your-writes inside, invisible outside. */
export function transactionCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;
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
    sameData(result, { ok: order.id });
    sameData(await s.orders.get(order.id), order);
    sameData(await s.returns.get(ret.id), ret);
    sameData(await s.payments.get(payment.id), payment);
    sameData(await s.history.list('order', order.id), [historyEntry(order.id)]);
    assert.equal(await s.outbox.count(), 1);
    sameData(await s.idempotency.get(key.scope, key.key), key);
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
      assert.equal(
        await tx.orders.update({ ...existing, state: 'confirmed', version: 2 }, 1),
        true,
      );
      assert.equal(
        await tx.payments.update({ ...payment, state: 'refunded', version: 2 }, 1),
        true,
      );
      await tx.history.append(historyEntry(created.id));
      await tx.history.append(historyEntry(existing.id, { to: 'confirmed', event: 'CONFIRM' }));
      await tx.outbox.insert([outboxRecord(), outboxRecord()]);
      await tx.idempotency.claim(key);
      throw boom;
    });
    await assert.rejects(attempt, isError(boom));

    assert.equal(await s.orders.get(created.id), undefined);
    sameData(await s.orders.get(existing.id), existing);
    sameData(await s.payments.get(payment.id), payment);
    sameData(await s.returns.listByOrder(created.id), []);
    sameData(idsOf((await s.orders.list({ limit: 10 })).data), [existing.id]);
    sameData(await s.history.list('order', created.id), []);
    sameData(await s.history.list('order', existing.id), []);
    assert.equal(await s.outbox.count(), 0);
    assert.equal(await s.idempotency.get(key.scope, key.key), undefined);
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
      sameData(await tx.orders.get(created.id, { forUpdate: true }), created);
      sameData(idsOf((await tx.orders.list({ limit: 10 })).data), [created.id, committed.id]);

      const confirmed = { ...committed, state: 'confirmed' as const, version: 2 };
      assert.equal(await tx.orders.update(confirmed, 1), true);
      sameData(await tx.orders.get(committed.id), confirmed);
      sameData((await tx.orders.list({ state: 'confirmed', limit: 10 })).data, [confirmed]);
      sameData(idsOf((await tx.orders.list({ state: 'pending', limit: 10 })).data), [created.id]);
      // Its own update also moves the version the next update has to name.
      assert.equal(await tx.orders.update({ ...confirmed, version: 3 }, 1), false);

      await tx.returns.insert(ret);
      sameData(await tx.returns.listByOrder(committed.id), [ret]);
      sameData((await tx.returns.list({ orderId: committed.id, limit: 10 })).data, [ret]);
      await tx.payments.insert(payment);
      sameData(await tx.payments.listByOrder(created.id), [payment]);
      sameData(await tx.payments.listByOrders([created.id]), [payment]);

      await tx.history.append(historyEntry(created.id));
      sameData(await tx.history.list('order', created.id), [historyEntry(created.id)]);
      const event = outboxRecord();
      await tx.outbox.insert([event]);
      assert.equal(await tx.outbox.count(), 1);
      await tx.outbox.delete([event.id]);
      assert.equal(await tx.outbox.count(), 0);
    });
    assert.equal((await s.orders.get(committed.id))?.state, 'confirmed');
    sameData(await s.returns.listByOrder(committed.id), [ret]);
  });

  it('keeps writes invisible outside a transaction until it commits', async () => {
    const s = storage();
    const existing = orderRecord();
    await s.orders.insert(existing);
    const created = orderRecord({ createdAt: at(1) });
    const written = deferred();
    const release = deferred();
    // A pooled adapter opens its connections now, so the reads below need no handshake.
    await Promise.all([s.ping(), s.ping(), s.ping(), s.ping(), s.ping()]);
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
      const reads = Promise.all([
        s.orders.get(created.id),
        s.orders.get(existing.id),
        s.orders.list({ limit: 10 }),
        s.history.list('order', created.id),
        s.outbox.count(),
      ]);
      // An adapter may make outside readers wait for the writer (SQLite's one connection
      // does: that is isolation too); what it must never do is show them uncommitted rows.
      // Readers that do not wait answer well within a second.
      const seen = await within(reads, 1_000);
      if (seen !== PENDING) {
        const [fresh, old, page, history, outbox] = seen;
        assert.equal(fresh, undefined);
        sameData(old, existing);
        sameData(page.data, [existing]);
        sameData(history, []);
        assert.equal(outbox, 0);
      } else {
        // The readers waited while the writer held its transaction open: released, they
        // must be answered with everything it committed, never a part of it.
        release.resolve();
        const [fresh, old, page, history, outbox] = await reads;
        sameData(fresh, created);
        assert.equal(old?.version, 2);
        assert.equal(page.data.length, 2);
        sameData(history, [historyEntry(created.id)]);
        assert.equal(outbox, 1);
      }
    } finally {
      release.resolve();
      await tx;
    }
    sameData(await s.orders.get(created.id), created);
    assert.equal((await s.orders.get(existing.id))?.version, 2);
    assert.equal(await s.outbox.count(), 1);
  });
  it('gives a payment locked after waiting for its lock with the refunds the holder wrote', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const payment = paymentRecord(order.id);
    await s.payments.insert(payment);
    await Promise.all([s.ping(), s.ping(), s.ping()]);
    const locked = deferred();
    const release = deferred();
    const refund = refundRecord(payment.id, { amount: 700 });
    const holder = s.transaction(async (tx) => {
      const current = await tx.payments.get(payment.id, { forUpdate: true });
      locked.resolve();
      await release.promise;
      const refunded = { ...current!, refunds: [refund], refundedAmount: 700, version: 2 };
      assert.equal(await tx.payments.update(refunded, 1), true);
    });
    try {
      await locked.promise;
      const waiter = s.transaction((tx) => tx.payments.get(payment.id, { forUpdate: true }));
      // It must wait for the lock (every adapter serializes this), then see what was committed.
      assert.equal(await within(waiter, 200), PENDING);
      release.resolve();
      await holder;
      const seen = await waiter;
      assert.equal(seen?.version, 2);
      assert.equal(seen?.refundedAmount, 700);
      sameData(seen?.refunds, [refund]);
    } finally {
      release.resolve();
      await holder;
    }
  });

  it('writes the orders and returns a command log carries, updates at their expected version, or none of the log', async () => {
    const s = storage();
    const existing = orderRecord();
    const ret = returnRecord(existing.id);
    await s.orders.insert(existing);
    await s.returns.insert(ret);
    // Only stores that say so take orders and returns in the log (else the core writes them).
    const inLog = await s.transaction(async (tx) => tx.entityWritesInLog === true);
    if (!inLog) return;
    const created = orderRecord();
    const confirmed = { ...existing, state: 'confirmed' as const, version: 2, updatedAt: at(5) };
    const approved = { ...ret, state: 'approved' as const, version: 2, updatedAt: at(5) };
    const entry = historyEntry(existing.id);
    const log = (staleReturn: boolean) => ({
      history: [entry],
      movements: [],
      events: [],
      deletedOutbox: [],
      entities: [
        { entity: 'order' as const, record: created },
        { entity: 'order' as const, record: confirmed, expectedVersion: 1 },
        { entity: 'return' as const, record: approved, expectedVersion: staleReturn ? 7 : 1 },
      ],
    });

    await assert.rejects(
      s.transaction(async (tx) => tx.appendLog!(log(true))),
      (error: unknown) => {
        withCode('concurrency_conflict')(error);
        const details = (error as { details?: { entity?: unknown; id?: unknown } }).details;
        assert.deepEqual([details?.entity, details?.id], ['return', ret.id]);
        return true;
      },
    );
    assert.equal(await s.orders.get(created.id), undefined);
    sameData(await s.orders.get(existing.id), existing);
    sameData(await s.returns.get(ret.id), ret);
    sameData(await s.history.list('order', existing.id), []);

    await s.transaction(async (tx) => tx.appendLog!(log(false)));
    sameData(await s.orders.get(created.id), created);
    sameData(await s.orders.get(existing.id), confirmed);
    sameData(await s.returns.get(ret.id), approved);
    sameData(await s.history.list('order', existing.id), [entry]);
  });

  it('writes the payments a command log carries with their refunds, a new one after its new order, or none of the log', async () => {
    const s = storage();
    const existingOrder = orderRecord();
    const existing = paymentRecord(existingOrder.id);
    const first = refundRecord(existing.id, { state: 'pending', amount: 300 });
    await s.orders.insert(existingOrder);
    await s.payments.insert({ ...existing, refunds: [first] });
    // Only stores that say so take payments in the log (else the core writes them).
    const inLog = await s.transaction(async (tx) => tx.paymentWritesInLog === true);
    if (!inLog) return;
    const order = orderRecord();
    const created = paymentRecord(order.id);
    const createdRefund = refundRecord(created.id, { state: 'pending', amount: 100 });
    const settled = { ...first, state: 'succeeded' as const, updatedAt: at(2) };
    const second = refundRecord(existing.id, { state: 'pending', amount: 200, createdAt: at(2) });
    const changed = {
      ...existing,
      state: 'partially_refunded' as const,
      refundedAmount: 300,
      refunds: [settled, second],
      version: 2,
      updatedAt: at(2),
    };
    const log = (stale: boolean) => ({
      history: [historyEntry(order.id)],
      movements: [],
      events: [],
      deletedOutbox: [],
      entities: [
        { entity: 'order' as const, record: order },
        { entity: 'payment' as const, record: { ...created, refunds: [createdRefund] } },
        { entity: 'payment' as const, record: changed, expectedVersion: stale ? 4 : 1 },
      ],
    });

    await assert.rejects(
      s.transaction(async (tx) => tx.appendLog!(log(true))),
      (error: unknown) => {
        withCode('concurrency_conflict')(error);
        const details = (error as { details?: { entity?: unknown; id?: unknown } }).details;
        assert.deepEqual([details?.entity, details?.id], ['payment', existing.id]);
        return true;
      },
    );
    assert.equal(await s.orders.get(order.id), undefined);
    assert.equal(await s.payments.get(created.id), undefined);
    sameData(await s.payments.get(existing.id), { ...existing, refunds: [first] });

    await s.transaction(async (tx) => tx.appendLog!(log(false)));
    sameData(await s.orders.get(order.id), order);
    sameData(await s.payments.get(created.id), { ...created, refunds: [createdRefund] });
    sameData(await s.payments.get(existing.id), changed);
  });
}
