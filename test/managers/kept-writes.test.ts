import { afterEach, describe, expect, it } from 'vitest';
import { withReadCache } from '../../src/managers/read-cache.js';
import type { EntityWrite, Repositories } from '../../src/ports/storage.js';
import {
  orderRecord,
  paymentRecord,
  returnRecord,
  shipmentRecord,
} from '../../src/testing/storage-conformance/fixtures.js';
import { closeSystems, testStorage } from './setup.js';

afterEach(closeSystems);

/** A transaction's repositories as a command sees them, keeping orders, returns and payments where the store writes them with the log. */
function commandView(tx: Repositories) {
  return withReadCache(tx, {
    defersEntities: tx.entityWritesInLog === true && !tx.readsAreLocal,
    defersPayments: tx.paymentWritesInLog === true,
  });
}

/** What the unit of work does at the end of a command: the kept writes go with its log. */
async function writeLog(
  raw: Repositories,
  tx: ReturnType<typeof commandView>,
): Promise<EntityWrite['entity'][]> {
  const entities = tx.takeEntityWrites();
  if (entities.length === 0) return [];
  await raw.appendLog!({ history: [], movements: [], events: [], deletedOutbox: [], entities });
  return entities.map((e) => e.entity);
}

describe('orders, returns and payments a command keeps for its log', () => {
  it('reach the database before shipments that refer to them, also when the shipments are written together', async () => {
    const storage = await testStorage();
    const [a, b] = [orderRecord(), orderRecord()];
    const shipments = [shipmentRecord(a.id), shipmentRecord(b.id)];
    await storage.transaction(async (raw) => {
      const tx = commandView(raw);
      await tx.orders.insert(a);
      await tx.orders.insert(b);
      // Each shipment's row refers to its order: neither may reach the database first.
      await Promise.all(shipments.map((s) => tx.shipments.insert(s)));
      await writeLog(raw, tx);
    });
    expect((await storage.orders.get(a.id))?.id).toBe(a.id);
    expect((await storage.shipments.listByOrder(b.id)).map((s) => s.id)).toEqual([
      shipments[1]!.id,
    ]);
  });

  it("write a new payment with its new order, and a locked payment's change; a read of payments sees them", async () => {
    const storage = await testStorage();
    const paid = orderRecord();
    const earlier = paymentRecord(paid.id);
    await storage.orders.insert(paid);
    await storage.payments.insert(earlier);
    const order = orderRecord();
    const payment = paymentRecord(order.id);
    await storage.transaction(async (raw) => {
      const tx = commandView(raw);
      await tx.orders.insert(order);
      await tx.payments.insert(payment);
      const locked = await tx.payments.get(earlier.id, { forUpdate: true });
      const voided = { ...locked!, state: 'voided' as const, version: 2 };
      expect(await tx.payments.update(voided, 1)).toBe(true);
      // Where the store takes payments in the log, all three went with it.
      const logged = raw.paymentWritesInLog ? ['order', 'payment', 'payment'] : [];
      expect(await writeLog(raw, tx)).toEqual(logged);
    });
    expect((await storage.payments.listByOrder(order.id)).map((p) => p.id)).toEqual([payment.id]);
    expect(await storage.payments.get(earlier.id)).toMatchObject({ state: 'voided', version: 2 });

    const next = orderRecord();
    const fresh = paymentRecord(next.id);
    await storage.transaction(async (raw) => {
      const tx = commandView(raw);
      await tx.orders.insert(next);
      await tx.payments.insert(fresh);
      expect((await tx.payments.listByOrder(next.id)).map((p) => p.id)).toEqual([fresh.id]);
      expect((await tx.payments.get(fresh.id))?.id).toBe(fresh.id);
      await writeLog(raw, tx);
    });
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
