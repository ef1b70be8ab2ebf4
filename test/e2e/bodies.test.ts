import { afterEach, describe, expect, it } from 'vitest';
import { apiTest, closeApiTests, createOrder, errorOf, orderBody } from './setup.js';

afterEach(closeApiTests);

describe('request bodies the server cannot take', () => {
  it('answers valid JSON that is not an object with 400 validation_error saying so', async () => {
    const t = await apiTest();
    for (const body of ['null', '42', '"an order"', 'true', ' null ']) {
      const res = await t.api.post('/api/v1/orders').type('json').send(body).expect(400);
      expect(errorOf(res)).toMatchObject({
        code: 'validation_error',
        message: 'Invalid body: must be a JSON object',
      });
    }
    const broken = await t.api.post('/api/v1/orders').type('json').send('{"a":').expect(400);
    expect(errorOf(broken)).toMatchObject({
      code: 'malformed_json',
      message: 'The request body is not valid JSON',
    });
    expect((await t.oms.orders.list()).data).toEqual([]);
  });

  it('refuses a body that is not valid UTF-8 with 400 malformed_json and stores nothing', async () => {
    const t = await apiTest();
    const json = JSON.stringify(orderBody({ customerId: 'cus_XX' }));
    const [before, after] = json.split('XX') as [string, string];
    for (const bad of [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xed, 0xa0, 0x80]]) {
      const body = Buffer.concat([Buffer.from(before), Buffer.from(bad), Buffer.from(after)]);
      const res = await t.api
        .post('/api/v1/orders')
        .set('Content-Type', 'application/json')
        .serialize((raw: Buffer) => raw as unknown as string)
        .send(body)
        .expect(400);
      expect(errorOf(res)).toMatchObject({
        code: 'malformed_json',
        message: 'The request body is not valid UTF-8',
      });
    }
    expect((await t.oms.orders.list()).data).toEqual([]);
    // Valid multi-byte UTF-8 still goes through unchanged.
    const ok = await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json; charset=utf-8')
      .serialize((raw: Buffer) => raw as unknown as string)
      .send(Buffer.from(JSON.stringify(orderBody({ customerId: 'cus_Zoë_☕' }))))
      .expect(201);
    expect(ok.body.customerId).toBe('cus_Zoë_☕');
  });

  it('answers an undecodable path id or a broken gzip body with the documented 400 bad_request', async () => {
    const t = await apiTest();
    await createOrder(t);
    const res = await t.api.get('/api/v1/orders/%E0%A4%A').expect(400);
    expect(errorOf(res).code).toBe('bad_request');
    const gzip = await t.api
      .post('/api/v1/orders')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .serialize((raw: Buffer) => raw as unknown as string)
      .send(Buffer.from('not gzip at all'))
      .expect(400);
    expect(errorOf(gzip).code).toBe('bad_request');
    const doc = (await t.api.get('/openapi.json').expect(200)).body;
    const documented = doc.paths['/api/v1/orders/{id}'].get.responses['400'];
    expect(documented).toEqual({ $ref: '#/components/responses/BadRequest' });
    expect(doc.components.responses.BadRequest.description).toContain('bad_request');
    const listing = doc.paths['/api/v1/orders'].get.responses['400'];
    expect(listing).toEqual({ $ref: '#/components/responses/BadRequest' });
  });
});
