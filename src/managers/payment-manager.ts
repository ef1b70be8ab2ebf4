import { payableAmount } from '../domain/balance.js';
import { newId } from '../domain/ids.js';
import { refundableAmount } from '../domain/payment.js';
import { holdsUnits } from '../domain/return.js';
import {
  BusinessRuleError,
  NotFoundError,
  PaymentDeclinedError,
  ProviderUnavailableError,
} from '../errors.js';
import { paymentMachine } from '../machines/payment-machine.js';
import type { PaymentProvider, ProviderResult } from '../ports/payment-provider.js';
import { type CommandOptions, commandOptionsSchema, type Page } from '../schemas/common.js';
import type { HistoryEntry } from '../schemas/order.js';
import { parseInput } from '../schemas/parse.js';
import {
  type CapturePaymentInput,
  capturePaymentInput,
  type ListPaymentsQuery,
  listPaymentsQuery,
  type Payment,
  type PaymentRecord,
  type ProcessPaymentInput,
  processPaymentInput,
  type Refund,
  type RefundPaymentInput,
  refundPaymentInput,
} from '../schemas/payment.js';
import { idempotent, type StoredResponse } from './idempotency.js';
import {
  recordAuthorization,
  recordCapture,
  recordRefund,
  recordVoid,
  savePayment,
  savePendingRefund,
} from './payment-settlement.js';
import { callProvider, requireProvider } from './provider-call.js';
import type { SystemContext } from './system-context.js';
import { decideTransition } from './transition.js';
import { runCommand, type UnitOfWork } from './unit-of-work.js';

const UNPAYABLE = new Set(['cancelled', 'returned']);
/** States with captured money left to refund. */
const REFUNDABLE = new Set(['captured', 'partially_refunded']);

/**
 * Payments: charge an order, capture, void, refund. Money leaves through the provider only
 * after the intent is saved: a payment or refund is written `pending` first, the provider
 * is called with an idempotency key derived from our own id, then the result is recorded.
 *
 * ```ts
 * const payment = await oms.payments.process({ orderId, paymentMethod: { token: 'tok_visa' } });
 * const refund = await oms.payments.refund(payment.id, { amount: 500, reason: 'goodwill' });
 * ```
 */
export class PaymentManager {
  constructor(private readonly ctx: SystemContext) {}

  private get provider(): PaymentProvider {
    return requireProvider(this.ctx.paymentProvider);
  }

  /**
   * Charges the order: `amount` defaults to what it still owes (its `balanceDue`, less what
   * other payments already hold). Paying more than that, or paying a cancelled order, is
   * refused (`amount_exceeds_balance`, `order_not_payable`).
   * A decline records a failed payment and throws PaymentDeclinedError.
   */
  async process(input: ProcessPaymentInput, options: CommandOptions = {}): Promise<Payment> {
    const data = parseInput(processPaymentInput, input, 'payment');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    const provider = this.provider;
    return idempotent(
      this.ctx,
      'payments.process',
      idempotencyKey,
      data,
      async (idem) => {
        const payment = await runCommand(this.ctx, async (uow) => {
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
          // The key points at the saved intent from now on: a retry resumes this payment
          // (same provider keys) instead of creating a second one.
          await idem.finish(uow.tx, { ref: record.id });
          return record;
        });
        return this.settleAuthorization(payment);
      },
      (response) => this.replayPayment(response),
    );
  }

  /**
   * Asks the provider to authorize (and capture) a pending payment and records the answer.
   * Also used by the sweep to reconcile a payment whose process died mid-way: the same
   * idempotency keys make the provider answer as the first time.
   */
  async settleAuthorization(payment: PaymentRecord): Promise<Payment> {
    const provider = this.provider;
    const captureNow = payment.captureMode === 'automatic';
    let result: ProviderResult;
    try {
      result = await callProvider(this.ctx.config, 'authorize', () =>
        provider.authorize({
          idempotencyKey: `${payment.id}:authorize`,
          paymentId: payment.id,
          amount: payment.amount,
          currency: payment.currency,
          token: payment.paymentMethod.token,
        }),
      );
      if (result.status === 'succeeded' && captureNow) {
        const reference = result.reference;
        result = await callProvider(this.ctx.config, 'capture', () =>
          provider.capture({
            idempotencyKey: `${payment.id}:capture`,
            paymentId: payment.id,
            providerReference: reference,
            amount: payment.amount,
            currency: payment.currency,
          }),
        );
        if (result.status === 'succeeded') result = { status: 'succeeded', reference };
        else await this.releaseHold(payment, reference);
      }
    } catch (error) {
      throw withPaymentId(error, payment.id);
    }
    const saved = await runCommand(this.ctx, (uow) =>
      recordAuthorization(uow, payment.id, result, captureNow),
    );
    return outcome(saved);
  }

  /**
   * Voids the authorization of a payment whose capture was declined, so the customer's
   * funds are not left on hold. Best effort: a failure is logged, the payment still fails.
   */
  private async releaseHold(payment: PaymentRecord, reference: string): Promise<void> {
    try {
      await callProvider(this.ctx.config, 'void', () =>
        this.provider.void({
          idempotencyKey: `${payment.id}:void`,
          paymentId: payment.id,
          providerReference: reference,
        }),
      );
    } catch (error) {
      this.ctx.logger.warn(
        { err: error, paymentId: payment.id },
        'could not void the authorization of a payment whose capture was declined',
      );
    }
  }

  /**
   * Captures an authorized payment (all of it unless `amount` is less). Capturing a
   * payment that is already captured returns it unchanged.
   */
  async capture(paymentId: string, input: CapturePaymentInput = {}): Promise<Payment> {
    const data = parseInput(capturePaymentInput, input, 'capture');
    const provider = this.provider;
    const payment = await runCommand(this.ctx, async (uow) => {
      const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
      if (!current) throw new NotFoundError('payment', paymentId);
      if (current.capturedAmount > 0 || current.pendingCapture) return current;
      if (current.pendingVoid) {
        throw new BusinessRuleError('void_in_progress', `Payment ${paymentId} is being voided`, {
          details: { paymentId },
        });
      }
      if (current.state === 'pending') {
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
      const amount = data.amount ?? current.amount;
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
    if (!payment.pendingCapture || payment.state !== 'authorized') return payment;
    return this.settleCapture(payment, provider);
  }

  /** Sends a saved capture intent to the provider and records the answer (also the sweep's). */
  async settleCapture(payment: PaymentRecord, provider = this.provider): Promise<Payment> {
    const request = payment.pendingCapture;
    if (!request || !payment.providerReference) return payment;
    const reference = payment.providerReference;
    const result = await callProvider(this.ctx.config, 'capture', () =>
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
    return outcome(await runCommand(this.ctx, (uow) => recordCapture(uow, payment.id, result)));
  }

  /**
   * Releases an authorized payment. The intent is saved first (`pendingVoid`), so a crash
   * before the answer is recorded is finished by the sweep. Voiding a voided payment
   * returns it unchanged; a payment with a capture in flight cannot be voided.
   */
  async void(paymentId: string): Promise<Payment> {
    const provider = this.provider;
    const payment = await runCommand(this.ctx, async (uow) => {
      const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
      if (!current) throw new NotFoundError('payment', paymentId);
      if (current.state === 'voided' || current.pendingVoid) return current;
      refuseVoidDuringCapture(current);
      decideTransition(
        paymentMachine,
        'payment',
        current,
        { event: 'VOID' },
        { fullyRefunded: false },
      );
      return savePayment(uow, current, { ...current, pendingVoid: { requestedAt: uow.now } });
    });
    if (!payment.pendingVoid) return payment;
    return this.settleVoid(payment, provider);
  }

  /** Sends a saved void intent to the provider and records the answer (also the sweep's). */
  async settleVoid(payment: PaymentRecord, provider = this.provider): Promise<Payment> {
    const result = await callProvider(this.ctx.config, 'void', () =>
      provider.void({
        idempotencyKey: `${payment.id}:void`,
        paymentId: payment.id,
        providerReference: payment.providerReference ?? payment.id,
      }),
    ).catch((error: unknown) => {
      throw withPaymentId(error, payment.id);
    });
    const saved = await runCommand(this.ctx, (uow) => recordVoid(uow, payment.id, result));
    if (result.status === 'declined') {
      throw new PaymentDeclinedError(`The provider refused to void payment ${payment.id}`, {
        paymentId: payment.id,
        code: result.code,
      });
    }
    return saved;
  }

  async get(id: string): Promise<Payment> {
    const payment = await this.ctx.storage.payments.get(id);
    if (!payment) throw new NotFoundError('payment', id);
    return payment;
  }

  /** The order's payments, oldest first. */
  async listByOrder(orderId: string): Promise<Payment[]> {
    return this.ctx.storage.payments.listByOrder(orderId);
  }

  /**
   * Newest first, filtered by `orderId`, `state` and creation time, paged by `cursor`.
   *
   * ```ts
   * const { data, nextCursor } = await oms.payments.list({ state: 'captured', limit: 50 });
   * ```
   */
  async list(query: ListPaymentsQuery = {}): Promise<Page<Payment>> {
    const q = parseInput(listPaymentsQuery, query, 'query');
    return this.ctx.storage.payments.list(q);
  }

  /** Every state change of the payment, oldest first; NotFoundError for an unknown id. */
  async history(id: string): Promise<HistoryEntry[]> {
    const payment = await this.ctx.storage.payments.get(id);
    if (!payment) throw new NotFoundError('payment', id);
    return this.ctx.storage.history.list('payment', id);
  }

  /**
   * Refunds part or all (the default) of what is left of a captured payment. The check
   * against the captured amount, counting pending refunds, and the insert of the pending
   * refund are one locked step, so parallel refunds can never exceed it.
   */
  async refund(
    paymentId: string,
    input: RefundPaymentInput = {},
    options: CommandOptions = {},
  ): Promise<Refund> {
    const data = parseInput(refundPaymentInput, input, 'refund');
    const { idempotencyKey } = parseInput(commandOptionsSchema, options, 'options');
    const provider = this.provider;
    return idempotent(
      this.ctx,
      'payments.refund',
      idempotencyKey,
      { paymentId, ...data },
      async (idem) => {
        const { payment, refund } = await runCommand(this.ctx, async (uow) => {
          const current = await uow.tx.payments.get(paymentId, { forUpdate: true });
          if (!current) throw new NotFoundError('payment', paymentId);
          if (!REFUNDABLE.has(current.state)) {
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
            data.returnId === undefined
              ? undefined
              : await leftForReturn(uow, current, data.returnId);
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
        return this.settleRefund(payment, refund, provider);
      },
      (response) => this.replayRefund(paymentId, response),
    );
  }

  /** Sends a pending refund to the provider and records the answer (also the sweep's). */
  async settleRefund(
    payment: PaymentRecord,
    refund: Refund,
    provider = this.provider,
  ): Promise<Refund> {
    let result: ProviderResult;
    try {
      result = await callProvider(this.ctx.config, 'refund', () =>
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
    const recorded = await runCommand(this.ctx, (uow) =>
      recordRefund(uow, payment.id, refund.id, result),
    );
    return refundOutcome(recorded.refund);
  }

  /** A replay resumes an intent still pending at the provider (same keys: no second charge). */
  private async replayPayment(response: StoredResponse): Promise<Payment> {
    if (!('ref' in response)) throw new Error('unexpected stored payment response');
    const payment = await this.get(response.ref);
    if (payment.state === 'pending') return this.settleAuthorization(payment);
    return outcome(payment);
  }

  private async replayRefund(paymentId: string, response: StoredResponse): Promise<Refund> {
    if (!('ref' in response)) throw new Error('unexpected stored refund response');
    const payment = await this.get(paymentId);
    const refund = payment.refunds.find((r) => r.id === response.ref);
    if (!refund) throw new NotFoundError('refund', response.ref);
    if (refund.state === 'pending') return this.settleRefund(payment, refund);
    return refundOutcome(refund);
  }
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

/** A capture already sent to the provider must be settled (by retry or sweep) before a void. */
function refuseVoidDuringCapture(payment: PaymentRecord): void {
  if (payment.pendingCapture) {
    throw new BusinessRuleError(
      'capture_in_progress',
      `Payment ${payment.id} has a capture in progress; it cannot be voided`,
      { details: { paymentId: payment.id } },
    );
  }
}

/** A recorded payment as the caller sees it: a decline or an unsettled call is an error. */
function outcome(payment: PaymentRecord): Payment {
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

function refundOutcome(refund: Refund): Refund {
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
  if (refund.state === 'pending') {
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
function withPaymentId(error: unknown, paymentId: string, refundId?: string): unknown {
  if (!(error instanceof ProviderUnavailableError)) return error;
  return new ProviderUnavailableError(error.message, {
    cause: error.cause,
    details: { paymentId, ...(refundId ? { refundId } : {}) },
  });
}
