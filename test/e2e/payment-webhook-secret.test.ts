import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWebhookSecret } from 'orderflow';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../examples/express/app.js';
import { configFromEnv } from '../../examples/express/config.js';
import { openSystem } from '../../examples/express/system.js';

/** A delivery signed outside the server, as a provider (or `curl` with a script) would. */
function signedElsewhere(secret: string, event: Record<string, unknown>) {
  const body = JSON.stringify(event);
  const id = String(event.id);
  const at = new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, body),
    },
  };
}

describe('ORDERFLOW_PAYMENT_WEBHOOK_SECRET', () => {
  it('is read as a whsec_ secret, and anything else is refused naming the variable', () => {
    const secret = generateWebhookSecret();
    expect(configFromEnv({ ORDERFLOW_PAYMENT_WEBHOOK_SECRET: secret }).paymentWebhookSecret).toBe(
      secret,
    );
    expect(configFromEnv({}).paymentWebhookSecret).toBeUndefined();
    for (const bad of ['secret', 'whsec_', 'whsec_not base64!']) {
      expect(() => configFromEnv({ ORDERFLOW_PAYMENT_WEBHOOK_SECRET: bad })).toThrow(
        /ORDERFLOW_PAYMENT_WEBHOOK_SECRET/,
      );
    }
  });

  it('lets the example server take deliveries signed elsewhere with it, and no other', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'orderflow-webhook-secret-'));
    const secret = generateWebhookSecret();
    const config = configFromEnv({
      DATABASE_URL: `sqlite:${join(dir, 'orders.db')}`,
      ORDERFLOW_PAYMENT_WEBHOOK_SECRET: secret,
    });
    const oms = await openSystem(config, pino({ level: 'silent' }));
    try {
      const app = createApp(oms, { apiKey: 'example_key_0123456789', logger: false });
      const event = { id: 'evt_outside_1', type: 'payment.failed', providerReference: 'ch_x' };
      const good = signedElsewhere(secret, event);
      const res = await request(app)
        .post('/webhooks/payments')
        .set(good.headers)
        .send(good.body)
        .expect(200);
      expect(res.body).toEqual({ status: 'ignored', reason: 'unknown_payment' });

      const other = signedElsewhere(generateWebhookSecret(), { ...event, id: 'evt_outside_2' });
      const refused = await request(app)
        .post('/webhooks/payments')
        .set(other.headers)
        .send(other.body)
        .expect(401);
      expect(refused.body.error.code).toBe('invalid_webhook_signature');
      expect(await oms.storage.providerEvents.get('evt_outside_2')).toBeUndefined();
    } finally {
      await oms.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
