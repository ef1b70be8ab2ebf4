import { setup } from 'xstate';

/** Facts the order machine's guards read. Managers compute them from stored data. */
export interface OrderMachineContext {
  /** Every delivered unit has been returned and refunded. */
  fullyReturned: boolean;
  /** No unit of the order is in a shipped or delivered shipment. @default true */
  nothingShipped?: boolean;
}

export type OrderMachineEvent =
  | { type: 'CONFIRM' }
  | { type: 'PROCESS' }
  | { type: 'SHIP'; carrier?: string; trackingNumber?: string }
  | { type: 'DELIVER' }
  | { type: 'CANCEL'; reason?: string }
  | { type: 'RETURN' };

/**
 * The order lifecycle. Pure: it only decides whether an event is allowed and where it
 * leads; `OrderManager` loads, asks it, and persists.
 *
 * ```ts
 * import { orderMachine, toMermaid } from 'orderflow';
 * console.log(toMermaid(orderMachine));
 * ```
 */
export const orderMachine = setup({
  types: {
    context: {} as OrderMachineContext,
    events: {} as OrderMachineEvent,
    input: {} as OrderMachineContext,
  },
  guards: {
    fullyReturned: ({ context }) => context.fullyReturned,
    nothingShipped: ({ context }) => context.nothingShipped !== false,
  },
}).createMachine({
  id: 'order',
  initial: 'pending',
  context: ({ input }) => input ?? { fullyReturned: false },
  states: {
    pending: { on: { CONFIRM: 'confirmed', CANCEL: 'cancelled' } },
    confirmed: { on: { PROCESS: 'processing', CANCEL: 'cancelled' } },
    // Once a unit has left, the order can no longer be cancelled: edit away the rest instead.
    processing: {
      on: { SHIP: 'shipped', CANCEL: { target: 'cancelled', guard: 'nothingShipped' } },
    },
    shipped: { on: { DELIVER: 'delivered' } },
    delivered: { on: { RETURN: { target: 'returned', guard: 'fullyReturned' } } },
    cancelled: { type: 'final' },
    returned: { type: 'final' },
  },
});
