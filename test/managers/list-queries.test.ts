import type { StorageAdapter } from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { FORGED_CURSORS } from '../../src/testing/storage-conformance/query-cases.js';
import { closeSystems, testStorage, testSystem } from './setup.js';

afterEach(closeSystems);

const naming = (...path: (string | number)[]) => ({
  code: 'validation_error',
  details: { issues: expect.arrayContaining([expect.objectContaining({ path })]) },
});

/** A store that counts the list queries that reach it. */
async function countingStorage(): Promise<{ storage: StorageAdapter; lists: () => number }> {
  const inner = await testStorage();
  let lists = 0;
  const counted = <T extends object>(repo: T): T =>
    new Proxy(repo, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'list' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          lists += 1;
          return value.apply(target, args);
        };
      },
    });
  const storage: StorageAdapter = {
    ...inner,
    orders: counted(inner.orders),
    returns: counted(inner.returns),
    payments: counted(inner.payments),
    deadLetters: counted(inner.deadLetters),
  };
  return { storage, lists: () => lists };
}

describe('list queries', () => {
  it('refuses an unknown key in every list query, naming the key', async () => {
    const { oms } = await testSystem();
    await oms.orders.create(orderInput());
    await expect(oms.orders.list({ status: 'shipped' } as never)).rejects.toMatchObject(
      naming('status'),
    );
    await expect(oms.returns.list({ order: 'ord_x' } as never)).rejects.toMatchObject(
      naming('order'),
    );
    await expect(oms.payments.list({ status: 'captured' } as never)).rejects.toMatchObject(
      naming('status'),
    );
    await expect(oms.inventory.list({ below: 3 } as never)).rejects.toMatchObject(naming('below'));
    await expect(oms.inventory.movements('MUG', { sku: 'MUG' } as never)).rejects.toMatchObject(
      naming('sku'),
    );
    await expect(oms.deadLetters.list({ job: 'x' } as never)).rejects.toMatchObject(naming('job'));
  });

  it('refuses a forged cursor at the schema, before any query reaches the storage', async () => {
    const { storage, lists } = await countingStorage();
    const { oms } = await testSystem({ storage });
    for (const cursor of FORGED_CURSORS) {
      await expect(oms.orders.list({ cursor })).rejects.toMatchObject(naming('cursor'));
      await expect(oms.returns.list({ cursor })).rejects.toMatchObject(naming('cursor'));
      await expect(oms.payments.list({ cursor })).rejects.toMatchObject(naming('cursor'));
      await expect(oms.deadLetters.list({ cursor })).rejects.toMatchObject(naming('cursor'));
    }
    expect(lists()).toBe(0);
    // A real cursor still pages.
    for (let n = 0; n < 3; n++) await oms.orders.create(orderInput());
    const first = await oms.orders.list({ limit: 2 });
    const next = await oms.orders.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(next.data).toHaveLength(1);
  });

  it('takes limit as a number or plain decimal digits only', async () => {
    const { oms } = await testSystem();
    for (const limit of ['0x10', '1e2', ' 5', '5 ', '5.0', '+5', '', 0, 101, 2.5]) {
      await expect(oms.orders.list({ limit } as never)).rejects.toMatchObject(naming('limit'));
    }
    await oms.orders.create(orderInput());
    expect((await oms.orders.list({ limit: '5' } as never)).data).toHaveLength(1);
    expect((await oms.orders.list({ limit: 5 })).data).toHaveLength(1);
  });

  it('compares createdAfter and createdBefore given with offsets or without milliseconds as instants', async () => {
    const { oms, clock } = await testSystem();
    clock.set(Date.parse('2026-03-01T06:31:56.141Z'));
    const order = await oms.orders.create(orderInput());
    expect(order.createdAt).toBe('2026-03-01T06:31:56.141Z');
    const ids = async (query: { createdAfter?: string; createdBefore?: string }) =>
      (await oms.orders.list(query)).data.map((o) => o.id);

    expect(await ids({ createdAfter: '2026-03-01T06:31:56Z' })).toEqual([order.id]);
    expect(await ids({ createdAfter: '2026-03-01T06:01:56.141-01:00' })).toEqual([]);
    expect(await ids({ createdBefore: '2026-03-01T07:01:56.141+01:00' })).toEqual([]);
    expect(await ids({ createdBefore: '2026-03-01T08:01:56.141+01:00' })).toEqual([order.id]);
    await expect(oms.orders.list({ createdAfter: '2026-03-01' })).rejects.toMatchObject(
      naming('createdAfter'),
    );
    await expect(oms.returns.list({ createdBefore: '2026-02-30T00:00:00Z' })).rejects.toMatchObject(
      naming('createdBefore'),
    );
  });
});
