import type { Generated } from 'kysely';

/**
 * Row types of the orderflow tables as kysely sees them. Money is bigint (read back as
 * string by `pg`, number by better-sqlite3: the codecs normalize), JSON is jsonb or text,
 * timestamps are timestamptz or ISO-8601 text (UTC either way).
 */
export interface Database {
  orderflow_orders: OrderRow;
  orderflow_returns: ReturnRow;
  orderflow_payments: PaymentRow;
  orderflow_refunds: RefundRow;
  orderflow_shipments: ShipmentRow;
  orderflow_inventory: InventoryRow;
  orderflow_inventory_movements: MovementRow;
  orderflow_history: HistoryRow;
  orderflow_outbox: OutboxRow;
  orderflow_idempotency_keys: IdempotencyRow;
  orderflow_dead_letters: DeadLetterRow;
  orderflow_provider_events: ProviderEventRow;
}

type Money = number | string | bigint;
type Timestamp = string | Date;
type Json = unknown;

export interface OrderRow {
  id: string;
  customer_id: string;
  currency: string;
  items: Json;
  subtotal: Money;
  shipping_total: Money;
  tax_total: Money;
  discount_total: Money;
  total: Money;
  state: string;
  version: number;
  shipping_address: Json | null;
  cancellation_reason: string | null;
  delivered_at: Timestamp | null;
  metadata: Json;
  credit_total: Money;
  exchange_for_return_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ReturnRow {
  id: string;
  order_id: string;
  items: Json;
  state: string;
  currency: string;
  refund_amount: Money;
  restocking_fee: Money;
  credit_total: Money;
  exchange_items: Json | null;
  exchange_order_id: string | null;
  pickup: Json | null;
  rejection_reason: string | null;
  cancellation_reason: string | null;
  /** JSON text of `refundFailure` (0007). */
  refund_failure: string | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PaymentRow {
  id: string;
  order_id: string;
  amount: Money;
  currency: string;
  state: string;
  provider: string;
  provider_reference: string | null;
  payment_method: Json;
  capture_mode: string;
  pending_capture: Json | null;
  pending_void: Json | null;
  next_action: Json | null;
  disputes: Json | null;
  captured_amount: Money;
  refunded_amount: Money;
  failure_code: string | null;
  /** 1 while work at the provider is in flight (pending, a capture, void or refund): the sweep's index. */
  unsettled: number;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RefundRow {
  id: string;
  payment_id: string;
  position: number;
  amount: Money;
  reason: string | null;
  return_id: string | null;
  state: string;
  provider_reference: string | null;
  failure_code: string | null;
  origin: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ShipmentRow {
  id: string;
  order_id: string;
  state: string;
  items: Json;
  carrier: string | null;
  tracking_number: string | null;
  tracking_url: string | null;
  shipped_at: Timestamp | null;
  delivered_at: Timestamp | null;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InventoryRow {
  sku: string;
  on_hand: Money;
  reserved: Money;
  /** 1 when orders may take more than is available. */
  allow_backorder: number;
  version: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface MovementRow {
  id: string;
  sku: string;
  on_hand_delta: Money;
  reserved_delta: Money;
  reason: string;
  note: string | null;
  order_id: string | null;
  shipment_id: string | null;
  return_id: string | null;
  at: Timestamp;
}

export interface HistoryRow {
  seq: Generated<number>;
  entity: string;
  entity_id: string;
  from_state: string | null;
  to_state: string;
  event: string;
  actor: string | null;
  reason: string | null;
  at: Timestamp;
}

export interface OutboxRow {
  id: string;
  name: string;
  payload: Json;
  created_at: Timestamp;
  available_at: Timestamp;
  attempts: number;
}

export interface IdempotencyRow {
  scope: string;
  key: string;
  fingerprint: string;
  status: string;
  response: Json | null;
  locked_until: Timestamp;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface DeadLetterRow {
  id: string;
  job: string;
  job_id: string;
  payload: Json;
  error: string;
  attempts: number;
  created_at: Timestamp;
}

export interface ProviderEventRow {
  id: string;
  type: string;
  provider_reference: string;
  payment_id: string | null;
  status: string;
  reason: string | null;
  payload: Json;
  received_at: Timestamp;
}
