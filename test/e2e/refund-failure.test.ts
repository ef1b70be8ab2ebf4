import { afterEach, describe, expect, it } from 'vitest';
import { apiTest, closeApiTests, deliveredOrderViaHttp, errorOf } from './setup.js';

afterEach(closeApiTests);

describe('a return whose refund was refused for good, over HTTP', () => {
  it('shows refundFailure on the return, and mark-refunded settles it', async () => {
    const t = await apiTest();
    const { orderId, paymentId, items } = await deliveredOrderViaHttp(t);
    await t.api.post(`/api/v1/payments/${paymentId}/refund`).send({}).expect(201);
    const created = await t.api
      .post('/api/v1/returns')
      .send({ orderId, items: [{ orderItemId: items[0]!.id, quantity: 1, reason: 'damaged' }] })
      .expect(201);
    const id = created.body.id as string;
    for (const state of ['approved', 'pickup_scheduled', 'in_transit', 'received', 'processed']) {
      await t.api.patch(`/api/v1/returns/${id}/state`).send({ state }).expect(200);
    }
    await t.oms.idle();

    const failed = await t.api.get(`/api/v1/returns/${id}`).expect(200);
    expect(failed.body).toMatchObject({
      state: 'processed',
      refundFailure: { code: 'refund_not_possible', message: expect.any(String) },
    });
    const retried = await t.api.post(`/api/v1/returns/${id}/retry-refund`).send({}).expect(200);
    expect(retried.body.refundFailure).toBeUndefined();
    await t.oms.idle();
    // Still no money to refund: it fails again, once more.
    expect((await t.api.get(`/api/v1/returns/${id}`).expect(200)).body.refundFailure.code).toBe(
      'refund_not_possible',
    );
    expect((await t.oms.deadLetters.list()).data).toHaveLength(2);

    const missing = await t.api.post(`/api/v1/returns/${id}/mark-refunded`).send({}).expect(400);
    expect(errorOf(missing).code).toBe('validation_error');
    const settled = await t.api
      .post(`/api/v1/returns/${id}/mark-refunded`)
      .send({ reason: 'refunded in the provider dashboard' })
      .expect(200);
    expect(settled.body.state).toBe('refunded');
    expect(settled.headers.etag).toBe(`"${settled.body.version}"`);
  });

  it('answers mark-refunded on a return whose refund did not fail with 422 refund_not_failed', async () => {
    const t = await apiTest();
    const { orderId, items } = await deliveredOrderViaHttp(t);
    const created = await t.api
      .post('/api/v1/returns')
      .send({ orderId, items: [{ orderItemId: items[0]!.id, quantity: 1, reason: 'damaged' }] })
      .expect(201);
    const res = await t.api
      .post(`/api/v1/returns/${created.body.id}/mark-refunded`)
      .send({ reason: 'cash' })
      .expect(422);
    expect(errorOf(res).code).toBe('refund_not_failed');
  });
});
