import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import { at, idsOf, insertAll, newestFirst, orderRecord, returnRecord } from './fixtures.js';

/** base64url of the JSON `value`: how a client forges a cursor. */
const forge = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Cursors no list call ever made: a date that is no date, empty parts, a month 13, a day
 * past the month's end, a six-digit year, NUL characters, an id that is no string, the wrong
 * shape, standard base64 with padding, characters around a real cursor, a cursor longer than
 * any list call makes, and text that is not base64url JSON at all.
 */
export const FORGED_CURSORS: readonly string[] = [
  forge(['not-a-date', 'ord_x']),
  forge(['', '']),
  forge(['2026-13-45T00:00:00Z', 'ord_x']),
  forge(['2026-13-45T00:00:00.000Z', 'ord_x']),
  forge(['\u0000', 'ord_x']),
  forge(['2026-01-01T00:00:00Z', 'ord_\u0000']),
  forge(['2026-01-01T00:00:00.000Z', 'ord_\u0000']),
  forge(['2026-01-01T00:00:00.000Z', '']),
  forge(['2026-01-01T00:00:00.000Z']),
  forge({ createdAt: '2026-01-01T00:00:00.000Z', id: 'ord_x' }),
  forge([20260101, 'ord_x']),
  forge(['2026-02-30T00:00:00.000Z', 'ord_x']),
  forge(['+010000-01-01T00:00:00.000Z', 'ord_x']),
  forge(['2026-01-01T00:00:00.000Z', 12345]),
  forge(['2026-01-01T00:00:00.000Z', 'ord_x', 'ord_y']),
  forge({ 0: '2026-01-01T00:00:00.000Z', 1: 'ord_x', length: 2 }),
  Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'ord_xy'])).toString('base64'),
  `.${forge(['2026-01-01T00:00:00.000Z', 'ord_x'])}`,
  `${forge(['2026-01-01T00:00:00.000Z', 'ord_x'])}.`,
  // Same position, padded with JSON whitespace past the 500 characters a cursor may have.
  Buffer.from(`[${' '.repeat(400)}"2026-01-01T00:00:00.000Z","ord_x"]`).toString('base64url'),
  'not a cursor',
  '%%%',
];

/** The check for `assert.rejects`: a ValidationError whose issues name `cursor`. */
function namesCursor(error: unknown): true {
  const e = error as { code?: unknown; details?: { issues?: { path?: unknown[] }[] } };
  assert.equal(e.code, 'validation_error');
  const paths = (e.details?.issues ?? []).map((i) => (i.path ?? []).join('.'));
  assert.ok(paths.includes('cursor'), `issues name ${JSON.stringify(paths)}, not cursor`);
  return true;
}

/** Cursors and time bounds of list queries: refused when forged, compared as instants. */
export function queryCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;

  it('refuses a forged cursor on every list with a ValidationError naming cursor', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    await s.returns.insert(returnRecord(order.id));
    const lists: [string, (cursor: string) => Promise<unknown>][] = [
      ['orders', (cursor) => s.orders.list({ limit: 5, cursor })],
      ['returns', (cursor) => s.returns.list({ limit: 5, cursor })],
      ['payments', (cursor) => s.payments.list({ limit: 5, cursor })],
      ['dead letters', (cursor) => s.deadLetters.list({ limit: 5, cursor })],
      ['stock movements', (cursor) => s.inventory.movements('MUG', { limit: 5, cursor })],
    ];
    for (const [name, list] of lists) {
      for (const cursor of FORGED_CURSORS) {
        await assert.rejects(list(cursor), namesCursor, `${name} took the cursor ${cursor}`);
      }
    }
    // The store still answers afterwards (no transaction left broken by a failed query).
    sameData(idsOf((await s.orders.list({ limit: 5 })).data), [order.id]);
  });

  it('compares createdAfter and createdBefore as instants, with offsets and without milliseconds', async () => {
    const s = storage();
    // 06:31:56.141Z on the suite's first day.
    const createdAt = new Date(Date.parse(at(0)) + (6 * 3600 + 31 * 60 + 56) * 1000 + 141);
    const stamp = createdAt.toISOString();
    assert.equal(stamp, '2026-01-01T06:31:56.141Z');
    const order = orderRecord({ createdAt: stamp, updatedAt: stamp });
    const earlier = orderRecord({ createdAt: at(0), updatedAt: at(0) });
    await insertAll([order, earlier], (o) => s.orders.insert(o));
    const ids = async (query: Record<string, string>) =>
      idsOf((await s.orders.list({ limit: 10, ...query })).data);

    // Same instant without milliseconds: the second before the order, so it is included.
    sameData(await ids({ createdAfter: '2026-01-01T06:31:56Z' }), [order.id]);
    sameData(await ids({ createdAfter: '2026-01-01T06:31:57Z' }), []);
    sameData(
      await ids({ createdBefore: '2026-01-01T06:31:57Z' }),
      idsOf(newestFirst([order, earlier])),
    );
    sameData(await ids({ createdBefore: '2026-01-01T06:31:56Z' }), [earlier.id]);
    // 06:01:56.141-01:00 is 07:01:56.141Z, half an hour after the order.
    sameData(await ids({ createdAfter: '2026-01-01T06:01:56.141-01:00' }), []);
    // 07:01:56.141+01:00 is 06:01:56.141Z, half an hour before the order.
    sameData(await ids({ createdBefore: '2026-01-01T07:01:56.141+01:00' }), [earlier.id]);
    sameData(await ids({ createdAfter: '2026-01-01T07:01:56.141+01:00' }), [order.id]);
    // The order's own instant written with an offset: inclusive after, exclusive before.
    sameData(await ids({ createdAfter: '2026-01-01T08:31:56.141+02:00' }), [order.id]);
    sameData(await ids({ createdBefore: '2026-01-01T08:31:56.141+02:00' }), [earlier.id]);
    sameData(
      await ids({
        createdAfter: '2026-01-01T01:31:56.141-05:00',
        createdBefore: '2026-01-01T07:00:00Z',
      }),
      [order.id],
    );
    // A bound that is no date-time at all is refused, naming it.
    await assert.rejects(s.orders.list({ limit: 10, createdAfter: 'yesterday' }), (error) => {
      const e = error as { code?: unknown; details?: { issues?: { path?: unknown[] }[] } };
      assert.equal(e.code, 'validation_error');
      sameData(e.details?.issues?.[0]?.path, ['createdAfter']);
      return true;
    });
  });

  it('compares the time bounds of returns and payments as instants too', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const stamp = '2026-01-01T06:31:56.141Z';
    const ret = returnRecord(order.id, { createdAt: stamp, updatedAt: stamp });
    await s.returns.insert(ret);
    sameData(
      idsOf((await s.returns.list({ limit: 5, createdAfter: '2026-01-01T06:31:56Z' })).data),
      [ret.id],
    );
    sameData(
      idsOf(
        (await s.returns.list({ limit: 5, createdBefore: '2026-01-01T07:01:56.141+01:00' })).data,
      ),
      [],
    );
  });
}
