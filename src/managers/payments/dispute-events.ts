import type { Dispute, PaymentRecord } from '../../schemas/payment.js';
import { savePayment } from '../payment-settlement.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { type EventVerdict, ignored, type ParsedProviderEvent } from './event-verdict.js';

/**
 * `dispute.opened` adds an `open` dispute to the payment (`payment.disputed`); its amount
 * is held back from refunds. `dispute.won` / `dispute.lost` close it
 * (`payment.dispute_closed`): won gives the amount back to what is refundable, lost keeps
 * it out for good. A close that arrives before its open (with `amount`) records the
 * dispute already closed; a repeated or late report changes nothing. Disputes do not move
 * the payment's state.
 */
export async function applyDisputeEvent(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
): Promise<EventVerdict> {
  const reference = event.disputeReference ?? '';
  const known = payment.disputes.find((d) => d.id === reference);
  if (event.type === 'dispute.opened') {
    if (known) return ignored('already_recorded');
    return open(uow, payment, event, 'open');
  }
  const outcome = event.type === 'dispute.won' ? 'won' : 'lost';
  if (!known) {
    return event.amount === undefined
      ? ignored('unknown_dispute')
      : open(uow, payment, event, outcome);
  }
  if (known.state !== 'open') {
    return ignored(known.state === outcome ? 'already_settled' : 'refused_transition');
  }
  const closed: Dispute = { ...known, state: outcome, updatedAt: uow.now };
  const saved = await savePayment(uow, payment, {
    ...payment,
    disputes: payment.disputes.map((d) => (d.id === known.id ? closed : d)),
  });
  uow.emit('payment.dispute_closed', {
    id: saved.id,
    orderId: saved.orderId,
    at: uow.now,
    dispute: closed,
    entity: saved,
  });
  return { status: 'applied' };
}

async function open(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
  state: Dispute['state'],
): Promise<EventVerdict> {
  const amount = event.amount ?? 0;
  if (payment.capturedAmount === 0) return ignored('refused_transition');
  if (amount <= 0 || amount > payment.capturedAmount) return ignored('exceeds_captured');
  const dispute: Dispute = {
    id: event.disputeReference ?? '',
    amount,
    state,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    createdAt: uow.now,
    updatedAt: uow.now,
  };
  const saved = await savePayment(uow, payment, {
    ...payment,
    disputes: [...payment.disputes, dispute],
  });
  const payload = { id: saved.id, orderId: saved.orderId, at: uow.now, dispute, entity: saved };
  uow.emit(state === 'open' ? 'payment.disputed' : 'payment.dispute_closed', payload);
  return { status: 'applied' };
}
