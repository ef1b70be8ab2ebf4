import type { PaymentProvider } from '../../ports/payment-provider.js';
import type { PaymentRecord } from '../../schemas/payment.js';
import { movePayment, savePayment } from '../payment-settlement.js';
import { callProvider } from '../provider-call.js';
import type { SystemContext } from '../system-context.js';
import type { UnitOfWork } from '../unit-of-work.js';

/**
 * Fails a payment still waiting for the customer's action (its order expired or was
 * cancelled), under its lock; `code` becomes its `failureCode`. A payment that moved on
 * meanwhile is left alone. Returns the payment if it was failed.
 */
export async function failWaitingPayment(
  uow: UnitOfWork,
  paymentId: string,
  code: string,
): Promise<PaymentRecord | undefined> {
  const payment = await uow.tx.payments.get(paymentId, { forUpdate: true });
  if (payment?.state !== 'requires_action') return undefined;
  const { nextAction: _gone, ...rest } = payment;
  const next: PaymentRecord = { ...rest, state: movePayment(payment, 'FAIL'), failureCode: code };
  return savePayment(uow, payment, next, 'FAIL', code);
}

/**
 * Tells the provider to drop a payment orderflow gave up waiting for (cancels the intent,
 * with the payment's own void key), so a customer who finishes the action later is not
 * charged. Best effort: a failure is logged; an event that still reports success later is
 * recorded as money to give back.
 */
export async function cancelAtProvider(
  ctx: SystemContext,
  provider: PaymentProvider | undefined,
  payment: PaymentRecord,
): Promise<void> {
  if (!provider || !payment.providerReference) return;
  const reference = payment.providerReference;
  try {
    await callProvider(ctx.config, 'void', () =>
      provider.void({
        idempotencyKey: `${payment.id}:void`,
        paymentId: payment.id,
        providerReference: reference,
      }),
    );
  } catch (error) {
    ctx.logger.warn(
      { err: error, paymentId: payment.id },
      'could not cancel a payment that was waiting for the customer at the provider',
    );
  }
}
