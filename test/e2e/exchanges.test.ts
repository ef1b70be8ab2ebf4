import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTest, apiTest, closeApiTests, errorOf } from './setup.js';
import { confirmedOrderViaHttp, orderViaHttp } from './support/orders.js';

afterEach(closeApiTests);

const SHIRT_L = { sku: 'SHIRT-L', name: 'Shirt L', quantity: 1, unitPrice: 2000 };

/** A paid, delivered order of one 2000 shirt (no shipping), over HTTP. */
async function deliveredShirt(t: ApiTest, quantity = 1) {
  const order = await confirmedOrderViaHttp(t, {
    items: [{ sku: 'SHIRT-M', name: 'Shirt M', quantity, unitPrice: 2000 }],
    shippingTotal: 0,
  });
  const shipment = await t.api.post(`/api/v1/orders/${order.id}/shipments`).expect(201);
  for (const state of ['shipped', 'delivered']) {
    await t.api.patch(`/api/v1/shipments/${shipment.body.id}/state`).send({ state }).expect(200);
  }
  return order;
}

async function returnTo(t: ApiTest, id: string, states: string[]) {
  for (const state of states) {
    await t.api.patch(`/api/v1/returns/${id}/state`).send({ state }).expect(200);
  }
}

describe('exchanges over HTTP', () => {
  it('previews and runs an even exchange: a linked replacement, no money moved', async () => {
    const t = await apiTest();
    await t.api.put('/api/v1/inventory/SHIRT-L').send({ onHand: 1 }).expect(200);
    const order = await deliveredShirt(t);
    const body = {
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' }],
      exchangeItems: [SHIRT_L],
    };
    const preview = await t.api.post('/api/v1/returns/preview').send(body).expect(200);
    expect(preview.body).toMatchObject({
      exchangeTotal: 2000,
      creditTotal: 2000,
      refundAmount: 0,
      balanceDue: 0,
    });
    const created = await t.api.post('/api/v1/returns').send(body).expect(201);
    expect(created.body).toMatchObject({
      state: 'initiated',
      creditTotal: 2000,
      refundAmount: 0,
      exchangeItems: [expect.objectContaining({ sku: 'SHIRT-L', quantity: 1 })],
    });
    const approved = await t.api
      .patch(`/api/v1/returns/${created.body.id}/state`)
      .send({ state: 'approved' })
      .expect(200);
    const replacementId = approved.body.exchangeOrderId as string;
    expect(replacementId).toMatch(/^ord_/);
    const replacement = await orderViaHttp(t, replacementId);
    expect(replacement).toMatchObject({
      state: 'pending',
      total: 2000,
      creditTotal: 2000,
      balanceDue: 0,
      exchangeForReturnId: created.body.id,
      customerId: 'cus_test',
    });
    expect((await t.api.get('/api/v1/inventory/SHIRT-L')).body).toMatchObject({
      reserved: 1,
      available: 0,
    });

    await t.oms.idle(); // the pickup is booked in a job
    await returnTo(t, created.body.id, ['in_transit', 'received']);
    await t.oms.idle();
    expect((await orderViaHttp(t, replacementId)).state).toBe('confirmed');
    await returnTo(t, created.body.id, ['processed']);
    await t.oms.idle();
    expect((await t.api.get(`/api/v1/returns/${created.body.id}`)).body.state).toBe('refunded');
    const payment = await t.api.get(`/api/v1/payments/${order.paymentId}`).expect(200);
    expect(payment.body).toMatchObject({ refundedAmount: 0, refunds: [] });
  });

  it('has a dearer replacement paid like any order: a payment without amount charges the difference', async () => {
    const t = await apiTest();
    const order = await deliveredShirt(t);
    const created = await t.api
      .post('/api/v1/returns')
      .send({
        orderId: order.id,
        items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' }],
        exchangeItems: [{ sku: 'JACKET', name: 'Jacket', quantity: 1, unitPrice: 3500 }],
      })
      .expect(201);
    expect(created.body).toMatchObject({ creditTotal: 2000, refundAmount: 0 });
    const approved = await t.api
      .patch(`/api/v1/returns/${created.body.id}/state`)
      .send({ state: 'approved' })
      .expect(200);
    const replacementId = approved.body.exchangeOrderId as string;
    await t.oms.idle();
    await returnTo(t, created.body.id, ['in_transit', 'received']);
    await t.oms.idle();
    expect(await orderViaHttp(t, replacementId)).toMatchObject({
      state: 'pending',
      balanceDue: 1500,
    });
    const paid = await t.api
      .post('/api/v1/payments')
      .send({ orderId: replacementId, paymentMethod: { token: 'tok_visa' } })
      .expect(201);
    expect(paid.body.capturedAmount).toBe(1500);
    await t.oms.idle();
    expect(await orderViaHttp(t, replacementId)).toMatchObject({
      state: 'confirmed',
      balanceDue: 0,
    });
  });

  it('cancels the pending replacement of a rejected exchange', async () => {
    const t = await apiTest();
    const order = await deliveredShirt(t);
    const created = await t.api
      .post('/api/v1/returns')
      .send({
        orderId: order.id,
        items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' }],
        exchangeItems: [SHIRT_L],
      })
      .expect(201);
    const approved = await t.api
      .patch(`/api/v1/returns/${created.body.id}/state`)
      .send({ state: 'approved' })
      .expect(200);
    await t.oms.idle();
    await t.api
      .patch(`/api/v1/returns/${created.body.id}/state`)
      .send({ state: 'cancelled', reason: 'kept it after all' })
      .expect(200);
    expect((await orderViaHttp(t, approved.body.exchangeOrderId)).state).toBe('cancelled');
  });

  it('answers bad exchange lines with 400, and a replacement without stock with 409, writing nothing', async () => {
    const t = await apiTest();
    const order = await deliveredShirt(t);
    const line = { orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' };
    for (const exchangeItems of [
      [],
      [{ ...SHIRT_L, quantity: 0 }],
      [{ ...SHIRT_L, unitPrice: -1 }],
      [{ sku: 'SHIRT-L', quantity: 1 }],
      'SHIRT-L',
    ]) {
      for (const path of ['/api/v1/returns', '/api/v1/returns/preview']) {
        const res = await t.api
          .post(path)
          .send({ orderId: order.id, items: [line], exchangeItems });
        expect(res.status, `${path} ${JSON.stringify(exchangeItems)}`).toBe(400);
        expect(errorOf(res).code).toBe('validation_error');
      }
    }
    expect((await t.api.get(`/api/v1/returns?orderId=${order.id}`)).body.data).toEqual([]);

    await t.api.put('/api/v1/inventory/SHIRT-L').send({ onHand: 0 }).expect(200);
    const created = await t.api
      .post('/api/v1/returns')
      .send({ orderId: order.id, items: [line], exchangeItems: [SHIRT_L] })
      .expect(201);
    const refused = await t.api
      .patch(`/api/v1/returns/${created.body.id}/state`)
      .send({ state: 'approved' })
      .expect(409);
    expect(errorOf(refused)).toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'SHIRT-L', requested: 1, available: 0 },
    });
    const still = await t.api.get(`/api/v1/returns/${created.body.id}`).expect(200);
    expect(still.body.state).toBe('initiated');
    expect(still.body.exchangeOrderId).toBeUndefined();
    const orders = await t.api.get('/api/v1/orders').expect(200);
    expect(orders.body.data).toHaveLength(1);
  });
});
