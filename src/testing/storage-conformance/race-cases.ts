import type { OrderSystem } from '../../create-order-system.js';
import type { Order } from '../../schemas/order.js';
import { orderInput } from '../builders.js';
import type { FakeCharge } from '../fake-payment-provider.js';
import type { TestApi } from '../test-api.js';
import { assert } from './assert.js';
import { allRefusals, outcomes, useSystem } from './system-fixture.js';
import type { StorageFactory } from './types.js';

const visa = { token: 'tok_visa' };

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const capturedAt = (charges: readonly FakeCharge[]) => sum(charges.map((c) => c.captured));
const refundedAt = (charges: readonly FakeCharge[]) => sum(charges.map((c) => c.refunded));

/** A pending order of one line (`quantity` × `unitPrice`), no shipping. */
function order(oms: OrderSystem, quantity: number, unitPrice: number): Promise<Order> {
  return oms.orders.create(
    orderInput({ items: [{ sku: 'BOX', name: 'Box', quantity, unitPrice }], shippingTotal: 0 }),
  );
}

/**
 * Opens `n` connections of a pooled adapter before a race, so the racers start together
 * instead of one connection handshake apart.
 */
async function warm(oms: OrderSystem, n: number): Promise<void> {
  await Promise.all(Array.from({ length: n }, () => oms.storage.ping()));
}

/** Walks a paid order to `delivered` (auto-confirm may already have confirmed it). */
/**
 * A confirmed order of 3 cups and 1 mug whose mug is in a first (pending) shipment: that
 * made the order processing, and later shipments leave its version alone.
 */
async function processingWithMugInShipment(oms: OrderSystem) {
  const created = await oms.orders.create(
    orderInput({
      items: [
        { sku: 'CUP', name: 'Cup', quantity: 3, unitPrice: 1000 },
        { sku: 'MUG', name: 'Mug', quantity: 1, unitPrice: 1200 },
      ],
      shippingTotal: 0,
    }),
  );
  const [cup, mug] = (await oms.orders.transition(created.id, { state: 'confirmed' })).items;
  await oms.shipments.create(created.id, { items: [{ orderItemId: mug!.id, quantity: 1 }] });
  return { orderId: created.id, cup: cup! };
}

async function deliver(oms: OrderSystem, orderId: string): Promise<Order> {
  await oms.idle();
  for (const state of ['confirmed', 'processing', 'shipped', 'delivered'] as const) {
    await oms.orders.transition(orderId, { state });
  }
  return oms.orders.get(orderId);
}

/**
 * Commands racing each other on one order or payment, each checked against the money the
 * fake provider really moved (its charges), not only against our own rows. On SQLite
 * writers take turns (`BEGIN IMMEDIATE`); on Postgres these are real races that only the
 * row locks of the managers decide (memory runs transactions one at a time, so there they
 * prove nothing but the arithmetic). A loser must fail with an OrderflowError; which code
 * depends on where it lost, so the cases assert amounts, not codes.
 */
export function raceCases(test: TestApi, factory: StorageFactory): void {
  const { it } = test;
  const { system, provider } = useSystem(test, factory);

  it('charges what an order owes exactly once when 6 payments of it race', async () => {
    const oms = system();
    const placed = await order(oms, 2, 2849);
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 6 }, () =>
        oms.payments.process({ orderId: placed.id, paymentMethod: visa }),
      ),
    );
    await oms.idle();
    assert.equal(ok.length, 1, `${ok.length} of 6 payments of one order went through`);
    allRefusals(errors);
    const charges = provider()
      .charges()
      .filter((c) => c.captured > 0);
    assert.equal(charges.length, 1, `the customer was charged ${charges.length} times`);
    assert.equal(capturedAt(charges), placed.total);
    assert.equal((await oms.orders.get(placed.id)).paidTotal, placed.total);
  });

  it('lets exactly 3 of 8 racing payments of a third of the total through', async () => {
    const oms = system();
    const placed = await order(oms, 3, 1000);
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 8 }, () =>
        oms.payments.process({ orderId: placed.id, amount: 1000, paymentMethod: visa }),
      ),
    );
    await oms.idle();
    assert.equal(ok.length, 3);
    allRefusals(errors);
    assert.equal(capturedAt(provider().charges()), placed.total);
    const stored = await oms.payments.listByOrder(placed.id);
    assert.equal(sum(stored.map((p) => p.capturedAmount)), placed.total);
  });

  it('captures an authorization once when 8 captures of it race', async () => {
    const oms = system();
    const placed = await order(oms, 1, 4200);
    const payment = await oms.payments.process({
      orderId: placed.id,
      paymentMethod: visa,
      capture: 'manual',
    });
    assert.equal(payment.state, 'authorized');
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 8 }, () => oms.payments.capture(payment.id)),
    );
    await oms.idle();
    assert.equal(ok.length, 1, `${ok.length} of 8 captures of one authorization went through`);
    allRefusals(errors);
    assert.deepEqual(
      [...new Set(errors.map((e) => (e as { code?: string }).code))],
      ['payment_already_captured'],
    );
    assert.equal(ok[0]?.capturedAmount, 4200);
    sameCharges(provider().charges(), [{ captured: 4200, refunded: 0 }]);
    const keys = new Set(
      provider()
        .calls.filter((c) => c.operation === 'capture' && c.outcome === 'succeeded')
        .map((c) => c.idempotencyKey),
    );
    assert.equal(keys.size, 1, 'captures were sent under more than one key');
    const history = await oms.storage.history.list('payment', payment.id);
    assert.equal(history.filter((h) => h.event === 'CAPTURE').length, 1);
  });

  it('refunds exactly what is left when 10 refunds of one payment race', async () => {
    const oms = system();
    const placed = await order(oms, 1, 1000);
    const payment = await oms.payments.process({ orderId: placed.id, paymentMethod: visa });
    await oms.idle();
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 10 }, () => oms.payments.refund(payment.id, { amount: 150 })),
    );
    await oms.idle();
    assert.equal(ok.length, 6, `${ok.length} refunds of 150 went through on a capture of 1000`);
    allRefusals(errors);
    sameCharges(provider().charges(), [{ captured: 1000, refunded: 900 }]);
    const after = await oms.payments.get(payment.id);
    assert.equal(after.refundedAmount, 900);
    assert.equal(after.refunds.filter((r) => r.state === 'succeeded').length, 6);
  });

  it('caps racing refunds linked to one return across the order’s two payments', async () => {
    const oms = system();
    // Three rounds: how the two racers interleave varies, and one round may not overlap.
    for (let round = 0; round < 3; round++) {
      const placed = await order(oms, 2, 1000);
      const first = await oms.payments.process({
        orderId: placed.id,
        amount: 1000,
        paymentMethod: visa,
      });
      const second = await oms.payments.process({
        orderId: placed.id,
        amount: 1000,
        paymentMethod: visa,
      });
      const delivered = await deliver(oms, placed.id);
      const ret = await oms.returns.create({
        orderId: placed.id,
        items: [{ orderItemId: delivered.items[0]!.id, quantity: 1, reason: 'damaged' }],
      });
      assert.equal(ret.refundAmount, 1000);
      await oms.idle();

      // Each payment could give the whole 1000; the return caps what is linked to it at
      // 1000 in all. The first refund on each payment starts at once, so the payments'
      // locks do not keep them apart: only the return's does.
      await warm(oms, 10);
      const { ok, errors } = await outcomes(
        Array.from({ length: 6 }, (_, n) =>
          oms.payments.refund(n % 2 === 0 ? first.id : second.id, { returnId: ret.id }),
        ),
      );
      await oms.idle();
      assert.equal(ok.length, 1, `${ok.length} refunds of the whole return went through`);
      allRefusals(errors);
      const charges = provider()
        .charges()
        .filter((c) => c.paymentId === first.id || c.paymentId === second.id);
      assert.equal(refundedAt(charges), 1000);
      const linked = (await oms.payments.listByOrder(placed.id)).flatMap((p) =>
        p.refunds.filter((r) => r.returnId === ret.id && r.state === 'succeeded'),
      );
      assert.equal(sum(linked.map((r) => r.amount)), 1000);
    }
  });

  it('leaves no money on any of 5 orders whose cancel raced their payment', async () => {
    const oms = system();
    const orders = await Promise.all(Array.from({ length: 5 }, (_, n) => order(oms, 1, 1000 + n)));
    await warm(oms, 10);
    const { errors } = await outcomes<unknown>(
      orders.flatMap((o) => [
        oms.orders.cancel(o.id, { reason: 'changed mind' }),
        oms.payments.process({ orderId: o.id, paymentMethod: visa }),
      ]),
    );
    await oms.idle();
    allRefusals(errors);
    for (const o of orders) {
      const after = await oms.orders.get(o.id);
      assert.equal(after.state, 'cancelled');
      assert.equal(after.paidTotal - after.refundedTotal, 0, `order ${o.id} kept money`);
    }
    // What the provider holds: every charge refunded in full (or never captured).
    for (const charge of provider().charges()) {
      assert.equal(charge.captured - charge.refunded, 0, `charge ${charge.reference} kept money`);
    }
  });

  it('never lets an edit and a shipment of a processing order both take the same units', async () => {
    const oms = system();
    const orders: Order[] = [];
    for (let n = 0; n < 5; n++) {
      const { orderId } = await processingWithMugInShipment(oms);
      orders.push(await oms.orders.get(orderId));
    }
    await warm(oms, 10);
    const { errors } = await outcomes<unknown>(
      orders.flatMap((o) => {
        const cup = o.items[0]!;
        return [
          oms.orders.edit(o.id, { items: [{ orderItemId: cup.id, quantity: 1 }] }),
          oms.shipments.create(o.id, { items: [{ orderItemId: cup.id, quantity: 3 }] }),
        ];
      }),
    );
    allRefusals(errors);
    assert.equal(errors.length, orders.length, 'one of each pair lost');
    for (const o of orders) {
      const line = (await oms.orders.get(o.id)).items.find((i) => i.id === o.items[0]!.id)!;
      const live = (await oms.shipments.listByOrder(o.id))
        .filter((s) => s.state !== 'cancelled')
        .flatMap((s) => s.items)
        .filter((i) => i.orderItemId === line.id)
        .reduce((a, i) => a + i.quantity, 0);
      assert.ok(live <= line.quantity, `${live} units in shipments of a line of ${line.quantity}`);
    }
  });

  it('never cancels an order whose shipment shipped while the cancel raced it', async () => {
    const oms = system();
    const racers: { orderId: string; shipmentId: string }[] = [];
    for (let n = 0; n < 5; n++) {
      const { orderId, cup } = await processingWithMugInShipment(oms);
      // A pending shipment of the cups: the order stays processing, same version.
      const cups = await oms.shipments.create(orderId, {
        items: [{ orderItemId: cup.id, quantity: 3 }],
      });
      racers.push({ orderId, shipmentId: cups.id });
    }
    await warm(oms, 10);
    const { errors } = await outcomes<unknown>(
      racers.flatMap(({ orderId, shipmentId }) => [
        oms.orders.cancel(orderId),
        oms.shipments.transition(shipmentId, { state: 'shipped' }),
      ]),
    );
    allRefusals(errors);
    assert.equal(errors.length, racers.length, 'one of each pair lost');
    for (const { orderId } of racers) {
      const { state } = await oms.orders.get(orderId);
      const shipments = (await oms.shipments.listByOrder(orderId)).map((s) => s.state);
      if (state === 'cancelled') {
        assert.deepEqual(shipments, ['cancelled', 'cancelled'], `cancelled order ${orderId}`);
      } else {
        assert.deepEqual(shipments, ['pending', 'shipped'], `${state} order ${orderId}`);
      }
    }
  });

  it('applies every one of 6 racing stock adjustments of a SKU', async () => {
    const oms = system();
    await oms.inventory.set('BIN', { onHand: 10 });
    await warm(oms, 8);
    const { ok, codes } = await outcomes(
      Array.from({ length: 6 }, (_, n) =>
        oms.inventory.adjust('BIN', { delta: 1, reason: `found ${n}` }),
      ),
    );
    assert.deepEqual(codes, [], 'an adjustment lost to another instead of waiting for it');
    assert.equal(ok.length, 6);
    const stock = await oms.inventory.get('BIN');
    assert.equal(stock.onHand, 16);
    assert.equal(stock.version, 7);
    assert.equal((await oms.inventory.movements('BIN')).data.length, 7);
  });

  it('applies exactly one of 6 racing stock counts made against the same version', async () => {
    const oms = system();
    const start = await oms.inventory.set('BIN', { onHand: 10 });
    await warm(oms, 8);
    const { ok, errors, codes } = await outcomes(
      Array.from({ length: 6 }, (_, n) =>
        oms.inventory.set('BIN', { onHand: 20 + n }, { expectedVersion: start.version }),
      ),
    );
    allRefusals(errors);
    assert.equal(ok.length, 1, `${ok.length} of 6 counts against version ${start.version} applied`);
    assert.deepEqual([...new Set(codes)], ['concurrency_conflict']);
    const stock = await oms.inventory.get('BIN');
    assert.equal(stock.onHand, ok[0]!.onHand);
    assert.equal(stock.version, start.version + 1);
    assert.equal((await oms.inventory.movements('BIN')).data.length, 2);
  });

  it('marks an order returned when the failed refunds of its last two returns are settled at once', async () => {
    const oms = system();
    // Three rounds: how the two settlements interleave varies, and one round may not overlap.
    for (let round = 0; round < 3; round++) {
      const { placed, returns } = await failedReturnRefunds(oms, 2);
      await warm(oms, 10);
      const { errors } = await outcomes(
        returns.map((r) => oms.returns.markRefunded(r.id, { reason: 'bank transfer' })),
      );
      assert.deepEqual(errors, []);
      // Each settlement saw the other return unsettled unless the order's lock kept them apart.
      assert.equal((await oms.orders.get(placed.id)).state, 'returned');
    }
  });

  it('answers each of 5 identical rejections of a return racing with the rejected return', async () => {
    const oms = system();
    const placed = await order(oms, 1, 1000);
    await oms.payments.process({ orderId: placed.id, paymentMethod: visa });
    const delivered = await deliver(oms, placed.id);
    const ret = await oms.returns.create({
      orderId: placed.id,
      items: [{ orderItemId: delivered.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 5 }, () => oms.returns.transition(ret.id, { state: 'rejected' })),
    );
    // The others wait for the first and find their request already done.
    assert.deepEqual(errors, []);
    assert.deepEqual(
      ok.map((r) => [r.state, r.version]),
      Array.from({ length: 5 }, () => ['rejected', ret.version + 1]),
    );
  });

  it('answers each of 5 racing retries of a failed refund, clearing the failure once', async () => {
    const oms = system();
    const {
      returns: [ret],
    } = await failedReturnRefunds(oms, 1);
    await warm(oms, 10);
    const { ok, errors } = await outcomes(
      Array.from({ length: 5 }, () => oms.returns.retryRefund(ret!.id, { reason: 'retry' })),
    );
    await oms.idle();
    assert.deepEqual(errors, []);
    assert.deepEqual(
      ok.map((r) => r.refundFailure),
      Array.from({ length: 5 }, () => undefined),
    );
    // The refund job runs again after a retry and may record the failure anew before a later
    // retry gets the lock, which then clears that new failure. What must never happen is
    // two retries clearing one failure.
    const steps = (await oms.returns.history(ret!.id))
      .map((h) => h.event)
      .filter((e) => e === 'REFUND_FAILED' || e === 'RETRY_REFUND');
    assert.ok(steps.includes('RETRY_REFUND'), 'no retry recorded');
    steps.forEach((e, i) => {
      if (e === 'RETRY_REFUND') assert.equal(steps[i - 1], 'REFUND_FAILED', steps.join(' '));
    });
  });

  it('cancels an exchange even while its replacement is being confirmed', async () => {
    const oms = system();
    const exchanges = [];
    for (let n = 0; n < 4; n++) {
      const placed = await order(oms, 1, 1000);
      await oms.payments.process({ orderId: placed.id, paymentMethod: visa });
      const delivered = await deliver(oms, placed.id);
      const ret = await oms.returns.create({
        orderId: placed.id,
        items: [{ orderItemId: delivered.items[0]!.id, quantity: 1, reason: 'damaged' }],
        exchangeItems: [{ sku: 'BOX', name: 'Box', quantity: 1, unitPrice: 1000 }],
      });
      const approved = await oms.returns.transition(ret.id, { state: 'approved' });
      exchanges.push({ ret, replacementId: approved.exchangeOrderId! });
    }
    await oms.idle();
    await warm(oms, 10);
    const settled = await Promise.all(
      exchanges.map(({ ret, replacementId }) =>
        Promise.allSettled([
          oms.returns.transition(ret.id, { state: 'cancelled' }),
          oms.orders.transition(replacementId, { state: 'confirmed' }),
        ]),
      ),
    );
    for (const [n, [cancelled, confirmed]] of settled.entries()) {
      // The cancellation never fails: it leaves a confirmed replacement as it is.
      assert.equal(cancelled.status, 'fulfilled');
      const replacement = await oms.orders.get(exchanges[n]!.replacementId);
      assert.equal(replacement.state, confirmed.status === 'fulfilled' ? 'confirmed' : 'cancelled');
    }
  });

  it('settles a failed refund by hand only while it has not been retried', async () => {
    const oms = system();
    for (let round = 0; round < 3; round++) {
      const {
        returns: [ret],
      } = await failedReturnRefunds(oms, 1);
      await warm(oms, 10);
      const [retried, settled] = await Promise.allSettled([
        oms.returns.retryRefund(ret!.id, { reason: 'card works again' }),
        oms.returns.markRefunded(ret!.id, { reason: 'bank transfer' }),
      ]);
      await oms.idle();
      assert.equal(retried.status, 'fulfilled');
      // Settled first: the retry finds the return refunded and leaves it. Retried first: the
      // failure is gone, so the settlement is refused, unless the refund job ran again and
      // recorded a new failure before the settlement got the lock. Either way a settlement
      // always follows a recorded failure, never a retry.
      const steps = (await oms.returns.history(ret!.id))
        .map((h) => (h.to === 'refunded' ? 'SETTLED' : h.event))
        .filter((e) => e === 'REFUND_FAILED' || e === 'RETRY_REFUND' || e === 'SETTLED');
      const settledAt = steps.indexOf('SETTLED');
      assert.equal(settled.status === 'fulfilled', settledAt >= 0, steps.join(' '));
      if (settledAt >= 0) assert.equal(steps[settledAt - 1], 'REFUND_FAILED', steps.join(' '));
      if (retried.status === 'fulfilled' && retried.value.state === 'refunded') {
        assert.equal(settled.status, 'fulfilled');
        assert.ok(!steps.includes('RETRY_REFUND'), steps.join(' '));
      }
      if (settled.status === 'rejected') {
        assert.equal(steps.at(-2), 'RETRY_REFUND', steps.join(' '));
      }
    }
  });

  // Shipments, order edits and stock: their races belong here as those features land, one
  // case per rule (units in at most one live shipment, edits racing payments and
  // shipments, stock never oversold), each checked against stored facts and, where money
  // moves, against the provider's charges.
}

/**
 * A delivered order of `units` units of 1000 whose payment was refunded in full by hand,
 * and one return per unit walked to `processed`, each refund recorded as failed for good.
 */
async function failedReturnRefunds(oms: OrderSystem, units: number) {
  const placed = await order(oms, units, 1000);
  const payment = await oms.payments.process({ orderId: placed.id, paymentMethod: visa });
  const delivered = await deliver(oms, placed.id);
  await oms.payments.refund(payment.id, { reason: 'goodwill' });
  const returns = [];
  for (let n = 0; n < units; n++) {
    const ret = await oms.returns.create({
      orderId: placed.id,
      items: [{ orderItemId: delivered.items[0]!.id, quantity: 1, reason: 'damaged' }],
    });
    for (const state of RETURN_STEPS) {
      await oms.idle();
      if ((await oms.returns.get(ret.id)).state === state) continue;
      await oms.returns.transition(ret.id, { state, pickupAt: '2026-02-01T10:00:00.000Z' });
    }
    returns.push(ret);
  }
  await oms.idle();
  for (const ret of returns) {
    assert.ok((await oms.returns.get(ret.id)).refundFailure, `return ${ret.id} has no failure`);
  }
  return { placed, returns };
}

const RETURN_STEPS = [
  'approved',
  'pickup_scheduled',
  'in_transit',
  'received',
  'processed',
] as const;

/** The provider's charges, by what was captured and refunded on each. */
function sameCharges(
  charges: readonly FakeCharge[],
  expected: readonly { captured: number; refunded: number }[],
): void {
  assert.deepEqual(
    charges.map((c) => ({ captured: c.captured, refunded: c.refunded })),
    expected,
  );
}
