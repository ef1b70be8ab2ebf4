import { afterEach, describe, expect, it } from 'vitest';
import {
  type ApiTest,
  apiTest,
  closeApiTests,
  createOrder,
  deliveredOrderViaHttp,
  errorOf,
} from './setup.js';
import { confirmedOrderViaHttp, orderViaHttp } from './support/orders.js';

afterEach(closeApiTests);

const MUG = { sku: 'MUG-01', name: 'Mug', quantity: 1, unitPrice: 1250 };

async function historyEvents(t: ApiTest, orderId: string): Promise<string[]> {
  const res = await t.api.get(`/api/v1/orders/${orderId}/history`).expect(200);
  return res.body.data.map((h: { event: string }) => h.event);
}

describe('POST /api/v1/orders/{id}/edit', () => {
  it('changes quantities and adds lines; totals recomputed, ETag, history EDIT', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const [shirt, mug] = order.items;
    const res = await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .set('If-Match', `"${order.version}"`)
      .send({
        items: [
          { orderItemId: shirt!.id, quantity: 1 },
          { orderItemId: mug!.id, quantity: 0 },
        ],
        add: [MUG],
        shippingAddress: {
          line1: '1 Main St',
          city: 'Springfield',
          postalCode: '12345',
          country: 'US',
        },
      })
      .expect(200);
    expect(res.body).toMatchObject({
      id: order.id,
      state: 'pending',
      subtotal: 1999 + 1250,
      total: 1999 + 1250 + 500,
      balanceDue: 1999 + 1250 + 500,
      version: order.version + 1,
      shippingAddress: { city: 'Springfield' },
    });
    expect(
      res.body.items.map((i: { sku: string; quantity: number }) => [i.sku, i.quantity]),
    ).toEqual([
      ['TSHIRT-M', 1],
      ['MUG-01', 1],
    ]);
    expect(res.headers.etag).toBe(`"${order.version + 1}"`);
    expect(await historyEvents(t, order.id)).toEqual(['CREATE', 'EDIT']);
  });

  it('refunds the excess by a job once an edit leaves a paid order over-paid', async () => {
    const t = await apiTest();
    const order = await confirmedOrderViaHttp(t);
    const shirt = order.items[0]!;
    const edited = await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .send({ items: [{ orderItemId: shirt.id, quantity: 1 }] })
      .expect(200);
    expect(edited.body).toMatchObject({ state: 'confirmed', total: order.total - 1999 });
    await t.oms.idle();
    const after = await orderViaHttp(t, order.id);
    expect(after).toMatchObject({
      paidTotal: order.total,
      refundedTotal: 1999,
      balanceDue: 0,
    });
    const payment = await t.api.get(`/api/v1/payments/${order.paymentId}`).expect(200);
    expect(payment.body.refunds).toEqual([
      expect.objectContaining({ amount: 1999, reason: 'order_edit', state: 'succeeded' }),
    ]);
  });

  it('leaves a balance when an edit raises the total; a payment without amount charges it', async () => {
    const t = await apiTest();
    const order = await confirmedOrderViaHttp(t);
    const edited = await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .send({ add: [MUG] })
      .expect(200);
    expect(edited.body).toMatchObject({ total: order.total + 1250, balanceDue: 1250 });
    const paid = await t.api
      .post('/api/v1/payments')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
      .expect(201);
    expect(paid.body).toMatchObject({ capturedAmount: 1250 });
    expect(await orderViaHttp(t, order.id)).toMatchObject({ balanceDue: 0 });
  });

  it('replays with Idempotency-Key and refuses the key with another edit', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const path = `/api/v1/orders/${order.id}/edit`;
    const first = await t.api
      .post(path)
      .set('Idempotency-Key', 'e1')
      .send({ taxTotal: 100 })
      .expect(200);
    const replay = await t.api
      .post(path)
      .set('Idempotency-Key', 'e1')
      .send({ taxTotal: 100 })
      .expect(200);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const conflict = await t.api
      .post(path)
      .set('Idempotency-Key', 'e1')
      .send({ taxTotal: 200 })
      .expect(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
    expect(await historyEvents(t, order.id)).toEqual(['CREATE', 'EDIT']);
  });

  it('refuses a stale If-Match with 409 concurrency_conflict and changes nothing', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const path = `/api/v1/orders/${order.id}/edit`;
    await t.api.post(path).send({ taxTotal: 100 }).expect(200);
    const stale = await t.api
      .post(path)
      .set('If-Match', `"${order.version}"`)
      .send({ taxTotal: 300 })
      .expect(409);
    expect(errorOf(stale).code).toBe('concurrency_conflict');
    expect(await orderViaHttp(t, order.id)).toMatchObject({ taxTotal: 100 });
    await t.api.post(path).set('If-Match', 'latest').send({ taxTotal: 300 }).expect(400);
  });

  it('answers bad input with 400 validation_error and writes nothing', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const shirt = order.items[0]!.id;
    for (const body of [
      {},
      { items: [] },
      { items: [{ orderItemId: shirt, quantity: -1 }] },
      { items: [{ orderItemId: shirt, quantity: 1.5 }] },
      {
        items: [
          { orderItemId: shirt, quantity: 1 },
          { orderItemId: shirt, quantity: 2 },
        ],
      },
      { add: [{ sku: 'MUG', name: 'Mug', quantity: 0, unitPrice: 100 }] },
      { taxTotal: -5 },
      { shippingTotal: 'free' },
      { note: 'bigger box' },
    ]) {
      const res = await t.api.post(`/api/v1/orders/${order.id}/edit`).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
    }
    expect(await orderViaHttp(t, order.id)).toMatchObject({
      version: order.version,
      total: order.total,
    });
    expect(await historyEvents(t, order.id)).toEqual(['CREATE']);
  });

  it('answers the rules with 422 and their codes, writing nothing', async () => {
    const t = await apiTest();
    const order = await confirmedOrderViaHttp(t);
    const [shirt, mug] = order.items;
    const shipment = await t.api
      .post(`/api/v1/orders/${order.id}/shipments`)
      .send({ items: [{ orderItemId: shirt!.id, quantity: 2 }] })
      .expect(201);
    const path = `/api/v1/orders/${order.id}/edit`;
    const below = await t.api
      .post(path)
      .send({ items: [{ orderItemId: shirt!.id, quantity: 1 }] })
      .expect(422);
    expect(errorOf(below).code).toBe('edit_below_fulfilled');
    await t.api
      .patch(`/api/v1/shipments/${shipment.body.id}/state`)
      .send({ state: 'cancelled' })
      .expect(200);
    const empty = await t.api
      .post(path)
      .send({
        items: [
          { orderItemId: shirt!.id, quantity: 0 },
          { orderItemId: mug!.id, quantity: 0 },
        ],
      })
      .expect(422);
    expect(errorOf(empty).code).toBe('edit_empties_order');
    const unknownLine = await t.api
      .post(path)
      .send({ items: [{ orderItemId: 'oli_01jd3x8k7m2v9q4r6t8w0y2a4c', quantity: 1 }] })
      .expect(422);
    expect(errorOf(unknownLine).code).toBe('order_item_not_found');
    expect(await historyEvents(t, order.id)).not.toContain('EDIT');

    const delivered = await deliveredOrderViaHttp(t);
    const late = await t.api
      .post(`/api/v1/orders/${delivered.orderId}/edit`)
      .send({ taxTotal: 1 })
      .expect(422);
    expect(errorOf(late).code).toBe('order_not_editable');
    const missing = await t.api
      .post('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c/edit')
      .send({ taxTotal: 1 })
      .expect(404);
    expect(errorOf(missing).code).toBe('not_found');
  });

  it('reserves and releases stock by the difference; more than is available is 409 insufficient_stock', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/MUG-01').send({ onHand: 2 }).expect(200);
    const order = await createOrder(t);
    const added = await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .send({ add: [MUG] })
      .expect(200);
    const line = added.body.items.find((i: { sku: string }) => i.sku === 'MUG-01');
    expect((await t.api.get('/api/v1/inventory/MUG-01')).body.reserved).toBe(1);
    const tooMany = await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .send({ items: [{ orderItemId: line.id, quantity: 3 }] })
      .expect(409);
    expect(errorOf(tooMany)).toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'MUG-01', requested: 2, available: 1 },
    });
    await t.api
      .post(`/api/v1/orders/${order.id}/edit`)
      .send({ items: [{ orderItemId: line.id, quantity: 0 }] })
      .expect(200);
    expect((await t.api.get('/api/v1/inventory/MUG-01')).body).toMatchObject({
      onHand: 2,
      reserved: 0,
    });
  });
});
