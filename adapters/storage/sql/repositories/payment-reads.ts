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
 * but not the rows it joins.
 */
export async function selectPaymentsWithRefunds(
  { db, codec, shapes }: SqlContext,
  where: { id: string } | { orderIds: readonly string[] },
): Promise<PaymentRecord[]> {
  const orderIds = 'id' in where ? [] : [...new Set(where.orderIds)];
  const build = () => {
    const q = db
      .selectFrom('orderflow_payments')
      .leftJoin('orderflow_refunds', 'orderflow_refunds.payment_id', 'orderflow_payments.id')
      .selectAll('orderflow_payments')
      .select(REFUND_SELECT);
    return (
      'id' in where
        ? q.where('orderflow_payments.id', '=', where.id)
        : q.where('orderflow_payments.order_id', 'in', orderIds)
    )
      .orderBy('orderflow_payments.created_at')
      .orderBy('orderflow_payments.id')
      .orderBy('orderflow_refunds.position');
  };
  const { rows: selected } =
    'id' in where
      ? await shapes.execute(db, 'payments:id', [where.id], build)
      : await shapes.execute(db, `payments:orders:${orderIds.length}`, orderIds, build);
  const rows = selected as unknown as JoinedRow[];

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
  return payments.map((p) => codec.payment(p.row, p.refunds));
}
