import type { Address } from '../schemas/common.js';
import type { InventoryItem } from '../schemas/inventory.js';
import type { Order, OrderItemRecord } from '../schemas/order.js';
import type { Dispute, Payment, Refund } from '../schemas/payment.js';
import type { Return } from '../schemas/return.js';
import type { Shipment, Tracking } from '../schemas/shipment.js';

/** Payload of every `*.state_changed` event: the entity as stored after the change. */
export interface StateChangedPayload<E, S extends string = string> {
  id: string;
  from: S;
  to: S;
  event: string;
  at: string;
  actor?: string;
  reason?: string;
  entity: E;
}

/** Payload of every `*.created` event. */
export interface CreatedPayload<E> {
  id: string;
  at: string;
  entity: E;
}

export interface RefundEventPayload {
  id: string;
  paymentId: string;
  orderId: string;
  returnId?: string;
  amount: number;
  currency: string;
  at: string;
  refund: Refund;
  payment: Payment;
}

/**
 * Payload of `payment.disputed` (a chargeback was opened) and `payment.dispute_closed` (it
 * was won or lost): the dispute, and the payment after the change.
 */
export interface DisputePayload {
  /** The payment's id. */
  id: string;
  orderId: string;
  at: string;
  dispute: Dispute;
  entity: Payment;
}

/** Payload of `shipment.tracking_updated`: the tracking before, and the shipment after. */
export interface TrackingUpdatedPayload {
  id: string;
  orderId: string;
  at: string;
  actor?: string;
  before: Tracking;
  entity: Shipment;
}

/** What an order edit changed; absent fields did not change. */
export interface OrderEditChanges {
  items?: { orderItemId: string; from: number; to: number }[];
  added?: OrderItemRecord[];
  shippingTotal?: { from: number; to: number };
  taxTotal?: { from: number; to: number };
  discountTotal?: { from: number; to: number };
  shippingAddress?: { from: Address | null; to: Address };
}

/** Payload of `order.edited`: the totals before and after, the changes, the order after. */
export interface OrderEditedPayload {
  id: string;
  at: string;
  actor?: string;
  reason?: string;
  before: { total: number };
  after: { total: number };
  changes: OrderEditChanges;
  entity: Order;
}

/** Payload of `inventory.low_stock`: a SKU's available fell to or below the threshold. */
/** `return.refund_failed`: the refund of a processed return was refused for good. */
export interface ReturnRefundFailedPayload {
  id: string;
  at: string;
  /** Why: `refund_not_possible`, `refund_declined` or the refusing rule's code. */
  code: string;
  message: string;
  entity: Return;
}

/** `return.refund_retried`: an operator cleared a refund failure; the refund job runs again. */
export interface ReturnRefundRetriedPayload {
  id: string;
  at: string;
  actor?: string;
  reason?: string;
  entity: Return;
}

export interface LowStockPayload {
  sku: string;
  available: number;
  threshold: number;
  at: string;
  entity: InventoryItem;
}

/**
 * Event names → payloads. `oms.events` is typed by this map, so listeners get the
 * right payload type:
 *
 * ```ts
 * oms.events.on('order.state_changed', (e) => console.log(e.from, '→', e.to));
 * ```
 */
export interface OrderflowEventMap {
  'order.created': CreatedPayload<Order>;
  'order.state_changed': StateChangedPayload<Order, Order['state']>;
  'order.edited': OrderEditedPayload;
  'return.created': CreatedPayload<Return>;
  'return.state_changed': StateChangedPayload<Return, Return['state']>;
  'return.refund_failed': ReturnRefundFailedPayload;
  'return.refund_retried': ReturnRefundRetriedPayload;
  'payment.created': CreatedPayload<Payment>;
  'payment.state_changed': StateChangedPayload<Payment, Payment['state']>;
  'refund.succeeded': RefundEventPayload;
  'refund.failed': RefundEventPayload;
  'payment.disputed': DisputePayload;
  'payment.dispute_closed': DisputePayload;
  'shipment.created': CreatedPayload<Shipment>;
  'shipment.state_changed': StateChangedPayload<Shipment, Shipment['state']>;
  'shipment.tracking_updated': TrackingUpdatedPayload;
  'inventory.low_stock': LowStockPayload;
}

export type OrderflowEventName = keyof OrderflowEventMap;

export const EVENT_NAMES: readonly OrderflowEventName[] = [
  'order.created',
  'order.state_changed',
  'order.edited',
  'return.created',
  'return.state_changed',
  'return.refund_failed',
  'return.refund_retried',
  'payment.created',
  'payment.state_changed',
  'refund.succeeded',
  'refund.failed',
  'payment.disputed',
  'payment.dispute_closed',
  'shipment.created',
  'shipment.state_changed',
  'shipment.tracking_updated',
  'inventory.low_stock',
];

/** An event as the outbox and the dispatcher carry it. */
export interface DomainEvent<N extends OrderflowEventName = OrderflowEventName> {
  /** `evt_…`, unique; notifications carry it so receivers can dedupe. */
  id: string;
  name: N;
  payload: OrderflowEventMap[N];
  createdAt: string;
}
