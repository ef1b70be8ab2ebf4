import type { PaymentRecord } from '../../../../src/schemas/payment.js';
import type { PaymentRow, RefundRow } from '../schema.js';
import type { SqlContext } from './entity-repositories.js';

/** The refund columns read beside a payment's, each as `refund_<column>`. */
const REFUND_COLUMNS = [
  'id',
  'position',
  'amount',
  'reason',
  'return_id',
  'state',
  'provider_reference',
  'failure_code',
  'origin',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof RefundRow)[];

const REFUND_SELECT = REFUND_COLUMNS.map(
  (c) => `orderflow_refunds.${c} as refund_${c}` as const,
) as unknown as 'orderflow_refunds.id as refund_id'[];

type JoinedRow = PaymentRow & Record<`refund_${(typeof REFUND_COLUMNS)[number]}`, unknown>;

/**
 * Payments with their refunds in one statement — payments left-joined to their refunds —
 * oldest payment first, each payment's refunds in the order they were asked for. Either one
 * payment by `id` or every payment of `orderIds`. Never for a locking read where reads
 * take row locks: on Postgres a statement that waits for a row lock re-reads the locked row
 * but not the rows it joins (see `selectLockedPayment`).
 */
export async function selectPaymentsWithRefunds(
  { db, codec, shapes }: SqlContext,
  where: { id: string } | { orderIds: readonly string[] },
): Promise<PaymentRecord[]> {
  const orderIds = 'id' in where ? [] : [...new Set(where.orderIds)];
  const build = () => {
    const q = joinedSelect(db);
    return (
      'id' in where
        ? q.where('orderflow_payments.id', '=', where.id)
        : q.where('orderflow_payments.order_id', 'in', orderIds)
    )
      .orderBy('orderflow_payments.created_at')
      .orderBy('orderflow_payments.id')
      .orderBy('orderflow_refunds.position');
  };
  const { rows } =
    'id' in where
      ? await shapes.execute(db, 'payments:id', [where.id], build)
      : await shapes.execute(db, `payments:orders:${orderIds.length}`, orderIds, build);
  return grouped(rows as unknown as JoinedRow[]).map((p) => codec.payment(p.row, p.refunds));
}

/**
 * A payment locked `FOR UPDATE` with its refunds, in one statement when that statement saw
 * the payment as it is now. A statement that waited for the lock gets the locked row as the
 * lock holder committed it, but the refunds it joins as they were when it started; refunds
 * change only with their payment, whose version every write moves, so the statement also
 * reads the version its own snapshot holds. When the two differ, the refunds are stale and
 * `refunds` is undefined: the caller reads them again.
 */
export async function selectLockedPayment(
  { db, shapes }: SqlContext,
  id: string,
): Promise<{ row: PaymentRow; refunds: RefundRow[] | undefined } | undefined> {
  const { rows } = await shapes.execute(db, 'payments:id:locked', [id, id], () =>
    joinedSelect(db)
      .select((eb) =>
        eb
          .selectFrom('orderflow_payments as seen')
          .select('seen.version')
          .where('seen.id', '=', id)
          .as('seen_version'),
      )
      .where('orderflow_payments.id', '=', id)
      .orderBy('orderflow_refunds.position')
      .forUpdate('orderflow_payments'),
  );
  const joined = rows as unknown as (JoinedRow & { seen_version: unknown })[];
  const first = joined[0];
  if (!first) return undefined;
  const [payment] = grouped(joined);
  const current = Number(first.seen_version) === Number(first.version);
  return { row: payment!.row, refunds: current ? payment!.refunds : undefined };
}

function joinedSelect(db: SqlContext['db']) {
  return db
    .selectFrom('orderflow_payments')
    .leftJoin('orderflow_refunds', 'orderflow_refunds.payment_id', 'orderflow_payments.id')
    .selectAll('orderflow_payments')
    .select(REFUND_SELECT);
}

/** Joined rows, in order, as each payment's row and its refunds. */
function grouped(rows: JoinedRow[]): { row: PaymentRow; refunds: RefundRow[] }[] {
  const payments: { row: PaymentRow; refunds: RefundRow[] }[] = [];
  for (const row of rows) {
    let last = payments[payments.length - 1];
    if (last?.row.id !== row.id) {
      last = { row, refunds: [] };
      payments.push(last);
    }
    if (row.refund_id !== null && row.refund_id !== undefined) {
      const refund = { payment_id: row.id } as Record<string, unknown>;
      for (const c of REFUND_COLUMNS) refund[c] = row[`refund_${c}`];
      last.refunds.push(refund as unknown as RefundRow);
    }
  }
  return payments;
}
