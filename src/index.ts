/**
 * orderflow — embeddable order, return and payment management.
 *
 * ```ts
 * import { createOrderSystem } from 'orderflow';
 * import { memoryStorage } from 'orderflow/adapters/memory';
 * import { inProcessJobs } from 'orderflow/adapters/in-process';
 * const oms = await createOrderSystem({ storage: memoryStorage(), jobs: inProcessJobs() });
 * ```
 * @module
 */

export {
  DEFAULT_CONFIG,
  type InventoryConfig,
  type OrderflowConfig,
  type ResolvedConfig,
} from './config.js';
export {
  createOrderSystem,
  type OrderSystem,
  type OrderSystemOptions,
} from './create-order-system.js';
export { COUNTRY_CODES, type CountryCode, isCountryCode } from './domain/countries.js';
export { type CursorPosition, decodeCursor, encodeCursor } from './domain/cursor.js';
export { ID_PREFIXES, type IdKind, isId, newId } from './domain/ids.js';
export { presentStock } from './domain/inventory.js';
// Domain
export {
  allocate,
  assertSameCurrency,
  currencyExponent,
  formatMoney,
  isCurrencyCode,
  isValidAmount,
  percentOf,
} from './domain/money.js';
export { computeTotals, lineValues } from './domain/order.js';
export { presentOrder } from './domain/order-view.js';
export { evaluateReturn, isFullyReturned, type ReturnPolicy } from './domain/return.js';
export {
  fulfillmentStatus,
  fulfilmentByLine,
  type LineFulfilment,
  unitsLeftToShip,
} from './domain/shipment.js';
export {
  ERROR_CODE_LIST,
  ERROR_CODES,
  httpStatusFor,
  isOrderflowErrorCode,
  type OrderflowErrorCode,
} from './error-codes.js';
export * from './errors.js';
// Events
export { OrderflowEvents } from './events/event-bus.js';
export {
  type CreatedPayload,
  type DisputePayload,
  type DomainEvent,
  EVENT_NAMES,
  type LowStockPayload,
  type OrderEditChanges,
  type OrderEditedPayload,
  type OrderflowEventMap,
  type OrderflowEventName,
  type RefundEventPayload,
  type ReturnRefundFailedPayload,
  type ReturnRefundRetriedPayload,
  type StateChangedPayload,
  type TrackingUpdatedPayload,
} from './events/event-map.js';
export { loggingNotifier } from './events/logging-notifier.js';
export { JOB_NAMES, type JobName, type JobPayloads } from './jobs/definitions.js';
export { allowedMoves, eventForTarget, nextState, reachableStates } from './machines/decide.js';
// Machines
export {
  type OrderMachineContext,
  type OrderMachineEvent,
  orderMachine,
} from './machines/order-machine.js';
export {
  type PaymentMachineContext,
  type PaymentMachineEvent,
  paymentMachine,
} from './machines/payment-machine.js';
export {
  type ReturnMachineContext,
  type ReturnMachineEvent,
  returnMachine,
} from './machines/return-machine.js';
export { type ShipmentMachineEvent, shipmentMachine } from './machines/shipment-machine.js';
export { toMermaid } from './machines/to-mermaid.js';
export type { DeadLetters, ListDeadLettersQuery } from './managers/dead-letters.js';
export { isReplayed } from './managers/idempotency.js';
// Managers
export { InventoryManager } from './managers/inventory/inventory-manager.js';
export { OrderManager } from './managers/order-manager.js';
export { PaymentManager } from './managers/payment-manager.js';
export { ReturnManager } from './managers/return-manager.js';
export { ShipmentManager } from './managers/shipments/shipment-manager.js';
// Notifiers
export {
  type WebhookFetch,
  type WebhookNotifierOptions,
  webhookNotifier,
} from './notifiers/webhook-notifier.js';
export {
  generateWebhookSecret,
  type VerifyWebhookSignatureOptions,
  verifyWebhookSignature,
} from './notifiers/webhook-signature.js';
export type * from './ports/carrier.js';
export { type Clock, isoNow, systemClock } from './ports/clock.js';
export type * from './ports/job-runner.js';
export { consoleLogger, type Logger, silentLogger } from './ports/logger.js';
export type * from './ports/notifier.js';
export type * from './ports/payment-provider.js';
// Ports
export type * from './ports/storage.js';
// Schemas and types
export * from './schemas/common.js';
export * from './schemas/inventory.js';
export * from './schemas/order.js';
export { parseInput } from './schemas/parse.js';
export * from './schemas/payment.js';
export * from './schemas/return.js';
export * from './schemas/shipment.js';
