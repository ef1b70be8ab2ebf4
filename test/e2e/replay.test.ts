import { afterEach, describe, expect, it } from 'vitest';
import { apiTest, closeApiTests, createOrder, errorOf, orderBody } from './setup.js';

afterEach(closeApiTests);

/** JSON text of an order body with metadata keys in an order no sorting would give. */
const METADATA_TEXT = '{"b":1,"a":2,"zz":{"y":true,"x":[{"q":1,"p":2}]},"ab":"c"}';

describe('Idempotency-Key replays', () => {
  it('replays a created order byte for byte, and keeps the metadata key order on GET', async () => {
    const t = await apiTest();
    const body = JSON.stringify(orderBody()).replace(/}$/, `,"metadata":${METADATA_TEXT}}`);
    const send = () =>
      t.api
        .post('/api/v1/orders')
        .set('Idempotency-Key', 'order-bytes')
        .type('json')
        .send(body)
        .expect(201);
    const first = await send();
    const second = await send();
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.text).toBe(first.text);
    expect(first.text).toContain(`"metadata":${METADATA_TEXT}`);
    const got = await t.api.get(`/api/v1/orders/${first.body.id}`).expect(200);
    expect(got.text).toContain(`"metadata":${METADATA_TEXT}`);
    const listed = await t.api.get('/api/v1/orders').expect(200);
    expect(listed.text).toContain(`"metadata":${METADATA_TEXT}`);
  });

  it('answers 20 parallel payments with one key with one payment and byte-identical bodies', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        t.api
          .post('/api/v1/payments')
          .set('Idempotency-Key', 'pay-storm')
          .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } }),
      ),
    );
    const created = responses.filter((r) => r.status === 201);
    // Twins still running may be told to retry (409); every answer given is the same bytes.
    for (const r of responses) expect([201, 409]).toContain(r.status);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((r) => r.text)).size).toBe(1);
    const again = await t.api
      .post('/api/v1/payments')
      .set('Idempotency-Key', 'pay-storm')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_visa' } })
      .expect(201);
    expect(again.text).toBe(created[0]!.text);
    expect(again.headers['idempotency-replayed']).toBe('true');
    expect(await t.oms.payments.listByOrder(order.id)).toHaveLength(1);
  });

  it('replays a refused payment with Idempotency-Replayed: true and the same body', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const send = () =>
      t.api
        .post('/api/v1/payments')
        .set('Idempotency-Key', 'declined-once')
        .send({ orderId: order.id, paymentMethod: { token: 'tok_chargeDeclined' } })
        .expect(402);
    const first = await send();
    const second = await send();
    expect(errorOf(first).code).toBe('payment_declined');
    expect(first.headers['idempotency-replayed']).toBeUndefined();
    expect(second.headers['idempotency-replayed']).toBe('true');
    expect(second.text).toBe(first.text);
    expect(await t.oms.payments.listByOrder(order.id)).toHaveLength(1);
  });
});
