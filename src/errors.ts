import type { OrderflowErrorCode } from './error-codes.js';

/**
 * Every error orderflow throws on purpose is an `OrderflowError` with a stable snake_case
 * `code`, one of `OrderflowErrorCode` (listed with its HTTP status in `ERROR_CODES`).
 * Callers branch on `code` (or `isOrderflowError`), never on message text.
 *
 * ```ts
 * try { await oms.orders.transition(id, { state: 'shipped' }, { expectedVersion: 3 }); }
 * catch (e) { if (isOrderflowError(e) && e.code === 'concurrency_conflict') reload(); }
 * ```
 */
export class OrderflowError extends Error {
  override readonly name: string = 'OrderflowError';
  readonly code: OrderflowErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: OrderflowErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** A JSON-safe shape, as the REST API returns it under `error`. */
  toJSON(): { code: OrderflowErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** One problem found while parsing input, with the path of the offending field. */
export interface ValidationIssue {
  path: (string | number)[];
  message: string;
  code: string;
}

/** Input did not match its schema. `details.issues` lists each problem with its path. */
export class ValidationError extends OrderflowError {
  override readonly name = 'ValidationError';
  readonly issues: ValidationIssue[];
  constructor(message: string, issues: ValidationIssue[], options: { cause?: unknown } = {}) {
    super('validation_error', message, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/** The entity does not exist. */
export class NotFoundError extends OrderflowError {
  override readonly name = 'NotFoundError';
  constructor(entity: string, id: string) {
    super('not_found', `${entity} ${id} was not found`, { details: { entity, id } });
  }
}

/** The state machine does not allow this change now. `details.allowed` lists reachable states. */
export class InvalidTransitionError extends OrderflowError {
  override readonly name = 'InvalidTransitionError';
  readonly allowed: string[];
  constructor(entity: string, id: string, from: string, requested: string, allowed: string[]) {
    super(
      'invalid_transition',
      `${entity} ${id} cannot go from ${from} to ${requested}; reachable now: ${allowed.length ? allowed.join(', ') : 'none'}`,
      { details: { entity, id, from, requested, allowed } },
    );
    this.allowed = allowed;
  }
}

/** Somebody else changed the entity first (stale `expectedVersion` or a lost race). */
export class ConcurrencyError extends OrderflowError {
  override readonly name = 'ConcurrencyError';
  constructor(entity: string, id: string, expectedVersion?: number, actualVersion?: number) {
    super(
      'concurrency_conflict',
      `${entity} ${id} was changed concurrently${expectedVersion === undefined ? '' : ` (expected version ${expectedVersion}, found ${actualVersion ?? 'another'})`}`,
      { details: { entity, id, expectedVersion, actualVersion } },
    );
  }
}

/**
 * An idempotency key was reused with different input (`idempotency_conflict`) or while
 * its first request is still running (`idempotency_in_flight`).
 */
export class IdempotencyConflictError extends OrderflowError {
  override readonly name = 'IdempotencyConflictError';
  constructor(code: 'idempotency_conflict' | 'idempotency_in_flight', key: string) {
    super(
      code,
      code === 'idempotency_conflict'
        ? `Idempotency key ${key} was already used with different input`
        : `A request with idempotency key ${key} is still in progress`,
      { details: { key } },
    );
  }
}

/**
 * A domain rule refused the command; `code` names the rule (e.g. `return_window_closed`).
 *
 * ```ts
 * throw new BusinessRuleError('return_window_closed', 'The return window closed', { details: { orderId } });
 * ```
 */
export class BusinessRuleError extends OrderflowError {
  override readonly name = 'BusinessRuleError';
}

/** The payment provider declined the charge or refund. */
export class PaymentDeclinedError extends OrderflowError {
  override readonly name = 'PaymentDeclinedError';
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('payment_declined', message, { details });
  }
}

/** The payment provider could not be reached, or no provider is configured. */
export class ProviderUnavailableError extends OrderflowError {
  override readonly name = 'ProviderUnavailableError';
  constructor(
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super('provider_unavailable', message, options);
  }
}

/**
 * A webhook delivery whose signature does not hold (or is missing, or too old): thrown by
 * a provider's `parseWebhook`. Nothing it carries may be trusted or applied.
 *
 * ```ts
 * throw new WebhookSignatureError('No valid signature for this body');
 * ```
 */
export class WebhookSignatureError extends OrderflowError {
  override readonly name = 'WebhookSignatureError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('invalid_webhook_signature', message, options);
  }
}

/** The system was configured in a way that cannot work (e.g. a payment call without a provider). */
export class ConfigurationError extends OrderflowError {
  override readonly name = 'ConfigurationError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('configuration_error', message, options);
  }
}

const ERROR_NAMES = new Set([
  'OrderflowError',
  'ValidationError',
  'NotFoundError',
  'InvalidTransitionError',
  'ConcurrencyError',
  'IdempotencyConflictError',
  'BusinessRuleError',
  'PaymentDeclinedError',
  'ProviderUnavailableError',
  'WebhookSignatureError',
  'ConfigurationError',
]);

/**
 * True for any orderflow error, also one thrown by a second copy of the library
 * (checked by `name` and `code`, not only by `instanceof`).
 *
 * ```ts
 * if (isOrderflowError(err)) res.status(httpStatusFor(err.code)).json({ error: err.toJSON() });
 * ```
 */
export function isOrderflowError(value: unknown): value is OrderflowError {
  if (value instanceof OrderflowError) return true;
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { name?: unknown; code?: unknown };
  return typeof v.name === 'string' && ERROR_NAMES.has(v.name) && typeof v.code === 'string';
}

/**
 * Rebuilds an error from its `toJSON()` shape (used to replay a stored failure), as the
 * subclass its code belongs to where there is one.
 */
export function errorFromJSON(json: {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}): OrderflowError {
  const options = json.details === undefined ? {} : { details: json.details };
  switch (json.code) {
    case 'payment_declined':
      return new PaymentDeclinedError(json.message, json.details);
    case 'provider_unavailable':
      return new ProviderUnavailableError(json.message, options);
    case 'validation_error':
      return new ValidationError(
        json.message,
        (json.details?.issues as ValidationIssue[] | undefined) ?? [],
      );
    default:
      // Stored failures were written from orderflow errors, so their codes are ours.
      return new BusinessRuleError(json.code as OrderflowErrorCode, json.message, options);
  }
}
