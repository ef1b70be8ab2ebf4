import { NotFoundError } from '../../errors.js';
import type { ReturnRecord } from '../../schemas/return.js';
import { insertOrder } from '../orders/create.js';
import { moveOrder } from '../orders/move.js';
import type { UnitOfWork } from '../unit-of-work.js';

const SYSTEM = 'system';

/**
 * An exchange was approved: its replacement order is created — same customer, currency
 * and address, the exchange lines, stock reserved, `creditTotal` from the return and
 * `exchangeForReturnId` pointing back. Returns the replacement's id (kept on the return).
 */
export async function createReplacement(uow: UnitOfWork, ret: ReturnRecord): Promise<string> {
  const original = await uow.tx.orders.get(ret.orderId);
  if (!original) throw new NotFoundError('order', ret.orderId);
  const replacement = await insertOrder(uow, {
    customerId: original.customerId,
    currency: original.currency,
    items: ret.exchangeItems ?? [],
    shippingTotal: 0,
    taxTotal: 0,
    discountTotal: 0,
    shippingAddress: original.shippingAddress,
    metadata: {},
    creditTotal: ret.creditTotal,
    exchangeForReturnId: ret.id,
  });
  return replacement.id;
}

/**
 * A rejected or cancelled exchange cancels its replacement while that is still pending
 * (stock released, pending shipments cancelled by the order's own cancel). Lock order:
 * return (held by the caller), then order.
 */
export async function cancelReplacement(uow: UnitOfWork, ret: ReturnRecord): Promise<void> {
  if (!ret.exchangeOrderId) return;
  const replacement = await uow.tx.orders.get(ret.exchangeOrderId, { forUpdate: true });
  if (replacement?.state !== 'pending') return;
  await moveOrder(
    uow,
    replacement,
    { event: 'CANCEL', from: 'pending', to: 'cancelled' },
    { actor: SYSTEM, reason: `return ${ret.id} was ${ret.state}` },
  );
}
