import { newId } from '../domain/ids.js';
import { NotFoundError } from '../errors.js';
import { paymentMachine } from '../machines/payment-machine.js';
import type { ProviderResult } from '../ports/payment-provider.js';
import type { PaymentRecord, PaymentState, Refund } from '../schemas/payment.js';
import { refundedForReturn, transitionReturn } from './return-manager.js';
import { assertWritten, decideTransition } from './transition.js';
import type { UnitOfWork } from './unit-of-work.js';

const SYSTEM = { actor: 'system' };

/**
 * Writes a payment change: version check, history row and `payment.state_changed` when
 * the state moved. Every payment write goes through here.
 */
export async function savePayment(
  uow: UnitOfWork,
  before: PaymentRecord,
  next: PaymentRecord,
  event?: string,
  reason?: string,
): Promise<PaymentRecord> {
  next.version = before.version + 1;
  next.updatedAt = uow.now;
  assertWritten(await uow.tx.payments.update(next, before.version), 'payment', before.id);
  if (event && before.state !== next.state) {
    await uow.stateChanged(
      'payment',
      { id: next.id, from: before.state, to: next.state, event, actor: 'system', reason },
      next,
    );
  }
  return next;
}

/** Moves a payment by machine event, with the guard facts of the payment machine. */
export function movePayment(
  payment: PaymentRecord,
  event: string,
  refundedAmount = payment.refundedAmount,
): PaymentState {
  const verdict = decideTransition(
    paymentMachine,
    'payment',
    payment,
    { event },
    {
      fullyRefunded: refundedAmount >= payment.capturedAmount,
    },
  );
  return verdict.kind === 'move' ? (verdict.to as PaymentState) : payment.state;
}

/**
 * Saves a refund intent (`pending`) on a locked payment: the amount is held from what is
 * refundable at once, so parallel refunds can never exceed the capture. The caller checked
 * the amount under the same lock; the provider is called after commit.
 */
export async function savePendingRefund(
  uow: UnitOfWork,
  payment: PaymentRecord,
  request: { amount: number; reason?: string | undefined; returnId?: string | undefined },
): Promise<{ payment: PaymentRecord; refund: Refund }> {
  const refund: Refund = {
    id: newId('refund'),
    paymentId: payment.id,
    amount: request.amount,
    ...(request.reason === undefined ? {} : { reason: request.reason }),
    ...(request.returnId === undefined ? {} : { returnId: request.returnId }),
    state: 'pending',
    createdAt: uow.now,
    updatedAt: uow.now,
  };
  const saved = await savePayment(uow, payment, {
    ...payment,
    refunds: [...payment.refunds, refund],
  });
  return { payment: saved, refund };
}

async function lockPayment(uow: UnitOfWork, id: string): Promise<PaymentRecord> {
  const payment = await uow.tx.payments.get(id, { forUpdate: true });
  if (!payment) throw new NotFoundError('payment', id);
  return payment;
}

/**
 * Records the provider's answers to the authorization of a pending payment and, for
 * automatic capture, to its capture (absent when none was asked). A payment no longer
 * pending is left as it is, so a late or repeated answer changes nothing.
 *
 * - declined → `failed`; a customer action needed → `requires_action` with `nextAction`;
 *   an outcome that comes later → `processing` (a provider event settles both);
 * - authorized → `authorized`, or `captured` when the capture succeeded; a declined
 *   capture fails the payment; a capture the provider is still working on stays as a
 *   `pendingCapture` intent that the sweep finishes with the same key.
 */
export async function recordAuthorization(
  uow: UnitOfWork,
  paymentId: string,
  authorization: ProviderResult,
  capture?: ProviderResult,
): Promise<PaymentRecord> {
  const payment = await lockPayment(uow, paymentId);
  if (payment.state !== 'pending') return payment;
  const declined = authorization.status === 'declined' ? authorization : capture;
  if (declined?.status === 'declined') {
    const next = { ...payment, state: movePayment(payment, 'FAIL'), failureCode: declined.code };
    return savePayment(uow, payment, next, 'FAIL', declined.message ?? declined.code);
  }
  if (authorization.status === 'requires_action') {
    const next: PaymentRecord = {
      ...payment,
      state: movePayment(payment, 'REQUIRE_ACTION'),
      providerReference: authorization.reference,
      nextAction: authorization.nextAction,
    };
    return savePayment(uow, payment, next, 'REQUIRE_ACTION');
  }
  if (authorization.status === 'processing') {
    const next: PaymentRecord = {
      ...payment,
      state: movePayment(payment, 'START_PROCESSING'),
      providerReference: authorization.reference,
    };
    return savePayment(uow, payment, next, 'START_PROCESSING');
  }
  if (authorization.status !== 'succeeded') return payment; // declined: handled above
  const reference = authorization.reference;
  if (capture?.status === 'succeeded') {
    const { pendingCapture: _done, ...rest } = payment;
    const next: PaymentRecord = {
      ...rest,
      state: movePayment(payment, 'CAPTURE'),
      providerReference: reference,
      capturedAmount: payment.amount,
    };
    return savePayment(uow, payment, next, 'CAPTURE');
  }
  return saveAuthorized(uow, payment, reference, capture !== undefined);
}

/**
 * A payment the provider authorized → `authorized`, leaving the wait states without their
 * next action. With `captureNext` (automatic capture whose answer is still to come) a
 * capture intent of the whole amount is saved too, for the caller or the sweep to send.
 */
export async function saveAuthorized(
  uow: UnitOfWork,
  payment: PaymentRecord,
  reference: string,
  captureNext: boolean,
): Promise<PaymentRecord> {
  const { nextAction: _done, pendingCapture: _none, ...rest } = payment;
  const next: PaymentRecord = {
    ...rest,
    state: movePayment(payment, 'AUTHORIZE'),
    providerReference: reference,
    capturedAmount: 0,
    ...(captureNext ? { pendingCapture: { amount: payment.amount, requestedAt: uow.now } } : {}),
  };
  return savePayment(uow, payment, next, 'AUTHORIZE');
}

/** Records the answer to a requested capture (`pendingCapture`). */
export async function recordCapture(
  uow: UnitOfWork,
  paymentId: string,
  result: ProviderResult,
): Promise<PaymentRecord> {
  const payment = await lockPayment(uow, paymentId);
  if (!payment.pendingCapture || payment.state !== 'authorized') return payment;
  // Still under way at the provider: the intent stays for the sweep (same key).
  if (result.status === 'processing' || result.status === 'requires_action') return payment;
  const { pendingCapture: request, ...rest } = payment;
  if (result.status === 'declined') {
    const next = { ...rest, state: movePayment(payment, 'FAIL'), failureCode: result.code };
    return savePayment(uow, payment, next, 'FAIL', result.message ?? result.code);
  }
  const next: PaymentRecord = {
    ...rest,
    state: movePayment(payment, 'CAPTURE'),
    capturedAmount: request.amount,
  };
  return savePayment(uow, payment, next, 'CAPTURE');
}

/** Records the answer to a requested void (`pendingVoid`); a decline just drops the intent. */
export async function recordVoid(
  uow: UnitOfWork,
  paymentId: string,
  result: ProviderResult,
): Promise<PaymentRecord> {
  const payment = await lockPayment(uow, paymentId);
  if (!payment.pendingVoid) return payment;
  if (result.status === 'processing' || result.status === 'requires_action') return payment;
  const { pendingVoid: _done, ...rest } = payment;
  if (result.status === 'declined' || payment.state !== 'authorized') {
    return savePayment(uow, payment, rest);
  }
  return savePayment(uow, payment, { ...rest, state: movePayment(payment, 'VOID') }, 'VOID');
}

/**
 * Records the answer to a pending refund. On success the payment's balance and state
 * move, and a return whose refunds are now settled becomes `refunded` — and its order
 * `returned` once every unit is back — in this same transaction. On failure balances stay
 * as they were. A refund no longer pending is left as it is.
 */
export async function recordRefund(
  uow: UnitOfWork,
  paymentId: string,
  refundId: string,
  result: ProviderResult,
): Promise<{ payment: PaymentRecord; refund: Refund }> {
  const payment = await lockPayment(uow, paymentId);
  const index = payment.refunds.findIndex((r) => r.id === refundId);
  const refund = payment.refunds[index];
  if (!refund) throw new NotFoundError('refund', refundId);
  if (refund.state !== 'pending') return { payment, refund };
  if (result.status === 'processing' || result.status === 'requires_action') {
    // The provider settles it later (a refund.succeeded or refund.failed event): keep it
    // pending, and remember its reference to match that event.
    if (refund.providerReference === result.reference) return { payment, refund };
    const waiting: Refund = { ...refund, providerReference: result.reference, updatedAt: uow.now };
    const refunds = payment.refunds.map((r, i) => (i === index ? waiting : r));
    return { payment: await savePayment(uow, payment, { ...payment, refunds }), refund: waiting };
  }

  const succeeded = result.status === 'succeeded';
  const updated: Refund = succeeded
    ? { ...refund, state: 'succeeded', providerReference: result.reference, updatedAt: uow.now }
    : {
        ...refund,
        state: 'failed',
        failureCode: result.status === 'declined' ? result.code : 'refund_failed',
        updatedAt: uow.now,
      };
  const refunds = payment.refunds.map((r, i) => (i === index ? updated : r));
  const refundedAmount = payment.refundedAmount + (succeeded ? refund.amount : 0);
  const next: PaymentRecord = {
    ...payment,
    refunds,
    refundedAmount,
    state: succeeded ? movePayment(payment, 'REFUND', refundedAmount) : payment.state,
  };
  const saved = await savePayment(uow, payment, next, succeeded ? 'REFUND' : undefined);
  uow.emit(succeeded ? 'refund.succeeded' : 'refund.failed', {
    id: updated.id,
    paymentId: saved.id,
    orderId: saved.orderId,
    ...(updated.returnId ? { returnId: updated.returnId } : {}),
    amount: updated.amount,
    currency: saved.currency,
    at: uow.now,
    refund: updated,
    payment: saved,
  });
  if (succeeded && updated.returnId) await settleReturn(uow, updated.returnId);
  return { payment: saved, refund: updated };
}

/**
 * A processed return whose refunds now cover it → refunded (which completes the order
 * when every unit is back: see `transitionReturn`).
 */
export async function settleReturn(uow: UnitOfWork, returnId: string): Promise<void> {
  const ret = await uow.tx.returns.get(returnId, { forUpdate: true });
  if (ret?.state !== 'processed') return;
  if ((await refundedForReturn(uow.tx, ret)) < ret.refundAmount) return;
  await transitionReturn(uow, ret.id, { state: 'refunded' }, SYSTEM);
}
