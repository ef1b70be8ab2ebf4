import { EVENT_NAMES } from '../../events/event-map.js';
import type { Repositories, StorageAdapter } from '../../ports/storage.js';
import { orderInput } from '../builders.js';
import { type ManualClock, manualClock } from '../manual-clock.js';
import type { TestApi } from '../test-api.js';
import { assert, isError, sameData } from './assert.js';
import { useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

const LEASE_MS = 5_000;

/** What the wrapped store does to the next transaction. */
type Fault =
  /** Runs it, then fails before committing: nothing it wrote may stay. */
  | 'fail_before_commit'
  /** Commits it, then fails as a connection lost while the commit was answered. */
  | 'lose_commit_answer';

/**
 * A command's events through a real command: written to the outbox inside the command's
 * own transaction (never after it), dispatched only after it commits, and delivered later
 * by the sweep when the process never heard that the commit succeeded.
 */
export function commandEventCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  let clock: ManualClock;
  let fault: Fault | undefined;
  const injected = new Error('connection lost while committing');
  /** Outbox rows each transaction could see at its end, less those at its start. */
  const writtenInside: number[] = [];
  /** Outbox inserts made outside any transaction. */
  let insertedOutside = 0;

  const wrap = (base: StorageAdapter): StorageAdapter => ({
    ...base,
    outbox: {
      ...base.outbox,
      insert: (records) => {
        insertedOutside += 1;
        return base.outbox.insert(records);
      },
    },
    transaction: async <T>(fn: (tx: Repositories) => Promise<T>) => {
      const now = fault;
      fault = undefined;
      const result = await base.transaction(async (tx) => {
        const before = await tx.outbox.count();
        const value = await fn(tx);
        writtenInside.push((await tx.outbox.count()) - before);
        if (now === 'fail_before_commit') throw injected;
        return value;
      });
      if (now === 'lose_commit_answer') throw injected;
      return result;
    },
  });
  const { system } = useSystem(
    test,
    factory,
    { outboxLeaseMs: LEASE_MS },
    {
      clock: () => {
        clock = manualClock();
        return clock;
      },
      wrap,
    },
  );

  function recordEvents(): string[] {
    const seen: string[] = [];
    for (const name of EVENT_NAMES) system().events.on(name, () => seen.push(name));
    return seen;
  }

  it('writes a command’s events to the outbox inside the command’s own transaction', async () => {
    const oms = system();
    await oms.idle();
    writtenInside.length = 0;
    insertedOutside = 0;
    const seen = recordEvents();
    const order = await oms.orders.create(orderInput());
    // Settled between the commands, so the cancel's transaction does not also delete the
    // create's dispatched row (which would hide its own insert from the count).
    await oms.idle();
    await oms.orders.cancel(order.id, { reason: 'changed mind' });
    await oms.idle();
    sameData(seen, ['order.created', 'order.state_changed']);
    assert.equal(insertedOutside, 0, 'outbox rows were written outside a transaction');
    // The create and the cancel each saw their own events in their transaction.
    assert.ok(
      writtenInside.filter((n) => n > 0).length >= 2,
      `outbox rows written inside transactions: ${writtenInside.join(', ')}`,
    );
  });

  it('emits and keeps nothing of a command whose commit fails', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const outboxBefore = await oms.storage.outbox.count();
    const seen = recordEvents();

    fault = 'fail_before_commit';
    await assert.rejects(
      oms.orders.cancel(order.id, { reason: 'changed mind' }),
      isError(injected),
    );
    clock.advance(LEASE_MS + 1);
    await oms.sweep();
    await oms.idle();

    sameData(seen, []);
    assert.equal(await oms.storage.outbox.count(), outboxBefore);
    const after = await oms.orders.get(order.id);
    assert.equal(after.state, 'pending');
    assert.equal(after.version, order.version);
    assert.equal((await oms.orders.history(order.id)).length, 1);
  });

  it('still deletes the dispatched rows of earlier commands when the next command fails', async () => {
    const oms = system();
    await oms.idle();
    const seen = recordEvents();
    // Its row is dispatched at once; where the store deletes such rows with the next
    // command's log, the failing cancel takes it and must give it back.
    const order = await oms.orders.create(orderInput());
    fault = 'fail_before_commit';
    await assert.rejects(
      oms.orders.cancel(order.id, { reason: 'changed mind' }),
      isError(injected),
    );
    await oms.idle();
    assert.equal(await oms.storage.outbox.count(), 0);
    clock.advance(LEASE_MS + 1);
    await oms.sweep();
    await oms.idle();
    sameData(seen, ['order.created']);
  });

  it('delivers the events of a command whose commit answer was lost, once the lease is over', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const heard: string[] = [];
    oms.events.on('order.state_changed', (e) => heard.push(`${e.id} ${e.from}→${e.to}`));

    fault = 'lose_commit_answer';
    await assert.rejects(
      oms.orders.cancel(order.id, { reason: 'changed mind' }),
      isError(injected),
    );
    // Committed, but this process never dispatched: the row waits out its lease.
    assert.equal((await oms.orders.get(order.id)).state, 'cancelled');
    sameData(heard, []);
    assert.equal(await oms.storage.outbox.count(), 1);
    await oms.sweep();
    await oms.idle();
    sameData(heard, []);

    clock.advance(LEASE_MS + 1);
    await oms.sweep();
    await oms.idle();
    sameData(heard, [`${order.id} pending→cancelled`]);
    assert.equal(await oms.storage.outbox.count(), 0);
  });
}
