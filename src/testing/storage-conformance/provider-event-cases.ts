import type { StorageAdapter } from '../../ports/storage.js';
import type { TestApi } from '../test-api.js';
import { assert, sameData } from './assert.js';
import { at, orderRecord, paymentRecord, refundRecord } from './fixtures.js';

/**
 * What provider events need of storage: the new payment fields round-trip, payments are
 * found by their provider reference, and a provider event id is recorded once — also when
 * two transactions insert it at the same time.
 */
export function providerEventStorageCases(test: TestApi, storage: () => StorageAdapter): void {
  const { it } = test;

  it('round-trips a payment waiting for action, its disputes and a dashboard refund', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const waiting = paymentRecord(order.id, {
      state: 'requires_action',
      capturedAmount: 0,
      providerReference: 'pi_waiting',
      nextAction: { type: 'redirect_to_url', url: 'https://bank.test/3ds?x=1' },
    });
    const base = paymentRecord(order.id, {
      state: 'partially_refunded',
      providerReference: 'pi_disputed',
      refundedAmount: 500,
    });
    const disputed = {
      ...base,
      refunds: [
        refundRecord(base.id, {
          amount: 500,
          providerReference: 're_dash_1',
          origin: 'provider' as const,
        }),
      ],
      disputes: [
        {
          id: 'dp_1',
          amount: 700,
          state: 'open' as const,
          reason: 'fraudulent',
          createdAt: at(1),
          updatedAt: at(1),
        },
        { id: 'dp_2', amount: 100, state: 'won' as const, createdAt: at(2), updatedAt: at(3) },
      ],
    };
    await s.payments.insert(waiting);
    await s.payments.insert(disputed);
    sameData(await s.payments.get(waiting.id), waiting);
    sameData(await s.payments.get(disputed.id), disputed);

    const updated = { ...waiting, state: 'authorized' as const, version: 2 };
    delete (updated as { nextAction?: unknown }).nextAction;
    assert.equal(await s.payments.update(updated, 1), true);
    const read = await s.payments.get(waiting.id);
    sameData(read, updated);
    assert.equal(read?.nextAction, undefined);
  });

  it('finds a payment by its provider reference', async () => {
    const s = storage();
    const order = orderRecord();
    await s.orders.insert(order);
    const payment = paymentRecord(order.id, { providerReference: 'pi_find_me' });
    await s.payments.insert(payment);
    await s.payments.insert(paymentRecord(order.id, { providerReference: 'pi_other' }));
    assert.equal(await s.payments.findIdByProviderReference('pi_find_me'), payment.id);
    assert.equal(await s.payments.findIdByProviderReference('pi_nobody'), undefined);
    // Inside a transaction, a reference written by it is found too.
    await s.transaction(async (tx) => {
      const fresh = paymentRecord(order.id, { providerReference: 'pi_fresh' });
      await tx.payments.insert(fresh);
      assert.equal(await tx.payments.findIdByProviderReference('pi_fresh'), fresh.id);
    });
  });

  it('records a provider event id once, and forgets one whose transaction rolled back', async () => {
    const s = storage();
    const record = {
      id: 'evt_provider_1',
      type: 'payment.succeeded',
      providerReference: 'pi_1',
      paymentId: 'pay_1',
      status: 'applied' as const,
      payload: { id: 'evt_provider_1', nested: { b: 1, a: [2, 3] } },
      receivedAt: at(0),
    };
    assert.equal(await s.providerEvents.insert(record), true);
    assert.equal(
      await s.providerEvents.insert({ ...record, status: 'ignored', reason: 'again' }),
      false,
    );
    sameData(await s.providerEvents.get(record.id), record);
    assert.equal(await s.providerEvents.get('evt_never'), undefined);

    await assert.rejects(
      s.transaction(async (tx) => {
        await tx.providerEvents.insert({ ...record, id: 'evt_rolled_back' });
        throw new Error('roll back');
      }),
    );
    assert.equal(await s.providerEvents.get('evt_rolled_back'), undefined);
  });

  it('lets exactly one of 6 concurrent transactions record one provider event id', async () => {
    const s = storage();
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, n) =>
        s.transaction(async (tx) =>
          tx.providerEvents.insert({
            id: 'evt_race',
            type: 'dispute.opened',
            providerReference: 'pi_race',
            status: 'applied',
            reason: `writer ${n}`,
            payload: {},
            receivedAt: at(n),
          }),
        ),
      ),
    );
    const inserted = results.filter((r) => r.status === 'fulfilled' && r.value === true);
    assert.equal(inserted.length, 1, `${inserted.length} transactions recorded one event id`);
    for (const r of results) {
      assert.ok(
        r.status === 'fulfilled',
        `a writer failed: ${String((r as PromiseRejectedResult).reason)}`,
      );
    }
  });
}
