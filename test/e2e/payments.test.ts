import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTest, apiTest, closeApiTests, createOrder, errorOf } from './setup.js';

afterEach(closeApiTests);

function pay(t: ApiTest, orderId: string, extra: Record<string, unknown> = {}) {
  return t.api
    .post('/api/v1/payments')
    .send({ orderId, paymentMethod: { token: 'tok_visa' }, ...extra });
}

describe('POST /api/v1/payments', () => {
  it('charges what the order owes by default: 201 captured, Location, ETag', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await pay(t, order.id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      orderId: order.id,
      amount: order.total,
      capturedAmount: order.total,
      state: 'captured',
      refunds: [],
    });
    expect(res.headers.location).toBe(`/api/v1/payments/${res.body.id}`);
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    await t.oms.idle();
    const confirmed = await t.api.get(`/api/v1/orders/${order.id}`).expect(200);
    expect(confirmed.body).toMatchObject({ state: 'confirmed', paidTotal: order.total });
  });

  it('takes a partial amount and refuses more than what is still owed with 422', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const part = await pay(t, order.id, { amount: 1000 });
    expect(part.status).toBe(201);
    expect(part.body.amount).toBe(1000);
    const over = await pay(t, order.id, { amount: order.total });
    expect(over.status).toBe(422);
    expect(errorOf(over)).toMatchObject({
      code: 'amount_exceeds_balance',
      details: { owed: order.total - 1000 },
    });
  });

  it('refuses to pay a cancelled order with 422 order_not_payable', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    await t.api.post(`/api/v1/orders/${order.id}/cancel`).send({}).expect(200);
    const res = await pay(t, order.id);
    expect(res.status).toBe(422);
    expect(errorOf(res).code).toBe('order_not_payable');
  });

  it('answers a declined card with 402 payment_declined', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const res = await t.api
      .post('/api/v1/payments')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } })
      .expect(402);
    expect(errorOf(res)).toMatchObject({
      code: 'payment_declined',
      details: expect.objectContaining({ reason: 'card_declined' }),
    });
  });

  it('answers a provider that cannot be reached with 503 provider_unavailable', async () => {
    const t = await apiTest({ config: { providerRetries: 0 } });
    const order = await createOrder(t);
    t.provider.failNext('authorize', 'timeout');
    const res = await pay(t, order.id);
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe('provider_unavailable');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('replays with Idempotency-Key, and refuses the key with other input with 422', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const first = await pay(t, order.id).set('Idempotency-Key', 'pay-1');
    expect(first.status).toBe(201);
    const replay = await pay(t, order.id).set('Idempotency-Key', 'pay-1');
    expect(replay.status).toBe(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(t.provider.ledger(first.body.id).captured).toBe(order.total);
    const conflict = await pay(t, order.id, { amount: 1 }).set('Idempotency-Key', 'pay-1');
    expect(conflict.status).toBe(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
  });

  it('answers a bad body with 400 and an unknown order with 404', async () => {
    const t = await apiTest();
    const bad = await t.api
      .post('/api/v1/payments')
      .send({ orderId: 'ord_1', amount: -5, paymentMethod: {} })
      .expect(400);
    expect(errorOf(bad).code).toBe('validation_error');
    const unknown = await pay(t, 'ord_01jd3x8k7m2v9q4r6t8w0y2a4c');
    expect(unknown.status).toBe(404);
  });
});

describe('GET /api/v1/payments/{id}', () => {
  it('returns the payment with its refunds and ETag', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const payment = (await pay(t, order.id)).body;
    await t.api.post(`/api/v1/payments/${payment.id}/refund`).send({ amount: 100 }).expect(201);
    const res = await t.api.get(`/api/v1/payments/${payment.id}`).expect(200);
    expect(res.body).toMatchObject({
      id: payment.id,
      refundedAmount: 100,
      state: 'partially_refunded',
      refunds: [expect.objectContaining({ amount: 100, state: 'succeeded' })],
    });
    expect(res.headers.etag).toBe(`"${res.body.version}"`);
    const missing = await t.api.get('/api/v1/payments/pay_01jd3x8k7m2v9q4r6t8w0y2a4c').expect(404);
    expect(errorOf(missing).code).toBe('not_found');
  });
});

describe('POST /api/v1/payments/{id}/refund', () => {
  it('refunds part, then the rest by default: 201 with the refund', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const payment = (await pay(t, order.id)).body;
    const part = await t.api
      .post(`/api/v1/payments/${payment.id}/refund`)
      .send({ amount: 700, reason: 'goodwill' })
      .expect(201);
    expect(part.body).toMatchObject({
      paymentId: payment.id,
      amount: 700,
      reason: 'goodwill',
      state: 'succeeded',
    });
    expect(part.body.id).toMatch(/^rfd_/);
    const rest = await t.api.post(`/api/v1/payments/${payment.id}/refund`).expect(201);
    expect(rest.body.amount).toBe(order.total - 700);
    const after = await t.api.get(`/api/v1/payments/${payment.id}`).expect(200);
    expect(after.body).toMatchObject({ state: 'refunded', refundedAmount: order.total });
  });

  it('refuses more than what is left of the capture with 422 refund_exceeds_captured', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const payment = (await pay(t, order.id)).body;
    const res = await t.api
      .post(`/api/v1/payments/${payment.id}/refund`)
      .send({ amount: order.total + 1 })
      .expect(422);
    expect(errorOf(res).code).toBe('refund_exceeds_captured');
  });

  it('replays with Idempotency-Key without moving money twice', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const payment = (await pay(t, order.id)).body;
    const path = `/api/v1/payments/${payment.id}/refund`;
    const first = await t.api
      .post(path)
      .set('Idempotency-Key', 'rf')
      .send({ amount: 300 })
      .expect(201);
    const replay = await t.api
      .post(path)
      .set('Idempotency-Key', 'rf')
      .send({ amount: 300 })
      .expect(201);
    expect(replay.headers['idempotency-replayed']).toBe('true');
    expect(replay.body.id).toBe(first.body.id);
    expect(t.provider.ledger(payment.id).refunded).toBe(300);
    const conflict = await t.api.post(path).set('Idempotency-Key', 'rf').send({ amount: 301 });
    expect(conflict.status).toBe(422);
    expect(errorOf(conflict).code).toBe('idempotency_conflict');
  });

  it('answers a declined refund with 402 and a provider outage with 503', async () => {
    const t = await apiTest({ config: { providerRetries: 0 } });
    const order = await createOrder(t);
    const payment = (await pay(t, order.id)).body;
    t.provider.failNext('refund', 'decline');
    const declined = await t.api
      .post(`/api/v1/payments/${payment.id}/refund`)
      .send({ amount: 100 });
    expect(declined.status).toBe(402);
    expect(errorOf(declined).code).toBe('payment_declined');
    t.provider.failNext('refund', 'timeout');
    const down = await t.api.post(`/api/v1/payments/${payment.id}/refund`).send({ amount: 100 });
    expect(down.status).toBe(503);
    expect(errorOf(down).code).toBe('provider_unavailable');
  });

  it('answers a bad body with 400 and an unknown payment with 404', async () => {
    const t = await apiTest();
    const bad = await t.api
      .post('/api/v1/payments/pay_01jd3x8k7m2v9q4r6t8w0y2a4c/refund')
      .send({ amount: '5' })
      .expect(400);
    expect(errorOf(bad).code).toBe('validation_error');
    const unknown = await t.api
      .post('/api/v1/payments/pay_01jd3x8k7m2v9q4r6t8w0y2a4c/refund')
      .send({ amount: 5 })
      .expect(404);
    expect(errorOf(unknown).code).toBe('not_found');
  });
});

describe('manual capture', () => {
  it('authorizes only, then captures or voids over HTTP', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const held = await pay(t, order.id, { capture: 'manual', amount: 1000 });
    expect(held.status).toBe(201);
    expect(held.body.state).toBe('authorized');
    const captured = await t.api
      .post(`/api/v1/payments/${held.body.id}/capture`)
      .send({ amount: 1000 })
      .expect(200);
    expect(captured.body).toMatchObject({ state: 'captured', capturedAmount: 1000 });
    for (const amount of [100, 1001]) {
      const twice = await t.api
        .post(`/api/v1/payments/${held.body.id}/capture`)
        .send({ amount })
        .expect(422);
      expect(errorOf(twice).code).toBe('payment_already_captured');
    }

    const other = await pay(t, order.id, { capture: 'manual', amount: 500 });
    const voided = await t.api.post(`/api/v1/payments/${other.body.id}/void`).expect(200);
    expect(voided.body.state).toBe('voided');
    const again = await t.api.post(`/api/v1/payments/${other.body.id}/capture`).send({});
    expect(again.status).toBeGreaterThanOrEqual(400);
    expect(again.status).toBeLessThan(500);
  });
});

describe('GET /api/v1/payments and GET /api/v1/payments/{id}/history', () => {
  it('lists payments newest first, filtered by orderId and state, page by page', async () => {
    const t = await apiTest();
    const first = await createOrder(t);
    const second = await createOrder(t);
    const paid = (await pay(t, first.id).expect(201)).body;
    const declined = await t.api
      .post('/api/v1/payments')
      .send({ orderId: second.id, paymentMethod: { token: 'tok_chargeDeclined' } })
      .expect(402);
    expect(errorOf(declined).code).toBe('payment_declined');
    const later = (await pay(t, second.id).expect(201)).body;

    const all = await t.api.get('/api/v1/payments').expect(200);
    expect(all.body.data.map((p: { id: string }) => p.id)).toEqual([
      later.id,
      expect.stringMatching(/^pay_/),
      paid.id,
    ]);
    expect(all.body.nextCursor).toBeNull();
    const ofFirst = await t.api.get(`/api/v1/payments?orderId=${first.id}`).expect(200);
    expect(ofFirst.body.data.map((p: { id: string }) => p.id)).toEqual([paid.id]);
    const failed = await t.api.get('/api/v1/payments?state=failed').expect(200);
    expect(failed.body.data).toEqual([
      expect.objectContaining({ orderId: second.id, state: 'failed' }),
    ]);
    const page = await t.api.get('/api/v1/payments?limit=2').expect(200);
    expect(page.body.data).toHaveLength(2);
    const rest = await t.api
      .get(`/api/v1/payments?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`)
      .expect(200);
    expect(rest.body).toEqual({ data: [all.body.data[2]], nextCursor: null });
  });

  it('refuses an unknown or bad query parameter with 400 naming it', async () => {
    const t = await apiTest();
    const typo = await t.api.get('/api/v1/payments?status=captured').expect(400);
    expect(errorOf(typo)).toMatchObject({ code: 'validation_error' });
    expect(errorOf(typo).message).toContain('status');
    const bad = await t.api.get('/api/v1/payments?state=paid').expect(400);
    expect(JSON.stringify(errorOf(bad).details)).toContain('state');
  });

  it('returns the state history of a payment, and 404 for an unknown one', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const payment = (await pay(t, order.id).expect(201)).body;
    await t.api.post(`/api/v1/payments/${payment.id}/refund`).send({ amount: 100 }).expect(201);
    const res = await t.api.get(`/api/v1/payments/${payment.id}/history`).expect(200);
    expect(res.body.data.map((h: { from: string | null; to: string }) => [h.from, h.to])).toEqual([
      [null, 'pending'],
      ['pending', 'captured'],
      ['captured', 'partially_refunded'],
    ]);
    const missing = await t.api
      .get('/api/v1/payments/pay_01jd3x8k7m2v9q4r6t8w0y2a4c/history')
      .expect(404);
    expect(errorOf(missing).code).toBe('not_found');
    const wrongMethod = await t.api.post(`/api/v1/payments/${payment.id}/history`).expect(405);
    expect(wrongMethod.headers.allow).toBe('GET');
  });
});
