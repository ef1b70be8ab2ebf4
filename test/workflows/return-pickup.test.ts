import { deliveredOrder, fakeCarrier } from 'orderflow/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { closeSystems, DAY, testSystem } from '../managers/setup.js';

afterEach(closeSystems);

describe('workflow: an approved return gets its pickup booked through the carrier', () => {
  it('schedules the pickup with the carrier name and tracking number', async () => {
    const carrier = fakeCarrier({ name: 'ParcelCo' });
    const { oms, clock } = await testSystem({ carrier });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });

    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.idle();

    const scheduled = await oms.returns.get(ret.id);
    expect(scheduled).toMatchObject({
      state: 'pickup_scheduled',
      pickup: {
        carrier: 'ParcelCo',
        trackingNumber: expect.stringMatching(/^FAKE/),
        scheduledAt: new Date(clock.now() + DAY).toISOString(),
      },
    });
    expect(carrier.bookings.get(ret.id)).toEqual(scheduled.pickup);
    const history = await oms.storage.history.list('return', ret.id);
    expect(history.at(-1)).toMatchObject({
      from: 'approved',
      to: 'pickup_scheduled',
      event: 'SCHEDULE_PICKUP',
      actor: 'system',
    });
  });

  it('books nothing for a return cancelled before its pickup job ran', async () => {
    const carrier = fakeCarrier();
    const { oms } = await testSystem({ carrier, startJobs: false });
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });
    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.returns.transition(ret.id, { state: 'cancelled' });

    await oms.jobs.start();
    await oms.idle();

    expect((await oms.returns.get(ret.id)).state).toBe('cancelled');
    expect(carrier.bookings.size).toBe(0);
  });

  it('leaves the pickup to be booked by hand when no carrier is configured', async () => {
    const { oms } = await testSystem();
    const order = await deliveredOrder(oms);
    const ret = await oms.returns.create({
      orderId: order.id,
      items: [{ orderItemId: order.items[0]!.id, quantity: 1, reason: 'defective' }],
    });

    await oms.returns.transition(ret.id, { state: 'approved' });
    await oms.idle();

    expect((await oms.returns.get(ret.id)).state).toBe('approved');
  });
});
