import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  EVENT_NAMES,
  generateWebhookSecret,
  type Notification,
  type OrderflowEventName,
  verifyWebhookSignature,
  webhookNotifier,
} from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, testSystem } from '../managers/setup.js';

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MAX_BODY = 1_000_000;

interface Delivery {
  headers: IncomingHttpHeaders;
  /** The raw body as received. */
  body: string;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
}

const servers: Server[] = [];

/**
 * An HTTP receiver on 127.0.0.1 (a free port) that records every request and answers with
 * `respond(delivery)`'s status, or, for `'hang'`, never answers; `'drop'` cuts the socket.
 */
async function receiver(
  respond: (delivery: Delivery, deliveries: Delivery[]) => number | 'hang' | 'drop' = () => 204,
): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      deliveries.push(delivery);
      const answer = respond(delivery, deliveries);
      if (answer === 'hang') return;
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.statusCode = answer;
      res.end(answer >= 400 ? 'receiver unavailable' : undefined);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/orderflow`, deliveries };
}

afterEach(async () => {
  await closeSystems();
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Creates an order and pays it: order.created, payment.*, order.state_changed. */
async function orderAndPayment(oms: Awaited<ReturnType<typeof testSystem>>['oms']) {
  const order = await oms.orders.create(orderInput());
  await oms.payments.process({ orderId: order.id, paymentMethod: { token: 'tok_visa' } });
  await oms.idle();
  return order;
}

const header = (d: Delivery, name: string) => d.headers[name] as string | undefined;
const byDeliveryId = (deliveries: Delivery[]) => {
  const groups = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const id = header(d, 'webhook-id')!;
    groups.set(id, [...(groups.get(id) ?? []), d]);
  }
  return groups;
};

describe('webhookNotifier: signed deliveries to a receiver', () => {
  it('delivers every event once, signed as Standard Webhooks, with the documented headers and body', async () => {
    const hook = await receiver();
    const { oms } = await testSystem({
      notifier: webhookNotifier({ url: hook.url, secret: SECRET }),
    });
    const heard = new Map<string, number>();
    for (const name of EVENT_NAMES) {
      oms.events.on(name, () => heard.set(name, (heard.get(name) ?? 0) + 1));
    }

    const order = await orderAndPayment(oms);

    const sent = new Map<string, number>();
    const standard = new Webhook(SECRET);
    for (const d of hook.deliveries) {
      // The receiver's side, with the Standard Webhooks reference library.
      const body = standard.verify(d.body, d.headers as Record<string, string>) as {
        id: string;
        type: OrderflowEventName;
        timestamp: string;
      };
      sent.set(body.type, (sent.get(body.type) ?? 0) + 1);
      expect(verifyWebhookSignature({ payload: d.body, headers: d.headers, secret: SECRET })).toBe(
        true,
      );
      expect(d.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'orderflow-webhooks',
        'webhook-id': body.id,
        'webhook-timestamp': expect.stringMatching(/^\d+$/),
        'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]{43}=$/),
      });
      expect(body.id).toMatch(/^evt_/);
    }
    expect(sent).toEqual(heard);
    expect(sent.get('order.created')).toBe(1);
    expect(byDeliveryId(hook.deliveries).size).toBe(hook.deliveries.length);

    const created = hook.deliveries.find((d) => JSON.parse(d.body).type === 'order.created')!;
    expect(JSON.parse(created.body)).toEqual({
      id: header(created, 'webhook-id'),
      type: 'order.created',
      timestamp: order.createdAt,
      data: {
        id: order.id,
        at: order.createdAt,
        entity: expect.objectContaining({ id: order.id }),
      },
    });
    expect(await oms.deadLetters.list()).toEqual({ data: [], nextCursor: null });
  });

  it('redelivers an event the receiver refused twice, with the same delivery id each time', async () => {
    const hook = await receiver((d, all) => {
      const id = header(d, 'webhook-id');
      const tries = all.filter((x) => header(x, 'webhook-id') === id).length;
      return tries <= 2 ? 500 : 200;
    });
    const { oms } = await testSystem({
      notifier: webhookNotifier({ url: hook.url, secret: SECRET }),
    });

    await orderAndPayment(oms);

    const groups = byDeliveryId(hook.deliveries);
    expect(groups.size).toBeGreaterThanOrEqual(3);
    for (const [id, tries] of groups) {
      expect(tries).toHaveLength(3);
      for (const d of tries) {
        expect(JSON.parse(d.body).id).toBe(id);
        const ok = verifyWebhookSignature({ payload: d.body, headers: d.headers, secret: SECRET });
        expect(ok).toBe(true);
      }
    }
    expect(await oms.deadLetters.list()).toEqual({ data: [], nextCursor: null });
  });

  it('dead-letters each event once when the receiver stays down through every attempt', async () => {
    const hook = await receiver(() => 503);
    const { oms } = await testSystem({
      notifier: webhookNotifier({ url: hook.url, secret: SECRET }),
    });

    await orderAndPayment(oms);

    const groups = byDeliveryId(hook.deliveries);
    for (const tries of groups.values()) expect(tries).toHaveLength(3);
    const { data } = await oms.deadLetters.list({ limit: 100 });
    expect(data.map((d) => d.id).sort()).toEqual(
      [...groups.keys()].map((id) => `notify:${id}`).sort(),
    );
    for (const letter of data) {
      expect(letter.attempts).toBe(3);
      expect(letter.job).toBe('orderflow.notify');
      expect(letter.error).toMatch(/failed: HTTP 503 receiver unavailable$/);
      expect(letter.error).toContain(`${hook.url}`);
      expect((letter.payload as Notification).id).toBe(letter.id.slice('notify:'.length));
    }
  });
});

describe('verifying deliveries', () => {
  async function oneDelivery() {
    const hook = await receiver();
    const notifier = webhookNotifier({ url: hook.url, secret: SECRET });
    await notifier.notify({
      id: 'evt_signed',
      name: 'order.created',
      payload: { id: 'ord_1', note: 'Café ☕' },
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const d = hook.deliveries[0]!;
    const headers = {
      'webhook-id': header(d, 'webhook-id')!,
      'webhook-timestamp': header(d, 'webhook-timestamp')!,
      'webhook-signature': header(d, 'webhook-signature')!,
    };
    return { body: d.body, headers, t: Number(headers['webhook-timestamp']) };
  }

  it('the standardwebhooks package accepts a delivery and refuses it tampered with', async () => {
    const { body, headers } = await oneDelivery();
    const standard = new Webhook(SECRET);
    expect(standard.verify(body, headers)).toEqual({
      id: 'evt_signed',
      type: 'order.created',
      timestamp: '2026-01-01T00:00:00.000Z',
      data: { id: 'ord_1', note: 'Café ☕' },
    });
    const refuse = (b: string, h: Record<string, string>, wh = standard) =>
      expect(() => wh.verify(b, h)).toThrow(WebhookVerificationError);
    refuse(body.replace('ord_1', 'ord_2'), headers);
    refuse(body, { ...headers, 'webhook-id': 'evt_other' });
    refuse(body, headers, new Webhook(generateWebhookSecret()));
  });

  it('verifyWebhookSignature accepts what the standardwebhooks package signs, as a string or bytes', async () => {
    const { body, headers } = await oneDelivery();
    expect(verifyWebhookSignature({ payload: body, headers, secret: SECRET })).toBe(true);
    const bytes = Buffer.from(body, 'utf8');
    expect(verifyWebhookSignature({ payload: bytes, headers, secret: SECRET })).toBe(true);
    // Signed by the reference library, checked by ours; header names in any case.
    const now = new Date();
    const signature = new Webhook(SECRET).sign('msg_1', now, '{"a":1}');
    const theirs = {
      'Webhook-Id': 'msg_1',
      'Webhook-Timestamp': String(Math.floor(now.getTime() / 1000)),
      'Webhook-Signature': `v1,bm9wZQ== ${signature}`, // rotation: any listed signature may match
    };
    expect(verifyWebhookSignature({ payload: '{"a":1}', headers: theirs, secret: SECRET })).toBe(
      true,
    );
  });

  it('verifyWebhookSignature rejects a tampered body, another secret and a forged or missing signature', async () => {
    const { body, headers, t } = await oneDelivery();
    const verify = (payload: string, h: Record<string, string | undefined>, secret = SECRET) =>
      verifyWebhookSignature({ payload, headers: h, secret });
    const signature = headers['webhook-signature'];

    expect(verify(body.replace('ord_1', 'ord_2'), headers)).toBe(false);
    expect(verify(`${body} `, headers)).toBe(false);
    expect(verify(body, headers, generateWebhookSecret())).toBe(false);
    const flipped = signature.replace(/^v1,(.)/, (_, c: string) => `v1,${c === 'A' ? 'B' : 'A'}`);
    expect(verify(body, { ...headers, 'webhook-signature': flipped })).toBe(false);
    // The id and the timestamp are signed too.
    expect(verify(body, { ...headers, 'webhook-id': 'evt_other' })).toBe(false);
    expect(verify(body, { ...headers, 'webhook-timestamp': String(t + 1) })).toBe(false);
    expect(verify(body, { ...headers, 'webhook-signature': undefined })).toBe(false);
    expect(verify(body, { ...headers, 'webhook-signature': '' })).toBe(false);
    expect(verify(body, { ...headers, 'webhook-signature': signature.replace('v1,', 'v2,') })).toBe(
      false,
    );
    expect(verify(body, { ...headers, 'webhook-timestamp': 'nope' })).toBe(false);
    expect(() => verify(body, headers, 'not base64!')).toThrow(TypeError);
  });

  it('verifyWebhookSignature rejects a delivery signed longer ago (or further ahead) than the tolerance', async () => {
    const { body, headers, t } = await oneDelivery();
    const at = (seconds: number, toleranceSeconds?: number) =>
      verifyWebhookSignature({
        payload: body,
        headers,
        secret: SECRET,
        now: (t + seconds) * 1000,
        ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
      });

    expect(at(299)).toBe(true);
    expect(at(301)).toBe(false);
    expect(at(-301)).toBe(false);
    expect(at(3600, 3601)).toBe(true);
    expect(at(61, 60)).toBe(false);
  });
});

describe('webhookNotifier: failures and options', () => {
  const notification: Notification = {
    id: 'evt_1',
    name: 'order.created',
    payload: {},
    createdAt: '2026-01-01T00:00:00.000Z',
  };

  it('fails a delivery that the receiver does not answer within timeoutMs', async () => {
    const hook = await receiver(() => 'hang');
    const notifier = webhookNotifier({ url: hook.url, secret: SECRET, timeoutMs: 50 });
    await expect(notifier.notify(notification)).rejects.toThrow(/timed out after 50 ms/);
  });

  it('fails a delivery whose connection drops, and one answered with a redirect', async () => {
    const dropped = await receiver(() => 'drop');
    await expect(
      webhookNotifier({ url: dropped.url, secret: SECRET }).notify(notification),
    ).rejects.toThrow(
      /^webhook order\.created \(evt_1\) to http:\/\/127\.0\.0\.1:\d+\/hooks\/orderflow failed/,
    );
    const moved = await receiver(() => 308);
    await expect(
      webhookNotifier({ url: moved.url, secret: SECRET }).notify(notification),
    ).rejects.toThrow(/HTTP 308/);
    expect(moved.deliveries).toHaveLength(1);
  });

  it('sends extra headers and uses an injected fetch', async () => {
    const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
    const notifier = webhookNotifier({
      url: 'https://hooks.example.com/orderflow?token=abc',
      secret: SECRET,
      headers: { Authorization: 'Bearer t0ken' },
      fetch: async (url, init) => {
        calls.push({ url, headers: init.headers, body: init.body });
        return { status: 202, text: async () => '' };
      },
    });
    await notifier.notify(notification);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('https://hooks.example.com/orderflow?token=abc');
    expect(calls[0]!.headers).toMatchObject({
      authorization: 'Bearer t0ken',
      'webhook-id': 'evt_1',
    });
    expect(JSON.parse(calls[0]!.body)).toEqual({
      id: 'evt_1',
      type: 'order.created',
      timestamp: notification.createdAt,
      data: {},
    });
  });

  it('refuses a bad url, a secret that is not whsec_ base64 of 24 bytes, a bad timeout and a header it sets itself', () => {
    const make = (options: Record<string, unknown>) => () =>
      webhookNotifier({ url: 'https://example.com/hook', secret: SECRET, ...options } as never);
    expect(make({ url: 'ftp://example.com/hook' })).toThrow(TypeError);
    expect(make({ url: '/relative/hook' })).toThrow(/`url` must be an absolute http\(s\) URL/);
    expect(make({ url: undefined })).toThrow(TypeError);
    expect(make({ secret: 'whsec_c2hvcnQ=' })).toThrow(/`secret` must be `whsec_` and at least 24/);
    expect(make({ secret: 'whsec_not base64 at all, but long enough' })).toThrow(/whsec_/);
    expect(make({ secret: undefined })).toThrow(TypeError);
    expect(make({ secret: generateWebhookSecret() })).not.toThrow();
    expect(generateWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(make({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(make({ headers: { 'Webhook-Signature': 'x' } })).toThrow(/set by the notifier/);
    expect(make({})).not.toThrow();
  });
});
