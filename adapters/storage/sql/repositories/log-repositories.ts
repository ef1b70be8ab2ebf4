import { sql } from 'kysely';
import type {
  DeadLetterRepository,
  HistoryRepository,
  IdempotencyRepository,
  OutboxRepository,
  ProviderEventRepository,
} from '../../../../src/ports/storage.js';
import type { OutboxRow } from '../schema.js';
import { columnsAndValues } from '../statement-shapes.js';
import type { SqlContext } from './entity-repositories.js';
import { keysetWhere, NEWEST_FIRST, toPage } from './keyset.js';

export function historyRepository({ db, codec }: SqlContext): HistoryRepository {
  return {
    async append(entry) {
      await db.insertInto('orderflow_history').values(codec.historyRow(entry)).execute();
    },
    async list(entity, entityId) {
      const rows = await db
        .selectFrom('orderflow_history')
        .selectAll()
        .where('entity', '=', entity)
        .where('entity_id', '=', entityId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => codec.history(r));
    },
  };
}

export function outboxRepository({ db, flags, codec, shapes }: SqlContext): OutboxRepository {
  return {
    async insert(records) {
      if (records.length === 0) return;
      await db
        .insertInto('orderflow_outbox')
        .values(records.map((r) => codec.outboxRow(r)))
        .execute();
    },
    async claim(now, leaseUntil, limit) {
      // One statement: pick due rows (skipping rows another dispatcher holds, on Postgres)
      // and lease them, so two dispatchers never claim the same row.
      let due = db
        .selectFrom('orderflow_outbox')
        .select('id')
        .where('available_at', '<=', now)
        .orderBy('created_at')
        .orderBy('id')
        .limit(limit);
      if (flags.skipLocked) due = due.forUpdate().skipLocked();
      const rows = (await db
        .updateTable('orderflow_outbox')
        .set({ available_at: leaseUntil, attempts: sql`attempts + 1` })
        .where('id', 'in', due)
        .returningAll()
        .execute()) as OutboxRow[];
      return rows
        .map((r) => codec.outbox(r))
        .sort((a, b) =>
          a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
        );
    },
    async delete(ids) {
      if (ids.length === 0) return;
      await shapes.execute(db, `outbox:delete:${ids.length}`, [...ids], () =>
        db.deleteFrom('orderflow_outbox').where('id', 'in', [...ids]),
      );
    },
    async count() {
      const row = await db
        .selectFrom('orderflow_outbox')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export function idempotencyRepository({ db, codec, shapes }: SqlContext): IdempotencyRepository {
  const get = async (scope: string, key: string) => {
    const row = await db
      .selectFrom('orderflow_idempotency_keys')
      .selectAll()
      .where('scope', '=', scope)
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? codec.idempotency(row) : undefined;
  };
  return {
    get,
    async claim(record) {
      // The primary key decides between racing claims; the loser reads the winner's row.
      const row = codec.idempotencyRow(record);
      const { columns, values } = columnsAndValues(row);
      const result = await shapes.execute(db, `idem:claim:${columns.join(',')}`, values, () =>
        db
          .insertInto('orderflow_idempotency_keys')
          .values(row)
          .onConflict((oc) => oc.columns(['scope', 'key']).doNothing()),
      );
      if (Number(result.numAffectedRows ?? 0) === 1) return undefined;
      const existing = await get(record.scope, record.key);
      // Released between our insert and read: claim again.
      return existing ?? this.claim(record);
    },
    async takeOver(scope, key, previousLockedUntil, lockedUntil) {
      const result = await db
        .updateTable('orderflow_idempotency_keys')
        .set({ locked_until: lockedUntil })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('status', '=', 'in_flight')
        .where('locked_until', '=', previousLockedUntil)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async complete(scope, key, response) {
      await db
        .updateTable('orderflow_idempotency_keys')
        .set({ status: 'completed', response: codec.json(response) })
        .where('scope', '=', scope)
        .where('key', '=', key)
        .execute();
    },
    async release(scope, key, lockedUntil) {
      let q = db
        .deleteFrom('orderflow_idempotency_keys')
        .where('scope', '=', scope)
        .where('key', '=', key)
        .where('status', '=', 'in_flight');
      if (lockedUntil !== undefined) q = q.where('locked_until', '=', lockedUntil);
      await q.execute();
    },
    async purgeExpired(now) {
      const result = await db
        .deleteFrom('orderflow_idempotency_keys')
        .where('expires_at', '<', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export function deadLetterRepository({ db, codec }: SqlContext): DeadLetterRepository {
  return {
    async insert(record) {
      // Recording the same give-up twice (a redelivered job, two workers) keeps the first.
      await db
        .insertInto('orderflow_dead_letters')
        .values(codec.deadLetterRow(record))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    },
    async list(query) {
      const q = db.selectFrom('orderflow_dead_letters').selectAll();
      const rows = await keysetWhere(q, { limit: query.limit, cursor: query.cursor })
        .orderBy(NEWEST_FIRST)
        .limit(query.limit + 1)
        .execute();
      return toPage(
        rows.map((r) => codec.deadLetter(r)),
        query.limit,
      );
    },
  };
}

export function providerEventRepository({ db, codec }: SqlContext): ProviderEventRepository {
  return {
    async insert(record) {
      // The primary key decides: a second insert of one id (even a concurrent one, which
      // waits for the first to commit) inserts nothing.
      const result = await db
        .insertInto('orderflow_provider_events')
        .values(codec.providerEventRow(record))
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async get(id) {
      const row = await db
        .selectFrom('orderflow_provider_events')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row ? codec.providerEvent(row) : undefined;
    },
  };
}
