import type { Selectable } from 'kysely';
import type {
  DeadLetterRecord,
  IdempotencyRecord,
  OutboxRecord,
  ProviderEventRecord,
} from '../../../src/ports/storage.js';
import type { InventoryRecord, StockMovement } from '../../../src/schemas/inventory.js';
import type { HistoryEntry, OrderRecord } from '../../../src/schemas/order.js';
import type { PaymentRecord, Refund } from '../../../src/schemas/payment.js';
import type { ReturnRecord } from '../../../src/schemas/return.js';
import type { ShipmentRecord } from '../../../src/schemas/shipment.js';
import type { SqlDialectFlags } from './dialect-flags.js';
import type {
  DeadLetterRow,
  HistoryRow,
  IdempotencyRow,
  InventoryRow,
  MovementRow,
  OrderRow,
  OutboxRow,
  PaymentRow,
  ProviderEventRow,
  RefundRow,
  ReturnRow,
  ShipmentRow,
} from './schema.js';

/**
 * Converts between stored rows and the core's records: money to numbers, timestamps to
 * ISO strings, JSON columns to values, NULL to absent fields.
 */
export class RowCodec {
  constructor(private readonly flags: SqlDialectFlags) {}

  json(value: unknown): string {
    return JSON.stringify(value);
  }

  parse<T>(value: unknown): T {
    if (value === null || value === undefined) return undefined as T;
    return (this.flags.jsonParsed || typeof value !== 'string' ? value : JSON.parse(value)) as T;
  }

  /**
   * A JSON column kept as text on every dialect (0007: metadata, stored responses, refund
   * failures), so it comes back with its keys in the order they were written. A value
   * still parsed by the driver (a jsonb column not migrated yet) is taken as it is.
   */
  parseText<T>(value: unknown): T {
    if (value === null || value === undefined) return undefined as T;
    return (typeof value === 'string' ? JSON.parse(value) : value) as T;
  }

  orderRow(o: OrderRecord): OrderRow {
    return {
      id: o.id,
      customer_id: o.customerId,
      currency: o.currency,
      items: this.json(o.items),
      subtotal: o.subtotal,
      shipping_total: o.shippingTotal,
      tax_total: o.taxTotal,
      discount_total: o.discountTotal,
      total: o.total,
      state: o.state,
      version: o.version,
      shipping_address: o.shippingAddress ? this.json(o.shippingAddress) : null,
      cancellation_reason: o.cancellationReason ?? null,
      delivered_at: o.deliveredAt ?? null,
      metadata: this.json(o.metadata),
      credit_total: o.creditTotal,
      exchange_for_return_id: o.exchangeForReturnId ?? null,
      created_at: o.createdAt,
      updated_at: o.updatedAt,
    };
  }

  order(r: OrderRow): OrderRecord {
    return withoutUndefined({
      id: r.id,
      customerId: r.customer_id,
      currency: r.currency,
      items: this.parse(r.items),
      subtotal: Number(r.subtotal),
      shippingTotal: Number(r.shipping_total),
      taxTotal: Number(r.tax_total),
      discountTotal: Number(r.discount_total),
      total: Number(r.total),
      state: r.state as OrderRecord['state'],
      version: Number(r.version),
      shippingAddress: this.parse(r.shipping_address),
      cancellationReason: r.cancellation_reason ?? undefined,
      deliveredAt: iso(r.delivered_at),
      metadata: this.parseText(r.metadata),
      creditTotal: Number(r.credit_total),
      exchangeForReturnId: r.exchange_for_return_id ?? undefined,
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    });
  }

  returnRow(r: ReturnRecord): ReturnRow {
    return {
      id: r.id,
      order_id: r.orderId,
      items: this.json(r.items),
      state: r.state,
      currency: r.currency,
      refund_amount: r.refundAmount,
      restocking_fee: r.restockingFee,
      credit_total: r.creditTotal,
      exchange_items: r.exchangeItems ? this.json(r.exchangeItems) : null,
      exchange_order_id: r.exchangeOrderId ?? null,
      pickup: r.pickup ? this.json(r.pickup) : null,
      rejection_reason: r.rejectionReason ?? null,
      cancellation_reason: r.cancellationReason ?? null,
      refund_failure: r.refundFailure ? this.json(r.refundFailure) : null,
      version: r.version,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    };
  }

  return(r: ReturnRow): ReturnRecord {
    return withoutUndefined({
      id: r.id,
      orderId: r.order_id,
      items: this.parse(r.items),
      state: r.state as ReturnRecord['state'],
      currency: r.currency,
      refundAmount: Number(r.refund_amount),
      restockingFee: Number(r.restocking_fee),
      creditTotal: Number(r.credit_total),
      exchangeItems: this.parse(r.exchange_items),
      exchangeOrderId: r.exchange_order_id ?? undefined,
      pickup: this.parse(r.pickup),
      rejectionReason: r.rejection_reason ?? undefined,
      cancellationReason: r.cancellation_reason ?? undefined,
      refundFailure: this.parseText(r.refund_failure),
      version: Number(r.version),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    });
  }

  paymentRow(p: PaymentRecord): PaymentRow {
    const unsettled =
      p.state === 'pending' ||
      p.pendingCapture !== undefined ||
      p.pendingVoid !== undefined ||
      p.refunds.some((r) => r.state === 'pending');
    return {
      id: p.id,
      order_id: p.orderId,
      amount: p.amount,
      currency: p.currency,
      state: p.state,
      provider: p.provider,
      provider_reference: p.providerReference ?? null,
      payment_method: this.json(p.paymentMethod),
      capture_mode: p.captureMode,
      pending_capture: p.pendingCapture ? this.json(p.pendingCapture) : null,
      pending_void: p.pendingVoid ? this.json(p.pendingVoid) : null,
      next_action: p.nextAction ? this.json(p.nextAction) : null,
      disputes: p.disputes.length > 0 ? this.json(p.disputes) : null,
      captured_amount: p.capturedAmount,
      refunded_amount: p.refundedAmount,
      failure_code: p.failureCode ?? null,
      unsettled: unsettled ? 1 : 0,
      version: p.version,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
    };
  }

  payment(r: PaymentRow, refunds: RefundRow[]): PaymentRecord {
    return withoutUndefined({
      id: r.id,
      orderId: r.order_id,
      amount: Number(r.amount),
      currency: r.currency,
      state: r.state as PaymentRecord['state'],
      provider: r.provider,
      providerReference: r.provider_reference ?? undefined,
      paymentMethod: this.parse(r.payment_method),
      captureMode: r.capture_mode as PaymentRecord['captureMode'],
      pendingCapture: this.parse(r.pending_capture),
      pendingVoid: this.parse(r.pending_void),
      nextAction: this.parse(r.next_action),
      disputes: this.parse(r.disputes) ?? [],
      capturedAmount: Number(r.captured_amount),
      refundedAmount: Number(r.refunded_amount),
      refunds: refunds.map((f) => this.refund(f)),
      failureCode: r.failure_code ?? undefined,
      version: Number(r.version),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    });
  }

  refundRow(f: Refund, position: number): RefundRow {
    return {
      id: f.id,
      payment_id: f.paymentId,
      position,
      amount: f.amount,
      reason: f.reason ?? null,
      return_id: f.returnId ?? null,
      state: f.state,
      provider_reference: f.providerReference ?? null,
      failure_code: f.failureCode ?? null,
      origin: f.origin ?? null,
      created_at: f.createdAt,
      updated_at: f.updatedAt,
    };
  }

  refund(r: RefundRow): Refund {
    return withoutUndefined({
      id: r.id,
      paymentId: r.payment_id,
      amount: Number(r.amount),
      reason: r.reason ?? undefined,
      returnId: r.return_id ?? undefined,
      state: r.state as Refund['state'],
      providerReference: r.provider_reference ?? undefined,
      failureCode: r.failure_code ?? undefined,
      origin: (r.origin ?? undefined) as Refund['origin'],
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    });
  }

  shipmentRow(s: ShipmentRecord): ShipmentRow {
    return {
      id: s.id,
      order_id: s.orderId,
      state: s.state,
      items: this.json(s.items),
      carrier: s.carrier ?? null,
      tracking_number: s.trackingNumber ?? null,
      tracking_url: s.trackingUrl ?? null,
      shipped_at: s.shippedAt ?? null,
      delivered_at: s.deliveredAt ?? null,
      version: s.version,
      created_at: s.createdAt,
      updated_at: s.updatedAt,
    };
  }

  shipment(r: ShipmentRow): ShipmentRecord {
    return withoutUndefined({
      id: r.id,
      orderId: r.order_id,
      state: r.state as ShipmentRecord['state'],
      items: this.parse(r.items),
      carrier: r.carrier ?? undefined,
      trackingNumber: r.tracking_number ?? undefined,
      trackingUrl: r.tracking_url ?? undefined,
      shippedAt: iso(r.shipped_at),
      deliveredAt: iso(r.delivered_at),
      version: Number(r.version),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    });
  }

  inventoryRow(i: InventoryRecord): InventoryRow {
    return {
      sku: i.sku,
      on_hand: i.onHand,
      reserved: i.reserved,
      allow_backorder: i.allowBackorder ? 1 : 0,
      version: i.version,
      created_at: i.createdAt,
      updated_at: i.updatedAt,
    };
  }

  inventory(r: InventoryRow): InventoryRecord {
    return {
      sku: r.sku,
      onHand: Number(r.on_hand),
      reserved: Number(r.reserved),
      allowBackorder: Number(r.allow_backorder) === 1,
      version: Number(r.version),
      createdAt: iso(r.created_at)!,
      updatedAt: iso(r.updated_at)!,
    };
  }

  movementRow(m: StockMovement): MovementRow {
    return {
      id: m.id,
      sku: m.sku,
      on_hand_delta: m.onHandDelta,
      reserved_delta: m.reservedDelta,
      reason: m.reason,
      note: m.note ?? null,
      order_id: m.orderId ?? null,
      shipment_id: m.shipmentId ?? null,
      return_id: m.returnId ?? null,
      at: m.at,
    };
  }

  movement(r: MovementRow): StockMovement {
    return withoutUndefined({
      id: r.id,
      sku: r.sku,
      onHandDelta: Number(r.on_hand_delta),
      reservedDelta: Number(r.reserved_delta),
      reason: r.reason as StockMovement['reason'],
      note: r.note ?? undefined,
      orderId: r.order_id ?? undefined,
      shipmentId: r.shipment_id ?? undefined,
      returnId: r.return_id ?? undefined,
      at: iso(r.at)!,
    });
  }

  historyRow(h: HistoryEntry): Omit<HistoryRow, 'seq'> {
    return {
      entity: h.entity,
      entity_id: h.entityId,
      from_state: h.from,
      to_state: h.to,
      event: h.event,
      actor: h.actor ?? null,
      reason: h.reason ?? null,
      at: h.at,
    };
  }

  history(r: Selectable<HistoryRow>): HistoryEntry {
    return withoutUndefined({
      entity: r.entity as HistoryEntry['entity'],
      entityId: r.entity_id,
      from: r.from_state,
      to: r.to_state,
      event: r.event,
      actor: r.actor ?? undefined,
      reason: r.reason ?? undefined,
      at: iso(r.at)!,
    });
  }

  outboxRow(o: OutboxRecord): OutboxRow {
    return {
      id: o.id,
      name: o.name,
      payload: this.json(o.payload),
      created_at: o.createdAt,
      available_at: o.availableAt,
      attempts: o.attempts,
    };
  }

  outbox(r: OutboxRow): OutboxRecord {
    return {
      id: r.id,
      name: r.name,
      payload: this.parse(r.payload),
      createdAt: iso(r.created_at)!,
      availableAt: iso(r.available_at)!,
      attempts: Number(r.attempts),
    };
  }

  idempotencyRow(i: IdempotencyRecord): IdempotencyRow {
    return {
      scope: i.scope,
      key: i.key,
      fingerprint: i.fingerprint,
      status: i.status,
      response: i.response === undefined ? null : this.json(i.response),
      locked_until: i.lockedUntil,
      created_at: i.createdAt,
      expires_at: i.expiresAt,
    };
  }

  idempotency(r: IdempotencyRow): IdempotencyRecord {
    return withoutUndefined({
      scope: r.scope,
      key: r.key,
      fingerprint: r.fingerprint,
      status: r.status as IdempotencyRecord['status'],
      response: this.parseText(r.response),
      lockedUntil: iso(r.locked_until)!,
      createdAt: iso(r.created_at)!,
      expiresAt: iso(r.expires_at)!,
    });
  }

  providerEventRow(e: ProviderEventRecord): ProviderEventRow {
    return {
      id: e.id,
      type: e.type,
      provider_reference: e.providerReference,
      payment_id: e.paymentId ?? null,
      status: e.status,
      reason: e.reason ?? null,
      payload: this.json(e.payload ?? null),
      received_at: e.receivedAt,
    };
  }

  providerEvent(r: ProviderEventRow): ProviderEventRecord {
    return withoutUndefined({
      id: r.id,
      type: r.type,
      providerReference: r.provider_reference,
      paymentId: r.payment_id ?? undefined,
      status: r.status as ProviderEventRecord['status'],
      reason: r.reason ?? undefined,
      payload: this.parse(r.payload) ?? null,
      receivedAt: iso(r.received_at)!,
    });
  }

  deadLetterRow(d: DeadLetterRecord): DeadLetterRow {
    return {
      id: d.id,
      job: d.job,
      job_id: d.jobId,
      payload: this.json(d.payload ?? null),
      error: d.error,
      attempts: d.attempts,
      created_at: d.createdAt,
    };
  }

  deadLetter(r: DeadLetterRow): DeadLetterRecord {
    return {
      id: r.id,
      job: r.job,
      jobId: r.job_id,
      payload: this.parse(r.payload) ?? null,
      error: r.error,
      attempts: Number(r.attempts),
      createdAt: iso(r.created_at)!,
    };
  }
}

/** A stored timestamp (Date from pg, ISO text from SQLite) as an ISO-8601 UTC string. */
export function iso(value: string | Date | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * The fields of `value` that are defined, in a new object. Built key by key rather than
 * by deleting the undefined ones: V8 turns an object that loses a property other than its
 * last into a slow dictionary, and every record read would then stay one.
 */
function withoutUndefined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const field = value[key];
    if (field !== undefined) out[key] = field;
  }
  return out as T;
}
