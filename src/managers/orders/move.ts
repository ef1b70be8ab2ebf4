import type { Order, OrderRecord } from '../../schemas/order.js';
import { loadOrder } from '../order-view.js';
import { cancelPendingShipments } from '../steps/fulfilment.js';
import { releaseStock } from '../steps/stock.js';
import { assertWritten } from '../transition.js';
import type { UnitOfWork } from '../unit-of-work.js';

/** A move the order machine allowed. */
export interface OrderMove {
  event: string;
  from: string;
  to: string;
}

export interface OrderMoveOptions {
  actor?: string | undefined;
  reason?: string | undefined;
  /** For DELIVER: when the last unit arrived. @default the command's time */
  deliveredAt?: string | undefined;
}

/**
 * Writes one order move the machine allowed: the new state and version, its history row
 * and `order.state_changed`, and what entering the state does to the order's other parts
 * (a cancelled order's pending shipments are cancelled and its stock released). Every order state change goes
 * through here, whichever command causes it. Returns the stored record and the order as
 * callers see it.
 */
export async function moveOrder(
  uow: UnitOfWork,
  order: OrderRecord,
  move: OrderMove,
  options: OrderMoveOptions = {},
): Promise<{ record: OrderRecord; order: Order }> {
  const next: OrderRecord = {
    ...order,
    state: move.to as OrderRecord['state'],
    version: order.version + 1,
    updatedAt: uow.now,
  };
  if (move.event === 'DELIVER') next.deliveredAt = options.deliveredAt ?? uow.now;
  if (move.event === 'CANCEL' && options.reason) next.cancellationReason = options.reason;
  assertWritten(await uow.tx.orders.update(next, order.version), 'order', order.id);
  if (move.to === 'cancelled') {
    await cancelPendingShipments(uow, order.id, options.actor);
    await releaseStock(uow, order.id);
  }
  const entity = await loadOrder(uow.tx, next);
  uow.presented.set(next, entity);
  await uow.stateChanged(
    'order',
    { id: order.id, ...move, actor: options.actor, reason: options.reason },
    entity,
  );
  return { record: next, order: entity };
}
