import { BusinessRuleError, NotFoundError } from '../../errors.js';
import type { Repositories } from '../../ports/storage.js';
import type { RefundFailure, Return, ReturnRecord } from '../../schemas/return.js';
import { assertWritten } from '../transition.js';
import type { UnitOfWork } from '../unit-of-work.js';

/** History events of a return's refund that change no state (processed → processed). */
export const REFUND_FAILED = 'REFUND_FAILED';
export const RETRY_REFUND = 'RETRY_REFUND';

/** The job whose work a refund failure's dead letter stands for. */
const REFUND_JOB = 'orderflow.refund-return';

async function lockReturn(tx: Repositories, id: string): Promise<ReturnRecord> {
  const ret = await tx.returns.get(id, { forUpdate: true });
  if (!ret) throw new NotFoundError('return', id);
  return ret;
}

async function save(uow: UnitOfWork, before: ReturnRecord, next: ReturnRecord): Promise<void> {
  next.version = before.version + 1;
  next.updatedAt = uow.now;
  assertWritten(await uow.tx.returns.update(next, before.version), 'return', before.id);
}

/**
 * Records, once, that the refund of a processed return was refused for good (no money
 * left to refund, or declined again and again): `refundFailure` on the return, a history
 * entry, a dead letter with the reason and `return.refund_failed`. The refund job and the
 * sweep leave the return alone from then on, until an operator settles it. A return that
 * moved on, or whose failure is already recorded, is left as it is.
 */
export async function recordRefundFailure(
  uow: UnitOfWork,
  returnId: string,
  failure: { code: string; message: string },
  job: { id: string; attempts: number },
): Promise<Return> {
  const ret = await lockReturn(uow.tx, returnId);
  if (ret.state !== 'processed' || ret.refundFailure) return ret;
  const refundFailure: RefundFailure = { ...failure, at: uow.now };
  const next: ReturnRecord = { ...ret, refundFailure };
  await save(uow, ret, next);
  await uow.history({
    entity: 'return',
    entityId: returnId,
    from: ret.state,
    to: ret.state,
    event: REFUND_FAILED,
    actor: 'system',
    reason: `${failure.code}: ${failure.message}`,
  });
  await uow.tx.deadLetters.insert({
    id: `return-refund:${returnId}:${next.version}`,
    job: REFUND_JOB,
    jobId: job.id,
    payload: { returnId },
    error: `${failure.code}: ${failure.message}`,
    attempts: job.attempts,
    createdAt: uow.now,
  });
  uow.emit('return.refund_failed', { id: returnId, ...refundFailure, entity: next });
  return next;
}

/**
 * Clears a return's refund failure and has the refund job try again (after the operator
 * fixed the cause: captured more money, the provider accepts the card again). A return
 * without a failure is returned unchanged.
 */
export async function retryRefund(
  uow: UnitOfWork,
  returnId: string,
  options: { actor?: string | undefined; reason?: string | undefined },
): Promise<Return> {
  const ret = await lockReturn(uow.tx, returnId);
  if (ret.state !== 'processed' || !ret.refundFailure) return ret;
  const { refundFailure: _cleared, ...rest } = ret;
  const next: ReturnRecord = { ...rest };
  await save(uow, ret, next);
  await uow.history({
    entity: 'return',
    entityId: returnId,
    from: ret.state,
    to: ret.state,
    event: RETRY_REFUND,
    actor: options.actor,
    reason: options.reason,
  });
  uow.emit('return.refund_retried', {
    id: returnId,
    at: uow.now,
    ...(options.actor ? { actor: options.actor } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    entity: next,
  });
  return next;
}

/**
 * Checks that a return's failed refund may be settled by hand: it is processed and its
 * refund failed (a return already refunded is the caller's no-op).
 */
export function assertSettleable(ret: ReturnRecord): void {
  if (ret.state === 'processed' && ret.refundFailure) return;
  throw new BusinessRuleError(
    'refund_not_failed',
    `Return ${ret.id} is ${ret.state} without a failed refund; only a failed refund is settled by hand`,
    { details: { returnId: ret.id, state: ret.state } },
  );
}
