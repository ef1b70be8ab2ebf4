/**
 * The hand-written baseline: plain kysely code doing the writes orderflow does, one
 * transaction per command, on the same tables and indexes — the entity row, a history row
 * and an outbox row per state change, a row lock where orderflow takes one — with none of
 * the library's checks, parsing, reads of related rows, idempotency or dispatch. The ratio
 * library / baseline is the library's overhead (SPEC §10 wants ≥ 0.8).
 */
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../adapters/storage/sql/schema.js';
import type { Backend } from './backends.js';

type Tx = Kysely<Database> | Transaction<Database>;

export interface Baseline {
  createOrder(i: number): Promise<string>;
  lifecycle(i: number): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

export function kyselyBaseline(
  db: Kysely<Database>,
  backend: Exclude<Backend, 'memory'>,
): Baseline {
  const now = () => new Date().toISOString();

  /** One transaction, the dialect's way (SQLite: BEGIN IMMEDIATE, as the adapter does). */
  async function tx<T>(fn: (t: Tx) => Promise<T>): Promise<T> {
    if (backend === 'postgres') return db.transaction().execute(fn);
    return db.connection().execute(async (conn) => {
      await sql`begin immediate`.execute(conn);
      try {
        const result = await fn(conn);
        await sql`commit`.execute(conn);
        return result;
      } catch (error) {
        await sql`rollback`.execute(conn);
        throw error;
      }
    });
  }

  async function lockOrder(t: Tx, orderId: string) {
    let q = t.selectFrom('orderflow_orders').selectAll().where('id', '=', orderId);
    if (backend === 'postgres') q = q.forUpdate();
    return q.executeTakeFirstOrThrow();
  }

  async function record(
    t: Tx,
    entity: string,
    entityId: string,
    from: string | null,
    to: string,
    event: string,
    payload: unknown,
  ) {
    const at = now();
    await t
      .insertInto('orderflow_history')
      .values({
        entity,
        entity_id: entityId,
        from_state: from,
        to_state: to,
        event,
        actor: null,
        reason: null,
        at,
      })
      .execute();
    await t
      .insertInto('orderflow_outbox')
      .values({
        id: id('evt'),
        name: `${entity}.${from === null ? 'created' : 'state_changed'}`,
        payload: JSON.stringify(payload),
        created_at: at,
        available_at: at,
        attempts: 0,
      })
      .execute();
  }

  async function moveOrder(orderId: string, to: string, event: string) {
    await tx(async (t) => {
      const row = await lockOrder(t, orderId);
      await t
        .updateTable('orderflow_orders')
        .set({ state: to, version: row.version + 1, updated_at: now() })
        .where('id', '=', orderId)
        .where('version', '=', row.version)
        .execute();
      await record(t, 'order', orderId, row.state, to, event, { ...row, state: to });
    });
  }

  async function createOrder(i: number): Promise<string> {
    const orderId = id('ord');
    const items = [0, 1, 2].map((n) => ({
      id: id('li'),
      sku: ['TSHIRT-M', 'MUG', 'SOCKS'][n],
      name: `Item ${n}`,
      quantity: n + 1,
      unitPrice: 1000 + n * 250,
      lineTotal: (n + 1) * (1000 + n * 250),
      returnable: true,
    }));
    const subtotal = items.reduce((s, l) => s + l.lineTotal, 0);
    const at = now();
    const row = {
      id: orderId,
      customer_id: `cus_${i % 500}`,
      currency: 'USD',
      items: JSON.stringify(items),
      subtotal,
      shipping_total: 0,
      tax_total: 0,
      discount_total: 0,
      total: subtotal,
      state: 'pending',
      version: 1,
      shipping_address: null,
      cancellation_reason: null,
      delivered_at: null,
      metadata: '{}',
      credit_total: 0,
      exchange_for_return_id: null,
      created_at: at,
      updated_at: at,
    };
    await tx(async (t) => {
      await t.insertInto('orderflow_orders').values(row).execute();
      await record(t, 'order', orderId, null, 'pending', 'CREATE', row);
    });
    return orderId;
  }

  async function lifecycle(i: number): Promise<void> {
    const orderId = await createOrder(i);
    // Pay: the intent, then the provider's answer.
    const paymentId = id('pay');
    await tx(async (t) => {
      const order = await lockOrder(t, orderId);
      const at = now();
      const payment = {
        id: paymentId,
        order_id: orderId,
        amount: order.total,
        currency: 'USD',
        state: 'pending',
        provider: 'fake',
        provider_reference: null,
        payment_method: JSON.stringify({ token: 'tok_visa' }),
        capture_mode: 'automatic',
        pending_capture: null,
        pending_void: null,
        captured_amount: 0,
        refunded_amount: 0,
        failure_code: null,
        unsettled: 1,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      await t.insertInto('orderflow_payments').values(payment).execute();
      await record(t, 'payment', paymentId, null, 'pending', 'CREATE', payment);
    });
    await tx(async (t) => {
      let q = t.selectFrom('orderflow_payments').selectAll().where('id', '=', paymentId);
      if (backend === 'postgres') q = q.forUpdate();
      const p = await q.executeTakeFirstOrThrow();
      await t
        .updateTable('orderflow_payments')
        .set({
          state: 'captured',
          captured_amount: p.amount,
          provider_reference: `ch_${paymentId}`,
          unsettled: 0,
          version: p.version + 1,
          updated_at: now(),
        })
        .where('id', '=', paymentId)
        .where('version', '=', p.version)
        .execute();
      await record(t, 'payment', paymentId, 'pending', 'captured', 'CAPTURE', p);
    });
    await moveOrder(orderId, 'confirmed', 'CONFIRM');
    await moveOrder(orderId, 'processing', 'PROCESS');
    // Ship everything as one shipment; the order follows.
    const shipmentId = id('shp');
    await tx(async (t) => {
      const order = await lockOrder(t, orderId);
      const at = now();
      const items = (typeof order.items === 'string' ? JSON.parse(order.items) : order.items) as {
        id: string;
        quantity: number;
      }[];
      const shipment = {
        id: shipmentId,
        order_id: orderId,
        state: 'shipped',
        items: JSON.stringify(items.map((l) => ({ orderItemId: l.id, quantity: l.quantity }))),
        carrier: null,
        tracking_number: null,
        tracking_url: null,
        shipped_at: at,
        delivered_at: null,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      await t.insertInto('orderflow_shipments').values(shipment).execute();
      await record(t, 'shipment', shipmentId, 'pending', 'shipped', 'SHIP', shipment);
      await t
        .updateTable('orderflow_orders')
        .set({ state: 'shipped', version: order.version + 1, updated_at: at })
        .where('id', '=', orderId)
        .execute();
      await record(t, 'order', orderId, order.state, 'shipped', 'SHIP', order);
    });
    await tx(async (t) => {
      const order = await lockOrder(t, orderId);
      const at = now();
      await t
        .updateTable('orderflow_shipments')
        .set({ state: 'delivered', delivered_at: at, version: 2, updated_at: at })
        .where('id', '=', shipmentId)
        .execute();
      await record(t, 'shipment', shipmentId, 'shipped', 'delivered', 'DELIVER', {});
      await t
        .updateTable('orderflow_orders')
        .set({ state: 'delivered', delivered_at: at, version: order.version + 1, updated_at: at })
        .where('id', '=', orderId)
        .execute();
      await record(t, 'order', orderId, order.state, 'delivered', 'DELIVER', order);
    });
    // A return of the first line, walked to processed, then refunded.
    const returnId = id('ret');
    await tx(async (t) => {
      const order = await lockOrder(t, orderId);
      const line = (typeof order.items === 'string' ? JSON.parse(order.items) : order.items)[0];
      const at = now();
      const ret = {
        id: returnId,
        order_id: orderId,
        items: JSON.stringify([
          {
            orderItemId: line.id,
            quantity: 1,
            reason: 'defective',
            value: line.unitPrice,
            restockingFee: 0,
          },
        ]),
        state: 'initiated',
        currency: 'USD',
        refund_amount: line.unitPrice,
        restocking_fee: 0,
        credit_total: 0,
        exchange_items: null,
        exchange_order_id: null,
        pickup: null,
        rejection_reason: null,
        cancellation_reason: null,
        version: 1,
        created_at: at,
        updated_at: at,
      };
      await t.insertInto('orderflow_returns').values(ret).execute();
      await record(t, 'return', returnId, null, 'initiated', 'CREATE', ret);
    });
    const path = [
      ['initiated', 'approved', 'APPROVE'],
      ['approved', 'pickup_scheduled', 'SCHEDULE_PICKUP'],
      ['pickup_scheduled', 'in_transit', 'PICK_UP'],
      ['in_transit', 'received', 'RECEIVE'],
      ['received', 'processed', 'PROCESS'],
    ] as const;
    for (const [from, to, event] of path) {
      await tx(async (t) => {
        let q = t.selectFrom('orderflow_returns').selectAll().where('id', '=', returnId);
        if (backend === 'postgres') q = q.forUpdate();
        const ret = await q.executeTakeFirstOrThrow();
        await t
          .updateTable('orderflow_returns')
          .set({ state: to, version: ret.version + 1, updated_at: now() })
          .where('id', '=', returnId)
          .execute();
        await record(t, 'return', returnId, from, to, event, ret);
      });
    }
    // Refund: the intent, then the provider's answer with the return and payment following.
    const refundId = id('re');
    await tx(async (t) => {
      let q = t.selectFrom('orderflow_payments').selectAll().where('id', '=', paymentId);
      if (backend === 'postgres') q = q.forUpdate();
      const p = await q.executeTakeFirstOrThrow();
      const at = now();
      await t
        .insertInto('orderflow_refunds')
        .values({
          id: refundId,
          payment_id: paymentId,
          position: 0,
          amount: 1000,
          reason: null,
          return_id: returnId,
          state: 'pending',
          provider_reference: null,
          failure_code: null,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await t
        .updateTable('orderflow_payments')
        .set({ unsettled: 1, version: p.version + 1, updated_at: at })
        .where('id', '=', paymentId)
        .execute();
      await record(t, 'payment', paymentId, 'captured', 'captured', 'REFUND_REQUESTED', p);
    });
    await tx(async (t) => {
      let q = t.selectFrom('orderflow_payments').selectAll().where('id', '=', paymentId);
      if (backend === 'postgres') q = q.forUpdate();
      const p = await q.executeTakeFirstOrThrow();
      const at = now();
      await t
        .updateTable('orderflow_refunds')
        .set({ state: 'succeeded', provider_reference: `re_${refundId}`, updated_at: at })
        .where('id', '=', refundId)
        .execute();
      await t
        .updateTable('orderflow_payments')
        .set({
          state: 'partially_refunded',
          refunded_amount: 1000,
          unsettled: 0,
          version: p.version + 1,
          updated_at: at,
        })
        .where('id', '=', paymentId)
        .execute();
      await record(t, 'payment', paymentId, 'captured', 'partially_refunded', 'REFUND', p);
      await t
        .updateTable('orderflow_returns')
        .set({ state: 'refunded', version: 7, updated_at: at })
        .where('id', '=', returnId)
        .execute();
      await record(t, 'return', returnId, 'processed', 'refunded', 'REFUND', {});
    });
  }

  return { createOrder, lifecycle };
}
