import { expect, it } from 'vitest';
import type { StorageAdapter } from '../../ports/storage.js';
import type { OrderRecord } from '../../schemas/order.js';
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
export function listCases(storage: () => StorageAdapter): void {
  it('lists orders newest first and walks every page exactly once with keyset cursors', async () => {
    const s = storage();
    const orders = tenOrders();
    await insertAll(scrambled(orders), (o) => s.orders.insert(o));

    const { pages, cursors } = await allPages((cursor) => s.orders.list({ limit: 3, cursor }));
    expect(pages.map((p) => p.length)).toEqual([3, 3, 3, 1]);
    expect(cursors.slice(0, -1).every((c) => typeof c === 'string')).toBe(true);
    expect(cursors.at(-1)).toBeNull();
    expect(idsOf(pages.flat())).toEqual(idsOf(newestFirst(orders)));
    expect(pages.flat()).toEqual(newestFirst(orders));

    const whole = await s.orders.list({ limit: 100 });
    expect(whole).toEqual({ data: newestFirst(orders), nextCursor: null });
    expect(await s.orders.list({ limit: 5, cursor: cursors.at(-2) ?? undefined })).toEqual({
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
      idsOf((await allPages((cursor) => s.orders.list({ ...query, limit: 2, cursor }))).pages.flat());

    expect(await walk({ state: 'confirmed' })).toEqual(expected((o) => o.state === 'confirmed'));
    expect(await walk({ customerId: 'cus_b' })).toEqual(expected((o) => o.customerId === 'cus_b'));
    expect(await walk({ customerId: 'cus_a', state: 'pending' })).toEqual(
      expected((o) => o.customerId === 'cus_a' && o.state === 'pending'),
    );
    expect((await s.orders.list({ customerId: 'cus_nobody', limit: 5 })).data).toEqual([]);
  });

  it('filters orders by createdAfter, createdBefore and updatedBefore', async () => {
    const s = storage();
    const orders = tenOrders();
    await insertAll(scrambled(orders), (o) => s.orders.insert(o));
    const list = async (query: Record<string, string>) =>
      idsOf((await allPages((cursor) => s.orders.list({ ...query, limit: 2, cursor }))).pages.flat());
    const expected = (keep: (o: OrderRecord) => boolean) => idsOf(newestFirst(orders.filter(keep)));

    const after = at(2.5);
    const before = at(7.5);
    expect(await list({ createdAfter: after })).toEqual(expected((o) => o.createdAt > after));
    expect(await list({ createdBefore: before })).toEqual(expected((o) => o.createdAt < before));
    expect(await list({ createdAfter: after, createdBefore: before })).toEqual(
      expected((o) => o.createdAt > after && o.createdAt < before),
    );
    const updated = at(29);
    expect(await list({ updatedBefore: updated })).toEqual(expected((o) => o.updatedAt < updated));
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
      idsOf((await allPages((cursor) => s.returns.list({ ...query, limit: 2, cursor }))).pages.flat());
    const expected = (keep: (r: (typeof returns)[number]) => boolean) =>
      idsOf(newestFirst(returns.filter(keep)));

    expect(await walk({})).toEqual(expected(() => true));
    expect(await walk({ orderId: a.id })).toEqual(expected((r) => r.orderId === a.id));
    expect(await walk({ state: 'approved' })).toEqual(expected((r) => r.state === 'approved'));
    expect(await walk({ orderId: b.id, state: 'approved' })).toEqual(
      expected((r) => r.orderId === b.id && r.state === 'approved'),
    );
    expect(await s.returns.listByOrder(a.id)).toEqual(
      newestFirst(returns.filter((r) => r.orderId === a.id)).reverse(),
    );
    expect(await s.returns.listByOrder('ord_without_returns')).toEqual([]);
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

    expect(await s.payments.listByOrder(orders[0]!.id)).toEqual(ofOrder(orders[0]!.id));
    expect(await s.payments.listByOrder('ord_without_payments')).toEqual([]);
    const many = await s.payments.listByOrders([orders[0]!.id, orders[2]!.id, orders[0]!.id]);
    expect(idsOf(many).sort()).toEqual(
      idsOf([...ofOrder(orders[0]!.id), ...ofOrder(orders[2]!.id)]).sort(),
    );
    expect(await s.payments.listByOrders([])).toEqual([]);
    const captured = await s.payments.list({ state: 'captured', limit: 10 });
    expect(captured.data).toEqual(newestFirst(payments.filter((p) => p.state === 'captured')));
    const ofFirst = await s.payments.list({ orderId: orders[1]!.id, limit: 10 });
    expect(idsOf(ofFirst.data)).toEqual(idsOf(ofOrder(orders[1]!.id).reverse()));
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
    expect(idsOf(found).sort()).toEqual(idsOf([pending, capturing, refunding]).sort());
    expect(found.find((p) => p.id === refunding.id)).toEqual(refunding);
    const limited = await s.payments.listUnsettled(at(10), 2);
    expect(limited).toHaveLength(2);
    expect(idsOf([pending, capturing, refunding])).toEqual(expect.arrayContaining(idsOf(limited)));
    expect(await s.payments.listUnsettled(at(1), 100)).toEqual([]);

    // Settling the refund takes the payment out of the sweep's list.
    const done = { ...refunding, refunds: refunding.refunds.map((r) => ({ ...r, state: 'succeeded' as const })), version: 2 };
    expect(await s.payments.update(done, 1)).toBe(true);
    expect(idsOf(await s.payments.listUnsettled(at(10), 100)).sort()).toEqual(
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
    const ofB = [historyEntry(b.id, { at: at(0) }), historyEntry(b.id, { to: 'cancelled', event: 'CANCEL', from: 'pending', at: at(3) })];
    const samePayment = historyEntry(a.id, { entity: 'payment', to: 'captured', event: 'CAPTURE' });
    for (const [i, entry] of ofA.entries()) {
      await s.history.append(entry);
      if (ofB[i]) await s.history.append(ofB[i]!);
      if (i === 2) await s.history.append(samePayment);
    }
    expect(await s.history.list('order', a.id)).toEqual(ofA);
    expect(await s.history.list('order', b.id)).toEqual(ofB);
    expect(await s.history.list('payment', a.id)).toEqual([samePayment]);
    expect(await s.history.list('return', a.id)).toEqual([]);
  });
}
