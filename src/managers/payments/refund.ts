import type { z } from 'zod';
import { refundableAmount } from '../../domain/payment.js';
import { holdsUnits } from '../../domain/return.js';
import { BusinessRuleError, NotFoundError } from '../../errors.js';
import type { PaymentProvider, ProviderResult } from '../../ports/payment-provider.js';
import type { PaymentRecord, Refund, refundPaymentInput } from '../../schemas/payment.js';
import type { IdempotencyScope } from '../idempotency.js';
import { recordRefund, savePendingRefund } from '../payment-settlement.js';
import { callProvider } from '../provider-call.js';
import type { SystemContext } from '../system-context.js';
import { runCommand, type UnitOfWork } from '../unit-of-work.js';
import { refundOutcome, withPaymentId } from './outcome.js';

/**
 * States whose payment captured money. A refund of one whose money is all refunded (or
 * promised to pending refunds) is `refund_exceeds_captured`, whichever way a race ran;
 * `payment_not_refundable` is for payments that never captured anything.
 */
const CAPTURED = new Set(['captured', 'partially_refunded', 'refunded']);

/**
 * Saves a refund intent (`pending`) of part or all (the default) of what is left of a
 * captured payment. The check against the captured amount, counting pending refunds, and
 * the insert of the pending refund are one locked step, so parallel refunds can never
 * exceed it. The idempotency key points at the saved refund from then on.
 */
export async function saveRefundIntent(
  ctx: SystemContext,
  paymentId: string,
  data: z.output<typeof refundPaymentInput>,
  idem: IdempotencyScope,
): Promise<{ payment: PaymentRecord; refund: Refund }> {
  return runCommand(ctx, async (uow) => {
    const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
    if (!current) throw new NotFoundError('payment', paymentId);
    if (!CAPTURED.has(current.state)) {
      throw new BusinessRuleError(
        'payment_not_refundable',
        `Payment ${paymentId} is ${current.state}; only captured money can be refunded`,
        {
          details: { paymentId, state: current.state },
        },
      );
    }
    const refundable = refundableAmount(current);
    // Lock order: payment, then return (as when a refund result settles a return).
    const returnLeft =
      data.returnId === undefined ? undefined : await leftForReturn(uow, current, data.returnId);
    const amount = data.amount ?? Math.min(refundable, returnLeft ?? refundable);
    // The return's cap first: "nothing left for this return" is the truer refusal.
    if (returnLeft !== undefined && (amount > returnLeft || returnLeft <= 0)) {
      throw new BusinessRuleError(
        'refund_exceeds_return',
        `Cannot refund ${amount} for return ${data.returnId}: ${Math.max(returnLeft, 0)} of its value is left`,
        {
          details: {
            paymentId,
            returnId: data.returnId,
            requested: amount,
            left: returnLeft,
          },
        },
      );
    }
    if (amount <= 0 || amount > refundable) {
      throw new BusinessRuleError(
        'refund_exceeds_captured',
        `Cannot refund ${amount}: ${refundable} of ${current.capturedAmount} captured is left to refund`,
        {
          details: {
            paymentId,
            requested: amount,
            refundable,
            captured: current.capturedAmount,
          },
        },
      );
    }
    const { payment: saved, refund } = await savePendingRefund(uow, current, {
      amount,
      reason: data.reason,
      returnId: data.returnId,
    });
    // From here a retry with the key resumes this refund; it never starts another.
    await idem.finish(uow.tx, { ref: refund.id });
    return { payment: saved, refund };
  });
}

/** Sends a pending refund to the provider and records the answer (also the sweep's). */
export async function settleRefund(
  ctx: SystemContext,
  provider: PaymentProvider,
  payment: PaymentRecord,
  refund: Refund,
): Promise<Refund> {
  let result: ProviderResult;
  try {
    result = await callProvider(ctx.config, 'refund', () =>
      provider.refund({
        idempotencyKey: refund.id,
        paymentId: payment.id,
        refundId: refund.id,
        providerReference: payment.providerReference ?? payment.id,
        amount: refund.amount,
        currency: payment.currency,
      }),
    );
  } catch (error) {
    throw withPaymentId(error, payment.id, refund.id);
  }
  const recorded = await runCommand(ctx, (uow) => recordRefund(uow, payment.id, refund.id, result));
  return refundOutcome(recorded.refund);
}

/**
 * What is left to refund for a return: its refund amount less the refunds (pending or
 * succeeded, on any of the order's payments) already linked to it. Refuses a return of
 * another order, or one that no longer holds units (rejected, cancelled).
 */
async function leftForReturn(
  uow: UnitOfWork,
  payment: PaymentRecord,
  returnId: string,
): Promise<number> {
  const ret = await uow.tx.returns.get(returnId, { forUpdate: true });
  if (!ret) throw new NotFoundError('return', returnId);
  if (ret.orderId !== payment.orderId) {
    throw new BusinessRuleError(
      'return_order_mismatch',
      `Return ${ret.id} belongs to another order`,
      {
        details: { returnId: ret.id, orderId: payment.orderId },
      },
    );
  }
  if (!holdsUnits(ret)) {
    throw new BusinessRuleError('return_not_refundable', `Return ${ret.id} is ${ret.state}`, {
      details: { returnId: ret.id, state: ret.state },
    });
  }
  let linked = 0;
  for (const p of await uow.tx.payments.listByOrder(ret.orderId)) {
    // The locked payment's own refunds are read from the locked copy.
    const refunds = p.id === payment.id ? payment.refunds : p.refunds;
    for (const r of refunds)
      if (r.returnId === returnId && r.state !== 'failed') linked += r.amount;
  }
  return ret.refundAmount - linked;
}
