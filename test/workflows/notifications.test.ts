import { DEFAULT_CONFIG, EVENT_NAMES } from 'orderflow';
import { deliveredOrder, orderInput } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, recordingNotifier, testSystem, walkReturn } from '../managers/setup.js';

afterEach(closeSystems);

describe('workflow: every event is handed to the notifier once', () => {
  it('notifies once per event id, for every event the listeners saw', async () => {
    const notifier = recordingNotifier();
    const { oms, clock } = await testSystem({ notifier });
    const heard = new Map<string, number>();
    for (const name of EVENT_NAMES) {
      oms.events.on(name, () => heard.set(name, (heard.get(name) ?? 0) + 1));
    }

    const cancelled = await oms.orders.create(orderInput());
    await oms.payments.process({ orderId: cancelled.id, paymentMethod: { token: 'tok_visa' } });
    await oms.idle();
    await oms.orders.cancel(cancelled.id);
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[1]!.id, quantity: 1, reason: 'damaged' }],
    });
    await walkReturn(oms, ret.id, 'processed');
    await oms.idle();
    // Sweeps later on redeliver nothing.
    clock.advance(DEFAULT_CONFIG.sweepGraceMs + 1);
    await oms.sweep();
    await oms.idle();

    const ids = notifier.received.map((n) => n.id);
    expect(ids.every((id) => id.startsWith('evt_'))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const notified = new Map<string, number>();
    for (const n of notifier.received) notified.set(n.name, (notified.get(n.name) ?? 0) + 1);
    expect(notified).toEqual(heard);
    for (const name of [
      'order.created',
      'order.state_changed',
      'payment.created',
      'payment.state_changed',
      'refund.succeeded',
      'return.created',
      'return.state_changed',
    ]) {
      expect(notified.get(name), name).toBeGreaterThan(0);
    }
  });

  it('hands the notifier the event payload and creation time', async () => {
    const notifier = recordingNotifier();
    const { oms, clock } = await testSystem({ notifier });

    const order = await oms.orders.create(orderInput());
    await oms.idle();

    expect(notifier.received).toEqual([
      {
        id: expect.stringMatching(/^evt_/),
        name: 'order.created',
        payload: { id: order.id, at: order.createdAt, entity: order },
        createdAt: new Date(clock.now()).toISOString(),
      },
    ]);
  });

  it('retries a notifier that fails, without notifying twice once it succeeds', async () => {
    let failures = 1;
    const notifier = recordingNotifier();
    const flaky = {
      async notify(n: Parameters<typeof notifier.notify>[0]) {
        if (failures-- > 0) throw new Error('webhook endpoint down');
        await notifier.notify(n);
      },
    };
    const { oms } = await testSystem({ notifier: flaky });

    await oms.orders.create(orderInput());
    await oms.idle();

    expect(notifier.received.map((n) => n.name)).toEqual(['order.created']);
  });
});
