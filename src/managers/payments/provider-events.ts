import type { ProviderEventRecord } from '../../ports/storage.js';
import type { PaymentRecord, ProviderEventOutcome } from '../../schemas/payment.js';
import type { SystemContext } from '../system-context.js';
import { runCommand, type UnitOfWork } from '../unit-of-work.js';
import { applyDisputeEvent } from './dispute-events.js';
import { type EventVerdict, ignored, type ParsedProviderEvent } from './event-verdict.js';
import { applyPaymentEvent } from './payment-events.js';
import { applyRefundEvent } from './refund-events.js';

/** Rolls back the command of an event whose id another delivery recorded first. */
class AlreadyRecorded extends Error {
  constructor(readonly record: ProviderEventRecord | undefined) {
    super('provider event already recorded');
  }
}

/**
 * Applies one provider event as one command: the change to the payment (history, outbox
 * events) and the event's own row commit together. The row's primary key is the event id,
 * so a repeated or concurrent delivery of one event changes nothing (`duplicate`). An event
 * naming no known payment or refund, or asking for a move the payment cannot make now, is
 * stored as `ignored` (with the reason) and never thrown. Returns the outcome and, for a
 * payment now authorized whose capture is automatic, the payment to capture.
 */
export async function recordProviderEvent(
  ctx: SystemContext,
  event: ParsedProviderEvent,
): Promise<{ outcome: ProviderEventOutcome; captureNext?: PaymentRecord }> {
  const seen = await ctx.storage.providerEvents.get(event.id);
  if (seen) return { outcome: duplicate(seen) };
  try {
    return await runCommand(ctx, async (uow) => {
      const paymentId = await uow.tx.payments.findIdByProviderReference(event.providerReference);
      const payment = paymentId
        ? await uow.tx.payments.get(paymentId, { forUpdate: true })
        : undefined;
      const verdict = payment ? await decide(uow, payment, event) : ignored('unknown_payment');
      const record: ProviderEventRecord = {
        id: event.id,
        type: event.type,
        providerReference: event.providerReference,
        paymentId: payment?.id,
        status: verdict.status,
        reason: verdict.status === 'ignored' ? verdict.reason : undefined,
        payload: event,
        receivedAt: uow.now,
      };
      if (!(await uow.tx.providerEvents.insert(record))) {
        throw new AlreadyRecorded(await uow.tx.providerEvents.get(event.id));
      }
      if (verdict.status === 'ignored') {
        ctx.logger.info(
          { eventId: event.id, type: event.type, paymentId: payment?.id, reason: verdict.reason },
          'provider event ignored',
        );
      }
      const outcome: ProviderEventOutcome = {
        status: verdict.status,
        ...(verdict.status === 'ignored' ? { reason: verdict.reason } : {}),
        ...(payment ? { paymentId: payment.id } : {}),
      };
      return verdict.status === 'applied' && verdict.captureNext
        ? { outcome, captureNext: verdict.captureNext }
        : { outcome };
    });
  } catch (error) {
    if (error instanceof AlreadyRecorded) return { outcome: duplicate(error.record) };
    throw error;
  }
}

function duplicate(record: ProviderEventRecord | undefined): ProviderEventOutcome {
  return { status: 'duplicate', ...(record?.paymentId ? { paymentId: record.paymentId } : {}) };
}

function decide(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
): Promise<EventVerdict> {
  switch (event.type) {
    case 'payment.succeeded':
    case 'payment.failed':
      return applyPaymentEvent(uow, payment, event);
    case 'refund.succeeded':
    case 'refund.failed':
    case 'refund.created':
      return applyRefundEvent(uow, payment, event);
    case 'dispute.opened':
    case 'dispute.won':
    case 'dispute.lost':
      return applyDisputeEvent(uow, payment, event);
  }
}
