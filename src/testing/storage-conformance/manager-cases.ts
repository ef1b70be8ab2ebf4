import { EVENT_NAMES } from '../../events/event-map.js';
import { deliveredOrder, orderInput } from '../builders.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData, withCode } from './assert.js';
import { outcomes, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

/**
 * The races the managers rely on the storage for, run through `createOrderSystem` with
 * the in-process job runner, the fake provider and the fake carrier.
 */
export function managerCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  const { system, provider: currentProvider } = useSystem(test, factory);

  /** What a refused command must leave exactly as it was. */
  async function snapshot(orderId: string) {
    const { storage } = system();
    const payments = await storage.payments.listByOrder(orderId);
    return {
      order: await storage.orders.get(orderId),
      orderHistory: await storage.history.list('order', orderId),
      returns: await storage.returns.listByOrder(orderId),
      payments,
      paymentHistory: await Promise.all(payments.map((p) => storage.history.list('payment', p.id))),
      outbox: await storage.outbox.count(),
    };
  }

  function recordEvents(): string[] {
    const seen: string[] = [];
    for (const name of EVENT_NAMES) system().events.on(name, () => seen.push(name));
    return seen;
  }

  it('lets exactly 20 of 30 parallel refunds of 100 through on a capture of 2000', async () => {
    const oms = system();
    const order = await oms.orders.create(
      orderInput({
        items: [{ sku: 'BOX', name: 'Box', quantity: 1, unitPrice: 2000 }],
        shippingTotal: 0,
      }),
    );
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    assert.equal(payment.capturedAmount, 2000);
    await oms.idle();

    const { ok, codes } = await outcomes(
      Array.from({ length: 30 }, () => oms.payments.refund(payment.id, { amount: 100 })),
    );
    await oms.idle();
    assert.equal(ok.length, 20);
    sameData(codes, Array(10).fill('refund_exceeds_captured'));
    const after = await oms.payments.get(payment.id);
    assert.ok(
      after.refundedAmount <= after.capturedAmount,
      `refunded ${after.refundedAmount} of a capture of ${after.capturedAmount}`,
    );
    assert.equal(after.refundedAmount, 2000);
    assert.equal(after.refunds.filter((r) => r.state === 'succeeded').length, 20);
    sameData(currentProvider().ledger(payment.id), { captured: 2000, refunded: 2000, refunds: 20 });
  });

  it('lets exactly one of 20 transitions with the same expected version win', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const { ok, codes } = await outcomes(
      Array.from({ length: 20 }, () =>
        oms.orders.transition(order.id, { state: 'confirmed' }, { expectedVersion: order.version }),
      ),
    );
    assert.equal(ok.length, 1);
    assert.equal(ok[0]?.state, 'confirmed');
    assert.equal(ok[0]?.version, order.version + 1);
    sameData(codes, Array(19).fill('concurrency_conflict'));
    await oms.idle();
    const confirms = (await oms.orders.history(order.id)).filter((h) => h.event === 'CONFIRM');
    assert.equal(confirms.length, 1);
    assert.equal((await oms.orders.get(order.id)).version, order.version + 1);
  });

  it('accepts exactly 3 of 10 parallel one-unit returns of a 3-unit line', async () => {
    const oms = system();
    const order = await deliveredOrder(oms, {
      items: [{ sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 }],
    });
    await oms.idle();
    const line = order.items[0]!;
    const { ok, codes } = await outcomes(
      Array.from({ length: 10 }, () =>
        oms.returns.create({
          orderId: order.id,
          items: [{ orderItemId: line.id, quantity: 1, reason: 'damaged' }],
        }),
      ),
    );
    assert.equal(ok.length, 3);
    sameData(codes, Array(7).fill('return_quantity_exceeded'));
    await oms.idle();
    assert.equal((await oms.storage.returns.listByOrder(order.id)).length, 3);
  });

  it('creates one order for 8 parallel creates with one idempotency key', async () => {
    const oms = system();
    const input = orderInput({ customerId: 'cus_idempotent' });
    const { ok, codes } = await outcomes(
      Array.from({ length: 8 }, () => oms.orders.create(input, { idempotencyKey: 'create-once' })),
    );
    sameData(codes, []);
    assert.equal(new Set(ok.map((o) => o.id)).size, 1);
    await oms.idle();
    const listed = await oms.orders.list({ customerId: 'cus_idempotent' });
    assert.equal(listed.data.length, 1);
    assert.equal(listed.data[0]?.id, ok[0]?.id);
  });

  it('leaves no new rows and emits no event when it refuses a return on an undelivered order', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    await oms.idle();
    const before = await snapshot(order.id);
    const seen = recordEvents();
    const line = order.items[0]!;
    await assert.rejects(
      oms.returns.create({
        orderId: order.id,
        items: [{ orderItemId: line.id, quantity: 1, reason: 'damaged' }],
      }),
      withCode('order_not_delivered'),
    );
    await oms.idle();
    sameData(await snapshot(order.id), before);
    sameData(seen, []);
  });

  it('leaves no new rows and emits no event when it refuses a refund beyond the capture', async () => {
    const oms = system();
    const order = await oms.orders.create(orderInput());
    const payment = await oms.payments.process({
      orderId: order.id,
      paymentMethod: { token: 'tok_visa' },
    });
    await oms.idle();
    const before = await snapshot(order.id);
    const seen = recordEvents();
    await assert.rejects(
      oms.payments.refund(payment.id, { amount: payment.capturedAmount + 1 }),
      withCode('refund_exceeds_captured'),
    );
    await oms.idle();
    sameData(await snapshot(order.id), before);
    sameData(seen, []);
    sameData(
      currentProvider().calls.filter((c) => c.operation === 'refund'),
      [],
    );
  });
}
