import { setup } from 'xstate';

export type ReturnMachineEvent =
  | { type: 'APPROVE' }
  | { type: 'SCHEDULE_PICKUP' }
  | { type: 'PICK_UP' }
  | { type: 'RECEIVE' }
  | { type: 'PROCESS' }
  | { type: 'REFUND' }
  | { type: 'REJECT'; reason?: string }
  | { type: 'CANCEL'; reason?: string };

/** Facts the return machine's guards read. */
export interface ReturnMachineContext {
  /** Succeeded refunds linked to the return cover its refund amount. */
  refundSettled: boolean;
}

/**
 * The return lifecycle: `initiated → approved → pickup_scheduled → in_transit → received →
 * processed → refunded`, with `rejected` (by the merchant, from initiated or approved) and
 * `cancelled` (by the customer, until the pickup happens). `refunded` is reached only once
 * succeeded refunds cover the return's refund amount.
 */
export const returnMachine = setup({
  types: {
    context: {} as ReturnMachineContext,
    events: {} as ReturnMachineEvent,
    input: {} as ReturnMachineContext,
  },
  guards: {
    refundSettled: ({ context }) => context.refundSettled,
  },
}).createMachine({
  id: 'return',
  initial: 'initiated',
  context: ({ input }) => input ?? { refundSettled: false },
  states: {
    initiated: { on: { APPROVE: 'approved', REJECT: 'rejected', CANCEL: 'cancelled' } },
    approved: {
      on: { SCHEDULE_PICKUP: 'pickup_scheduled', REJECT: 'rejected', CANCEL: 'cancelled' },
    },
    pickup_scheduled: { on: { PICK_UP: 'in_transit', CANCEL: 'cancelled' } },
    in_transit: { on: { RECEIVE: 'received' } },
    received: { on: { PROCESS: 'processed' } },
    processed: { on: { REFUND: { target: 'refunded', guard: 'refundSettled' } } },
    refunded: { type: 'final' },
    rejected: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
