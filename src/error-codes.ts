/**
 * Every code an `OrderflowError` can carry, with the HTTP status an API answers it with.
 * One line per code: adding a code here makes it a member of `OrderflowErrorCode` (so it
 * can be thrown) and gives it its status. Business rules answer 422, except where retrying
 * later may succeed (409).
 *
 * ```ts
 * ERROR_CODES.return_window_closed; // 422
 * ```
 */
export const ERROR_CODES = {
  // Input, lookups and concurrency
  validation_error: 400,
  not_found: 404,
  invalid_transition: 409,
  concurrency_conflict: 409,
  idempotency_in_flight: 409,
  idempotency_conflict: 422,

  // Payments at the provider
  payment_declined: 402,
  provider_unavailable: 503,
  invalid_webhook_signature: 401,

  // Set-up and the job runner
  configuration_error: 500,
  job_runner_not_started: 503,
  job_runner_stopped: 503,
  job_runner_unavailable: 503,

  // Business rules: orders and money
  currency_mismatch: 422,
  amount_overflow: 422,
  discount_exceeds_subtotal: 422,
  order_not_payable: 422,
  amount_exceeds_balance: 422,
  payment_not_authorized: 422,
  payment_not_refundable: 422,
  payment_already_captured: 422,
  capture_in_progress: 422,
  void_in_progress: 422,
  refund_exceeds_captured: 422,
  refund_exceeds_return: 422,

  // Business rules: returns
  order_not_delivered: 422,
  return_window_closed: 422,
  order_item_not_found: 422,
  item_not_returnable: 422,
  return_quantity_exceeded: 422,
  return_order_mismatch: 422,
  return_not_refundable: 422,
  refund_not_failed: 422,

  // Business rules: shipments, stock and order edits
  shipment_quantity_exceeded: 422,
  shipment_not_updatable: 422,
  order_not_fulfillable: 422,
  order_partially_shipped: 422,
  insufficient_stock: 409,
  sku_not_stocked: 422,
  order_not_editable: 422,
  edit_below_fulfilled: 422,
  edit_empties_order: 422,
  edit_below_credit: 422,
} as const satisfies Record<string, number>;

/**
 * The code of an orderflow error: every code the library throws. Branch on it instead of
 * the message; a misspelt code does not compile.
 *
 * ```ts
 * if (isOrderflowError(e) && e.code === 'concurrency_conflict') reload();
 * ```
 */
export type OrderflowErrorCode = keyof typeof ERROR_CODES;

/**
 * Every `OrderflowErrorCode`, in the order of `ERROR_CODES`.
 *
 * ```ts
 * const conflicts = ERROR_CODE_LIST.filter((code) => httpStatusFor(code) === 409);
 * ```
 */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as OrderflowErrorCode[];

/**
 * True when `code` is one of orderflow's error codes (e.g. one read back from a log or
 * another service).
 *
 * ```ts
 * if (isOrderflowErrorCode(body.error.code)) console.log(httpStatusFor(body.error.code));
 * ```
 */
export function isOrderflowErrorCode(code: unknown): code is OrderflowErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * The HTTP status an API answers an orderflow error code with: 400 validation, 402 declined,
 * 404 not found, 409 conflicts (and stock that may come back), 422 business rules, 503 when
 * the provider or the job runner is unavailable, 500 for a configuration error. An unknown
 * code (from another version of the library) is 500.
 *
 * ```ts
 * if (isOrderflowError(err)) res.status(httpStatusFor(err.code)).json({ error: err.toJSON() });
 * ```
 */
export function httpStatusFor(code: OrderflowErrorCode): number {
  return isOrderflowErrorCode(code) ? ERROR_CODES[code] : 500;
}
