/**
 * The carrier port: books the pickup of an approved return. Called from a background job,
 * possibly more than once for one return, so it must be idempotent on `returnId`.
 */
export interface CarrierPort {
  schedulePickup(request: PickupRequest): Promise<PickupBooking>;
}

export interface PickupRequest {
  returnId: string;
  orderId: string;
  address?: { line1: string; city: string; postalCode: string; country: string } | undefined;
  /** Earliest time for the pickup (ISO 8601). */
  earliestAt: string;
}

export interface PickupBooking {
  scheduledAt: string;
  carrier: string;
  trackingNumber?: string;
}
