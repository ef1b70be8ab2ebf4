import type { OutboxRecord, StorageAdapter } from '../../ports/storage.js';
import type { HistoryEntry } from '../../schemas/order.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import { at, idempotencyRecord, idsOf, insertAll, outboxRecord, scrambled } from './fixtures.js';

const leased = (row: OutboxRecord, leaseUntil: string, attempts: number): OutboxRecord => ({
  ...row,
  availableAt: leaseUntil,
  attempts,
});

/** The outbox and the idempotency keys: the two tables that coordinate processes. */
export function queueCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;
  it('claims only due outbox rows, oldest first, leasing them and counting an attempt', async () => {
    const s = storage();
    const first = outboxRecord({ createdAt: at(0), availableAt: at(0) });
    const second = outboxRecord({ createdAt: at(1), availableAt: at(1), attempts: 2 });
    const later = outboxRecord({ createdAt: at(2), availableAt: at(10), name: 'payment.created' });
    await s.outbox.insert(scrambled([first, second, later]));
    assert.equal(await s.outbox.count(), 3);

    sameData(await s.outbox.claim(at(5), at(6), 1), [leased(first, at(6), 1)]);
    sameData(await s.outbox.claim(at(5), at(6), 10), [leased(second, at(6), 3)]);
    sameData(await s.outbox.claim(at(5), at(6), 10), []);
    assert.equal(await s.outbox.count(), 3);

    // A lease that ran out makes the row claimable again; availableAt = now is due.
    sameData(await s.outbox.claim(at(10), at(11), 10), [
      leased(first, at(11), 2),
      leased(second, at(11), 4),
      leased(later, at(11), 1),
    ]);
  });

  it('claims outbox rows by creation time, then by id among rows created together', async () => {
    const s = storage();
    // Ids ordered against creation time, and rows sharing a creation time.
    const rows = [
      outboxRecord({ id: 'evt_d', createdAt: at(0) }),
      outboxRecord({ id: 'evt_b', createdAt: at(1) }),
      outboxRecord({ id: 'evt_e', createdAt: at(1) }),
      outboxRecord({ id: 'evt_c', createdAt: at(1) }),
      outboxRecord({ id: 'evt_a', createdAt: at(2) }),
    ];
    await s.outbox.insert(scrambled(rows));
    sameData(idsOf(await s.outbox.claim(at(5), at(6), 10)), [
      'evt_d',
      'evt_b',
      'evt_c',
      'evt_e',
      'evt_a',
    ]);
  });

  it('writes a command log (history rows and outbox events) with its transaction, or not at all', async () => {
    const s = storage();
    const entry = (to: string, n: number) => ({
      entity: 'order' as const,
      entityId: 'ord_log',
      from: n === 0 ? null : 'pending',
      to,
      event: n === 0 ? 'CREATE' : 'CONFIRM',
      at: at(n),
    });
    const events = [0, 1].map((i) => outboxRecord({ createdAt: at(i) }));
    await s.transaction(async (tx) => {
      if (tx.appendLog) {
        await tx.appendLog({
          history: [entry('pending', 0), entry('confirmed', 1)],
          movements: [],
          events,
          deletedOutbox: [],
        });
      } else {
        await tx.history.append(entry('pending', 0));
        await tx.history.append(entry('confirmed', 1));
        await tx.outbox.insert(events);
      }
    });
    sameData(
      (await s.history.list('order', 'ord_log')).map((h) => h.to),
      ['pending', 'confirmed'],
    );
    assert.equal(await s.outbox.count(), 2);
    // Only history, nothing, only events, and a rolled-back transaction.
    const log = (history: HistoryEntry[], events: OutboxRecord[]) => ({
      history,
      movements: [],
      events,
      deletedOutbox: [],
    });
    await s.transaction(async (tx) => tx.appendLog?.(log([entry('cancelled', 2)], [])));
    await s.transaction(async (tx) => tx.appendLog?.(log([], [])));
    await s.transaction(async (tx) =>
      tx.appendLog?.(log([], [outboxRecord({ createdAt: at(3) })])),
    );
    const failed = s.transaction(async (tx) => {
      await tx.appendLog?.(log([entry('shipped', 4)], [outboxRecord({ createdAt: at(4) })]));
      throw new Error('roll back');
    });
    await failed.then(
      () => assert.fail('expected the transaction to fail'),
      (error: Error) => assert.equal(error.message, 'roll back'),
    );
    const expected = s.appendLog ? ['pending', 'confirmed', 'cancelled'] : ['pending', 'confirmed'];
    sameData(
      (await s.history.list('order', 'ord_log')).map((h) => h.to),
      expected,
    );
    assert.equal(await s.outbox.count(), s.appendLog ? 3 : 2);
  });

  it('deletes the dispatched outbox rows a command log names, with its transaction or not at all', async () => {
    const s = storage();
    const dispatched = [0, 1, 2].map((i) => outboxRecord({ createdAt: at(i) }));
    await s.outbox.insert(dispatched);
    const fresh = outboxRecord({ createdAt: at(5) });
    const log = (deletedOutbox: string[], events: OutboxRecord[] = []) => ({
      history: [],
      movements: [],
      events,
      deletedOutbox,
    });
    const failed = s.transaction(async (tx) => {
      await tx.appendLog?.(log(idsOf(dispatched)));
      throw new Error('roll back');
    });
    await failed.then(
      () => assert.fail('expected the transaction to fail'),
      (error: Error) => assert.equal(error.message, 'roll back'),
    );
    assert.equal(await s.outbox.count(), 3);
    // Only deletes, then deletes with a new event (an unknown id changes nothing).
    await s.transaction(async (tx) => tx.appendLog?.(log([dispatched[0]!.id, 'evt_unknown'])));
    await s.transaction(async (tx) =>
      tx.appendLog?.(log([dispatched[1]!.id, dispatched[2]!.id], [fresh])),
    );
    if (s.appendLog) {
      sameData(idsOf(await s.outbox.claim(at(9), at(10), 10)), idsOf([fresh]));
    } else {
      assert.equal(await s.outbox.count(), 3);
    }
  });

  it('deletes dispatched outbox rows and keeps counting the rest', async () => {
    const s = storage();
    const rows = [0, 1, 2, 3].map((i) => outboxRecord({ createdAt: at(i) }));
    await s.outbox.insert(rows);
    await s.outbox.delete([rows[0]!.id, rows[2]!.id, 'evt_unknown']);
    assert.equal(await s.outbox.count(), 2);
    // Empty batches change nothing.
    await s.outbox.delete([]);
    await s.outbox.insert([]);
    sameData(idsOf(await s.outbox.claim(at(9), at(10), 10)), idsOf([rows[1]!, rows[3]!]));
    await s.outbox.delete(idsOf(rows));
    assert.equal(await s.outbox.count(), 0);
  });

  it('never hands the same outbox row to two concurrent claims', async () => {
    const s = storage();
    const rows = Array.from({ length: 12 }, (_, i) => outboxRecord({ createdAt: at(i / 10) }));
    await insertAll(rows, (r) => s.outbox.insert([r]));
    // Open a pooled adapter's connections first, so the claims really run at the same time.
    await Promise.all(Array.from({ length: 4 }, () => s.ping()));
    const batches = await Promise.all([1, 2, 3, 4].map(() => s.outbox.claim(at(5), at(6), 5)));
    const rest = await s.outbox.claim(at(5), at(6), 100);
    const claimed = [...batches.flat(), ...rest];
    assert.equal(
      claimed.every((r) => r.attempts === 1 && r.availableAt === at(6)),
      true,
    );
    sameData(idsOf(claimed).sort(), idsOf(rows).sort());
  });

  it('claims an idempotency key once, then returns the existing record', async () => {
    const s = storage();
    const record = idempotencyRecord();
    assert.equal(await s.idempotency.claim(record), undefined);
    const again = { ...record, fingerprint: 'other', lockedUntil: at(3), createdAt: at(2) };
    sameData(await s.idempotency.claim(again), record);
    sameData(await s.idempotency.get(record.scope, record.key), record);
    // Keys are scoped per operation.
    const otherScope = { ...record, scope: 'payments.refund' };
    assert.equal(await s.idempotency.claim(otherScope), undefined);
    sameData(await s.idempotency.get('payments.refund', record.key), otherScope);
    assert.equal(await s.idempotency.get(record.scope, 'unknown-key'), undefined);
  });

  it('lets exactly one of many concurrent claims of a key win', async () => {
    const s = storage();
    const record = idempotencyRecord();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.idempotency.claim({ ...record, fingerprint: `fingerprint-${i}` }),
      ),
    );
    assert.equal(answers.filter((a) => a === undefined).length, 1);
    const winner = `fingerprint-${answers.indexOf(undefined)}`;
    assert.equal(
      answers.filter((a) => a !== undefined).every((a) => a?.fingerprint === winner),
      true,
    );
  });

  it('completes a key with its response, which claim and get then return', async () => {
    const s = storage();
    const record = idempotencyRecord();
    await s.idempotency.claim(record);
    const response = { result: { id: 'ord_1', items: [{ quantity: 2 }], paid: null } };
    await s.idempotency.complete(record.scope, record.key, response);
    const done = { ...record, status: 'completed', response };
    sameData(await s.idempotency.get(record.scope, record.key), done);
    sameData(await s.idempotency.claim({ ...record, createdAt: at(5) }), done);
  });

  it('takes over an in-flight key only with the matching previous lockedUntil', async () => {
    const s = storage();
    const record = idempotencyRecord({ lockedUntil: at(1) });
    await s.idempotency.claim(record);
    const { scope, key } = record;
    assert.equal(await s.idempotency.takeOver(scope, key, at(2), at(5)), false);
    assert.equal(await s.idempotency.takeOver(scope, key, at(1), at(5)), true);
    assert.equal((await s.idempotency.get(scope, key))?.lockedUntil, at(5));
    assert.equal(await s.idempotency.takeOver(scope, key, at(1), at(6)), false);
    assert.equal(await s.idempotency.takeOver(scope, 'unknown-key', at(1), at(6)), false);

    const racers = await Promise.all(
      [7, 8, 9, 10].map((m) => s.idempotency.takeOver(scope, key, at(5), at(m))),
    );
    assert.equal(racers.filter(Boolean).length, 1);
    await s.idempotency.complete(scope, key, { ref: 'pay_1' });
    const lockedUntil = (await s.idempotency.get(scope, key))?.lockedUntil ?? '';
    assert.equal(await s.idempotency.takeOver(scope, key, lockedUntil, at(20)), false);
    assert.equal((await s.idempotency.get(scope, key))?.status, 'completed');
  });

  it('releases an in-flight key so it can be claimed again', async () => {
    const s = storage();
    const record = idempotencyRecord();
    await s.idempotency.claim(record);
    await s.idempotency.release(record.scope, record.key);
    assert.equal(await s.idempotency.get(record.scope, record.key), undefined);
    const retry = { ...record, fingerprint: 'retry' };
    assert.equal(await s.idempotency.claim(retry), undefined);
    sameData(await s.idempotency.get(record.scope, record.key), retry);
    await s.idempotency.release(record.scope, 'unknown-key');
  });

  it('releases a key only while it is still held with the given lockedUntil', async () => {
    const s = storage();
    const record = idempotencyRecord({ lockedUntil: at(1) });
    await s.idempotency.claim(record);
    const { scope, key } = record;
    // Another process took the key over: releasing with the old lease leaves it alone.
    assert.equal(await s.idempotency.takeOver(scope, key, at(1), at(5)), true);
    await s.idempotency.release(scope, key, at(1));
    assert.equal((await s.idempotency.get(scope, key))?.lockedUntil, at(5));
    await s.idempotency.release(scope, key, at(5));
    assert.equal(await s.idempotency.get(scope, key), undefined);
  });

  it('purges only expired idempotency keys and says how many', async () => {
    const s = storage();
    const records = [10, 20, 30].map((m) => idempotencyRecord({ expiresAt: at(m) }));
    await insertAll(records, async (r) => {
      await s.idempotency.claim(r);
    });
    await s.idempotency.complete(records[1]!.scope, records[1]!.key, { result: 1 });
    assert.equal(await s.idempotency.purgeExpired(at(25)), 2);
    assert.equal(await s.idempotency.get(records[0]!.scope, records[0]!.key), undefined);
    assert.equal(await s.idempotency.get(records[1]!.scope, records[1]!.key), undefined);
    sameData(await s.idempotency.get(records[2]!.scope, records[2]!.key), records[2]);
    assert.equal(await s.idempotency.purgeExpired(at(25)), 0);
  });
}
