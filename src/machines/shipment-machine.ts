import { setup } from 'xstate';

export type ShipmentMachineEvent = { type: 'SHIP' } | { type: 'DELIVER' } | { type: 'CANCEL' };

/**
 * The shipment lifecycle: `pending → shipped → delivered`, and `cancelled` while nothing has
 * left the warehouse. Pure, like the other machines: `shipments` load, ask it, and persist.
 *
 * ```ts
 * import { shipmentMachine, toMermaid } from 'orderflow';
 * console.log(toMermaid(shipmentMachine));
 * ```
 */
export const shipmentMachine = setup({
  types: {
    events: {} as ShipmentMachineEvent,
  },
}).createMachine({
  id: 'shipment',
  initial: 'pending',
  states: {
    pending: { on: { SHIP: 'shipped', CANCEL: 'cancelled' } },
    shipped: { on: { DELIVER: 'delivered' } },
    delivered: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
