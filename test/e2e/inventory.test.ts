import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTest, apiTest, closeApiTests, errorOf, orderBody } from './setup.js';
import { confirmedOrderViaHttp } from './support/orders.js';

afterEach(closeApiTests);

const cups = (quantity: number) =>
  orderBody({ items: [{ sku: 'CUP', name: 'Cup', quantity, unitPrice: 1000 }] });

interface Movement {
  sku: string;
  onHandDelta: number;
  reservedDelta: number;
  reason: string;
  orderId?: string;
  shipmentId?: string;
}

/** Every movement of a SKU, following the cursor page by page. */
async function ledger(t: ApiTest, sku: string, limit = 100): Promise<Movement[]> {
  const all: Movement[] = [];
  let cursor: string | null = null;
  do {
    const query: Record<string, string | number> = { limit };
    if (cursor) query.cursor = cursor;
    const res = await t.api
      .get(`/api/v1/inventory/${encodeURIComponent(sku)}/movements`)
      .query(query)
      .expect(200);
    all.push(...res.body.data);
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

/** The ledger summed: what onHand and reserved must be. */
function summed(movements: Movement[]) {
  return movements.reduce(
    (sum, m) => ({
      onHand: sum.onHand + m.onHandDelta,
      reserved: sum.reserved + m.reservedDelta,
    }),
    { onHand: 0, reserved: 0 },
  );
}

describe('PUT and GET /api/v1/inventory/{sku}', () => {
  it('starts tracking a SKU: 200 with ETag; GET shows it, an untracked SKU is 404', async () => {
    const t = await apiTest();
    const put = await t.api.put('/api/v1/inventory/CUP').send({ onHand: 10 }).expect(200);
    expect(put.body).toMatchObject({
      sku: 'CUP',
      onHand: 10,
      reserved: 0,
      available: 10,
      allowBackorder: false,
    });
    expect(put.headers.etag).toBe(`"${put.body.version}"`);
    const got = await t.api.get('/api/v1/inventory/CUP').expect(200);
    expect(got.body).toEqual(put.body);
    const again = await t.api.put('/api/v1/inventory/CUP').send({ onHand: 10 }).expect(200);
    expect(again.body.version).toBe(put.body.version);
    const missing = await t.api.get('/api/v1/inventory/PLATE').expect(404);
    expect(errorOf(missing)).toMatchObject({
      code: 'not_found',
      details: { entity: 'inventory', id: 'PLATE' },
    });
  });

  it('takes a SKU with reserved URL characters when it is encoded', async () => {
    const t = await apiTest();
    const sku = 'BOX/12 #3';
    await t.api
      .put(`/api/v1/inventory/${encodeURIComponent(sku)}`)
      .send({ onHand: 3 })
      .expect(200);
    const got = await t.api.get(`/api/v1/inventory/${encodeURIComponent(sku)}`).expect(200);
    expect(got.body).toMatchObject({ sku, onHand: 3 });
  });

  it('answers bad input with 400 validation_error and writes nothing', async () => {
    const t = await apiTest();
    const long = 'X'.repeat(101);
    for (const [path, body] of [
      ['/api/v1/inventory/CUP', { onHand: -1 }],
      ['/api/v1/inventory/CUP', { onHand: 1.5 }],
      ['/api/v1/inventory/CUP', { onHand: '10' }],
      ['/api/v1/inventory/CUP', {}],
      ['/api/v1/inventory/CUP', { onHand: 1, allowBackorder: 'yes' }],
      ['/api/v1/inventory/CUP', { onHand: 1, warehouse: 'north' }],
      ['/api/v1/inventory/CUP', { onHand: 2_000_000_000 }],
      [`/api/v1/inventory/${long}`, { onHand: 1 }],
    ] as const) {
      const res = await t.api.put(path).send(body);
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
    await t.api.get(`/api/v1/inventory/${long}`).expect(400);
    const list = await t.api.get('/api/v1/inventory').expect(200);
    expect(list.body.data).toEqual([]);
  });

  it('applies a PUT or an adjustment with If-Match only to that version: 409 concurrency_conflict otherwise', async () => {
    const t = await apiTest();
    const created = await t.api
      .put('/api/v1/inventory/CUP')
      .set('If-Match', '"0"')
      .send({ onHand: 5 })
      .expect(200);
    const etag = created.headers.etag as string;
    await t.api.post('/api/v1/orders').send(cups(1)).expect(201); // reserving moves it on
    for (const res of [
      await t.api.put('/api/v1/inventory/CUP').set('If-Match', etag).send({ onHand: 9 }),
      await t.api
        .post('/api/v1/inventory/CUP/adjustments')
        .set('If-Match', etag)
        .send({ delta: 4, reason: 'recount' }),
    ]) {
      expect(res.status).toBe(409);
      expect(errorOf(res)).toMatchObject({
        code: 'concurrency_conflict',
        details: { entity: 'inventory', id: 'CUP' },
      });
    }
    const now = await t.api.get('/api/v1/inventory/CUP').expect(200);
    expect(now.body).toMatchObject({ onHand: 5, reserved: 1 });
    const adjusted = await t.api
      .post('/api/v1/inventory/CUP/adjustments')
      .set('If-Match', now.headers.etag as string)
      .send({ delta: 4, reason: 'recount' })
      .expect(200);
    expect(adjusted.body.onHand).toBe(9);
    await t.api
      .put('/api/v1/inventory/CUP')
      .set('If-Match', 'soon')
      .send({ onHand: 1 })
      .expect(400);
    await t.api.put('/api/v1/inventory/NEW').set('If-Match', '"3"').send({ onHand: 1 }).expect(409);
    await t.api.get('/api/v1/inventory/NEW').expect(404);
  });

  it('refuses a count below what live orders hold with 409 insufficient_stock', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 5 }).expect(200);
    await t.api.post('/api/v1/orders').send(cups(4)).expect(201);
    const res = await t.api.put('/api/v1/inventory/CUP').send({ onHand: 3 }).expect(409);
    expect(errorOf(res).code).toBe('insufficient_stock');
    expect((await t.api.get('/api/v1/inventory/CUP')).body).toMatchObject({ onHand: 5 });
  });
});

describe('POST /api/v1/inventory/{sku}/adjustments', () => {
  it('changes the count by delta with its reason in the ledger', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 5 }).expect(200);
    const res = await t.api
      .post('/api/v1/inventory/CUP/adjustments')
      .send({ delta: -2, reason: 'broken in the warehouse' })
      .expect(200);
    expect(res.body).toMatchObject({ sku: 'CUP', onHand: 3, available: 3 });
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    const [latest] = await ledger(t, 'CUP');
    expect(latest).toMatchObject({
      reason: 'adjust',
      onHandDelta: -2,
      reservedDelta: 0,
      note: 'broken in the warehouse',
    });
  });

  it('replays with Idempotency-Key (never adjusting twice) and refuses the key with another body', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 5 }).expect(200);
    const body = { delta: 24, reason: 'delivery 4711' };
    const path = '/api/v1/inventory/CUP/adjustments';
    const first = await t.api.post(path).set('Idempotency-Key', 'dlv-4711').send(body).expect(200);
    const replay = await t.api.post(path).set('Idempotency-Key', 'dlv-4711').send(body).expect(200);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await t.api
      .post(path)
      .set('Idempotency-Key', 'dlv-4711')
      .send({ ...body, delta: 25 })
      .expect(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
    expect((await t.api.get('/api/v1/inventory/CUP')).body.onHand).toBe(29);
  });

  it('refuses taking away more than is available with 409 insufficient_stock and its details', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 5 }).expect(200);
    await t.api.post('/api/v1/orders').send(cups(3)).expect(201);
    const res = await t.api
      .post('/api/v1/inventory/CUP/adjustments')
      .send({ delta: -3, reason: 'cycle count' })
      .expect(409);
    expect(errorOf(res)).toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'CUP', requested: 3, available: 2 },
    });
    expect((await t.api.get('/api/v1/inventory/CUP')).body).toMatchObject({
      onHand: 5,
      reserved: 3,
    });
  });

  it('answers bad input with 400 and an untracked SKU with 404, writing nothing', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 5 }).expect(200);
    for (const body of [
      { delta: 1.5, reason: 'x' },
      { delta: 0, reason: 'x' },
      { delta: '3', reason: 'x' },
      { delta: 3 },
      { delta: 3, reason: '' },
      { delta: 3, reason: 'x', by: 'me' },
    ]) {
      const res = await t.api.post('/api/v1/inventory/CUP/adjustments').send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
    const long = await t.api
      .post(`/api/v1/inventory/${'X'.repeat(101)}/adjustments`)
      .send({ delta: 1, reason: 'x' })
      .expect(400);
    expect(errorOf(long).code).toBe('validation_error');
    const untracked = await t.api
      .post('/api/v1/inventory/PLATE/adjustments')
      .send({ delta: 1, reason: 'found' })
      .expect(404);
    expect(errorOf(untracked).code).toBe('not_found');
    expect((await t.api.get('/api/v1/inventory/CUP')).body.onHand).toBe(5);
    expect(await ledger(t, 'CUP')).toHaveLength(1);
    await t.api.get('/api/v1/inventory/PLATE').expect(404);
  });
});

describe('stock and orders over HTTP', () => {
  it('refuses an order for more than is available with 409 insufficient_stock and writes nothing', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 2 }).expect(200);
    const res = await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'too-many-cups')
      .send(cups(3))
      .expect(409);
    expect(errorOf(res)).toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'CUP', requested: 3, available: 2 },
    });
    expect((await t.api.get('/api/v1/orders')).body.data).toEqual([]);
    expect((await t.api.get('/api/v1/inventory/CUP')).body).toMatchObject({
      onHand: 2,
      reserved: 0,
    });
    expect((await ledger(t, 'CUP')).map((m) => m.reason)).toEqual(['set']);
    // Once stock is back the same request succeeds.
    await t.api
      .post('/api/v1/inventory/CUP/adjustments')
      .send({ delta: 1, reason: 'found one' })
      .expect(200);
    await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'too-many-cups')
      .send(cups(3))
      .expect(201);
  });

  it('reserves on order, releases on cancel, takes out on shipping; the ledger sums to the record', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/TSHIRT-M').send({ onHand: 10 }).expect(200);
    const cancelled = await t.api.post('/api/v1/orders').send(orderBody()).expect(201);
    expect((await t.api.get('/api/v1/inventory/TSHIRT-M')).body).toMatchObject({
      onHand: 10,
      reserved: 2,
      available: 8,
    });
    await t.api.post(`/api/v1/orders/${cancelled.body.id}/cancel`).send({}).expect(200);
    expect((await t.api.get('/api/v1/inventory/TSHIRT-M')).body.reserved).toBe(0);

    const order = await confirmedOrderViaHttp(t);
    const shipment = await t.api
      .post(`/api/v1/orders/${order.id}/shipments`)
      .send({ items: [{ orderItemId: order.items[0]!.id, quantity: 1 }] })
      .expect(201);
    await t.api
      .patch(`/api/v1/shipments/${shipment.body.id}/state`)
      .send({ state: 'shipped' })
      .expect(200);
    const stock = (await t.api.get('/api/v1/inventory/TSHIRT-M')).body;
    expect(stock).toMatchObject({ onHand: 9, reserved: 1, available: 8 });

    const movements = await ledger(t, 'TSHIRT-M', 2);
    expect(movements.map((m) => m.reason)).toEqual([
      'ship',
      'reserve',
      'release',
      'reserve',
      'set',
    ]);
    expect(movements[0]).toMatchObject({ orderId: order.id, shipmentId: shipment.body.id });
    expect(summed(movements)).toEqual({ onHand: stock.onHand, reserved: stock.reserved });
  });
});

describe('GET /api/v1/inventory and /inventory/{sku}/movements', () => {
  it('lists tracked SKUs page by page, and those below an available count', async () => {
    const t = await apiTest();
    const counts: Record<string, number> = { A: 0, B: 3, C: 10, D: 1, E: 7 };
    for (const [sku, onHand] of Object.entries(counts)) {
      await t.api.put(`/api/v1/inventory/${sku}`).send({ onHand }).expect(200);
    }
    const first = await t.api.get('/api/v1/inventory?limit=2').expect(200);
    expect(first.body.data.map((i: { sku: string }) => i.sku)).toEqual(['A', 'B']);
    const second = await t.api
      .get('/api/v1/inventory')
      .query({ limit: 2, cursor: first.body.nextCursor })
      .expect(200);
    const third = await t.api
      .get('/api/v1/inventory')
      .query({ limit: 2, cursor: second.body.nextCursor })
      .expect(200);
    expect([...second.body.data, ...third.body.data].map((i: { sku: string }) => i.sku)).toEqual([
      'C',
      'D',
      'E',
    ]);
    expect(third.body.nextCursor).toBeNull();

    const low = await t.api.get('/api/v1/inventory?belowAvailable=3').expect(200);
    expect(low.body.data.map((i: { sku: string }) => i.sku)).toEqual(['A', 'D']);
  });

  it('answers a bad query with 400 and the movements of an untracked SKU with 404', async () => {
    const t = await apiTest();
    for (const query of ['belowAvailable=many', 'limit=0', 'limit=1000', 'below=3', 'cursor=%00']) {
      const res = await t.api.get(`/api/v1/inventory?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
    await t.api.put('/api/v1/inventory/CUP').send({ onHand: 1 }).expect(200);
    await t.api.get('/api/v1/inventory/CUP/movements?belowAvailable=1').expect(400);
    const missing = await t.api.get('/api/v1/inventory/PLATE/movements').expect(404);
    expect(errorOf(missing).code).toBe('not_found');
  });
});
