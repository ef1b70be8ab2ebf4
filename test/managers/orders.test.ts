import type {
  CommandLog,
  Order,
  OrderRepository,
  StateChangedPayload,
  StorageAdapter,
} from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testStorage, testSystem } from './setup.js';

afterEach(closeSystems);

/** Walks an order by target state, one step at a time. */
async function moveTo(
  oms: Awaited<ReturnType<typeof testSystem>>['oms'],
  id: string,
  states: Order['state'][],
): Promise<Order> {
  let order = await oms.orders.get(id);
  for (const state of states) order = await oms.orders.transition(id, { state });
  return order;
}

describe('orders.create', () => {
  it('computes line totals, subtotal and total = subtotal + shipping + tax − discount', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(
      orderInput({ shippingTotal: 500, taxTotal: 300, discountTotal: 200 }),
    );

    expect(order.items.map((i) => i.lineTotal)).toEqual([3998, 1200]);
    expect(order.subtotal).toBe(5198);
    expect(order).toMatchObject({ shippingTotal: 500, taxTotal: 300, discountTotal: 200 });
    expect(order.total).toBe(5198 + 500 + 300 - 200);
    expect(order).toMatchObject({ state: 'pending', version: 1, paidTotal: 0, refundedTotal: 0 });
    expect(order.id).toMatch(/^ord_/);
    expect(order.items.every((i) => i.id.startsWith('oli_') && i.returnable)).toBe(true);
    expect(await oms.orders.get(order.id)).toEqual(order);
  });

  it('keeps the shipping address it was created with', async () => {
    const { oms } = await testSystem();
    const shippingAddress = {
      line1: '1 Main St',
      city: 'Springfield',
      postalCode: '12345',
      country: 'US',
    };
    const order = await oms.orders.create(orderInput({ shippingAddress }));
    expect(order.shippingAddress).toEqual(shippingAddress);
    expect((await oms.orders.get(order.id)).shippingAddress).toEqual(shippingAddress);
  });

  it('refuses a total given in the input instead of trusting it', async () => {
    const { oms } = await testSystem();
    const input = { ...orderInput(), total: 1, subtotal: 1 };

    await expect(oms.orders.create(input)).rejects.toMatchObject({
      code: 'validation_error',
      details: {
        issues: [
          expect.objectContaining({ code: 'unrecognized_keys', path: ['total'] }),
          expect.objectContaining({ code: 'unrecognized_keys', path: ['subtotal'] }),
        ],
      },
    });
    expect((await oms.orders.list()).data).toEqual([]);
  });

  it('refuses a line total given in the input, naming the line and the field', async () => {
    const { oms } = await testSystem();
    const input = orderInput();
    const items = [input.items[0]!, { ...input.items[1]!, lineTotal: 1 }];

    await expect(oms.orders.create({ ...input, items })).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['items', 1, 'lineTotal'] })] },
    });
  });

  it('reports every invalid field with its zod path and writes nothing', async () => {
    const { oms } = await testSystem();
    const input = orderInput({
      currency: 'usd',
      items: [
        { sku: 'A', name: 'A', quantity: 1, unitPrice: 100 },
        { sku: 'B', name: 'B', quantity: 0, unitPrice: 19.99 },
      ],
    });

    const error = await oms.orders.create(input).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'validation_error', name: 'ValidationError' });
    const paths = (error as { details: { issues: { path: unknown[] }[] } }).details.issues.map(
      (i) => i.path.join('.'),
    );
    expect(paths).toEqual(
      expect.arrayContaining(['currency', 'items.1.quantity', 'items.1.unitPrice']),
    );
    expect((await oms.orders.list()).data).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('refuses an order without lines', async () => {
    const { oms } = await testSystem();
    await expect(oms.orders.create(orderInput({ items: [] }))).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['items'] })] },
    });
  });

  it('refuses a discount larger than subtotal plus shipping', async () => {
    const { oms } = await testSystem();
    await expect(
      oms.orders.create(orderInput({ shippingTotal: 0, discountTotal: 5199 })),
    ).rejects.toMatchObject({
      code: 'discount_exceeds_subtotal',
      details: { discountTotal: 5199, subtotal: 5198 },
    });
    expect((await oms.orders.list()).data).toEqual([]);
  });
});

describe('orders.get and orders.list', () => {
  it('fails with not_found for an unknown id', async () => {
    const { oms } = await testSystem();
    const missing = 'ord_0000000000000000000000000';
    await expect(oms.orders.get(missing)).rejects.toMatchObject({
      code: 'not_found',
      details: { entity: 'order', id: missing },
    });
    await expect(oms.orders.transition(missing, { state: 'confirmed' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(oms.orders.cancel(missing)).rejects.toMatchObject({ code: 'not_found' });
    await expect(oms.orders.history(missing)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists each order with the totals of its own payments, as orders.get shows it', async () => {
    const { oms } = await testSystem();
    const paid = await oms.orders.create(orderInput());
    const shipped = await oms.orders.create(orderInput());
    const untouched = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: paid.id, paymentMethod: { token: 'tok_visa' } });
    await oms.orders.transition(shipped.id, { state: 'confirmed' });
    await oms.shipments.create(shipped.id, {
      items: [{ orderItemId: shipped.items[0]!.id, quantity: 1 }],
    });

    const listed = await oms.orders.list();

    expect(listed.data.map((o) => o.id).sort()).toEqual([paid.id, shipped.id, untouched.id].sort());
    for (const order of listed.data) expect(order).toEqual(await oms.orders.get(order.id));
    const byId = new Map(listed.data.map((o) => [o.id, o]));
    expect(byId.get(paid.id)).toMatchObject({ paidTotal: paid.total, balanceDue: 0 });
    expect(byId.get(shipped.id)).toMatchObject({ paidTotal: 0, balanceDue: shipped.total });
    expect(byId.get(untouched.id)).toMatchObject({
      paidTotal: 0,
      fulfillmentStatus: 'unfulfilled',
    });
  });

  it('lists newest first, filtered by customer and state, paged by cursor', async () => {
    const { oms, clock } = await testSystem();
    const ids: Record<string, string[]> = { c_a: [], c_b: [] };
    for (const customerId of ['c_a', 'c_b', 'c_a', 'c_a', 'c_b', 'c_a', 'c_a']) {
      clock.advance(1_000);
      ids[customerId]!.push((await oms.orders.create(orderInput({ customerId }))).id);
    }
    const newestFirstA = [...ids.c_a!].reverse();

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await oms.orders.list({
        customerId: 'c_a',
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      pages++;
      expect(page.data.length).toBeLessThanOrEqual(2);
      expect(page.data.every((o) => o.customerId === 'c_a')).toBe(true);
      seen.push(...page.data.map((o) => o.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(newestFirstA);
    expect(pages).toBe(3);

    await oms.orders.transition(ids.c_a![1]!, { state: 'confirmed' });
    await oms.orders.transition(ids.c_b![0]!, { state: 'confirmed' });
    const confirmedA = await oms.orders.list({ customerId: 'c_a', state: 'confirmed' });
    expect(confirmedA.data.map((o) => o.id)).toEqual([ids.c_a![1]]);
    expect(confirmedA.nextCursor).toBeNull();
    const confirmed = await oms.orders.list({ state: 'confirmed' });
    expect(confirmed.data.map((o) => o.id).sort()).toEqual([ids.c_a![1], ids.c_b![0]].sort());
  });

  it('filters by creation time: createdAfter inclusive, createdBefore exclusive', async () => {
    const { oms, clock } = await testSystem();
    const created: { id: string; at: string }[] = [];
    for (let n = 0; n < 3; n++) {
      clock.advance(60_000);
      const order = await oms.orders.create(orderInput());
      created.push({ id: order.id, at: order.createdAt });
    }
    const [t1, t2, t3] = created;

    const after = await oms.orders.list({ createdAfter: t2!.at });
    const before = await oms.orders.list({ createdBefore: t2!.at });

    expect(after.data.map((o) => o.id)).toEqual([t3!.id, t2!.id]);
    expect(before.data.map((o) => o.id)).toEqual([t1!.id]);
  });

  it('rejects a malformed list query or cursor as a validation error', async () => {
    const { oms } = await testSystem();
    await expect(oms.orders.list({ limit: 0 })).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['limit'] })] },
    });
    await expect(oms.orders.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'validation_error',
      details: { issues: [expect.objectContaining({ path: ['cursor'] })] },
    });
  });
});

describe('orders.transition', () => {
  it('maps a target state to the one event that leads there', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    const confirmed = await oms.orders.transition(order.id, { state: 'confirmed' });

    expect(confirmed).toMatchObject({ state: 'confirmed', version: 2 });
    const history = await oms.orders.history(order.id);
    expect(history.at(-1)).toMatchObject({ from: 'pending', to: 'confirmed', event: 'CONFIRM' });
  });

  it('applies a machine event', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    const confirmed = await oms.orders.transition(order.id, { event: 'CONFIRM' });
    const processing = await oms.orders.transition(order.id, { event: 'PROCESS' });

    expect(confirmed.state).toBe('confirmed');
    expect(processing).toMatchObject({ state: 'processing', version: 3 });
  });

  it('refuses a state the machine cannot reach now, listing the reachable ones', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    const error = await oms.orders.transition(order.id, { state: 'shipped' }).catch((e) => e);

    expect(error).toMatchObject({
      code: 'invalid_transition',
      details: { from: 'pending', requested: 'shipped' },
    });
    expect([...error.details.allowed].sort()).toEqual(['cancelled', 'confirmed']);
    expect(await oms.orders.get(order.id)).toMatchObject({ state: 'pending', version: 1 });
  });

  it('refuses an unknown state name as a validation error', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await expect(
      oms.orders.transition(order.id, { state: 'teleported' } as never),
    ).rejects.toMatchObject({ code: 'validation_error' });
  });

  it('fails a transition whose versioned write finds the row changed, and commits nothing', async () => {
    // As if another writer had changed the row between this command's read and its write.
    const base = await testStorage();
    let refuseWrites = false;
    const storage: StorageAdapter = {
      ...base,
      transaction: (fn) =>
        base.transaction((tx) => {
          const orders: OrderRepository = {
            get: (id, options) => tx.orders.get(id, options),
            insert: (order) => tx.orders.insert(order),
            update: async (order, expected) => !refuseWrites && tx.orders.update(order, expected),
            list: (query) => tx.orders.list(query),
          };
          // A store that writes the order with the command's log checks its version there.
          const appendLog =
            tx.appendLog &&
            ((log: CommandLog) =>
              tx.appendLog!(
                refuseWrites
                  ? {
                      ...log,
                      entities: log.entities?.map((w) =>
                        w.expectedVersion === undefined
                          ? w
                          : { ...w, expectedVersion: w.expectedVersion + 1 },
                      ),
                    }
                  : log,
              ));
          return fn(
            Object.create(tx, { orders: { value: orders }, appendLog: { value: appendLog } }),
          );
        }),
    };
    const { oms } = await testSystem({ storage });
    const order = await oms.orders.create(orderInput());
    await oms.idle();

    refuseWrites = true;
    await expect(oms.orders.transition(order.id, { state: 'confirmed' })).rejects.toMatchObject({
      code: 'concurrency_conflict',
      details: { entity: 'order', id: order.id },
    });

    expect(await oms.orders.get(order.id)).toEqual(order);
    expect(await oms.orders.history(order.id)).toHaveLength(1);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('lets only one of two racing transitions with the same expectedVersion win', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());

    const results = await Promise.allSettled([
      oms.orders.transition(order.id, { state: 'confirmed' }, { expectedVersion: 1 }),
      oms.orders.transition(order.id, { state: 'cancelled' }, { expectedVersion: 1 }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({
      reason: { code: 'concurrency_conflict' },
    });
    const after = await oms.orders.get(order.id);
    expect(after.version).toBe(2);
    expect(await oms.orders.history(order.id)).toHaveLength(2);
  });

  it('refuses an event the machine does not allow now', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await moveTo(oms, order.id, ['confirmed', 'processing', 'shipped']);

    const error = await oms.orders.transition(order.id, { event: 'CANCEL' }).catch((e) => e);

    expect(error).toMatchObject({
      code: 'invalid_transition',
      details: { allowed: ['delivered'] },
    });
  });

  it('refuses `returned` for a delivered order with nothing returned', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await moveTo(oms, order.id, ['confirmed', 'processing', 'shipped', 'delivered']);

    await expect(oms.orders.transition(order.id, { state: 'returned' })).rejects.toMatchObject({
      code: 'invalid_transition',
      details: { allowed: [] },
    });
  });

  it('treats a request for the current state as a no-op: same version, no history, no event', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const confirmed = await oms.orders.transition(order.id, { state: 'confirmed' });
    const historyBefore = await oms.orders.history(order.id);
    const events: unknown[] = [];
    oms.events.on('order.state_changed', (e) => events.push(e));

    const again = await oms.orders.transition(
      order.id,
      { state: 'confirmed' },
      { expectedVersion: confirmed.version },
    );

    expect(again).toEqual(confirmed);
    expect(await oms.orders.history(order.id)).toEqual(historyBefore);
    await oms.idle();
    expect(events).toEqual([]);
  });

  it('fails a same-state request with concurrency_conflict when expectedVersion is stale', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await oms.orders.transition(order.id, { state: 'confirmed' });

    await expect(
      oms.orders.transition(order.id, { state: 'confirmed' }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({
      code: 'concurrency_conflict',
      details: { expectedVersion: 1, actualVersion: 2 },
    });
  });

  it('fails a move with concurrency_conflict when expectedVersion is stale and changes nothing', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await oms.orders.transition(order.id, { state: 'confirmed' });

    await expect(
      oms.orders.transition(order.id, { state: 'cancelled' }, { expectedVersion: 1 }),
    ).rejects.toMatchObject({ code: 'concurrency_conflict' });
    expect(await oms.orders.get(order.id)).toMatchObject({ state: 'confirmed', version: 2 });
  });

  it('ships every unit as one shipment with the carrier and tracking number given with SHIP', async () => {
    const { oms } = await testSystem();
    const a = await oms.orders.create(orderInput());
    const b = await oms.orders.create(orderInput());
    await moveTo(oms, a.id, ['confirmed', 'processing']);
    await moveTo(oms, b.id, ['confirmed', 'processing']);

    const byState = await oms.orders.transition(a.id, {
      state: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
    });
    const byEvent = await oms.orders.transition(b.id, { event: 'SHIP', carrier: 'DHL' });

    expect(byState).toMatchObject({ state: 'shipped', fulfillmentStatus: 'shipped' });
    expect(byState.items.map((i) => i.shippedQuantity)).toEqual(a.items.map((i) => i.quantity));
    const [shipment, ...others] = await oms.shipments.listByOrder(a.id);
    expect(others).toEqual([]);
    expect(shipment).toMatchObject({
      state: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      items: a.items.map((i) => ({ orderItemId: i.id, quantity: i.quantity })),
    });
    expect(byEvent).toMatchObject({ state: 'shipped' });
    expect(await oms.shipments.listByOrder(b.id)).toMatchObject([{ carrier: 'DHL' }]);
  });

  it('records when the order was delivered', async () => {
    const { oms, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    await moveTo(oms, order.id, ['confirmed', 'processing', 'shipped']);
    clock.advance(3_600_000);

    const delivered = await oms.orders.transition(order.id, { state: 'delivered' });

    expect(delivered.deliveredAt).toBe(new Date(clock.now()).toISOString());
  });
});

describe('orders.cancel', () => {
  it('cancels with a reason kept on the order, in history and in the event', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const events: StateChangedPayload<Order>[] = [];
    oms.events.on('order.state_changed', (e) => events.push(e));

    const cancelled = await oms.orders.cancel(order.id, { reason: 'customer changed mind' });

    expect(cancelled).toMatchObject({
      state: 'cancelled',
      cancellationReason: 'customer changed mind',
      version: 2,
    });
    expect((await oms.orders.history(order.id)).at(-1)).toMatchObject({
      from: 'pending',
      to: 'cancelled',
      event: 'CANCEL',
      reason: 'customer changed mind',
    });
    expect(events).toEqual([
      expect.objectContaining({ to: 'cancelled', reason: 'customer changed mind' }),
    ]);
  });

  it('is a no-op on an order already cancelled and refused once shipped', async () => {
    const { oms } = await testSystem();
    const a = await oms.orders.create(orderInput());
    const cancelled = await oms.orders.cancel(a.id);
    expect(await oms.orders.cancel(a.id)).toEqual(cancelled);

    const b = await oms.orders.create(orderInput());
    await moveTo(oms, b.id, ['confirmed', 'processing', 'shipped']);
    await expect(oms.orders.cancel(b.id)).rejects.toMatchObject({ code: 'invalid_transition' });
  });
});

describe('orders.history', () => {
  it('lists every change, oldest first, with actor and reason', async () => {
    const { oms, clock } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const createdAt = new Date(clock.now()).toISOString();
    clock.advance(1_000);
    await oms.orders.transition(
      order.id,
      { state: 'confirmed' },
      { actor: 'ops@example.com', reason: 'phone order' },
    );
    await oms.orders.transition(order.id, { state: 'processing' }, { actor: 'warehouse' });
    await oms.orders.cancel(order.id, { reason: 'out of stock' }, { actor: 'ops@example.com' });

    const history = await oms.orders.history(order.id);

    expect(history).toEqual([
      {
        entity: 'order',
        entityId: order.id,
        from: null,
        to: 'pending',
        event: 'CREATE',
        at: createdAt,
      },
      expect.objectContaining({
        from: 'pending',
        to: 'confirmed',
        event: 'CONFIRM',
        actor: 'ops@example.com',
        reason: 'phone order',
        at: new Date(clock.now()).toISOString(),
      }),
      expect.objectContaining({ from: 'confirmed', to: 'processing', actor: 'warehouse' }),
      expect.objectContaining({
        from: 'processing',
        to: 'cancelled',
        event: 'CANCEL',
        actor: 'ops@example.com',
        reason: 'out of stock',
      }),
    ]);
    expect(history[2]).not.toHaveProperty('reason');
  });
});

describe('order events', () => {
  it('emits order.created and order.state_changed with { id, from, to, event, at, entity } after commit', async () => {
    const { oms, clock } = await testSystem();
    const created: unknown[] = [];
    const changed: StateChangedPayload<Order>[] = [];
    const readInListener: Promise<Order>[] = [];
    oms.events.on('order.created', (e) => created.push(e));
    oms.events.on('order.state_changed', (e) => {
      changed.push(e);
      // What a listener reads is already committed.
      readInListener.push(oms.orders.get(e.id));
    });

    const order = await oms.orders.create(orderInput());
    clock.advance(5_000);
    const confirmed = await oms.orders.transition(order.id, { state: 'confirmed' });

    expect(created).toEqual([{ id: order.id, at: order.createdAt, entity: order }]);
    expect(changed).toEqual([
      {
        id: order.id,
        from: 'pending',
        to: 'confirmed',
        event: 'CONFIRM',
        at: new Date(clock.now()).toISOString(),
        entity: confirmed,
      },
    ]);
    expect(await Promise.all(readInListener)).toEqual([confirmed]);
  });

  it('carries the actor and reason of a change in order.state_changed', async () => {
    const { oms } = await testSystem();
    const changed: StateChangedPayload<Order>[] = [];
    oms.events.on('order.state_changed', (e) => changed.push(e));
    const order = await oms.orders.create(orderInput());

    await oms.orders.transition(order.id, { state: 'confirmed' });
    await oms.orders.cancel(order.id, { reason: 'out of stock' }, { actor: 'ops@example.com' });

    expect(changed.map(({ to, actor, reason }) => ({ to, actor, reason }))).toEqual([
      { to: 'confirmed', actor: undefined, reason: undefined },
      { to: 'cancelled', actor: 'ops@example.com', reason: 'out of stock' },
    ]);
    expect(changed[0]).not.toHaveProperty('actor');
  });

  it('stops calling a listener removed with off()', async () => {
    const { oms } = await testSystem();
    const seen: string[] = [];
    const listener = (e: { id: string }) => seen.push(e.id);
    oms.events.on('order.created', listener);
    const first = await oms.orders.create(orderInput());

    oms.events.off('order.created', listener);
    await oms.orders.create(orderInput());

    expect(seen).toEqual([first.id]);
  });

  it('emits nothing for a command that fails', async () => {
    const { oms } = await testSystem();
    const order = await oms.orders.create(orderInput());
    const events: unknown[] = [];
    oms.events.on('order.state_changed', (e) => events.push(e));

    await expect(oms.orders.transition(order.id, { state: 'delivered' })).rejects.toThrow();
    await oms.idle();

    expect(events).toEqual([]);
    expect(await oms.storage.outbox.count()).toBe(0);
  });

  it('never lets a throwing or rejecting listener break the command or the other listeners', async () => {
    const { oms } = await testSystem();
    const seen: string[] = [];
    oms.events.on('order.created', () => {
      throw new Error('listener bug');
    });
    oms.events.on('order.created', async () => {
      throw new Error('async listener bug');
    });
    oms.events.on('order.created', (e) => seen.push(e.id));
    oms.events.on('order.state_changed', () => {
      throw new Error('listener bug');
    });
    oms.events.on('order.state_changed', (e) => seen.push(`${e.id}:${e.to}`));

    const order = await oms.orders.create(orderInput());
    const confirmed = await oms.orders.transition(order.id, { state: 'confirmed' });
    await oms.idle();

    expect(confirmed.state).toBe('confirmed');
    expect(seen).toEqual([order.id, `${order.id}:confirmed`]);
    expect(await oms.storage.outbox.count()).toBe(0);
  });
});
