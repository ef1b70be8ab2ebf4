import type { StorageAdapter } from '../../ports/storage.js';
import type { OrderRecord } from '../../schemas/order.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import {
  allPages,
  at,
  historyEntry,
  idsOf,
  insertAll,
  newestFirst,
  orderRecord,
  paymentRecord,
  refundRecord,
  returnRecord,
  scrambled,
} from './fixtures.js';

/**
 * Ten orders: created a minute apart except #4 and #5 (same createdAt, so the id breaks
 * the tie), customers alternating a/b, every third one confirmed, updated 2 min apart.
 */
function tenOrders(): OrderRecord[] {
  return Array.from({ length: 10 }, (_, i) =>
    orderRecord({
      customerId: i % 2 === 0 ? 'cus_a' : 'cus_b',
      state: i % 3 === 0 ? 'confirmed' : 'pending',
      createdAt: at(i === 5 ? 4 : i),
      updatedAt: at(20 + 2 * i),
    }),
  );
}

/** Keyset-paginated lists, filters, per-order lookups, the sweep's query and history. */
export function listCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;
  it('lists orders newest first and walks every page exactly once with keyset cursors', async () => {
    const s = storage();
    const orders = tenOrders();
    await insertAll(scrambled(orders), (o) => s.orders.insert(o));

    const { pages, cursors } = await allPages((cursor) => s.orders.list({ limit: 3, cursor }));
    sameData(
      pages.map((p) => p.length),
      [3, 3, 3, 1],
    );
    assert.equal(
      cursors.slice(0, -1).every((c) => typeof c === 'string'),
      true,
    );
    assert.equal(cursors.at(-1), null);
    sameData(idsOf(pages.flat()), idsOf(newestFirst(orders)));
    sameData(pages.flat(), newestFirst(orders));

    const whole = await s.orders.list({ limit: 100 });
    sameData(whole, { data: newestFirst(orders), nextCursor: null });
    sameData(await s.orders.list({ limit: 5, cursor: cursors.at(-2) ?? undefined }), {
      data: pages.at(-1),
      nextCursor: null,
    });
  });

  it('filters orders by state and customerId, also across pages', async () => {
    const s = storage();
    const orders = tenOrders();
    await insertAll(scrambled(orders), (o) => s.orders.insert(o));
    const expected = (keep: (o: OrderRecord) => boolean) => idsOf(newestFirst(orders.filter(keep)));
    const walk = async (query: { state?: 'confirmed' | 'pending'; customerId?: string }) =>
      idsOf(
        (await allPages((cursor) => s.orders.list({ ...query, limit: 2, cursor }))).pages.flat(),
      );

    sameData(
      await walk({ state: 'confirmed' }),
      expected((o) => o.state === 'confirmed'),
    );
    sameData(
      await walk({ customerId: 'cus_b' }),
      expected((o) => o.customerId === 'cus_b'),
    );
    sameData(
      await walk({ customerId: 'cus_a', state: 'pending' }),
      expected((o) => o.customerId === 'cus_a' && o.state === 'pending'),
    );
    sameData((await s.orders.list({ customerId: 'cus_nobody', limit: 5 })).data, []);
  });

  it('filters orders by createdAfter, createdBefore, updatedAfter and updatedBefore', async () => {
    const s = storage();
    const orders = tenOrders();
    await insertAll(scrambled(orders), (o) => s.orders.insert(o));
    const list = async (query: Record<string, string>) =>
      idsOf(
        (await allPages((cursor) => s.orders.list({ ...query, limit: 2, cursor }))).pages.flat(),
      );
    const expected = (keep: (o: OrderRecord) => boolean) => idsOf(newestFirst(orders.filter(keep)));

    const after = at(2.5);
    const before = at(7.5);
    sameData(
      await list({ createdAfter: after }),
      expected((o) => o.createdAt > after),
    );
    sameData(
      await list({ createdBefore: before }),
      expected((o) => o.createdAt < before),
    );
    sameData(
      await list({ createdAfter: after, createdBefore: before }),
      expected((o) => o.createdAt > after && o.createdAt < before),
    );
    const updated = at(29);
    sameData(
      await list({ updatedBefore: updated }),
      expected((o) => o.updatedAt < updated),
    );
    // updatedAfter is inclusive: the order updated exactly at the bound is kept.
    const since = at(30);
    sameData(
      await list({ updatedAfter: since }),
      expected((o) => o.updatedAt >= since),
    );
    sameData(
      await list({ updatedAfter: since, updatedBefore: updated }),
      expected((o) => o.updatedAt >= since && o.updatedAt < updated),
    );
  });

  it('lists and filters returns by orderId and state, and lists an order’s returns oldest first', async () => {
    const s = storage();
    const [a, b] = [orderRecord(), orderRecord()];
    await s.orders.insert(a);
    await s.orders.insert(b);
    const returns = Array.from({ length: 7 }, (_, i) =>
      returnRecord(i % 2 === 0 ? a.id : b.id, {
        state: i % 3 === 0 ? 'approved' : 'initiated',
        createdAt: at(i === 3 ? 2 : i),
      }),
    );
    await insertAll(scrambled(returns), (r) => s.returns.insert(r));
    const walk = async (query: { orderId?: string; state?: 'approved' }) =>
      idsOf(
        (await allPages((cursor) => s.returns.list({ ...query, limit: 2, cursor }))).pages.flat(),
      );
    const expected = (keep: (r: (typeof returns)[number]) => boolean) =>
      idsOf(newestFirst(returns.filter(keep)));

    sameData(
      await walk({}),
      expected(() => true),
    );
    sameData(
      await walk({ orderId: a.id }),
      expected((r) => r.orderId === a.id),
    );
    sameData(
      await walk({ state: 'approved' }),
      expected((r) => r.state === 'approved'),
    );
    sameData(
      await walk({ orderId: b.id, state: 'approved' }),
      expected((r) => r.orderId === b.id && r.state === 'approved'),
    );
    sameData(
      await s.returns.listByOrder(a.id),
      newestFirst(returns.filter((r) => r.orderId === a.id)).reverse(),
    );
    sameData(await s.returns.listByOrder('ord_without_returns'), []);
  });

  it('reads payments with several refunds by id and by order, each refund list as it was asked for', async () => {
    const s = storage();
    const [a, b] = [orderRecord(), orderRecord()];
    await insertAll([a, b], (o) => s.orders.insert(o));
    // Refunds minted in one order and listed in another, so neither their ids nor their
    // times give the list's order; two payments of `a` with refunds share a creation time.
    const withRefunds = (orderId: string, createdAt: string, times: number[]) => {
      const payment = paymentRecord(orderId, { createdAt, updatedAt: createdAt });
      const minted = times.map((t, i) =>
        refundRecord(payment.id, {
          amount: 100 * (i + 1),
          state: i === 1 ? 'failed' : 'succeeded',
          createdAt: at(t),
          updatedAt: at(t),
        }),
      );
      return { ...payment, refunds: minted.reverse() };
    };
    const ofA = [
      withRefunds(a.id, at(1), [5, 3, 4]),
      withRefunds(a.id, at(3), [10, 11]),
      withRefunds(a.id, at(3), [7, 6]),
      withRefunds(a.id, at(0), [2]),
      withRefunds(a.id, at(6), []),
    ];
    const ofB = [withRefunds(b.id, at(2), [8, 9, 1]), withRefunds(b.id, at(4), [])];
    await insertAll(scrambled([...ofA, ...ofB]), (p) => s.payments.insert(p));
    const oldestFirst = (payments: typeof ofA) => newestFirst(payments).reverse();

    for (const p of [...ofA, ...ofB]) sameData(await s.payments.get(p.id), p);
    const locked = await s.transaction((tx) => tx.payments.get(ofA[0]!.id, { forUpdate: true }));
    sameData(locked, ofA[0]);
    sameData(await s.payments.listByOrder(a.id), oldestFirst(ofA));
    sameData(await s.payments.listByOrder(b.id), oldestFirst(ofB));
    const many = await s.payments.listByOrders([b.id, a.id]);
    sameData(
      many.filter((p) => p.orderId === a.id),
      oldestFirst(ofA),
    );
    sameData(
      many.filter((p) => p.orderId === b.id),
      oldestFirst(ofB),
    );
    assert.equal(many.length, ofA.length + ofB.length);
    // A page of payments: each with its own refunds, never another payment's.
    const page = await s.payments.list({ limit: 20 });
    assert.equal(page.data.length, ofA.length + ofB.length);
    for (const listed of page.data) {
      sameData(
        listed,
        [...ofA, ...ofB].find((p) => p.id === listed.id),
      );
    }
  });

  it('lists payments by order oldest first, for many orders at once, and by state', async () => {
    const s = storage();
    const orders = [orderRecord(), orderRecord(), orderRecord()];
    await insertAll(orders, (o) => s.orders.insert(o));
    const payments = Array.from({ length: 6 }, (_, i) =>
      paymentRecord(orders[i % 3]!.id, {
        state: i < 3 ? 'failed' : 'captured',
        createdAt: at(10 - i),
        refunds: [],
      }),
    );
    await insertAll(scrambled(payments), (p) => s.payments.insert(p));
    const ofOrder = (id: string) => newestFirst(payments.filter((p) => p.orderId === id)).reverse();

    sameData(await s.payments.listByOrder(orders[0]!.id), ofOrder(orders[0]!.id));
    sameData(await s.payments.listByOrder('ord_without_payments'), []);
    const many = await s.payments.listByOrders([orders[0]!.id, orders[2]!.id, orders[0]!.id]);
    sameData(
      idsOf(many).sort(),
      idsOf([...ofOrder(orders[0]!.id), ...ofOrder(orders[2]!.id)]).sort(),
    );
    sameData(await s.payments.listByOrders([]), []);
    const captured = await s.payments.list({ state: 'captured', limit: 10 });
    sameData(captured.data, newestFirst(payments.filter((p) => p.state === 'captured')));
    const ofFirst = await s.payments.list({ orderId: orders[1]!.id, limit: 10 });
    sameData(idsOf(ofFirst.data), idsOf(ofOrder(orders[1]!.id).reverse()));
  });

  it('lists unsettled payments last updated before the cutoff, and no settled ones', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const old = { createdAt: at(0), updatedAt: at(5) };
    const pending = paymentRecord(order.id, { ...old, state: 'pending', capturedAmount: 0 });
    const capturing = paymentRecord(order.id, {
      ...old,
      state: 'authorized',
      capturedAmount: 0,
      pendingCapture: { amount: 5698, requestedAt: at(5) },
    });
    const refunding = paymentRecord(order.id, { ...old, state: 'captured' });
    refunding.refunds = [
      refundRecord(refunding.id, { state: 'succeeded' }),
      refundRecord(refunding.id, { state: 'pending' }),
    ];
    const settled = paymentRecord(order.id, { ...old, state: 'partially_refunded' });
    settled.refunds = [
      refundRecord(settled.id, { state: 'succeeded' }),
      refundRecord(settled.id, { state: 'failed' }),
    ];
    const failed = paymentRecord(order.id, { ...old, state: 'failed', capturedAmount: 0 });
    const recent = paymentRecord(order.id, { state: 'pending', updatedAt: at(15) });
    await insertAll([pending, capturing, refunding, settled, failed, recent], (p) =>
      s.payments.insert(p),
    );

    const found = await s.payments.listUnsettled(at(10), 100);
    sameData(idsOf(found).sort(), idsOf([pending, capturing, refunding]).sort());
    sameData(
      found.find((p) => p.id === refunding.id),
      refunding,
    );
    const limited = await s.payments.listUnsettled(at(10), 2);
    assert.equal(limited.length, 2);
    const unsettled = idsOf([pending, capturing, refunding]);
    for (const id of idsOf(limited)) {
      assert.ok(unsettled.includes(id), `listUnsettled returned ${id}, which is not unsettled`);
    }
    sameData(await s.payments.listUnsettled(at(1), 100), []);

    // Settling the refund takes the payment out of the sweep's list.
    const done = {
      ...refunding,
      refunds: refunding.refunds.map((r) => ({ ...r, state: 'succeeded' as const })),
      version: 2,
    };
    assert.equal(await s.payments.update(done, 1), true);
    sameData(
      idsOf(await s.payments.listUnsettled(at(10), 100)).sort(),
      idsOf([pending, capturing]).sort(),
    );
  });

  it('keeps history entries of each entity in the order they were written', async () => {
    const s = storage();
    const [a, b] = [orderRecord(), orderRecord()];
    const moves = ['pending', 'confirmed', 'processing', 'shipped'];
    const ofA = moves.map((to, i) =>
      historyEntry(a.id, { from: moves[i - 1] ?? null, to, event: `E${i}`, at: at(1) }),
    );
    ofA[1] = { ...ofA[1]!, actor: 'admin@example.com', reason: 'paid by bank transfer' };
    const ofB = [
      historyEntry(b.id, { at: at(0) }),
      historyEntry(b.id, { to: 'cancelled', event: 'CANCEL', from: 'pending', at: at(3) }),
    ];
    const samePayment = historyEntry(a.id, { entity: 'payment', to: 'captured', event: 'CAPTURE' });
    for (const [i, entry] of ofA.entries()) {
      await s.history.append(entry);
      if (ofB[i]) await s.history.append(ofB[i]!);
      if (i === 2) await s.history.append(samePayment);
    }
    sameData(await s.history.list('order', a.id), ofA);
    sameData(await s.history.list('order', b.id), ofB);
    sameData(await s.history.list('payment', a.id), [samePayment]);
    sameData(await s.history.list('return', a.id), []);
  });
}
