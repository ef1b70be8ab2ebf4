import { afterEach, expect, it } from 'vitest';
import { apiTest, closeApiTests, orderBody } from './setup.js';

afterEach(closeApiTests);

it('walks an order from creation to returned and refunded, over HTTP only', async () => {
  const t = await apiTest();
  const { api } = t;

  // Create and pay: the full capture confirms the order in a background job.
  const order = (await api.post('/api/v1/orders').send(orderBody()).expect(201)).body;
  expect(order.state).toBe('pending');
  const payment = (
    await api
      .post('/api/v1/payments')
      .set('Idempotency-Key', 'walk-pay')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
      .expect(201)
  ).body;
  expect(payment).toMatchObject({ state: 'captured', amount: order.total });
  await t.oms.idle();
  let current = (await api.get(`/api/v1/orders/${order.id}`).expect(200)).body;
  expect(current).toMatchObject({ state: 'confirmed', paidTotal: order.total });

  // Fulfil, each step guarded by the version the last response carried in ETag.
  for (const [state, extra] of [
    ['processing', {}],
    ['shipped', { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' }],
    ['delivered', {}],
  ] as const) {
    const res = await api
      .patch(`/api/v1/orders/${order.id}/state`)
      .set('If-Match', `"${current.version}"`)
      .send({ state, ...extra })
      .expect(200);
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    current = res.body;
  }
  expect(current.state).toBe('delivered');

  // Return every unit.
  const ret = (
    await api
      .post('/api/v1/returns')
      .send({
        orderId: order.id,
        items: order.items.map((item: { id: string; quantity: number }) => ({
          orderItemId: item.id,
          quantity: item.quantity,
          reason: 'not_as_described',
        })),
      })
      .expect(201)
  ).body;
  expect(ret).toMatchObject({
    state: 'initiated',
    refundAmount: order.total - order.shippingTotal,
  });

  // Approve: the carrier books the pickup in a job.
  await api.patch(`/api/v1/returns/${ret.id}/state`).send({ state: 'approved' }).expect(200);
  await t.oms.idle();
  const booked = (await api.get(`/api/v1/returns/${ret.id}`).expect(200)).body;
  expect(booked.state).toBe('pickup_scheduled');

  for (const state of ['in_transit', 'received', 'processed']) {
    await api.patch(`/api/v1/returns/${ret.id}/state`).send({ state }).expect(200);
  }

  // Processed: the refund job pays the money back, then the return and the order close.
  await t.oms.idle();
  const refunded = (await api.get(`/api/v1/returns/${ret.id}`).expect(200)).body;
  expect(refunded.state).toBe('refunded');
  const paid = (await api.get(`/api/v1/payments/${payment.id}`).expect(200)).body;
  expect(paid.refunds).toEqual([
    expect.objectContaining({ returnId: ret.id, amount: ret.refundAmount, state: 'succeeded' }),
  ]);
  expect(paid.refundedAmount).toBe(ret.refundAmount);
  const done = (await api.get(`/api/v1/orders/${order.id}`).expect(200)).body;
  expect(done).toMatchObject({ state: 'returned', refundedTotal: ret.refundAmount });
  expect(t.provider.ledger(payment.id)).toMatchObject({
    captured: order.total,
    refunded: ret.refundAmount,
  });

  const history = (await api.get(`/api/v1/orders/${order.id}/history`).expect(200)).body.data;
  expect(history.map((h: { to: string }) => h.to)).toEqual([
    'pending',
    'confirmed',
    'processing',
    'shipped',
    'delivered',
    'returned',
  ]);
  const returns = (await api.get(`/api/v1/returns?orderId=${order.id}&state=refunded`)).body;
  expect(returns.data.map((r: { id: string }) => r.id)).toEqual([ret.id]);
});
