import { PaymentDeclinedError, ProviderUnavailableError } from '../../errors.js';
import type { Payment, PaymentRecord, Refund } from '../../schemas/payment.js';

/**
 * A recorded payment as the caller sees it: a decline or an unsettled call is an error. A
 * payment waiting for the customer (`requires_action`) or for the provider (`processing`)
 * is an answer, not an error: it settles later through a provider event.
 */
export function outcome(payment: PaymentRecord): Payment {
  if (payment.state === 'failed') {
    throw new PaymentDeclinedError(
      `Payment ${payment.id} was declined (${payment.failureCode ?? 'declined'})`,
      {
        paymentId: payment.id,
        reason: payment.failureCode,
      },
    );
  }
  if (payment.state === 'pending' || payment.pendingCapture) {
    throw new ProviderUnavailableError(
      `Payment ${payment.id} is not settled yet; it will be retried`,
      {
        details: { paymentId: payment.id },
      },
    );
  }
  return payment;
}

/**
 * A recorded refund as the caller sees it: a decline or an unsettled call is an error. A
 * refund the provider accepted but settles later (`processing`: it has a provider
 * reference and stays `pending`) is an answer; its provider event settles it.
 */
export function refundOutcome(refund: Refund): Refund {
  if (refund.state === 'failed') {
    throw new PaymentDeclinedError(
      `Refund ${refund.id} was declined (${refund.failureCode ?? 'declined'})`,
      {
        paymentId: refund.paymentId,
        refundId: refund.id,
        reason: refund.failureCode,
      },
    );
  }
  if (refund.state === 'pending' && refund.providerReference === undefined) {
    throw new ProviderUnavailableError(
      `Refund ${refund.id} is not settled yet; it will be retried`,
      {
        details: { paymentId: refund.paymentId, refundId: refund.id },
      },
    );
  }
  return refund;
}

/** Adds the ids of the saved intent to a provider outage, so callers can follow it up. */
export function withPaymentId(error: unknown, paymentId: string, refundId?: string): unknown {
  if (!(error instanceof ProviderUnavailableError)) return error;
  return new ProviderUnavailableError(error.message, {
    cause: error.cause,
    details: { paymentId, ...(refundId ? { refundId } : {}) },
  });
}
