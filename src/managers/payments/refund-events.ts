import { newId } from '../../domain/ids.js';
import type { PaymentRecord, Refund } from '../../schemas/payment.js';
import { movePayment, recordRefund, savePayment } from '../payment-settlement.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { type EventVerdict, ignored, type ParsedProviderEvent } from './event-verdict.js';

/** States whose payment captured money. */
const CAPTURED: ReadonlySet<string> = new Set(['captured', 'partially_refunded', 'refunded']);

/**
 * `refund.succeeded` / `refund.failed` settle a refund still pending (one the provider was
 * working on), matched by `refundReference` (the provider's reference of the refund, or
 * orderflow's refund id). `refund.created` records a refund made outside orderflow — in the
 * provider's dashboard — as a succeeded refund with `origin: 'provider'`, counted against
 * what is refundable like any other. A `refund.succeeded` for a refund orderflow never
 * asked for is recorded the same way (it may arrive before its `refund.created`).
 */
export async function applyRefundEvent(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
): Promise<EventVerdict> {
  const reference = event.refundReference ?? '';
  const known = payment.refunds.find(
    (r) => r.providerReference === reference || r.id === reference,
  );
  if (event.type === 'refund.created') {
    return known ? ignored('already_recorded') : recordProviderRefund(uow, payment, event);
  }
  const succeeded = event.type === 'refund.succeeded';
  if (!known) {
    return succeeded && event.amount !== undefined
      ? recordProviderRefund(uow, payment, event)
      : ignored('unknown_refund');
  }
  if (known.state !== 'pending') {
    // A refund reported again, or one reported as failed after it succeeded (giving money
    // back a second time is not something a late event may decide).
    return ignored(
      known.state === (succeeded ? 'succeeded' : 'failed')
        ? 'already_settled'
        : 'refused_transition',
    );
  }
  await recordRefund(
    uow,
    payment.id,
    known.id,
    succeeded
      ? { status: 'succeeded', reference }
      : { status: 'declined', code: event.reason ?? 'refund_failed' },
  );
  return { status: 'applied' };
}

/**
 * Records a refund the provider made on its own (a dashboard refund) as succeeded. It is
 * refused (ignored) when the payment never captured money or when it is more than the
 * provider can have refunded: captured less refunds already succeeded.
 */
async function recordProviderRefund(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
): Promise<EventVerdict> {
  const amount = event.amount ?? 0;
  if (!CAPTURED.has(payment.state)) return ignored('refused_transition');
  if (amount <= 0 || payment.refundedAmount + amount > payment.capturedAmount) {
    return ignored('exceeds_captured');
  }
  const refund: Refund = {
    id: newId('refund'),
    paymentId: payment.id,
    amount,
    ...(event.reason === undefined ? {} : { reason: event.reason }),
    state: 'succeeded',
    providerReference: event.refundReference ?? '',
    origin: 'provider',
    createdAt: uow.now,
    updatedAt: uow.now,
  };
  const refundedAmount = payment.refundedAmount + amount;
  const saved = await savePayment(
    uow,
    payment,
    {
      ...payment,
      refunds: [...payment.refunds, refund],
      refundedAmount,
      state: movePayment(payment, 'REFUND', refundedAmount),
    },
    'REFUND',
    'refund made at the provider',
  );
  uow.emit('refund.succeeded', {
    id: refund.id,
    paymentId: saved.id,
    orderId: saved.orderId,
    amount,
    currency: saved.currency,
    at: uow.now,
    refund,
    payment: saved,
  });
  return { status: 'applied' };
}
