import type { Kysely } from 'kysely';
import type {
  OrderRepository,
  PaymentRepository,
  ReturnRepository,
} from '../../../../src/ports/storage.js';
import type { PaymentRecord } from '../../../../src/schemas/payment.js';
import type { RowCodec } from '../codec.js';
import type { SqlDialectFlags } from '../dialect-flags.js';
import type { Database, PaymentRow } from '../schema.js';
import type { StatementShapes } from '../statement-shapes.js';
import { keysetWhere, NEWEST_FIRST, toPage } from './keyset.js';
import { selectLockedPayment, selectPaymentsWithRefunds } from './payment-reads.js';
import { refundsUpsert } from './refund-upsert.js';
import { insertRow, selectById, updateVersioned } from './versioned-rows.js';

export interface SqlContext {
  db: Kysely<Database>;
  flags: SqlDialectFlags;
  codec: RowCodec;
  /** Statement texts built once per shape, shared by the storage's transactions. */
  shapes: StatementShapes;
}

export function orderRepository(ctx: SqlContext): OrderRepository {
  const { db, codec } = ctx;
  return {
    async get(id, options) {
      const row = await selectById(ctx, 'orderflow_orders', id, options);
      return row ? codec.order(row) : undefined;
    },
    async insert(order) {
      await insertRow(ctx, 'orderflow_orders', codec.orderRow(order));
    },
    async update(order, expectedVersion) {
      return updateVersioned(ctx, 'orderflow_orders', codec.orderRow(order), expectedVersion);
    },
    async list(query) {
      let q = db.selectFrom('orderflow_orders').selectAll();
      if (query.state !== undefined) q = q.where('state', '=', query.state);
      if (query.customerId !== undefined) q = q.where('customer_id', '=', query.customerId);
      const rows = await keysetWhere(q, query)
        .orderBy(NEWEST_FIRST)
        .limit(query.limit + 1)
        .execute();
      return toPage(
        rows.map((r) => codec.order(r)),
        query.limit,
      );
    },
  };
}

export function returnRepository(ctx: SqlContext): ReturnRepository {
  const { db, codec } = ctx;
  return {
    async get(id, options) {
      const row = await selectById(ctx, 'orderflow_returns', id, options);
      return row ? codec.return(row) : undefined;
    },
    async insert(ret) {
      await insertRow(ctx, 'orderflow_returns', codec.returnRow(ret));
    },
    async update(ret, expectedVersion) {
      return updateVersioned(ctx, 'orderflow_returns', codec.returnRow(ret), expectedVersion);
    },
    async list(query) {
      let q = db.selectFrom('orderflow_returns').selectAll();
      if (query.state !== undefined) q = q.where('state', '=', query.state);
      if (query.orderId !== undefined) q = q.where('order_id', '=', query.orderId);
      const rows = await keysetWhere(q, query)
        .orderBy(NEWEST_FIRST)
        .limit(query.limit + 1)
        .execute();
      return toPage(
        rows.map((r) => codec.return(r)),
        query.limit,
      );
    },
    async listByOrder(orderId) {
      const { rows } = await ctx.shapes.execute(db, 'returns:order', [orderId], () =>
        db
          .selectFrom('orderflow_returns')
          .selectAll()
          .where('order_id', '=', orderId)
          .orderBy('created_at')
          .orderBy('id'),
      );
      return rows.map((r) => codec.return(r));
    },
  };
}

export function paymentRepository(ctx: SqlContext): PaymentRepository {
  const { db, codec } = ctx;

  /** Payments with their refunds (oldest first), in the order of `rows`. */
  async function withRefunds(rows: PaymentRow[]): Promise<PaymentRecord[]> {
    if (rows.length === 0) return [];
    const refunds = await db
      .selectFrom('orderflow_refunds')
      .selectAll()
      .where(
        'payment_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('payment_id')
      .orderBy('position')
      .execute();
    return rows.map((r) =>
      codec.payment(
        r,
        refunds.filter((f) => f.payment_id === r.id),
      ),
    );
  }

  async function writeRefunds(payment: PaymentRecord): Promise<void> {
    const upsert = refundsUpsert(codec, payment);
    if (!upsert) return;
    if (upsert.key) await ctx.shapes.execute(db, upsert.key, upsert.values, () => upsert.build(db));
    else await upsert.build(db).execute();
  }

  return {
    async get(id, options) {
      // Where reads take no row locks (SQLite serializes writers), one joined statement.
      if (!options?.forUpdate || !ctx.flags.rowLocks) {
        return (await selectPaymentsWithRefunds(ctx, { id }))[0];
      }
      // Locked: with its refunds in the same statement, unless that statement waited for
      // the lock and so joined refunds older than the row (then they are read again).
      const locked = await selectLockedPayment(ctx, id);
      if (!locked) return undefined;
      if (locked.refunds) return codec.payment(locked.row, locked.refunds);
      return (await withRefunds([locked.row]))[0];
    },
    async insert(payment) {
      await insertRow(ctx, 'orderflow_payments', codec.paymentRow(payment));
      await writeRefunds(payment);
    },
    async update(payment, expectedVersion) {
      const written = await updateVersioned(
        ctx,
        'orderflow_payments',
        codec.paymentRow(payment),
        expectedVersion,
      );
      if (!written) return false;
      await writeRefunds(payment);
      return true;
    },
    async list(query) {
      let q = db.selectFrom('orderflow_payments').selectAll();
      if (query.state !== undefined) q = q.where('state', '=', query.state);
      if (query.orderId !== undefined) q = q.where('order_id', '=', query.orderId);
      const rows = await keysetWhere(q, query)
        .orderBy(NEWEST_FIRST)
        .limit(query.limit + 1)
        .execute();
      return toPage(await withRefunds(rows), query.limit);
    },
    listByOrder: (orderId) => selectPaymentsWithRefunds(ctx, { orderIds: [orderId] }),
    async listByOrders(orderIds) {
      if (orderIds.length === 0) return [];
      return selectPaymentsWithRefunds(ctx, { orderIds });
    },
    async listUnsettled(before, limit) {
      const rows = await db
        .selectFrom('orderflow_payments')
        .selectAll()
        .where('unsettled', '=', 1)
        .where('updated_at', '<', before)
        .orderBy('updated_at')
        .limit(limit)
        .execute();
      return withRefunds(rows);
    },
    async findIdByProviderReference(providerReference) {
      const row = await db
        .selectFrom('orderflow_payments')
        .select('id')
        .where('provider_reference', '=', providerReference)
        .orderBy('created_at')
        .executeTakeFirst();
      return row?.id;
    },
  };
}
