import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiTest,
  apiTest,
  closeApiTests,
  createOrder,
  deliveredOrderViaHttp,
  errorOf,
} from './setup.js';

afterEach(closeApiTests);

async function openReturn(t: ApiTest, quantity = 1) {
  const { orderId, items } = await deliveredOrderViaHttp(t);
  const body = {
    orderId,
    items: [{ orderItemId: items[0]!.id, quantity, reason: 'damaged', note: 'cracked' }],
  };
  const res = await t.api.post('/api/v1/returns').send(body).expect(201);
  return { orderId, items, body, ret: res.body as { id: string; version: number } };
}

describe('POST /api/v1/returns', () => {
  it('opens a return on a delivered order: 201 with refund amount, Location and ETag', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const res = await t.api
      .post('/api/v1/returns')
      .send({ orderId, items: [{ orderItemId: items[0]!.id, quantity: 2, reason: 'damaged' }] })
      .expect(201);
    expect(res.body).toMatchObject({
      orderId,
      state: 'initiated',
      refundAmount: 2 * 1999,
      version: 1,
    });
    expect(res.headers.location).toBe(`/api/v1/returns/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
  });

  it('replays with Idempotency-Key and refuses the key with other input', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const body = { orderId, items: [{ orderItemId: items[0]!.id, quantity: 1, reason: 'other' }] };
    const first = await t.api
      .post('/api/v1/returns')
      .set('Idempotency-Key', 'r1')
      .send(body)
      .expect(201);
    const replay = await t.api
      .post('/api/v1/returns')
      .set('Idempotency-Key', 'r1')
      .send(body)
      .expect(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    const conflict = await t.api
      .post('/api/v1/returns')
      .set('Idempotency-Key', 'r1')
      .send({ ...body, items: [{ ...body.items[0], quantity: 2 }] })
      .expect(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
  });

  it('answers a broken business rule with 422 and its code, naming the line', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const res = await t.api
      .post('/api/v1/returns')
      .send({ orderId, items: [{ orderItemId: items[1]!.id, quantity: 5, reason: 'damaged' }] })
      .expect(422);
    expect(errorOf(res).code).toBe('return_quantity_exceeded');
    expect(JSON.stringify(errorOf(res).details)).toContain(items[1]!.id);
  });

  it('refuses a return on an order not delivered yet with 422 order_not_delivered', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .post('/api/v1/returns')
      .send({
        orderId: order.id,
        items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'damaged' }],
      })
      .expect(422);
    expect(errorOf(res).code).toBe('order_not_delivered');
  });

  it('answers a bad body with 400 and an unknown order with 404', async () => {
    const t = await apiTest();
    const bad = await t.api.post('/api/v1/returns').send({ orderId: 'x', items: [] }).expect(400);
    expect(errorOf(bad).code).toBe('validation_error');
    const unknown = await t.api
      .post('/api/v1/returns')
      .send({
        orderId: 'ord_01jd3x8k7m2v9q4r6t8w0y2a4c',
        items: [{ orderItemId: 'oli_01jd3x8k7m2v9q4r6t8w0y2a4c', quantity: 1, reason: 'other' }],
      })
      .expect(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });
});

describe('POST /api/v1/returns/preview', () => {
  it('reports the refund without opening a return', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const res = await t.api
      .post('/api/v1/returns/preview')
      .send({ orderId, items: [{ orderItemId: items[1]!.id, quantity: 1, reason: 'defective' }] })
      .expect(200);
    expect(res.body).toMatchObject({ orderId, refundAmount: 1200 });
    const list = await t.api.get(`/api/v1/returns?orderId=${orderId}`).expect(200);
    expect(list.body.data).toEqual([]);
  });

  it('answers a broken rule with 422', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const res = await t.api
      .post('/api/v1/returns/preview')
      .send({ orderId, items: [{ orderItemId: items[1]!.id, quantity: 9, reason: 'defective' }] })
      .expect(422);
    expect(errorOf(res).code).toBe('return_quantity_exceeded');
  });
});

describe('GET /api/v1/returns', () => {
  it('filters by orderId and state and pages with limit and cursor', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const ids: string[] = [];
    for (const item of items) {
      const res = await t.api
        .post('/api/v1/returns')
        .send({ orderId, items: [{ orderItemId: item.id, quantity: 1, reason: 'other' }] })
        .expect(201);
      ids.push(res.body.id);
    }
    await t.api.patch(`/api/v1/returns/${ids[0]}/state`).send({ state: 'rejected' }).expect(200);

    const page1 = await t.api.get(`/api/v1/returns?orderId=${orderId}&limit=1`).expect(200);
    expect(page1.body.data.map((r: { id: string }) => r.id)).toEqual([ids[1]]);
    const page2 = await t.api
      .get('/api/v1/returns')
      .query({ orderId, limit: 1, cursor: page1.body.nextCursor })
      .expect(200);
    expect(page2.body.data.map((r: { id: string }) => r.id)).toEqual([ids[0]]);

    const rejected = await t.api.get('/api/v1/returns?state=rejected').expect(200);
    expect(rejected.body.data.map((r: { id: string }) => r.id)).toEqual([ids[0]]);
    const other = await t.api
      .get('/api/v1/returns?orderId=ord_01jd3x8k7m2v9q4r6t8w0y2a4c')
      .expect(200);
    expect(other.body).toEqual({ data: [], nextCursor: null });
  });
});

describe('GET /api/v1/returns/{id}', () => {
  it('returns the return with ETag, and 404 for an unknown id', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    const res = await t.api.get(`/api/v1/returns/${ret.id}`).expect(200);
    expect(res.body.id).toBe(ret.id);
    expect(res.headers.etag).toBe('"1"');
    const missing = await t.api.get('/api/v1/returns/ret_01jd3x8k7m2v9q4r6t8w0y2a4c').expect(404);
    expect(errorOf(missing).code).toBe('not_found');
  });
});

describe('PATCH /api/v1/returns/{id}/state', () => {
  it('rejects with a reason', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    const res = await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .send({ state: 'rejected', reason: 'worn' })
      .expect(200);
    expect(res.body).toMatchObject({ state: 'rejected', rejectionReason: 'worn', version: 2 });
    expect(res.headers.etag).toBe('"2"');
  });

  it('approves honouring If-Match, then the carrier books the pickup', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    // Approve with a stale version first: refused, nothing changes.
    await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .set('If-Match', '"9"')
      .send({ state: 'approved' })
      .expect(409);
    await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .set('If-Match', '"1"')
      .send({ state: 'approved' })
      .expect(200);
    await t.oms.idle(); // the fake carrier books the pickup in a job
    const booked = await t.api.get(`/api/v1/returns/${ret.id}`).expect(200);
    expect(booked.body.state).toBe('pickup_scheduled');
    expect(booked.body.pickup).toMatchObject({ carrier: 'fake-carrier' });
  });

  it('answers a move the machine refuses with 409 invalid_transition', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    const res = await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .send({ state: 'received' })
      .expect(409);
    expect(errorOf(res).code).toBe('invalid_transition');
    expect(errorOf(res).details?.allowed).toEqual(
      expect.arrayContaining(['approved', 'rejected', 'cancelled']),
    );
  });

  it('answers a stale If-Match with 409 concurrency_conflict', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    const res = await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .set('If-Match', '"2"')
      .send({ state: 'cancelled' })
      .expect(409);
    expect(errorOf(res).code).toBe('concurrency_conflict');
  });

  it('answers a bad body with 400', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    const res = await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .send({ state: 'approved', pickupAt: 5 })
      .expect(400);
    expect(errorOf(res).code).toBe('validation_error');
  });
});

describe('GET /api/v1/returns/{id}/history', () => {
  it('returns every state change of the return, oldest first, and 404 for an unknown one', async () => {
    const t = await apiTest();
    const { ret } = await openReturn(t);
    await t.api
      .patch(`/api/v1/returns/${ret.id}/state`)
      .send({ state: 'rejected', reason: 'outside policy' })
      .expect(200);
    const res = await t.api.get(`/api/v1/returns/${ret.id}/history`).expect(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ entity: 'return', entityId: ret.id, from: null, to: 'initiated' }),
      expect.objectContaining({ from: 'initiated', to: 'rejected', reason: 'outside policy' }),
    ]);
    const missing = await t.api
      .get('/api/v1/returns/ret_01jd3x8k7m2v9q4r6t8w0y2a4c/history')
      .expect(404);
    expect(errorOf(missing).code).toBe('not_found');
    await t.api.get('/api/v1/returns/ord_01jd3x8k7m2v9q4r6t8w0y2a4c/history').expect(404);
  });
});
