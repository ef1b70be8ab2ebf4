import { BusinessRuleError, NotFoundError, PaymentDeclinedError } from '../../errors.js';
import { paymentMachine } from '../../machines/payment-machine.js';
import type { PaymentProvider } from '../../ports/payment-provider.js';
import type { PaymentRecord } from '../../schemas/payment.js';
import { recordCapture, recordVoid, savePayment } from '../payment-settlement.js';
import { callProvider } from '../provider-call.js';
import type { SystemContext } from '../system-context.js';
import { decideTransition } from '../transition.js';
import { runCommand } from '../unit-of-work.js';
import { withPaymentId } from './outcome.js';

/** States in which the provider has not authorized the payment yet. */
const WAITING: ReadonlySet<string> = new Set(['pending', 'requires_action', 'processing']);

/**
 * Saves a capture intent (`pendingCapture`) on an authorized payment, under its lock:
 * all of it unless `amount` is less. A payment captures once: a second capture (of any
 * amount, or while the first is in flight) is refused with `payment_already_captured`, and
 * a partial capture releases the rest of the authorization. Returns the payment as saved.
 */
export async function saveCaptureIntent(
  ctx: SystemContext,
  paymentId: string,
  requested: number | undefined,
): Promise<PaymentRecord> {
  return runCommand(ctx, async (uow) => {
    const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
    if (!current) throw new NotFoundError('payment', paymentId);
    if (current.capturedAmount > 0 || current.pendingCapture) {
      // One capture per authorization, as at Stripe: what was not captured is released.
      // Under parallel captures exactly one saves its intent; every other one lands here.
      throw new BusinessRuleError(
        'payment_already_captured',
        `Payment ${paymentId} is already captured (or its capture is in progress)`,
        {
          details: {
            paymentId,
            capturedAmount: current.capturedAmount,
            ...(current.pendingCapture ? { pendingCapture: current.pendingCapture.amount } : {}),
          },
        },
      );
    }
    if (current.pendingVoid) {
      throw new BusinessRuleError('void_in_progress', `Payment ${paymentId} is being voided`, {
        details: { paymentId },
      });
    }
    if (WAITING.has(current.state)) {
      // The machine allows pending → captured only for authorize-and-capture at once.
      throw new BusinessRuleError(
        'payment_not_authorized',
        `Payment ${paymentId} is not authorized yet; capture it once it is`,
        { details: { paymentId, state: current.state } },
      );
    }
    decideTransition(
      paymentMachine,
      'payment',
      current,
      { event: 'CAPTURE' },
      { fullyRefunded: false },
    );
    const amount = requested ?? current.amount;
    if (amount > current.amount) {
      throw new BusinessRuleError(
        'amount_exceeds_balance',
        `Cannot capture ${amount}; ${current.amount} is authorized`,
        {
          details: { paymentId, authorized: current.amount, requested: amount },
        },
      );
    }
    const next = { ...current, pendingCapture: { amount, requestedAt: uow.now } };
    return savePayment(uow, current, next);
  });
}

/** Sends a saved capture intent to the provider and records the answer (also the sweep's). */
export async function settleCapture(
  ctx: SystemContext,
  provider: PaymentProvider,
  payment: PaymentRecord,
): Promise<PaymentRecord> {
  const request = payment.pendingCapture;
  if (!request || !payment.providerReference) return payment;
  const reference = payment.providerReference;
  const result = await callProvider(ctx.config, 'capture', () =>
    provider.capture({
      idempotencyKey: `${payment.id}:capture`,
      paymentId: payment.id,
      providerReference: reference,
      amount: request.amount,
      currency: payment.currency,
    }),
  ).catch((error: unknown) => {
    throw withPaymentId(error, payment.id);
  });
  return runCommand(ctx, (uow) => recordCapture(uow, payment.id, result));
}

/**
 * Saves a void intent (`pendingVoid`) on an authorized payment. Voiding a voided payment
 * returns it unchanged; a payment with a capture in flight cannot be voided.
 */
export async function saveVoidIntent(
  ctx: SystemContext,
  paymentId: string,
): Promise<PaymentRecord> {
  return runCommand(ctx, async (uow) => {
    const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
    if (!current) throw new NotFoundError('payment', paymentId);
    if (current.state === 'voided' || current.pendingVoid) return current;
    if (current.pendingCapture) {
      // A capture already sent to the provider must be settled (by retry or sweep) first.
      throw new BusinessRuleError(
        'capture_in_progress',
        `Payment ${current.id} has a capture in progress; it cannot be voided`,
        { details: { paymentId: current.id } },
      );
    }
    decideTransition(
      paymentMachine,
      'payment',
      current,
      { event: 'VOID' },
      { fullyRefunded: false },
    );
    // The version is unique per intent: after a declined void, voiding again is a new
    // provider request rather than a replay of the decline.
    const pendingVoid = {
      requestedAt: uow.now,
      idempotencyKey: `${current.id}:void:${current.version}`,
    };
    return savePayment(uow, current, { ...current, pendingVoid });
  });
}

/** Sends a saved void intent to the provider and records the answer (also the sweep's). */
export async function settleVoid(
  ctx: SystemContext,
  provider: PaymentProvider,
  payment: PaymentRecord,
): Promise<PaymentRecord> {
  const result = await callProvider(ctx.config, 'void', () =>
    provider.void({
      idempotencyKey: payment.pendingVoid?.idempotencyKey ?? `${payment.id}:void`,
      paymentId: payment.id,
      providerReference: payment.providerReference ?? payment.id,
    }),
  ).catch((error: unknown) => {
    throw withPaymentId(error, payment.id);
  });
  const saved = await runCommand(ctx, (uow) => recordVoid(uow, payment.id, result));
  if (result.status === 'declined') {
    throw new PaymentDeclinedError(`The provider refused to void payment ${payment.id}`, {
      paymentId: payment.id,
      code: result.code,
    });
  }
  return saved;
}
