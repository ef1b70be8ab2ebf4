import Sqlite from 'better-sqlite3';
import { createOrderSystem, silentLogger } from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { orderInput } from 'orderflow/testing';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from '../../adapters/storage/sqlite/statement-cache.js';

/** A better-sqlite3 database that counts how often each text is prepared. */
function countingDatabase() {
  const db = new Sqlite(':memory:');
  const prepared = new Map<string, number>();
  const prepare = db.prepare.bind(db);
  (db as unknown as { prepare: (source: string) => unknown }).prepare = (source: string) => {
    prepared.set(source, (prepared.get(source) ?? 0) + 1);
    return prepare(source);
  };
  return { db, prepared };
}

describe('sqlite: prepared statements', () => {
  it('prepares each statement of a command once, however often it runs', async () => {
    const { db, prepared } = countingDatabase();
    const oms = await createOrderSystem({
      storage: sqliteStorage({ database: db }),
      jobs: inProcessJobs({ logger: silentLogger }),
      logger: silentLogger,
    });
    try {
      const orders = [];
      for (let i = 0; i < 5; i++) orders.push(await oms.orders.create(orderInput()));
      await oms.idle();
      for (const order of orders) expect((await oms.orders.get(order.id)).total).toBe(order.total);
      const inserts = [...prepared].filter(([text]) =>
        text.startsWith('insert into "orderflow_orders"'),
      );
      expect(inserts).toEqual([[expect.any(String), 1]]);
      expect(Math.max(...prepared.values())).toBe(1);
    } finally {
      await oms.close();
      db.close();
    }
  });

  it('keeps the most recently used statements when it is full', () => {
    const { db, prepared } = countingDatabase();
    const cache = withStatementCache(db, 2);
    const a = cache.prepare('select 1');
    cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a); // a is now the most recent
    cache.prepare('select 3'); // evicts select 2
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 2');
    expect(prepared.get('select 1')).toBe(1);
    expect(prepared.get('select 2')).toBe(2);
    expect(prepared.get('select 3')).toBe(1);
    db.close();
  });
});
