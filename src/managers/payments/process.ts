import type { z } from 'zod';
import { payableAmount } from '../../domain/balance.js';
import { newId } from '../../domain/ids.js';
import { BusinessRuleError, NotFoundError } from '../../errors.js';
import type { PaymentProvider, ProviderResult } from '../../ports/payment-provider.js';
import type { PaymentRecord, processPaymentInput } from '../../schemas/payment.js';
import type { IdempotencyScope } from '../idempotency.js';
import { recordAuthorization } from '../payment-settlement.js';
import { callProvider } from '../provider-call.js';
import type { SystemContext } from '../system-context.js';
import { runCommand } from '../unit-of-work.js';
import { withPaymentId } from './outcome.js';

const UNPAYABLE = new Set(['cancelled', 'returned']);

/**
 * Saves a payment intent (`pending`) for the order, after checking that the order may be
 * paid and owes at least `amount` (what it owes by default). The idempotency key points at
 * the saved intent from then on, so a retry resumes this payment instead of making another.
 */
export async function savePaymentIntent(
  ctx: SystemContext,
  provider: PaymentProvider,
  data: z.output<typeof processPaymentInput>,
  idem: IdempotencyScope,
): Promise<PaymentRecord> {
  return runCommand(ctx, async (uow) => {
    const order = await uow.tx.orders.get(data.orderId, { forUpdate: true });
    if (!order) throw new NotFoundError('order', data.orderId);
    if (UNPAYABLE.has(order.state)) {
      throw new BusinessRuleError(
        'order_not_payable',
        `Order ${order.id} is ${order.state} and cannot be paid`,
        {
          details: { orderId: order.id, state: order.state },
        },
      );
    }
    const owed = payableAmount(order, await uow.tx.payments.listByOrder(order.id));
    const amount = data.amount ?? owed;
    if (amount <= 0 || amount > owed) {
      throw new BusinessRuleError(
        'amount_exceeds_balance',
        `Order ${order.id} owes ${owed}; a payment of ${amount} is not possible`,
        { details: { orderId: order.id, owed, requested: amount } },
      );
    }
    const record: PaymentRecord = {
      id: newId('payment'),
      orderId: order.id,
      amount,
      currency: order.currency,
      state: 'pending',
      provider: provider.name,
      paymentMethod: { token: data.paymentMethod.token },
      captureMode: data.capture,
      capturedAmount: 0,
      refundedAmount: 0,
      refunds: [],
      disputes: [],
      version: 1,
      createdAt: uow.now,
      updatedAt: uow.now,
    };
    await uow.tx.payments.insert(record);
    await uow.history({
      entity: 'payment',
      entityId: record.id,
      from: null,
      to: 'pending',
      event: 'CREATE',
    });
    uow.emit('payment.created', { id: record.id, at: uow.now, entity: record });
    await idem.finish(uow.tx, { ref: record.id });
    return record;
  });
}

/**
 * Asks the provider to authorize (and capture) a pending payment and records the answer.
 * Also used by the sweep to reconcile a payment whose process died mid-way: the same
 * idempotency keys make the provider answer as the first time.
 */
export async function settleAuthorization(
  ctx: SystemContext,
  provider: PaymentProvider,
  payment: PaymentRecord,
): Promise<PaymentRecord> {
  const captureNow = payment.captureMode === 'automatic';
  let authorization: ProviderResult;
  let capture: ProviderResult | undefined;
  try {
    authorization = await callProvider(ctx.config, 'authorize', () =>
      provider.authorize({
        idempotencyKey: `${payment.id}:authorize`,
        paymentId: payment.id,
        amount: payment.amount,
        currency: payment.currency,
        token: payment.paymentMethod.token,
      }),
    );
    if (authorization.status === 'succeeded' && captureNow) {
      const reference = authorization.reference;
      capture = await callProvider(ctx.config, 'capture', () =>
        provider.capture({
          idempotencyKey: `${payment.id}:capture`,
          paymentId: payment.id,
          providerReference: reference,
          amount: payment.amount,
          currency: payment.currency,
        }),
      );
      if (capture.status === 'declined') await releaseHold(ctx, provider, payment, reference);
    }
  } catch (error) {
    throw withPaymentId(error, payment.id);
  }
  const result = capture;
  return runCommand(ctx, (uow) => recordAuthorization(uow, payment.id, authorization, result));
}

/**
 * Voids the authorization of a payment whose capture was declined, so the customer's
 * funds are not left on hold. Best effort: a failure is logged, the payment still fails.
 */
async function releaseHold(
  ctx: SystemContext,
  provider: PaymentProvider,
  payment: PaymentRecord,
  reference: string,
): Promise<void> {
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
      'could not void the authorization of a payment whose capture was declined',
    );
  }
}
