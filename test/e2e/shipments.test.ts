import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTest, apiTest, closeApiTests, createOrder, errorOf } from './setup.js';
import { confirmedOrderViaHttp, orderViaHttp } from './support/orders.js';

afterEach(closeApiTests);

const UNKNOWN_SHIPMENT = 'shp_01jd3x8k7m2v9q4r6t8w0y2a4c';
const UNKNOWN_ORDER = 'ord_01jd3x8k7m2v9q4r6t8w0y2a4c';

/** A confirmed order and a pending shipment of one of its two T-shirts. */
async function oneShirtShipment(t: ApiTest) {
  const order = await confirmedOrderViaHttp(t);
  const [shirt, mug] = order.items;
  const res = await t.api
    .post(`/api/v1/orders/${order.id}/shipments`)
    .send({ items: [{ orderItemId: shirt!.id, quantity: 1 }], carrier: 'UPS' })
    .expect(201);
  return { order, shirt: shirt!, mug: mug!, shipment: res.body };
}

async function shipmentsOf(t: ApiTest, orderId: string) {
  return (await t.api.get(`/api/v1/orders/${orderId}/shipments`).expect(200)).body.data as {
    id: string;
    state: string;
  }[];
}

describe('POST /api/v1/orders/{id}/shipments', () => {
  it('creates a pending shipment of some units: 201, Location, ETag; the order is processing', async () => {
    const t = await apiTest();
    const { order, shirt, shipment } = await oneShirtShipment(t);
    expect(shipment).toMatchObject({
      orderId: order.id,
      state: 'pending',
      items: [{ orderItemId: shirt.id, quantity: 1 }],
      carrier: 'UPS',
      version: 1,
    });
    expect(shipment.id).toMatch(/^shp_/);
    const after = await orderViaHttp(t, order.id);
    expect(after).toMatchObject({ state: 'processing', fulfillmentStatus: 'unfulfilled' });

    const res = await t.api.post(`/api/v1/orders/${order.id}/shipments`).expect(201);
    expect(res.headers.location).toBe(`/api/v1/shipments/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    // Without items: every unit not yet in a live shipment.
    expect(res.body.items).toEqual([
      { orderItemId: shirt.id, quantity: 1 },
      { orderItemId: order.items[1]!.id, quantity: 1 },
    ]);
  });

  it('replays with Idempotency-Key and refuses the key with another body', async () => {
    const t = await apiTest();
    const order = await confirmedOrderViaHttp(t);
    const body = { items: [{ orderItemId: order.items[0]!.id, quantity: 2 }] };
    const path = `/api/v1/orders/${order.id}/shipments`;
    const first = await t.api.post(path).set('Idempotency-Key', 's1').send(body).expect(201);
    const replay = await t.api.post(path).set('Idempotency-Key', 's1').send(body).expect(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await t.api
      .post(path)
      .set('Idempotency-Key', 's1')
      .send({ items: [{ orderItemId: order.items[1]!.id, quantity: 1 }] })
      .expect(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
    expect(await shipmentsOf(t, order.id)).toHaveLength(1);
  });

  it('refuses units already in a live shipment with 422 shipment_quantity_exceeded and details.remaining', async () => {
    const t = await apiTest();
    const { order, shirt } = await oneShirtShipment(t);
    const res = await t.api
      .post(`/api/v1/orders/${order.id}/shipments`)
      .send({ items: [{ orderItemId: shirt.id, quantity: 2 }] })
      .expect(422);
    expect(errorOf(res).code).toBe('shipment_quantity_exceeded');
    expect(errorOf(res).details).toMatchObject({
      orderId: order.id,
      orderItemId: shirt.id,
      requested: 2,
      remaining: 1,
    });
    expect(await shipmentsOf(t, order.id)).toHaveLength(1);
  });

  it('refuses a pending order with 422 order_not_fulfillable', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api.post(`/api/v1/orders/${order.id}/shipments`).expect(422);
    expect(errorOf(res).code).toBe('order_not_fulfillable');
    expect(await shipmentsOf(t, order.id)).toEqual([]);
  });

  it('answers bad input with 400 and writes nothing', async () => {
    const t = await apiTest();
    const order = await confirmedOrderViaHttp(t);
    const path = `/api/v1/orders/${order.id}/shipments`;
    const shirt = order.items[0]!.id;
    for (const body of [
      { items: [{ orderItemId: shirt, quantity: 0 }] },
      { items: [{ orderItemId: shirt, quantity: 1.5 }] },
      { items: [] },
      { items: [{ orderItemId: 'not-a-line', quantity: 1 }] },
      {
        items: [
          { orderItemId: shirt, quantity: 1 },
          { orderItemId: shirt, quantity: 1 },
        ],
      },
      { carrier: '' },
      { trackingUrl: 'javascript:alert(1)' },
      { warehouse: 'north' },
    ]) {
      const res = await t.api.post(path).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
    const bad = await t.api.post(path).set('Idempotency-Key', '').send({});
    expect(bad.status).toBe(400);
    expect(await shipmentsOf(t, order.id)).toEqual([]);
    expect(await orderViaHttp(t, order.id)).toMatchObject({
      state: 'confirmed',
      version: order.version,
    });
  });

  it('answers an unknown or malformed order id with 404', async () => {
    const t = await apiTest();
    for (const id of [UNKNOWN_ORDER, 'nope']) {
      const post = await t.api.post(`/api/v1/orders/${id}/shipments`).send({}).expect(404);
      expect(errorOf(post).code).toBe('not_found');
      await t.api.get(`/api/v1/orders/${id}/shipments`).expect(404);
    }
  });
});

describe('GET /api/v1/shipments/{id} and /orders/{id}/shipments', () => {
  it('shows a shipment with its ETag and lists the shipments of the order, oldest first', async () => {
    const t = await apiTest();
    const { order, shipment } = await oneShirtShipment(t);
    const second = await t.api.post(`/api/v1/orders/${order.id}/shipments`).expect(201);
    const one = await t.api.get(`/api/v1/shipments/${shipment.id}`).expect(200);
    expect(one.body).toEqual(shipment);
    expect(one.headers.etag).toBe('"1"');
    expect((await shipmentsOf(t, order.id)).map((s) => s.id)).toEqual([
      shipment.id,
      second.body.id,
    ]);
  });

  it('answers an unknown or malformed shipment id with 404', async () => {
    const t = await apiTest();
    for (const path of [
      `/api/v1/shipments/${UNKNOWN_SHIPMENT}`,
      '/api/v1/shipments/ord_01jd3x8k7m2v9q4r6t8w0y2a4c',
      `/api/v1/shipments/${UNKNOWN_SHIPMENT}/history`,
    ]) {
      const res = await t.api.get(path).expect(404);
      expect(errorOf(res)).toMatchObject({ code: 'not_found', details: { entity: 'shipment' } });
    }
    await t.api
      .patch(`/api/v1/shipments/${UNKNOWN_SHIPMENT}/state`)
      .send({ state: 'shipped' })
      .expect(404);
    await t.api.patch(`/api/v1/shipments/${UNKNOWN_SHIPMENT}`).send({ carrier: 'UPS' }).expect(404);
  });
});

describe('PATCH /api/v1/shipments/{id}/state', () => {
  it('ships and delivers a split order; the order follows its shipments', async () => {
    const t = await apiTest();
    const { order, shipment, shirt, mug } = await oneShirtShipment(t);
    const shipped = await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .set('If-Match', '"1"')
      .send({ state: 'shipped', trackingNumber: '1Z999AA10123456784' })
      .expect(200);
    expect(shipped.body).toMatchObject({ state: 'shipped', trackingNumber: '1Z999AA10123456784' });
    expect(shipped.body.shippedAt).toBeDefined();
    expect(shipped.headers.etag).toBe(`"${shipped.body.version}"`);
    let current = await orderViaHttp(t, order.id);
    expect(current).toMatchObject({ state: 'processing', fulfillmentStatus: 'partially_shipped' });
    expect(current.items.map((i: { shippedQuantity: number }) => i.shippedQuantity)).toEqual([
      1, 0,
    ]);

    const rest = await t.api.post(`/api/v1/orders/${order.id}/shipments`).expect(201);
    await t.api
      .patch(`/api/v1/shipments/${rest.body.id}/state`)
      .send({ event: 'SHIP' })
      .expect(200);
    current = await orderViaHttp(t, order.id);
    expect(current).toMatchObject({ state: 'shipped', fulfillmentStatus: 'shipped' });

    await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .send({ state: 'delivered' })
      .expect(200);
    current = await orderViaHttp(t, order.id);
    expect(current).toMatchObject({ state: 'shipped', fulfillmentStatus: 'partially_delivered' });
    expect(current.items).toMatchObject([
      { id: shirt.id, shippedQuantity: 2, deliveredQuantity: 1 },
      { id: mug.id, shippedQuantity: 1, deliveredQuantity: 0 },
    ]);
    await t.api
      .patch(`/api/v1/shipments/${rest.body.id}/state`)
      .send({ state: 'delivered' })
      .expect(200);
    current = await orderViaHttp(t, order.id);
    expect(current).toMatchObject({ state: 'delivered', fulfillmentStatus: 'delivered' });
    expect(current.deliveredAt).toBeDefined();
  });

  it('refuses a stale If-Match with 409 concurrency_conflict and changes nothing', async () => {
    const t = await apiTest();
    const { shipment } = await oneShirtShipment(t);
    await t.api.patch(`/api/v1/shipments/${shipment.id}`).send({ carrier: 'DHL' }).expect(200);
    const res = await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .set('If-Match', '"1"')
      .send({ state: 'shipped' })
      .expect(409);
    expect(errorOf(res).code).toBe('concurrency_conflict');
    const now = await t.api.get(`/api/v1/shipments/${shipment.id}`).expect(200);
    expect(now.body).toMatchObject({ state: 'pending', version: 2 });
    await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .set('If-Match', 'yesterday')
      .send({ state: 'shipped' })
      .expect(400);
  });

  it('answers a move the machine refuses with 409 invalid_transition, and bad input with 400', async () => {
    const t = await apiTest();
    const { shipment } = await oneShirtShipment(t);
    const path = `/api/v1/shipments/${shipment.id}/state`;
    const res = await t.api.patch(path).send({ state: 'delivered' }).expect(409);
    expect(errorOf(res).code).toBe('invalid_transition');
    for (const body of [{}, { state: 'lost' }, { state: 'shipped', trackingUrl: 'ftp://x' }]) {
      const bad = await t.api.patch(path).send(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
    const history = await t.api.get(`/api/v1/shipments/${shipment.id}/history`).expect(200);
    expect(history.body.data).toHaveLength(1);
    expect((await t.api.get(`/api/v1/shipments/${shipment.id}`)).body.state).toBe('pending');
  });

  it('cancels a pending shipment: its units can go in another one', async () => {
    const t = await apiTest();
    const { order, shipment, shirt } = await oneShirtShipment(t);
    await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .send({ state: 'cancelled' })
      .expect(200);
    const again = await t.api
      .post(`/api/v1/orders/${order.id}/shipments`)
      .send({ items: [{ orderItemId: shirt.id, quantity: 2 }] })
      .expect(201);
    expect(again.body.items).toEqual([{ orderItemId: shirt.id, quantity: 2 }]);
  });
});

describe('cancelling an order with shipments', () => {
  it('cancels its pending shipments, and refuses once a unit has shipped with 422 order_partially_shipped', async () => {
    const t = await apiTest();
    const { order, shipment } = await oneShirtShipment(t);
    await t.api.post(`/api/v1/orders/${order.id}/cancel`).send({}).expect(200);
    expect((await t.api.get(`/api/v1/shipments/${shipment.id}`)).body.state).toBe('cancelled');

    const other = await oneShirtShipment(t);
    await t.api
      .patch(`/api/v1/shipments/${other.shipment.id}/state`)
      .send({ state: 'shipped' })
      .expect(200);
    const refused = await t.api
      .post(`/api/v1/orders/${other.order.id}/cancel`)
      .send({})
      .expect(422);
    expect(errorOf(refused).code).toBe('order_partially_shipped');
    expect(await orderViaHttp(t, other.order.id)).toMatchObject({ state: 'processing' });
  });
});

describe('PATCH /api/v1/shipments/{id} (tracking)', () => {
  it('corrects the tracking of a shipped shipment, with a history row', async () => {
    const t = await apiTest();
    const { shipment } = await oneShirtShipment(t);
    const path = `/api/v1/shipments/${shipment.id}`;
    // Tracking sent with the move is stored first: two versions on.
    const shipped = await t.api
      .patch(`${path}/state`)
      .send({ state: 'shipped', trackingNumber: '1Z-WRONG' })
      .expect(200);
    expect(shipped.body).toMatchObject({ trackingNumber: '1Z-WRONG', version: 3 });
    const fixed = await t.api
      .patch(path)
      .set('If-Match', shipped.headers.etag as string)
      .send({ trackingNumber: '1Z999AA10123456784', trackingUrl: 'https://ups.example/1Z999' })
      .expect(200);
    expect(fixed.body).toMatchObject({
      state: 'shipped',
      carrier: 'UPS',
      trackingNumber: '1Z999AA10123456784',
      trackingUrl: 'https://ups.example/1Z999',
      version: 4,
    });
    expect(fixed.headers.etag).toBe('"4"');
    const history = await t.api.get(`${path}/history`).expect(200);
    expect(history.body.data.map((h: { event: string }) => h.event)).toEqual([
      'CREATE',
      'UPDATE_TRACKING',
      'SHIP',
      'UPDATE_TRACKING',
    ]);
    const stale = await t.api
      .patch(path)
      .set('If-Match', shipped.headers.etag as string)
      .send({ carrier: 'DHL' })
      .expect(409);
    expect(errorOf(stale).code).toBe('concurrency_conflict');
  });

  it('refuses a delivered shipment with 422 shipment_not_updatable, and bad input with 400, writing nothing', async () => {
    const t = await apiTest();
    const { shipment } = await oneShirtShipment(t);
    const path = `/api/v1/shipments/${shipment.id}`;
    for (const body of [{}, { carrier: '' }, { trackingUrl: 'not a url' }, { state: 'shipped' }]) {
      const bad = await t.api.patch(path).send(body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(bad).code).toBe('validation_error');
    }
    expect((await t.api.get(`${path}/history`)).body.data).toHaveLength(1);
    await t.api.patch(`${path}/state`).send({ state: 'shipped' }).expect(200);
    await t.api.patch(`${path}/state`).send({ state: 'delivered' }).expect(200);
    const res = await t.api.patch(path).send({ trackingNumber: 'late' }).expect(422);
    expect(errorOf(res).code).toBe('shipment_not_updatable');
    expect((await t.api.get(path)).body.trackingNumber).toBeUndefined();
  });
});

describe('returns of shipped parts over HTTP', () => {
  it('takes a return of the delivered part while the rest is still on its way', async () => {
    const t = await apiTest();
    const { order, shipment, shirt, mug } = await oneShirtShipment(t);
    await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .send({ state: 'shipped' })
      .expect(200);
    await t.api
      .patch(`/api/v1/shipments/${shipment.id}/state`)
      .send({ state: 'delivered' })
      .expect(200);
    const tooMuch = await t.api
      .post('/api/v1/returns')
      .send({ orderId: order.id, items: [{ orderItemId: mug.id, quantity: 1, reason: 'other' }] })
      .expect(422);
    expect(errorOf(tooMuch).code).toBe('return_quantity_exceeded');
    const ret = await t.api
      .post('/api/v1/returns')
      .send({ orderId: order.id, items: [{ orderItemId: shirt.id, quantity: 1, reason: 'other' }] })
      .expect(201);
    expect(ret.body).toMatchObject({ orderId: order.id, state: 'initiated', refundAmount: 1999 });
    expect((await orderViaHttp(t, order.id)).state).toBe('processing');
  });
});
