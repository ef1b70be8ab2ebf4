import { newId } from '../../domain/ids.js';
import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import {
  at,
  historyEntry,
  orderRecord,
  paymentRecord,
  refundRecord,
  returnRecord,
} from './fixtures.js';

/** Single-row behaviour of the order, return and payment repositories. */
export function entityCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;
  it('answers ping and treats a second migrate() as a no-op', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    await s.migrate();
    assert.equal(await s.ping(), undefined);
    sameData(await s.orders.get(order.id), order);
  });

  it('round-trips orders with and without optional fields, deep-equal', async () => {
    const s = storage();
    const delivered = orderRecord({
      state: 'delivered',
      version: 5,
      shippingAddress: {
        name: 'Ada Lovelace',
        line1: '12 St James’s Square',
        line2: 'Flat 2',
        city: 'London',
        region: 'Greater London',
        postalCode: 'SW1Y 4JH',
        country: 'GB',
      },
      deliveredAt: at(30),
      updatedAt: at(30),
      creditTotal: 1500,
      exchangeForReturnId: newId('return'),
    });
    const cancelled = orderRecord({
      state: 'cancelled',
      currency: 'JPY',
      cancellationReason: 'customer changed their mind',
      metadata: {},
      discountTotal: 198,
      total: 5500,
    });
    await s.orders.insert(delivered);
    await s.orders.insert(cancelled);
    sameData(await s.orders.get(delivered.id), delivered);
    sameData(await s.orders.get(cancelled.id), cancelled);
  });

  it('round-trips returns, deep-equal', async () => {
    const s = storage();
    const order = orderRecord();
    const scheduled = returnRecord(order.id, {
      state: 'pickup_scheduled',
      items: [
        {
          orderItemId: order.items[0]!.id,
          quantity: 2,
          reason: 'defective',
          note: 'seam ripped',
          value: 3998,
          restockingFee: 0,
        },
        {
          orderItemId: order.items[1]!.id,
          quantity: 1,
          reason: 'no_longer_needed',
          value: 1200,
          restockingFee: 120,
        },
      ],
      refundAmount: 2078,
      restockingFee: 120,
      creditTotal: 3000,
      exchangeItems: [
        { sku: 'TSHIRT-L', name: 'T-shirt', quantity: 1, unitPrice: 2000, returnable: true },
        { sku: 'SOCKS', name: 'Socks', quantity: 2, unitPrice: 500, returnable: false },
      ],
      exchangeOrderId: newId('order'),
      pickup: { scheduledAt: at(60), carrier: 'fake-carrier', trackingNumber: 'FAKE123' },
      version: 3,
    });
    const rejected = returnRecord(order.id, { state: 'rejected', rejectionReason: 'worn' });
    await s.orders.insert(order);
    await s.returns.insert(scheduled);
    await s.returns.insert(rejected);
    sameData(await s.returns.get(scheduled.id), scheduled);
    sameData(await s.returns.get(rejected.id), rejected);
  });

  it('round-trips payments with their refunds in order, deep-equal', async () => {
    const s = storage();
    const order = orderRecord({ state: 'delivered' });
    const ret = returnRecord(order.id, { state: 'refunded' });
    await s.orders.insert(order);
    await s.returns.insert(ret);
    const base = paymentRecord(order.id, { state: 'partially_refunded', refundedAmount: 350 });
    const payment = {
      ...base,
      refunds: [
        refundRecord(base.id, { amount: 100, reason: 'goodwill', providerReference: 're_1' }),
        refundRecord(base.id, {
          amount: 250,
          returnId: ret.id,
          createdAt: at(1),
          updatedAt: at(2),
        }),
        refundRecord(base.id, { amount: 75, state: 'failed', failureCode: 'amount_too_large' }),
        refundRecord(base.id, { amount: 5, state: 'pending', createdAt: at(3) }),
      ],
    };
    const manual = paymentRecord(order.id, {
      state: 'authorized',
      captureMode: 'manual',
      capturedAmount: 0,
      pendingCapture: { amount: 4000, requestedAt: at(5) },
    });
    const failed = paymentRecord(order.id, {
      state: 'failed',
      capturedAmount: 0,
      failureCode: 'card_declined',
      paymentMethod: { token: 'tok_chargeDeclined' },
    });
    delete failed.providerReference;
    for (const p of [payment, manual, failed]) await s.payments.insert(p);
    sameData(await s.payments.get(payment.id), payment);
    sameData(await s.payments.get(manual.id), manual);
    sameData(await s.payments.get(failed.id), failed);
  });

  it('returns undefined for an unknown id', async () => {
    const s = storage();
    await s.orders.insert(orderRecord());
    assert.equal(await s.orders.get('ord_unknown'), undefined);
    assert.equal(await s.returns.get('ret_unknown'), undefined);
    assert.equal(await s.payments.get('pay_unknown'), undefined);
    assert.equal(await s.orders.get('ord_unknown', { forUpdate: true }), undefined);
  });

  it('updates an order when the expected version matches and refuses a stale one', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const confirmed = { ...order, state: 'confirmed' as const, version: 2, updatedAt: at(1) };
    assert.equal(await s.orders.update(confirmed, 1), true);
    sameData(await s.orders.get(order.id), confirmed);

    const stale = { ...order, state: 'cancelled' as const, version: 2, updatedAt: at(2) };
    assert.equal(await s.orders.update(stale, 1), false);
    sameData(await s.orders.get(order.id), confirmed);

    const ghost = orderRecord({ version: 2 });
    assert.equal(await s.orders.update(ghost, 1), false);
    assert.equal(await s.orders.get(ghost.id), undefined);
  });

  it('applies the same version check to returns and payments', async () => {
    const s = storage();
    const order = orderRecord();
    const ret = returnRecord(order.id);
    const payment = paymentRecord(order.id);
    await s.orders.insert(order);
    await s.returns.insert(ret);
    await s.payments.insert(payment);

    const approved = { ...ret, state: 'approved' as const, version: 2, updatedAt: at(1) };
    assert.equal(await s.returns.update(approved, 1), true);
    assert.equal(await s.returns.update({ ...ret, state: 'rejected', version: 2 }, 1), false);
    sameData(await s.returns.get(ret.id), approved);

    const voided = { ...payment, state: 'voided' as const, version: 2, updatedAt: at(1) };
    assert.equal(await s.payments.update(voided, 1), true);
    assert.equal(await s.payments.update({ ...payment, state: 'failed', version: 2 }, 1), false);
    sameData(await s.payments.get(payment.id), voided);
  });

  it('inserts new refunds and updates known ones when a payment is updated', async () => {
    const s = storage();
    const order = orderRecord();
    const payment = paymentRecord(order.id);
    const first = refundRecord(payment.id, { state: 'pending', amount: 300 });
    await s.orders.insert(order);
    await s.payments.insert({ ...payment, refunds: [first] });

    const settled = {
      ...first,
      state: 'succeeded' as const,
      providerReference: 're_9',
      updatedAt: at(2),
    };
    const second = refundRecord(payment.id, { state: 'pending', amount: 200, createdAt: at(2) });
    const next = {
      ...payment,
      state: 'partially_refunded' as const,
      refundedAmount: 300,
      refunds: [settled, second],
      version: 2,
      updatedAt: at(2),
    };
    assert.equal(await s.payments.update(next, 1), true);
    sameData(await s.payments.get(payment.id), next);
  });

  it('writes exactly one of many concurrent updates with the same expected version', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const written = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.orders.update({ ...order, version: 2, metadata: { writer: i } }, 1),
      ),
    );
    assert.equal(written.filter(Boolean).length, 1);
    const stored = await s.orders.get(order.id);
    assert.equal(stored?.version, 2);
    sameData(stored?.metadata, { writer: written.indexOf(true) });
  });

  it('serializes read-check-write transactions that read with forUpdate', async () => {
    const s = storage();
    const order = orderRecord({ metadata: { count: 0 } });
    await s.orders.insert(order);
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        s.transaction(async (tx) => {
          const current = await tx.orders.get(order.id, { forUpdate: true });
          if (!current) throw new Error('order vanished');
          const count = (current.metadata.count as number) + 1;
          const next = { ...current, version: current.version + 1, metadata: { count } };
          if (!(await tx.orders.update(next, current.version))) throw new Error('lost update');
          await tx.history.append(historyEntry(order.id, { to: 'pending', event: `BUMP${i}` }));
        }),
      ),
    );
    const stored = await s.orders.get(order.id);
    sameData(stored?.metadata, { count: 10 });
    assert.equal(stored?.version, 11);
    assert.equal((await s.history.list('order', order.id)).length, 10);
  });
}
