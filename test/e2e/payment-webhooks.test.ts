import fc from 'fast-check';
import type { ProviderEvent } from 'orderflow';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiTest, apiTest, closeApiTests, createOrder, errorOf } from './setup.js';

afterEach(closeApiTests);

/** Posts a delivery as a provider does: no bearer key, the raw bytes, its signature headers. */
function deliver(t: ApiTest, body: string, headers: Record<string, string>) {
  return t.http.post('/webhooks/payments').set(headers).send(body);
}

const signed = (t: ApiTest, event: ProviderEvent) => t.provider.signWebhook(event);

async function payWith(t: ApiTest, token: string) {
  const order = await createOrder(t);
  const res = await t.api
    .post('/api/v1/payments')
    .send({ orderId: order.id, paymentMethod: { token } })
    .expect(201);
  return { order, payment: res.body as { id: string; providerReference: string } };
}

describe('POST /webhooks/payments', () => {
  it('completes a 3-D Secure payment: 201 requires_action, then the signed event captures and confirms', async () => {
    const t = await apiTest();
    const order = await createOrder(t);
    const created = await t.api
      .post('/api/v1/payments')
      .send({ orderId: order.id, paymentMethod: { token: 'tok_threeDSecure' } })
      .expect(201);
    expect(created.body).toMatchObject({
      state: 'requires_action',
      nextAction: { type: 'redirect_to_url', url: expect.stringMatching(/^https:\/\//) },
    });

    const event = t.provider.completeAction(created.body.providerReference, 'succeed');
    const { body, headers } = signed(t, event);
    const res = await deliver(t, body, headers).expect(200);
    expect(res.body).toEqual({ status: 'applied', paymentId: created.body.id });
    await t.oms.idle();

    const payment = await t.api.get(`/api/v1/payments/${created.body.id}`).expect(200);
    expect(payment.body).toMatchObject({ state: 'captured', capturedAmount: order.total });
    expect(payment.body.nextAction).toBeUndefined();
    const confirmed = await t.api.get(`/api/v1/orders/${order.id}`).expect(200);
    expect(confirmed.body.state).toBe('confirmed');

    // The provider retries a delivery it thinks was lost: answered, applied once.
    const again = await deliver(t, body, headers).expect(200);
    expect(again.body).toEqual({ status: 'duplicate', paymentId: created.body.id });
    const history = await t.api.get(`/api/v1/payments/${created.body.id}/history`).expect(200);
    expect(history.body.data.filter((h: { event: string }) => h.event === 'CAPTURE')).toHaveLength(
      1,
    );
  });

  it('answers 401 to a bad, missing or stale signature and writes nothing', async () => {
    const t = await apiTest();
    const { payment } = await payWith(t, 'tok_async');
    const event = t.provider.settle(payment.providerReference, 'fail');
    const { body, headers } = signed(t, event);
    const unsigned = Object.fromEntries(
      Object.entries(headers).filter(([name]) => name !== 'webhook-signature'),
    );
    const forged = { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` };
    const stale = { ...headers, 'webhook-timestamp': String(Math.floor(Date.now() / 1000) - 3600) };
    const tampered = body.replace('debit_returned', 'nothing_wrong');
    // The same JSON re-serialized is not what was signed: the raw body is verified.
    const reformatted = JSON.stringify(JSON.parse(body), null, 2);
    for (const [raw, given] of [
      [body, unsigned],
      [body, forged],
      [body, stale],
      [tampered, headers],
      [reformatted, headers],
    ] as const) {
      const res = await deliver(t, raw, given).expect(401);
      expect(errorOf(res).code).toBe('invalid_webhook_signature');
    }
    expect(await t.oms.storage.providerEvents.get(event.id)).toBeUndefined();
    expect((await t.api.get(`/api/v1/payments/${payment.id}`).expect(200)).body.state).toBe(
      'processing',
    );

    // The genuine delivery still applies afterwards.
    const res = await deliver(t, body, headers).expect(200);
    expect(res.body.status).toBe('applied');
    const failed = await t.api.get(`/api/v1/payments/${payment.id}`).expect(200);
    expect(failed.body).toMatchObject({ state: 'failed', failureCode: 'debit_returned' });
  });

  it('needs no bearer key, ignores a bearer key, and verifies whatever the content type says', async () => {
    const t = await apiTest();
    const { payment } = await payWith(t, 'tok_visa');
    const event = t.provider.refundFromDashboard(payment.providerReference, 500);
    const { body, headers } = signed(t, event);
    const res = await deliver(t, body, { ...headers, 'content-type': 'text/plain' })
      .set('Authorization', 'Bearer wrong')
      .expect(200);
    expect(res.body).toEqual({ status: 'applied', paymentId: payment.id });
    const after = await t.api.get(`/api/v1/payments/${payment.id}`).expect(200);
    expect(after.body).toMatchObject({ state: 'partially_refunded', refundedAmount: 500 });
    expect(after.body.refunds[0]).toMatchObject({ amount: 500, origin: 'provider' });
  });

  it('answers an event for an unknown payment 200 ignored, and a signed but malformed one 400', async () => {
    const t = await apiTest();
    const unknown = signed(t, {
      id: 'evt_unknown_1',
      type: 'dispute.opened',
      providerReference: 'ch_nobody',
      disputeReference: 'dp_1',
      amount: 100,
    });
    const res = await deliver(t, unknown.body, unknown.headers).expect(200);
    expect(res.body).toEqual({ status: 'ignored', reason: 'unknown_payment' });

    const malformed = signed(t, {
      id: 'evt_bad_1',
      type: 'refund.created',
      providerReference: 'ch_1',
    } as ProviderEvent);
    const bad = await deliver(t, malformed.body, malformed.headers).expect(400);
    expect(errorOf(bad).code).toBe('validation_error');
  });

  it('is documented outside the bearer key, with its 401', async () => {
    const t = await apiTest();
    const doc = await t.http.get('/openapi.json').expect(200);
    const operation = doc.body.paths['/webhooks/payments'].post;
    expect(operation.operationId).toBe('receivePaymentWebhook');
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
  });

  it('answers a signed delivery of any JSON 200 or 400, never 5xx, and stores nothing it refused', async () => {
    const t = await apiTest();
    const { payment } = await payWith(t, 'tok_visa');
    const field = <T>(a: fc.Arbitrary<T>) =>
      fc.oneof(a, fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));
    const body = fc.record(
      {
        id: field(fc.stringMatching(/^[a-z0-9_]{1,20}$/)),
        type: field(
          fc.constantFrom(
            'payment.succeeded',
            'payment.failed',
            'refund.succeeded',
            'refund.failed',
            'refund.created',
            'dispute.opened',
            'dispute.won',
            'dispute.lost',
            'charge.captured',
          ),
        ),
        providerReference: field(fc.constantFrom(payment.providerReference, 'ch_nobody')),
        amount: field(fc.integer({ min: -5, max: 10_000 })),
        refundReference: field(fc.string({ minLength: 1, maxLength: 10 })),
        disputeReference: field(fc.string({ minLength: 1, maxLength: 10 })),
        reason: field(fc.string({ maxLength: 20 })),
        extra: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(body, async (raw) => {
        const event = JSON.parse(JSON.stringify(raw)) as ProviderEvent;
        // A fresh id each time (a header value: no surrounding spaces), unless the body
        // carries one that is not a string at all.
        runs += 1;
        const id =
          typeof event.id === 'string' || event.id === undefined
            ? `evt_${runs}_${event.id ?? ''}`
            : event.id;
        const { body: text, headers } = t.provider.signWebhook({ ...event, id } as ProviderEvent);
        const res = await deliver(t, text, headers);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) {
          expect(errorOf(res).code).toBe('validation_error');
          const id = (JSON.parse(text) as { id?: unknown }).id;
          if (typeof id === 'string') {
            expect(await t.oms.storage.providerEvents.get(id)).toBeUndefined();
          }
        }
      }),
      { numRuns: 40 },
    );
    // Whatever was applied, the payment's money adds up.
    const after = (await t.api.get(`/api/v1/payments/${payment.id}`).expect(200)).body;
    expect(after.refundedAmount).toBeLessThanOrEqual(after.capturedAmount);
  });
});
