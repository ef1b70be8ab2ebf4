/**
 * The example app driven through a client typed from its own OpenAPI document: types made
 * by openapi-typescript (test/e2e/generated/api.d.ts, `npm run openapi:types`), calls made
 * by openapi-fetch against a real listening server. `tsc --noEmit` checks every body, path
 * and header below against the document, so a schema change the client does not follow
 * fails the typecheck, and a committed api.d.ts that no longer matches the document fails
 * the first test.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import createClient from 'openapi-fetch';
import {
  type CreateOrderInput,
  createOrderSystem,
  type EditOrderInput,
  type InventoryItem,
  type Order,
  type OrderSystem,
  type Payment,
  type Refund,
  type Return,
  type SetStockInput,
  type Shipment,
  silentLogger,
} from 'orderflow';
import { inProcessJobs } from 'orderflow/adapters/in-process';
import { sqliteStorage } from 'orderflow/adapters/sqlite';
import { fakeCarrier, fakePaymentProvider } from 'orderflow/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { createApp } from '../../examples/express/app.js';
import type { components, paths } from './generated/api.js';
import { API_TYPES_FILE, generateApiTypes } from './generated/generate-types.js';

type Schemas = components['schemas'];
const API_KEY = 'typed_client_test_key_0123456789';

let oms: OrderSystem;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  oms = await createOrderSystem({
    storage: sqliteStorage({ filename: ':memory:' }),
    jobs: inProcessJobs({ logger: silentLogger, backoff: { minTimeoutMs: 1, maxTimeoutMs: 5 } }),
    payments: fakePaymentProvider(),
    carrier: fakeCarrier(),
    logger: silentLogger,
    config: { providerRetryMinTimeoutMs: 1 },
  });
  const app = createApp(oms, { apiKey: API_KEY, logger: pino({ level: 'silent' }) });
  server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    if (!server?.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await oms?.close();
});

const client = () =>
  createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${API_KEY}` } });

describe('generated API types', () => {
  it('match the document (run `npm run openapi:types` after changing it)', async () => {
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    const fresh = await generateApiTypes();
    expect(
      committed === fresh,
      'test/e2e/generated/api.d.ts is stale: run `npm run openapi:types`',
    ).toBe(true);
  }, 60_000);

  it('agree with the types the library infers from its zod schemas', () => {
    // Responses: what the library returns fits the documented shapes.
    expectTypeOf<Order>().toExtend<Schemas['Order']>();
    expectTypeOf<Return>().toExtend<Schemas['Return']>();
    expectTypeOf<Payment>().toExtend<Schemas['Payment']>();
    expectTypeOf<Refund>().toExtend<Schemas['Refund']>();
    // Requests: what the document lets a client send is what the library accepts.
    expectTypeOf<Schemas['CreateOrderInput']>().toExtend<CreateOrderInput>();
    expectTypeOf<CreateOrderInput>().toExtend<Schemas['CreateOrderInput']>();
    expectTypeOf<Schemas['OrderState']>().toEqualTypeOf<Order['state']>();
    expectTypeOf<Schemas['ReturnState']>().toEqualTypeOf<Return['state']>();
  });
});

describe('typed client against the running example app', () => {
  it('rejects calls without the bearer key with the typed Error body', async () => {
    const anonymous = createClient<paths>({ baseUrl });
    const { data, error, response } = await anonymous.GET('/api/v1/orders');
    expect(response.status).toBe(401);
    expect(data).toBeUndefined();
    expectTypeOf(error).toEqualTypeOf<Schemas['Error'] | undefined>();
    expect(error?.error.code).toBe('unauthorized');
  });

  it('order → payment → process, ship, deliver → return → approve … processed → refund', async () => {
    const api = client();

    // Create the order, and replay it with the same Idempotency-Key.
    const body: Schemas['CreateOrderInput'] = {
      customerId: 'cus_typed',
      currency: 'USD',
      items: [
        { sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 },
        { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
      ],
      shippingTotal: 500,
    };
    const created = await api.POST('/api/v1/orders', {
      body,
      params: { header: { 'Idempotency-Key': 'typed-order-1' } },
    });
    expect(created.response.status).toBe(201);
    const order = created.data!;
    expectTypeOf(order).toEqualTypeOf<Schemas['Order']>();
    expect(order).toMatchObject({ state: 'pending', total: 2 * 1999 + 1200 + 500, version: 1 });
    expect(created.response.headers.get('etag')).toBe('"1"');
    expect(created.response.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);

    const replay = await api.POST('/api/v1/orders', {
      body,
      params: { header: { 'Idempotency-Key': 'typed-order-1' } },
    });
    expect(replay.response.status).toBe(201);
    expect(replay.response.headers.get('idempotency-replayed')).toBe('true');
    expect(replay.data?.id).toBe(order.id);

    // A body the document forbids is a type error, and the server refuses it too.
    const invalid = await api.POST('/api/v1/orders', {
      // @ts-expect-error `currency` is required and `items` needs whole lines
      body: { customerId: 'cus_typed', items: [{ sku: 'X' }] },
    });
    expect(invalid.response.status).toBe(400);
    expect(invalid.error?.error.code).toBe('validation_error');

    // Pay in full; the capture confirms the order in a job.
    const paid = await api.POST('/api/v1/payments', {
      body: { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
      params: { header: { 'Idempotency-Key': 'typed-pay-1' } },
    });
    expect(paid.response.status).toBe(201);
    const payment = paid.data!;
    expect(payment).toMatchObject({ state: 'captured', capturedAmount: order.total });
    await oms.idle();

    const confirmed = await api.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(confirmed.data).toMatchObject({ state: 'confirmed', paidTotal: order.total });
    const etag = confirmed.response.headers.get('etag')!;

    // If-Match: the current version goes through, a stale one is a typed 409.
    const processing = await api.PATCH('/api/v1/orders/{id}/state', {
      params: { path: { id: order.id }, header: { 'If-Match': etag } },
      body: { state: 'processing' },
    });
    expect(processing.data?.state).toBe('processing');
    const stale = await api.PATCH('/api/v1/orders/{id}/state', {
      params: { path: { id: order.id }, header: { 'If-Match': etag } },
      body: { state: 'shipped' },
    });
    expect(stale.response.status).toBe(409);
    expect(stale.error?.error.code).toBe('concurrency_conflict');

    const shipped = await api.PATCH('/api/v1/orders/{id}/state', {
      params: { path: { id: order.id } },
      body: { state: 'shipped', carrier: 'UPS', trackingNumber: '1Z999AA10123456784' },
    });
    expect(shipped.data?.fulfillmentStatus).toBe('shipped');
    expect(shipped.data?.items.map((i) => i.shippedQuantity)).toEqual(
      order.items.map((i) => i.quantity),
    );
    const delivered = await api.PATCH('/api/v1/orders/{id}/state', {
      params: { path: { id: order.id } },
      body: { event: 'DELIVER' },
    });
    expect(delivered.data?.state).toBe('delivered');

    const history = await api.GET('/api/v1/orders/{id}/history', {
      params: { path: { id: order.id } },
    });
    expect(history.data?.data.map((h) => h.to)).toEqual([
      'pending',
      'confirmed',
      'processing',
      'shipped',
      'delivered',
    ]);

    const listed = await api.GET('/api/v1/orders', {
      params: { query: { customerId: 'cus_typed', state: 'delivered', limit: 10 } },
    });
    expect(listed.data?.data.map((o) => o.id)).toEqual([order.id]);
    expect(listed.data?.nextCursor).toBeNull();

    // Return one T-shirt: preview first, then create.
    const tshirt = order.items.find((i) => i.sku === 'TSHIRT-M')!;
    const returnBody: Schemas['CreateReturnInput'] = {
      orderId: order.id,
      items: [{ orderItemId: tshirt.id, quantity: 1, reason: 'damaged', note: 'torn seam' }],
    };
    const preview = await api.POST('/api/v1/returns/preview', { body: returnBody });
    expect(preview.response.status).toBe(200);
    expectTypeOf(preview.data).toEqualTypeOf<Schemas['ReturnPreview'] | undefined>();
    expect(preview.data?.refundAmount).toBeGreaterThan(0);

    const opened = await api.POST('/api/v1/returns', {
      body: returnBody,
      params: { header: { 'Idempotency-Key': 'typed-return-1' } },
    });
    expect(opened.response.status).toBe(201);
    const ret = opened.data!;
    expect(ret).toMatchObject({ state: 'initiated', refundAmount: preview.data?.refundAmount });

    const returnState = (state: Schemas['ReturnState']) =>
      api.PATCH('/api/v1/returns/{id}/state', {
        params: { path: { id: ret.id } },
        body: { state },
      });
    expect((await returnState('approved')).data?.state).toBe('approved');
    await oms.idle(); // the fake carrier books the pickup in a job
    const scheduled = await api.GET('/api/v1/returns/{id}', { params: { path: { id: ret.id } } });
    expect(scheduled.data?.state).toBe('pickup_scheduled');
    expect(scheduled.data?.pickup?.carrier).toBeTruthy();

    for (const state of ['in_transit', 'received', 'processed'] as const) {
      expect((await returnState(state)).data?.state).toBe(state);
    }
    await oms.idle(); // the refund of a processed return is issued in a job

    const refunded = await api.GET('/api/v1/returns/{id}', { params: { path: { id: ret.id } } });
    expect(refunded.data?.state).toBe('refunded');
    const listedReturns = await api.GET('/api/v1/returns', {
      params: { query: { orderId: order.id } },
    });
    expect(listedReturns.data?.data.map((r) => r.id)).toEqual([ret.id]);

    const afterReturn = await api.GET('/api/v1/payments/{id}', {
      params: { path: { id: payment.id } },
    });
    expect(afterReturn.data).toMatchObject({
      state: 'partially_refunded',
      refundedAmount: ret.refundAmount,
    });
    expect(afterReturn.data?.refunds).toEqual([
      expect.objectContaining({ returnId: ret.id, state: 'succeeded', amount: ret.refundAmount }),
    ]);

    // Refund the rest by hand (amount defaults to everything still refundable).
    const rest = await api.POST('/api/v1/payments/{id}/refund', {
      params: { path: { id: payment.id }, header: { 'Idempotency-Key': 'typed-refund-1' } },
      body: { reason: 'goodwill' },
    });
    expect(rest.response.status).toBe(201);
    expectTypeOf(rest.data).toEqualTypeOf<Schemas['Refund'] | undefined>();
    expect(rest.data).toMatchObject({
      state: 'succeeded',
      amount: order.total - ret.refundAmount,
      reason: 'goodwill',
    });

    const final = await api.GET('/api/v1/payments/{id}', { params: { path: { id: payment.id } } });
    expect(final.data).toMatchObject({ state: 'refunded', refundedAmount: order.total });
    const finalOrder = await api.GET('/api/v1/orders/{id}', {
      params: { path: { id: order.id } },
    });
    expect(finalOrder.data?.refundedTotal).toBe(order.total);
  });

  it('ships an order in two parts, corrects the tracking and delivers', async () => {
    const api = client();
    const created = await api.POST('/api/v1/orders', {
      body: {
        customerId: 'cus_typed_ship',
        currency: 'USD',
        items: [
          { sku: 'TSHIRT-M', name: 'T-shirt', quantity: 2, unitPrice: 1999 },
          { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
        ],
      },
    });
    const order = created.data!;
    await api.POST('/api/v1/payments', {
      body: { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
    });
    await oms.idle();
    const [shirt, mug] = order.items;

    const first = await api.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id }, header: { 'Idempotency-Key': 'typed-ship-1' } },
      body: { items: [{ orderItemId: shirt!.id, quantity: 2 }], carrier: 'UPS' },
    });
    expect(first.response.status).toBe(201);
    expectTypeOf(first.data).toEqualTypeOf<Schemas['Shipment'] | undefined>();
    expectTypeOf<Shipment>().toExtend<Schemas['Shipment']>();
    const shipment = first.data!;
    expect(shipment).toMatchObject({ state: 'pending', carrier: 'UPS', version: 1 });

    const shipped = await api.PATCH('/api/v1/shipments/{id}/state', {
      params: { path: { id: shipment.id }, header: { 'If-Match': '"1"' } },
      body: { state: 'shipped', trackingNumber: '1Z-TYPO' },
    });
    expect(shipped.data?.state).toBe('shipped');
    const corrected = await api.PATCH('/api/v1/shipments/{id}', {
      params: { path: { id: shipment.id } },
      body: { trackingNumber: '1Z999AA10123456784' },
    });
    expect(corrected.data?.trackingNumber).toBe('1Z999AA10123456784');
    const refused = await api.PATCH('/api/v1/shipments/{id}', {
      params: { path: { id: shipment.id } },
      body: { carrier: '' },
    });
    expect(refused.response.status).toBe(400);

    const partly = await api.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(partly.data).toMatchObject({
      state: 'processing',
      fulfillmentStatus: 'partially_shipped',
    });

    const second = await api.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id } },
    });
    expect(second.data?.items).toEqual([{ orderItemId: mug!.id, quantity: 1 }]);
    for (const id of [shipment.id, second.data!.id]) {
      for (const state of ['shipped', 'delivered'] as const) {
        const moved = await api.PATCH('/api/v1/shipments/{id}/state', {
          params: { path: { id } },
          body: { state },
        });
        if (moved.error && moved.error.error.code !== 'invalid_transition') throw moved.error;
      }
    }
    const listed = await api.GET('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id } },
    });
    expect(listed.data?.data.map((s) => s.state)).toEqual(['delivered', 'delivered']);
    const history = await api.GET('/api/v1/shipments/{id}/history', {
      params: { path: { id: shipment.id } },
    });
    expect(history.data?.data.map((h) => h.event)).toContain('UPDATE_TRACKING');
    const done = await api.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });
    expect(done.data).toMatchObject({ state: 'delivered', fulfillmentStatus: 'delivered' });
    expect(done.data?.items.map((i) => i.deliveredQuantity)).toEqual([2, 1]);
  });

  it('sets stock, reserves it with an order, refuses an oversell with a typed 409', async () => {
    const api = client();
    const set = await api.PUT('/api/v1/inventory/{sku}', {
      params: { path: { sku: 'LAMP' } },
      body: { onHand: 3 },
    });
    expect(set.data).toMatchObject({ sku: 'LAMP', onHand: 3, available: 3 });
    expectTypeOf<InventoryItem>().toExtend<Schemas['InventoryItem']>();
    expectTypeOf<Schemas['SetStockInput']>().toExtend<SetStockInput>();

    const lamps = (quantity: number): Schemas['CreateOrderInput'] => ({
      customerId: 'cus_typed_stock',
      currency: 'USD',
      items: [{ sku: 'LAMP', name: 'Lamp', quantity, unitPrice: 4500 }],
    });
    const ordered = await api.POST('/api/v1/orders', { body: lamps(2) });
    expect(ordered.response.status).toBe(201);
    const oversold = await api.POST('/api/v1/orders', { body: lamps(2) });
    expect(oversold.response.status).toBe(409);
    expect(oversold.error?.error).toMatchObject({
      code: 'insufficient_stock',
      details: { sku: 'LAMP', requested: 2, available: 1 },
    });

    const adjusted = await api.POST('/api/v1/inventory/{sku}/adjustments', {
      params: { path: { sku: 'LAMP' }, header: { 'Idempotency-Key': 'typed-lamps-in' } },
      body: { delta: 5, reason: 'delivery' },
    });
    expect(adjusted.data).toMatchObject({ onHand: 8, reserved: 2, available: 6 });
    const low = await api.GET('/api/v1/inventory', { params: { query: { belowAvailable: 7 } } });
    expect(low.data?.data.map((i) => i.sku)).toContain('LAMP');
    const movements = await api.GET('/api/v1/inventory/{sku}/movements', {
      params: { path: { sku: 'LAMP' }, query: { limit: 10 } },
    });
    expect(movements.data?.data.map((m) => m.reason)).toEqual(['adjust', 'reserve', 'set']);
    expect(movements.data?.data[1]?.orderId).toBe(ordered.data?.id);
  });

  it('edits a paid order (the excess refunded by a job) and exchanges a delivered line', async () => {
    const api = client();
    const created = await api.POST('/api/v1/orders', {
      body: {
        customerId: 'cus_typed_edit',
        currency: 'USD',
        items: [{ sku: 'SHIRT-M', name: 'Shirt M', quantity: 2, unitPrice: 2000 }],
      },
    });
    const order = created.data!;
    const paid = await api.POST('/api/v1/payments', {
      body: { orderId: order.id, paymentMethod: { token: 'tok_visa' } },
    });
    await oms.idle();
    const current = await api.GET('/api/v1/orders/{id}', { params: { path: { id: order.id } } });

    const editBody: Schemas['EditOrderInput'] = {
      items: [{ orderItemId: order.items[0]!.id, quantity: 1 }],
    };
    expectTypeOf<Schemas['EditOrderInput']>().toExtend<EditOrderInput>();
    const edited = await api.POST('/api/v1/orders/{id}/edit', {
      params: {
        path: { id: order.id },
        header: {
          'If-Match': current.response.headers.get('etag')!,
          'Idempotency-Key': 'typed-edit-1',
        },
      },
      body: editBody,
    });
    expect(edited.response.status).toBe(200);
    expect(edited.data).toMatchObject({ total: 2000, balanceDue: 0 });
    await oms.idle(); // the excess goes back in a job
    const refunded = await api.GET('/api/v1/payments/{id}', {
      params: { path: { id: paid.data!.id } },
    });
    expect(refunded.data?.refunds.map((r) => [r.amount, r.reason])).toEqual([[2000, 'order_edit']]);
    const emptied = await api.POST('/api/v1/orders/{id}/edit', {
      params: { path: { id: order.id } },
      body: { items: [{ orderItemId: order.items[0]!.id, quantity: 0 }] },
    });
    expect(emptied.response.status).toBe(422);
    expect(emptied.error?.error.code).toBe('edit_empties_order');

    const shipped = await api.POST('/api/v1/orders/{id}/shipments', {
      params: { path: { id: order.id } },
    });
    for (const state of ['shipped', 'delivered'] as const) {
      await api.PATCH('/api/v1/shipments/{id}/state', {
        params: { path: { id: shipped.data!.id } },
        body: { state },
      });
    }
    const exchange: Schemas['CreateReturnInput'] = {
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'wrong_item' }],
      exchangeItems: [{ sku: 'SHIRT-L', name: 'Shirt L', quantity: 1, unitPrice: 2000 }],
    };
    const preview = await api.POST('/api/v1/returns/preview', { body: exchange });
    expect(preview.data).toMatchObject({
      exchangeTotal: 2000,
      creditTotal: 2000,
      refundAmount: 0,
      balanceDue: 0,
    });
    const ret = await api.POST('/api/v1/returns', { body: exchange });
    const approved = await api.PATCH('/api/v1/returns/{id}/state', {
      params: { path: { id: ret.data!.id } },
      body: { state: 'approved' },
    });
    const replacement = await api.GET('/api/v1/orders/{id}', {
      params: { path: { id: approved.data!.exchangeOrderId! } },
    });
    expect(replacement.data).toMatchObject({
      exchangeForReturnId: ret.data!.id,
      creditTotal: 2000,
      balanceDue: 0,
    });
    await oms.idle();
  });

  it('gets typed 404s for unknown ids', async () => {
    const missing = await client().GET('/api/v1/returns/{id}', {
      params: { path: { id: 'ret_doesnotexist' } },
    });
    expect(missing.response.status).toBe(404);
    expect(missing.error?.error.code).toBe('not_found');
  });
});
