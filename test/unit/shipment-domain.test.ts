import { describe, expect, it } from 'vitest';
import {
  fulfillmentStatus,
  fulfilmentByLine,
  fulfilmentTotals,
  lastDelivery,
  lineOf,
  unitsLeftToShip,
} from '../../src/domain/shipment.js';
import type { ShipmentRecord, ShipmentState } from '../../src/schemas/shipment.js';

let seq = 0;
function shipment(
  state: ShipmentState,
  items: Record<string, number>,
  deliveredAt?: string,
): ShipmentRecord {
  seq += 1;
  return {
    id: `shp_${seq}`,
    orderId: 'ord_1',
    state,
    items: Object.entries(items).map(([orderItemId, quantity]) => ({ orderItemId, quantity })),
    ...(deliveredAt ? { deliveredAt } : {}),
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

const JAN = '2026-01-05T10:00:00.000Z';
const FEB = '2026-02-05T10:00:00.000Z';
const MAR = '2026-03-05T10:00:00.000Z';

describe('fulfilmentByLine', () => {
  it('counts live units per line; cancelled shipments hold nothing', () => {
    const lines = fulfilmentByLine([
      shipment('pending', { a: 1 }),
      shipment('shipped', { a: 2, b: 1 }),
      shipment('delivered', { b: 3 }, JAN),
      shipment('cancelled', { a: 5, c: 1 }),
    ]);
    expect(lineOf(lines, 'a')).toEqual({ inShipments: 3, shipped: 2, delivered: 0 });
    expect(lineOf(lines, 'b')).toEqual({
      inShipments: 4,
      shipped: 4,
      delivered: 3,
      lastDeliveredAt: JAN,
    });
    expect(lines.has('c')).toBe(false);
    expect(lineOf(lines, 'c')).toEqual({ inShipments: 0, shipped: 0, delivered: 0 });
  });

  it("keeps each line's latest delivery, whatever order the shipments come in", () => {
    const lines = fulfilmentByLine([
      shipment('delivered', { a: 1 }, FEB),
      shipment('delivered', { a: 1, b: 1 }, MAR),
      shipment('delivered', { a: 1, b: 1 }, JAN),
      shipment('delivered', { b: 1 }),
      shipment('delivered', { c: 1 }),
    ]);
    expect(lineOf(lines, 'a').lastDeliveredAt).toBe(MAR);
    expect(lineOf(lines, 'b').lastDeliveredAt).toBe(MAR);
    expect(lineOf(lines, 'c')).toEqual({ inShipments: 1, shipped: 1, delivered: 1 });
  });
});

describe('lastDelivery', () => {
  it('is the latest deliveredAt among delivered shipments', () => {
    expect(
      lastDelivery([
        shipment('delivered', { a: 1 }, FEB),
        shipment('delivered', { a: 1 }, MAR),
        shipment('delivered', { a: 1 }, JAN),
        shipment('delivered', { a: 1 }),
      ]),
    ).toBe(MAR);
  });

  it('ignores shipments that are not delivered, and is undefined when none is', () => {
    expect(lastDelivery([shipment('cancelled', { a: 1 }, MAR)])).toBeUndefined();
    expect(
      lastDelivery([shipment('shipped', { a: 1 }, MAR), shipment('delivered', { a: 1 }, JAN)]),
    ).toBe(JAN);
    expect(lastDelivery([shipment('delivered', { a: 1 })])).toBeUndefined();
    expect(lastDelivery([])).toBeUndefined();
  });
});

describe('fulfillmentStatus', () => {
  it.each([
    [{ ordered: 0, shipped: 0, delivered: 0 }, 'unfulfilled'],
    [{ ordered: 3, shipped: 0, delivered: 0 }, 'unfulfilled'],
    [{ ordered: 3, shipped: 1, delivered: 0 }, 'partially_shipped'],
    [{ ordered: 3, shipped: 3, delivered: 0 }, 'shipped'],
    [{ ordered: 3, shipped: 3, delivered: 1 }, 'partially_delivered'],
    [{ ordered: 3, shipped: 3, delivered: 3 }, 'delivered'],
  ] as const)('%o is %s', (totals, status) => {
    expect(fulfillmentStatus(totals)).toBe(status);
  });
});

describe('unitsLeftToShip and fulfilmentTotals', () => {
  const items = [
    { id: 'a', quantity: 3 },
    { id: 'b', quantity: 2 },
  ];
  const shipments = [
    shipment('delivered', { a: 2 }, JAN),
    shipment('pending', { b: 1 }),
    shipment('cancelled', { b: 1 }),
  ];

  it('leaves the units no live shipment holds', () => {
    expect([...unitsLeftToShip(items, shipments)]).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });

  it('adds up ordered, shipped and delivered units over the lines', () => {
    expect(fulfilmentTotals(items, shipments)).toEqual({ ordered: 5, shipped: 2, delivered: 2 });
  });
});
