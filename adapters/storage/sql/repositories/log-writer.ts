import type { QueryCreator } from 'kysely';
import type { CommandLog } from '../../../../src/ports/storage.js';
import type { Database } from '../schema.js';
import type { SqlContext } from './entity-repositories.js';

/**
 * Writes a command's log (history rows, stock movements, outbox events) at the end of its
 * transaction: on Postgres in one statement (the other inserts as data-modifying CTEs of
 * the last one), on SQLite — where a statement is a call, not a round trip — as one
 * multi-row insert per table.
 */
export async function appendLog({ db, flags, codec }: SqlContext, log: CommandLog): Promise<void> {
  const history = log.history.map((h) => codec.historyRow(h));
  const movements = log.movements.map((m) => codec.movementRow(m));
  const outbox = log.events.map((e) => codec.outboxRow(e));
  if (flags.name !== 'postgres') {
    if (history.length > 0) await db.insertInto('orderflow_history').values(history).execute();
    if (movements.length > 0) {
      await db.insertInto('orderflow_inventory_movements').values(movements).execute();
    }
    if (outbox.length > 0) await db.insertInto('orderflow_outbox').values(outbox).execute();
    return;
  }
  type Creator = QueryCreator<Database>;
  const writes = [
    history.length > 0 && ((q: Creator) => q.insertInto('orderflow_history').values(history)),
    movements.length > 0 &&
      ((q: Creator) => q.insertInto('orderflow_inventory_movements').values(movements)),
    outbox.length > 0 && ((q: Creator) => q.insertInto('orderflow_outbox').values(outbox)),
  ].filter((w) => w !== false);
  const last = writes.pop();
  if (!last) return;
  let query: Creator = db;
  for (const [n, write] of writes.entries()) {
    // Unused names for the CTEs: only their side effect (the insert) matters.
    query = query.with(`written_${n}`, (q) => write(q as Creator)) as unknown as Creator;
  }
  await last(query).execute();
}
