import type { CarrierPort, PickupBooking, PickupRequest } from '../ports/carrier.js';

export interface FakeCarrier extends CarrierPort {
  /** Pickups booked, by return id (a repeated request returns the same booking). */
  readonly bookings: Map<string, PickupBooking>;
}

/**
 * A carrier that books every pickup for the next day with a made-up tracking number.
 * Idempotent on `returnId`, as the port requires.
 *
 * ```ts
 * const oms = await createOrderSystem({ storage, jobs, carrier: fakeCarrier() });
 * ```
 */
export function fakeCarrier(options: { name?: string } = {}): FakeCarrier {
  const bookings = new Map<string, PickupBooking>();
  return {
    bookings,
    async schedulePickup(request: PickupRequest) {
      const known = bookings.get(request.returnId);
      if (known) return known;
      const booking: PickupBooking = {
        scheduledAt: new Date(Date.parse(request.earliestAt) + 86_400_000).toISOString(),
        carrier: options.name ?? 'fake-carrier',
        trackingNumber: `FAKE${request.returnId.slice(-10).toUpperCase()}`,
      };
      bookings.set(request.returnId, booking);
      return booking;
    },
  };
}
