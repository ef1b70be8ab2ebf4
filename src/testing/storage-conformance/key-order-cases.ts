import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import { at, idempotencyRecord, orderRecord, returnRecord } from './fixtures.js';

/** Keys in an order no sorting would give: longer before shorter, z before a, nested too. */
const METADATA = {
  zeta: 1,
  b: { y: [{ q: 1, p: 2 }], x: null },
  a: 'first come',
  longest_key_first: true,
  ab: 2.5,
};

/** JSON the store must hand back exactly as written: metadata and stored responses. */
export function keyOrderCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;

  it('keeps the key order of order metadata as it was written, on insert, update and list', async () => {
    const s = storage();
    const order = orderRecord({ metadata: METADATA });
    await s.orders.insert(order);
    const text = JSON.stringify(METADATA);
    assert.equal(JSON.stringify((await s.orders.get(order.id))?.metadata), text);
    assert.equal(JSON.stringify((await s.orders.list({ limit: 5 })).data[0]?.metadata), text);
    const reordered = { ab: 1, a: 2, zeta: { b: 1, a: 2 } };
    assert.equal(await s.orders.update({ ...order, metadata: reordered, version: 2 }, 1), true);
    assert.equal(
      JSON.stringify((await s.orders.get(order.id))?.metadata),
      JSON.stringify(reordered),
    );
  });

  it('returns a stored idempotent response byte for byte, keys in the order they were stored', async () => {
    const s = storage();
    const record = idempotencyRecord();
    await s.idempotency.claim(record);
    const response = {
      result: {
        version: 1,
        id: 'ord_x',
        metadata: METADATA,
        items: [{ sku: 'A', id: 'oli_1', quantity: 2 }],
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    };
    await s.idempotency.complete(record.scope, record.key, response);
    const stored = await s.idempotency.get(record.scope, record.key);
    assert.equal(JSON.stringify(stored?.response), JSON.stringify(response));
    const again = await s.idempotency.claim(record);
    assert.equal(JSON.stringify(again?.response), JSON.stringify(response));
  });

  it('keeps the refund failure of a return, and drops it when cleared', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const ret = returnRecord(order.id, { state: 'processed' });
    await s.returns.insert(ret);
    const refundFailure = {
      code: 'refund_not_possible',
      message: 'no captured money left “to refund” ☕',
      at: at(5),
    };
    const failed = { ...ret, refundFailure, version: ret.version + 1 };
    assert.equal(await s.returns.update(failed, ret.version), true);
    const stored = await s.returns.get(ret.id);
    sameData(stored, failed);
    assert.equal(JSON.stringify(stored?.refundFailure), JSON.stringify(refundFailure));
    sameData((await s.returns.list({ limit: 5, state: 'processed' })).data, [failed]);
    const { refundFailure: _cleared, ...rest } = failed;
    const cleared = { ...rest, version: failed.version + 1 };
    assert.equal(await s.returns.update(cleared, failed.version), true);
    const after = await s.returns.get(ret.id);
    assert.equal(after?.refundFailure, undefined);
    sameData(after, cleared);
  });
}
