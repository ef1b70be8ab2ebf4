import type { OutboxRecord } from '../../../../src/ports/storage.js';
import type { HistoryEntry } from '../../../../src/schemas/order.js';
import type { SqlContext } from './entity-repositories.js';

/**
 * Writes a command's history rows and outbox events at the end of its transaction: on
 * Postgres in one statement (the history insert as a data-modifying CTE of the outbox
 * insert), on SQLite — where each statement is a call, not a round trip — as one
 * multi-row insert per table.
 */
export async function appendLog(
  { db, flags, codec }: SqlContext,
  history: readonly HistoryEntry[],
  events: readonly OutboxRecord[],
): Promise<void> {
  const historyRows = history.map((h) => codec.historyRow(h));
  const outboxRows = events.map((e) => codec.outboxRow(e));
  if (flags.name === 'postgres' && historyRows.length > 0 && outboxRows.length > 0) {
    await db
      .with('written_history', (q) => q.insertInto('orderflow_history').values(historyRows))
      .insertInto('orderflow_outbox')
      .values(outboxRows)
      .execute();
    return;
  }
  if (historyRows.length > 0)
    await db.insertInto('orderflow_history').values(historyRows).execute();
  if (outboxRows.length > 0) await db.insertInto('orderflow_outbox').values(outboxRows).execute();
}
