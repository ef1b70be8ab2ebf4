import Sqlite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { rowsShape, StatementShapes } from '../../adapters/storage/sql/statement-shapes.js';

interface Db {
  items: { id: string; name: string; qty: number };
}

const dbs: Kysely<Db>[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.destroy();
});

async function itemsTable(): Promise<Kysely<Db>> {
  const db = new Kysely<Db>({ dialect: new SqliteDialect({ database: new Sqlite(':memory:') }) });
  dbs.push(db);
  await db.schema
    .createTable('items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('qty', 'integer')
    .execute();
  return db;
}

describe('statement shapes', () => {
  it('builds a shape once and runs its text again with new parameters', async () => {
    const db = await itemsTable();
    const shapes = new StatementShapes();
    let builds = 0;
    const insert = (row: Db['items']) =>
      shapes.execute(db, 'insert:items', [row.id, row.name, row.qty], () => {
        builds++;
        return db.insertInto('items').values(row);
      });
    await insert({ id: 'a', name: 'first', qty: 1 });
    await insert({ id: 'b', name: 'second', qty: 2 });
    await insert({ id: 'c', name: 'third', qty: 3 });
    expect(builds).toBe(1);
    expect(await db.selectFrom('items').selectAll().orderBy('id').execute()).toEqual([
      { id: 'a', name: 'first', qty: 1 },
      { id: 'b', name: 'second', qty: 2 },
      { id: 'c', name: 'third', qty: 3 },
    ]);
  });

  it('never reuses a shape whose parameters the caller predicted wrong', async () => {
    const db = await itemsTable();
    const shapes = new StatementShapes();
    let builds = 0;
    // The prediction swaps name and quantity: the text is rebuilt every time, and each run
    // still writes what the builder says.
    const insert = (row: Db['items']) =>
      shapes.execute(db, 'insert:items', [row.id, row.qty, row.name], () => {
        builds++;
        return db.insertInto('items').values(row);
      });
    await insert({ id: 'a', name: 'first', qty: 1 });
    await insert({ id: 'b', name: 'second', qty: 2 });
    expect(builds).toBe(2);
    expect(await db.selectFrom('items').selectAll().orderBy('id').execute()).toEqual([
      { id: 'a', name: 'first', qty: 1 },
      { id: 'b', name: 'second', qty: 2 },
    ]);
  });

  it('predicts a multi-row insert only when every row has the same columns', () => {
    expect(
      rowsShape([
        { id: 'a', name: 'x', qty: undefined },
        { id: 'b', name: 'y' },
      ]),
    ).toEqual({ columns: 'id,name', values: ['a', 'x', 'b', 'y'] });
    expect(rowsShape([{ id: 'a', name: 'x' }, { id: 'b' }])).toBeUndefined();
    expect(
      rowsShape([
        { id: 'a', name: 'x' },
        { name: 'y', id: 'b' },
      ]),
    ).toBeUndefined();
    expect(rowsShape([])).toBeUndefined();
  });
});
