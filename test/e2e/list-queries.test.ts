import type { StorageAdapter } from 'orderflow';
import { afterEach, describe, expect, it } from 'vitest';
import { FORGED_CURSORS } from '../../src/testing/storage-conformance/query-cases.js';
import { apiTest, closeApiTests, createOrder, errorOf, orderBody } from './setup.js';

afterEach(closeApiTests);

/** Wraps a store so the test can count the list queries that reach it. */
function countLists(counter: { lists: number }) {
  return (storage: StorageAdapter): StorageAdapter => {
    const wrap = <T extends { list: (...args: never[]) => unknown }>(repo: T): T =>
      Object.assign(Object.create(repo) as T, {
        list: (...args: Parameters<T['list']>) => {
          counter.lists += 1;
          return repo.list(...args);
        },
      });
    return { ...storage, orders: wrap(storage.orders), returns: wrap(storage.returns) };
  };
}

const issuePaths = (res: { body: unknown }) =>
  ((errorOf(res as never).details?.issues ?? []) as { path: unknown[] }[]).map((i) =>
    i.path.join('.'),
  );

describe('GET /api/v1/orders and /api/v1/returns query strings', () => {
  it('answers a forged cursor with 400 validation_error naming cursor, querying nothing', async () => {
    const counter = { lists: 0 };
    const t = await apiTest({ wrapStorage: countLists(counter) });
    for (const path of ['/api/v1/orders', '/api/v1/returns']) {
      for (const cursor of FORGED_CURSORS) {
        const res = await t.api.get(path).query({ cursor }).expect(400);
        expect(errorOf(res).code).toBe('validation_error');
        expect(issuePaths(res)).toContain('cursor');
      }
    }
    expect(counter.lists).toBe(0);
  });

  it('answers a limit that is not plain decimal digits with 400 naming limit', async () => {
    const t = await apiTest();
    await createOrder(t);
    for (const limit of ['0x10', '1e2', ' 5', '5.0', '+5', '']) {
      const res = await t.api.get(`/api/v1/orders?limit=${encodeURIComponent(limit)}`).expect(400);
      expect(errorOf(res).code).toBe('validation_error');
      expect(issuePaths(res)).toEqual(['limit']);
    }
    const ok = await t.api.get('/api/v1/orders?limit=5').expect(200);
    expect(ok.body.data).toHaveLength(1);
  });

  it('compares createdAfter and createdBefore as instants, whatever offset they are written in', async () => {
    const t = await apiTest();
    const created = await t.api.post('/api/v1/orders').send(orderBody()).expect(201);
    const order = created.body as { id: string; createdAt: string };
    const at = Date.parse(order.createdAt);
    const inZone = (ms: number, offsetMinutes: number) => {
      const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const hh = String(Math.floor(abs / 60)).padStart(2, '0');
      const mm = String(abs % 60).padStart(2, '0');
      return `${local}${sign}${hh}:${mm}`;
    };
    const ids = async (query: Record<string, string>) =>
      (await t.api.get('/api/v1/orders').query(query).expect(200)).body.data.map(
        (o: { id: string }) => o.id,
      );
    const halfHour = 30 * 60_000;
    expect(await ids({ createdAfter: inZone(at + halfHour, -60) })).toEqual([]);
    expect(await ids({ createdBefore: inZone(at - halfHour, 60) })).toEqual([]);
    expect(await ids({ createdAfter: inZone(at - halfHour, 60) })).toEqual([order.id]);
    const wholeSecond = new Date(Math.floor(at / 1000) * 1000).toISOString().slice(0, 19);
    expect(await ids({ createdAfter: `${wholeSecond}Z` })).toEqual([order.id]);
  });

  it('answers an unknown query parameter of /returns with 400 naming it', async () => {
    const t = await apiTest();
    const res = await t.api.get('/api/v1/returns?status=approved').expect(400);
    expect(issuePaths(res)).toEqual(['status']);
  });
});

describe('POST /api/v1/orders shippingAddress.country', () => {
  it('refuses codes that are not assigned ISO 3166-1 alpha-2 codes', async () => {
    const t = await apiTest();
    const address = { line1: '1 Main St', city: 'London', postalCode: 'N1 9GU' };
    for (const country of ['AA', 'XX', 'QQ', 'UK', 'EU', 'ZZ']) {
      const res = await t.api
        .post('/api/v1/orders')
        .send(orderBody({ shippingAddress: { ...address, country } }))
        .expect(400);
      expect(issuePaths(res)).toEqual(['shippingAddress.country']);
    }
    await t.api
      .post('/api/v1/orders')
      .send(orderBody({ shippingAddress: { ...address, country: 'GB' } }))
      .expect(201);
  });
});
