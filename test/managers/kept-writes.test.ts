import { afterEach, describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/managers/read-cache.js';
import type { Repositories } from '../../src/ports/storage.js';
import {
  orderRecord,
  paymentRecord,
  returnRecord,
} from '../../src/testing/storage-conformance/fixtures.js';
import { closeSystems, testStorage } from './setup.js';

afterEach(closeSystems);

/** A transaction's repositories as a command sees them, keeping orders and returns where the store writes them with the log. */
function commandView(tx: Repositories) {
  return withReadCache(tx, {
    defersEntities: tx.entityWritesInLog === true && !tx.readsAreLocal,
  });
}

/** What the unit of work does at the end of a command: the kept writes go with its log. */
async function writeLog(raw: Repositories, tx: ReturnType<typeof commandView>): Promise<void> {
  const entities = tx.takeEntityWrites();
  if (entities.length === 0) return;
  await raw.appendLog!({ history: [], movements: [], events: [], deletedOutbox: [], entities });
}

describe('orders and returns a command keeps for its log', () => {
  it('reach the database before payments that refer to them, also when the payments are written together', async () => {
    const storage = await testStorage();
    const [a, b] = [orderRecord(), orderRecord()];
    const payments = [paymentRecord(a.id), paymentRecord(b.id)];
    await storage.transaction(async (raw) => {
      const tx = commandView(raw);
      await tx.orders.insert(a);
      await tx.orders.insert(b);
      // Each payment's row refers to its order: neither may reach the database first.
      await Promise.all(payments.map((p) => tx.payments.insert(p)));
      await writeLog(raw, tx);
    });
    expect((await storage.orders.get(a.id))?.id).toBe(a.id);
    expect((await storage.payments.listByOrder(b.id)).map((p) => p.id)).toEqual([payments[1]!.id]);
  });

  it('are written by the log with a kept change of a locked order, and listed once written', async () => {
    const storage = await testStorage();
    const order = orderRecord();
    await storage.orders.insert(order);
    const ret = returnRecord(order.id);
    await storage.transaction(async (raw) => {
      const tx = commandView(raw);
      const locked = await tx.orders.get(order.id, { forUpdate: true });
      expect(await tx.orders.update({ ...locked!, state: 'confirmed', version: 2 }, 1)).toBe(true);
      await tx.returns.insert(ret);
      // A list of the order's returns must include the one just made.
      expect((await tx.returns.listByOrder(order.id)).map((r) => r.id)).toEqual([ret.id]);
      await writeLog(raw, tx);
    });
    expect(await storage.orders.get(order.id)).toMatchObject({ state: 'confirmed', version: 2 });
    expect((await storage.returns.get(ret.id))?.id).toBe(ret.id);
  });
});
