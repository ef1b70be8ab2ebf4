import { afterEach, describe, expect, it } from 'vitest';
import { apiTest, closeApiTests, createOrder, errorOf, orderBody } from './setup.js';

afterEach(closeApiTests);

describe('POST /api/v1/orders', () => {
  it('creates a pending order with computed totals: 201, Location and ETag', async () => {
    const t = await apiTest();
    const res = await t.api.post('/api/v1/orders').send(orderBody()).expect(201);
    expect(res.body).toMatchObject({
      customerId: 'cus_test',
      currency: 'USD',
      state: 'pending',
      subtotal: 2 * 1999 + 1200,
      total: 2 * 1999 + 1200 + 500,
      paidTotal: 0,
      version: 1,
    });
    expect(res.body.id).toMatch(/^ord_/);
    expect(res.headers.location).toBe(`/api/v1/orders/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers['idempotency-replayed']).toBeUndefined();
  });

  it('replays the first result for the same Idempotency-Key and input', async () => {
    const t = await apiTest();
    const first = await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'order-1')
      .send(orderBody())
      .expect(201);
    const second = await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'order-1')
      .send(orderBody())
      .expect(201);
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.body).toEqual(first.body);
    const list = await t.api.get('/api/v1/orders').expect(200);
    expect(list.body.data).toHaveLength(1);
  });

  it('answers the same Idempotency-Key with other input with 422 idempotency_conflict', async () => {
    const t = await apiTest();
    await t.api.post('/api/v1/orders').set('Idempotency-Key', 'k').send(orderBody()).expect(201);
    const res = await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'k')
      .send(orderBody({ customerId: 'someone_else' }))
      .expect(422);
    expect(errorOf(res).code).toBe('idempotency_conflict');
  });

  it('answers a twin of a request still running with 409 idempotency_in_flight', async () => {
    let hold: Promise<void> | undefined;
    let release = () => {};
    const t = await apiTest({
      config: { idempotencyWaitMs: 50 },
      wrapStorage: (storage) => ({
        ...storage,
        transaction: async (fn) => {
          if (hold) await hold;
          return storage.transaction(fn);
        },
      }),
    });
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const first = t.api.post('/api/v1/orders').set('Idempotency-Key', 'slow').send(orderBody());
    const firstDone = first.then((r) => r);
    // Give the first request time to claim the key and block in its transaction.
    await new Promise((r) => setTimeout(r, 50));
    const twin = await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'slow')
      .send(orderBody())
      .expect(409);
    expect(errorOf(twin).code).toBe('idempotency_in_flight');
    expect(twin.headers['retry-after']).toBe('1');
    hold = undefined;
    release();
    expect((await firstDone).status).toBe(201);
  });
});

describe('GET /api/v1/orders', () => {
  it('lists newest first, filtered by state and customerId, paged by limit and cursor', async () => {
    const t = await apiTest();
    const a = await createOrder(t, { customerId: 'alice' });
    const b = await createOrder(t, { customerId: 'alice' });
    const c = await createOrder(t, { customerId: 'bob' });
    await t.api.post(`/api/v1/orders/${b.id}/cancel`).send({}).expect(200);

    const all = await t.api.get('/api/v1/orders').expect(200);
    expect(all.body.data.map((o: { id: string }) => o.id)).toEqual([c.id, b.id, a.id]);
    expect(all.body.nextCursor).toBeNull();

    const page1 = await t.api.get('/api/v1/orders?limit=2').expect(200);
    expect(page1.body.data.map((o: { id: string }) => o.id)).toEqual([c.id, b.id]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await t.api
      .get('/api/v1/orders')
      .query({ limit: '2', cursor: page1.body.nextCursor })
      .expect(200);
    expect(page2.body.data.map((o: { id: string }) => o.id)).toEqual([a.id]);
    expect(page2.body.nextCursor).toBeNull();

    const alice = await t.api.get('/api/v1/orders?customerId=alice').expect(200);
    expect(alice.body.data.map((o: { id: string }) => o.id)).toEqual([b.id, a.id]);
    const cancelled = await t.api.get('/api/v1/orders?state=cancelled').expect(200);
    expect(cancelled.body.data.map((o: { id: string }) => o.id)).toEqual([b.id]);
  });

  it('refuses an unknown query parameter instead of ignoring the filter', async () => {
    const t = await apiTest();
    const res = await t.api.get('/api/v1/orders?status=pending').expect(400);
    expect(errorOf(res).code).toBe('validation_error');
    expect(errorOf(res).details?.issues).toEqual([expect.objectContaining({ path: ['status'] })]);
  });
});

describe('GET /api/v1/orders/{id}', () => {
  it('returns the order with its version as ETag', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api.get(`/api/v1/orders/${order.id}`).expect(200);
    expect(res.body.id).toBe(order.id);
    expect(res.headers.etag).toBe('"1"');
  });

  it('answers If-None-Match with the current version with 304', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    await t.api.get(`/api/v1/orders/${order.id}`).set('If-None-Match', '"1"').expect(304);
  });

  it('answers an unknown id with 404 not_found', async () => {
    const t = await apiTest();
    const res = await t.api.get('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c').expect(404);
    expect(errorOf(res)).toMatchObject({ code: 'not_found', details: { entity: 'order' } });
  });
});

describe('PATCH /api/v1/orders/{id}/state', () => {
  it('moves the order to the named state and ships every unit with the carrier and tracking number', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    for (const state of ['confirmed', 'processing']) {
      await t.api.patch(`/api/v1/orders/${order.id}/state`).send({ state }).expect(200);
    }
    const res = await t.api
      .patch(`/api/v1/orders/${order.id}/state`)
      .send({ state: 'shipped', carrier: 'UPS', trackingNumber: '1Z999' })
      .expect(200);
    expect(res.body).toMatchObject({ state: 'shipped', version: 4, fulfillmentStatus: 'shipped' });
    expect(res.headers.etag).toBe('"4"');
    expect(await t.oms.shipments.listByOrder(order.id)).toMatchObject([
      { state: 'shipped', carrier: 'UPS', trackingNumber: '1Z999' },
    ]);
  });

  it('applies If-Match as the expected version in every accepted form', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const path = `/api/v1/orders/${order.id}/state`;
    await t.api.patch(path).set('If-Match', '1').send({ state: 'confirmed' }).expect(200);
    await t.api.patch(path).set('If-Match', '"2"').send({ state: 'processing' }).expect(200);
    await t.api.patch(path).set('If-Match', 'W/"3"').send({ state: 'shipped' }).expect(200);
    await t.api.patch(path).set('If-Match', '*').send({ state: 'delivered' }).expect(200);
  });

  it('answers a stale If-Match with 409 concurrency_conflict and changes nothing', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const path = `/api/v1/orders/${order.id}/state`;
    await t.api.patch(path).send({ state: 'confirmed' }).expect(200);
    const res = await t.api
      .patch(path)
      .set('If-Match', '"1"')
      .send({ state: 'processing' })
      .expect(409);
    expect(errorOf(res).code).toBe('concurrency_conflict');
    const now = await t.api.get(`/api/v1/orders/${order.id}`).expect(200);
    expect(now.body).toMatchObject({ state: 'confirmed', version: 2 });
  });

  it('answers a malformed If-Match with 400', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    for (const header of ['abc', '"1', '-1', '1.5', '"1", "2"']) {
      const res = await t.api
        .patch(`/api/v1/orders/${order.id}/state`)
        .set('If-Match', header)
        .send({ state: 'confirmed' });
      expect(res.status, header).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
  });

  it('answers a move the machine refuses with 409 invalid_transition listing reachable states', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .patch(`/api/v1/orders/${order.id}/state`)
      .send({ state: 'delivered' })
      .expect(409);
    expect(errorOf(res).code).toBe('invalid_transition');
    expect(errorOf(res).details?.allowed).toEqual(
      expect.arrayContaining(['confirmed', 'cancelled']),
    );
  });

  it('returns the order unchanged when asked for the state it is in', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .patch(`/api/v1/orders/${order.id}/state`)
      .send({ state: 'pending' })
      .expect(200);
    expect(res.body.version).toBe(1);
  });

  it('answers a bad state or a missing body with 400 validation_error', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    for (const body of [{ state: 'teleported' }, {}, { state: 'shipped', color: 'red' }]) {
      const res = await t.api.patch(`/api/v1/orders/${order.id}/state`).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
  });

  it('answers an unknown order with 404', async () => {
    const t = await apiTest();
    const res = await t.api
      .patch('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c/state')
      .send({ state: 'confirmed' })
      .expect(404);
    expect(errorOf(res).code).toBe('not_found');
  });
});

describe('POST /api/v1/orders/{id}/cancel', () => {
  it('cancels with a reason, and again is a no-op', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .post(`/api/v1/orders/${order.id}/cancel`)
      .send({ reason: 'changed my mind' })
      .expect(200);
    expect(res.body).toMatchObject({ state: 'cancelled', cancellationReason: 'changed my mind' });
    const again = await t.api.post(`/api/v1/orders/${order.id}/cancel`).send({}).expect(200);
    expect(again.body.version).toBe(res.body.version);
  });

  it('refuses to cancel a shipped order with 409 invalid_transition', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    for (const state of ['confirmed', 'processing', 'shipped']) {
      await t.api.patch(`/api/v1/orders/${order.id}/state`).send({ state }).expect(200);
    }
    const res = await t.api.post(`/api/v1/orders/${order.id}/cancel`).send({}).expect(409);
    expect(errorOf(res).code).toBe('invalid_transition');
  });

  it('honours If-Match', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .post(`/api/v1/orders/${order.id}/cancel`)
      .set('If-Match', '"7"')
      .send({})
      .expect(409);
    expect(errorOf(res).code).toBe('concurrency_conflict');
  });
});

describe('GET /api/v1/orders/{id}/history', () => {
  it('lists every state change oldest first, with the API as actor', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    await t.api.patch(`/api/v1/orders/${order.id}/state`).send({ state: 'confirmed' }).expect(200);
    await t.api.post(`/api/v1/orders/${order.id}/cancel`).send({ reason: 'fraud' }).expect(200);
    const res = await t.api.get(`/api/v1/orders/${order.id}/history`).expect(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ from: null, to: 'pending', event: 'CREATE' }),
      expect.objectContaining({ from: 'pending', to: 'confirmed', event: 'CONFIRM', actor: 'api' }),
      expect.objectContaining({ from: 'confirmed', to: 'cancelled', reason: 'fraud' }),
    ]);
  });

  it('answers an unknown order with 404', async () => {
    const t = await apiTest();
    await t.api.get('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c/history').expect(404);
  });
});

describe('GET /api/v1/orders/{id}/payments', () => {
  it("lists the order's payments", async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const pay = await t.api
      .post('/api/v1/payments')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
      .expect(201);
    const res = await t.api.get(`/api/v1/orders/${order.id}/payments`).expect(200);
    expect(res.body.data.map((p: { id: string }) => p.id)).toEqual([pay.body.id]);
    await t.api.get('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c/payments').expect(404);
  });
});
