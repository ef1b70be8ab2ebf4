import type { QueryCreator } from 'kysely';
import type { PaymentRecord } from '../../../../src/schemas/payment.js';
import type { RowCodec } from '../codec.js';
import type { Database } from '../schema.js';
import { rowsShape } from '../statement-shapes.js';

/**
 * The write of a payment's refunds, on `q` (the database, or a CTE of a larger statement):
 * new ones inserted, known ones brought to their state; with its statement shape (undefined
 * when the rows differ in columns). Undefined when the payment has no refunds.
 */
export function refundsUpsert(codec: RowCodec, payment: PaymentRecord) {
  if (payment.refunds.length === 0) return undefined;
  const rows = payment.refunds.map((f, position) => codec.refundRow(f, position));
  // The update part takes no parameters: the statement's are the rows' values.
  const shape = rowsShape(rows);
  return {
    key: shape && `refunds:upsert:${rows.length}:${shape.columns}`,
    values: shape?.values ?? [],
    build: (q: QueryCreator<Database>) =>
      q
        .insertInto('orderflow_refunds')
        .values(rows)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            state: eb.ref('excluded.state'),
            provider_reference: eb.ref('excluded.provider_reference'),
            failure_code: eb.ref('excluded.failure_code'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        ),
  };
}
