import type { PaymentRecord } from '../../schemas/payment.js';
import { movePayment, saveAuthorized, savePayment } from '../payment-settlement.js';
import type { UnitOfWork } from '../unit-of-work.js';
import { type EventVerdict, ignored, type ParsedProviderEvent } from './event-verdict.js';

/** States in which a payment waits for the provider to tell how it went. */
const WAITING: ReadonlySet<string> = new Set(['pending', 'requires_action', 'processing']);
/** States a payment reaches once the provider said yes. */
const SUCCEEDED: ReadonlySet<string> = new Set([
  'authorized',
  'captured',
  'partially_refunded',
  'refunded',
]);

/**
 * `payment.succeeded`: the provider authorized a payment that was waiting (for the
 * customer's action or for the bank) → `authorized`; for automatic capture, a capture
 * intent is saved with it and returned to be sent. `payment.failed` → `failed`, with the
 * event's `reason` as `failureCode`. A payment that already got there (a repeated report)
 * or went elsewhere (a late report) is left alone.
 */
export async function applyPaymentEvent(
  uow: UnitOfWork,
  payment: PaymentRecord,
  event: ParsedProviderEvent,
): Promise<EventVerdict> {
  if (event.type === 'payment.succeeded') {
    if (SUCCEEDED.has(payment.state)) return ignored('already_settled');
    if (!WAITING.has(payment.state)) return ignored('refused_transition');
    const captureNext = payment.captureMode === 'automatic';
    const saved = await saveAuthorized(
      uow,
      payment,
      payment.providerReference ?? event.providerReference,
      captureNext,
    );
    return captureNext ? { status: 'applied', captureNext: saved } : { status: 'applied' };
  }
  if (payment.state === 'failed') return ignored('already_settled');
  if (!WAITING.has(payment.state)) return ignored('refused_transition');
  const code = event.reason ?? 'payment_failed';
  const { nextAction: _gone, ...rest } = payment;
  const next: PaymentRecord = { ...rest, state: movePayment(payment, 'FAIL'), failureCode: code };
  await savePayment(uow, payment, next, 'FAIL', code);
  return { status: 'applied' };
}
