import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { API_KEY, apiTest, closeApiTests, createOrder, errorOf, orderBody } from './setup.js';

afterEach(closeApiTests);

describe('authentication', () => {
  it('refuses an /api/v1 request without an Authorization header with 401', async () => {
    const t = await apiTest();
    const res = await t.http.get('/api/v1/orders').expect(401);
    expect(errorOf(res).code).toBe('unauthorized');
    expect(errorOf(res).message).toMatch(/Authorization/);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('refuses a wrong key, a key with a different length and another scheme', async () => {
    const t = await apiTest();
    for (const header of [
      `Bearer ${API_KEY.slice(0, -1)}x`,
      `Bearer ${API_KEY}extra`,
      'Bearer ',
      `Basic ${Buffer.from(`user:${API_KEY}`).toString('base64')}`,
      API_KEY,
    ]) {
      const res = await t.http.get('/api/v1/orders').set('Authorization', header);
      expect(res.status, header).toBe(401);
      expect(errorOf(res).code).toBe('unauthorized');
    }
  });

  it('checks the key before reading the body', async () => {
    const t = await apiTest();
    const res = await t.http
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json')
      .send('{not json')
      .expect(401);
    expect(errorOf(res).code).toBe('unauthorized');
  });

  it('accepts the scheme in any case', async () => {
    const t = await apiTest();
    await t.http.get('/api/v1/orders').set('Authorization', `bearer ${API_KEY}`).expect(200);
  });
});

describe('GET /health', () => {
  it('reports storage and jobs ready without authentication', async () => {
    const t = await apiTest();
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', storage: 'ok', jobs: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers 503 naming the storage when it does not answer', async () => {
    let down = false;
    const t = await apiTest({
      wrapStorage: (storage) => ({
        ...storage,
        ping: async () => {
          if (down) throw new Error('database is gone');
          return storage.ping();
        },
      }),
    });
    down = true;
    const res = await t.http.get('/health').expect(503);
    expect(res.body).toEqual({ status: 'error', storage: 'error', jobs: 'ok' });
  });

  it('answers 503 naming the job runner once it is stopped', async () => {
    const t = await apiTest();
    await t.oms.jobs.stop();
    const res = await t.http.get('/health').expect(503);
    expect(res.body).toEqual({ status: 'error', storage: 'ok', jobs: 'error' });
    expect(res.headers['retry-after']).toBe('5');
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toEqual({ status: 'error', storage: 'ok', jobs: 'error' });
  });
});

describe('GET /health/live and GET /health/ready', () => {
  it('reports live and ready without authentication', async () => {
    const t = await apiTest();
    const live = await t.http.get('/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body).toEqual({ status: 'ok', storage: 'ok', jobs: 'ok' });
    await t.http.post('/health/ready').expect(405);
  });

  it('stays live but is not ready while the storage is down', async () => {
    let down = false;
    const t = await apiTest({
      wrapStorage: (storage) => ({
        ...storage,
        ping: async () => {
          if (down) throw new Error('database is gone');
          return storage.ping();
        },
      }),
    });
    down = true;
    await t.http.get('/health/live').expect(200);
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toEqual({ status: 'error', storage: 'error', jobs: 'ok' });
  });

  it('answers 503 draining with Retry-After while the server drains, and serves the rest', async () => {
    let draining = false;
    const t = await apiTest({ app: { draining: () => draining } });
    await t.http.get('/health/ready').expect(200);
    draining = true;
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toEqual({ status: 'draining', storage: 'ok', jobs: 'ok' });
    expect(ready.headers['retry-after']).toBe('5');
    expect((await t.http.get('/health').expect(503)).body.status).toBe('draining');
    await t.http.get('/health/live').expect(200);
    await t.api.get('/api/v1/orders').expect(200);
  });
});

describe('request bodies', () => {
  it('answers malformed JSON with 400 malformed_json', async () => {
    const t = await apiTest();
    const res = await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json')
      .send('{"customerId": "c_1",')
      .expect(400);
    expect(errorOf(res).code).toBe('malformed_json');
  });

  it('answers JSON that is not an object with 400 validation_error, never 500', async () => {
    const t = await apiTest();
    for (const raw of ['"a string"', '42', 'null', 'true']) {
      const res = await t.api
        .post('/api/v1/orders')
        .set('Content-Type', 'application/json')
        .send(raw);
      expect(res.status, raw).toBe(400);
      expect(errorOf(res).code, raw).toBe('validation_error');
      expect(errorOf(res).message, raw).toBe('Invalid body: must be a JSON object');
    }
    const array = await t.api.post('/api/v1/orders').send([orderBody()]).expect(400);
    expect(errorOf(array).code).toBe('validation_error');
  });

  it('answers a schema failure with 400 validation_error and the path of each issue', async () => {
    const t = await apiTest();
    const res = await t.api
      .post('/api/v1/orders')
      .send(
        orderBody({
          currency: 'usd',
          items: [{ sku: 'A', name: 'A', quantity: 0, unitPrice: 1.5 }],
        }),
      )
      .expect(400);
    expect(errorOf(res).code).toBe('validation_error');
    const issues = errorOf(res).details?.issues as { path: (string | number)[] }[];
    const paths = issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(
      expect.arrayContaining(['currency', 'items.0.quantity', 'items.0.unitPrice']),
    );
  });

  it('names unknown fields instead of ignoring them', async () => {
    const t = await apiTest();
    const res = await t.api
      .post('/api/v1/orders')
      .send(orderBody({ total: 1, __proto__: { admin: true } }))
      .expect(400);
    const issues = errorOf(res).details?.issues as { path: string[] }[];
    expect(issues.map((i) => i.path.join('.'))).toContain('total');
  });

  it('answers a body over 1 MB with 413 payload_too_large', async () => {
    const t = await apiTest();
    const res = await t.api
      .post('/api/v1/orders')
      .send(orderBody({ metadata: { blob: 'x'.repeat(1_100_000) } }))
      .expect(413);
    expect(errorOf(res).code).toBe('payload_too_large');
  });

  it('takes a body just under 1 MB', async () => {
    const t = await apiTest();
    // Valid JSON padded with whitespace: metadata itself is capped far below this.
    const json = JSON.stringify(orderBody());
    await t.api
      .post('/api/v1/orders')
      .type('json')
      .send(`${json}${' '.repeat(1_000_000 - json.length)}`)
      .expect(201);
  });

  it('answers a body that is not JSON with 415 unsupported_media_type', async () => {
    const t = await apiTest();
    const form = await t.api
      .post('/api/v1/orders')
      .type('form')
      .send({ customerId: 'c_1' })
      .expect(415);
    expect(errorOf(form).code).toBe('unsupported_media_type');
    const text = await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(orderBody()))
      .expect(415);
    expect(errorOf(text).code).toBe('unsupported_media_type');
    const charset = await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json; charset=latin1')
      .send(JSON.stringify(orderBody()))
      .expect(415);
    expect(errorOf(charset).code).toBe('unsupported_media_type');
  });

  it('takes application/*+json and treats an empty body as {}', async () => {
    const t = await apiTest();
    await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'application/vnd.api+json')
      .send(JSON.stringify(orderBody()))
      .expect(201);
    const order = await createOrder(t);
    const res = await t.api.post(`/api/v1/orders/${order.id}/cancel`).expect(200);
    expect(res.body.state).toBe('cancelled');
    const empty = await t.api.post('/api/v1/orders').expect(400);
    expect(errorOf(empty).code).toBe('validation_error');
  });
});

describe('routing', () => {
  it('answers unknown routes with 404 not_found, inside and outside /api/v1', async () => {
    const t = await apiTest();
    const inside = await t.api.get('/api/v1/customers').expect(404);
    expect(errorOf(inside).code).toBe('not_found');
    const outside = await t.http.get('/nope').expect(404);
    expect(errorOf(outside).code).toBe('not_found');
  });

  it('answers a known path with an unsupported method with 405 and Allow', async () => {
    const t = await apiTest();
    const res = await t.api.delete('/api/v1/orders').expect(405);
    expect(errorOf(res).code).toBe('method_not_allowed');
    expect(res.headers.allow).toBe('GET, POST');
  });

  it('answers ids of the wrong shape with 404, never 500', async () => {
    const t = await apiTest();
    for (const path of [
      '/api/v1/orders/123',
      '/api/v1/orders/ret_01jd3x8k7m2v9q4r6t8w0y2a4c',
      `/api/v1/orders/ord_${'x'.repeat(5000)}`,
      '/api/v1/orders/%27%20OR%201%3D1',
      '/api/v1/returns/ord_01jd3x8k7m2v9q4r6t8w0y2a4c',
      '/api/v1/payments/..%2F..%2Fetc',
    ]) {
      const res = await t.api.get(path);
      expect(res.status, path).toBe(404);
      expect(errorOf(res).code).toBe('not_found');
    }
  });

  it('answers a malformed percent-encoding in the path with 4xx', async () => {
    const t = await apiTest();
    const res = await t.api.get('/api/v1/orders/%E0%A4%A');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(errorOf(res).code).toBeTypeOf('string');
  });
});

describe('headers', () => {
  it('echoes a well-formed X-Request-Id and makes one up otherwise', async () => {
    const t = await apiTest();
    const given = await t.http.get('/health').set('X-Request-Id', 'req-abc.123').expect(200);
    expect(given.headers['x-request-id']).toBe('req-abc.123');
    const made = await t.http.get('/health').expect(200);
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await t.http.get('/health').set('X-Request-Id', 'a b<script>').expect(200);
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sets helmet security headers and hides the framework', async () => {
    const t = await apiTest();
    const res = await t.api.get('/api/v1/orders').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses an Idempotency-Key that is empty or longer than 255 characters', async () => {
    const t = await apiTest();
    for (const key of ['', 'k'.repeat(256)]) {
      const res = await t.api.post('/api/v1/orders').set('Idempotency-Key', key).send(orderBody());
      expect(res.status).toBe(400);
      expect(errorOf(res).code).toBe('validation_error');
      expect(errorOf(res).details?.issues).toEqual([
        expect.objectContaining({ path: ['headers', 'idempotency-key'] }),
      ]);
    }
    await t.api
      .post('/api/v1/orders')
      .set('Idempotency-Key', 'k'.repeat(255))
      .send(orderBody())
      .expect(201);
  });
});

describe('server faults', () => {
  it('answers an unexpected failure with 500 internal_error, without its details', async () => {
    const t = await apiTest({
      wrapStorage: (storage) => ({
        ...storage,
        orders: {
          ...storage.orders,
          get: async () => {
            throw new Error('disk on fire at /var/lib/secret');
          },
        },
      }),
    });
    const res = await t.api.get('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c').expect(500);
    expect(res.body).toEqual({
      error: { code: 'internal_error', message: 'Something went wrong on our side' },
    });
  });
});

describe('request logs', () => {
  it('logs one line per request with its id and status, never the API key', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const t = await apiTest({ app: { logger: pino({ level: 'info' }, sink) } });
    await t.api.get('/api/v1/orders').set('X-Request-Id', 'trace-1').expect(200);
    await t.api.get('/api/v1/orders/ord_01jd3x8k7m2v9q4r6t8w0y2a4c').expect(404);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(API_KEY);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { id: 'trace-1', method: 'GET', headers: { authorization: '[redacted]' } },
      res: { statusCode: 200 },
    });
    expect(lines[1]).toMatchObject({ level: 40, res: { statusCode: 404 } });
  });
});

describe('query strings', () => {
  it('answers bad list parameters with 400 validation_error, never 500', async () => {
    const t = await apiTest();
    for (const query of [
      'limit=abc',
      'limit=0',
      'limit=101',
      'limit=1.5',
      'limit=1&limit=2',
      'state=lost',
      'state[$ne]=pending',
      'cursor=not-a-cursor',
      `cursor=${'x'.repeat(600)}`,
    ]) {
      const res = await t.api.get(`/api/v1/orders?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorOf(res).code, query).toBe('validation_error');
    }
    const returns = await t.api.get('/api/v1/returns?orderId=nope').expect(400);
    expect(errorOf(returns).code).toBe('validation_error');
  });
});

describe('GET /openapi.json and GET /docs', () => {
  it('serves the OpenAPI document and the docs page without authentication', async () => {
    const t = await apiTest();
    const doc = await t.http.get('/openapi.json').expect(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const page = await t.http.get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });

  it('serves every documented operation (no documented route is missing)', async () => {
    const t = await apiTest();
    const doc = (await t.http.get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const unknownId: Record<string, string> = {
      orders: 'ord_01jd3x8k7m2v9q4r6t8w0y2a4c',
      returns: 'ret_01jd3x8k7m2v9q4r6t8w0y2a4c',
      payments: 'pay_01jd3x8k7m2v9q4r6t8w0y2a4c',
      shipments: 'shp_01jd3x8k7m2v9q4r6t8w0y2a4c',
    };
    let checked = 0;
    for (const [template, operations] of Object.entries(doc.paths)) {
      const resource = template.split('/')[3] ?? '';
      const path = template
        .replace('{id}', unknownId[resource] ?? 'x')
        .replace('{sku}', 'UNTRACKED-SKU');
      for (const method of Object.keys(operations)) {
        if (!['get', 'post', 'patch', 'put'].includes(method)) continue;
        const res = await t.api[method as 'get' | 'post' | 'patch' | 'put'](path).send({});
        const label = `${method.toUpperCase()} ${template}`;
        expect(res.status, label).not.toBe(405);
        expect(res.status, label).toBeLessThan(500);
        if (res.status === 404) expect(errorOf(res).message, label).not.toMatch(/^No route/);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(38);
  });
});
