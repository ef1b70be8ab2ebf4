import { setup } from 'xstate';

/** Facts the payment machine's guards read. */
export interface PaymentMachineContext {
  /** After the refund being recorded, refunds equal the captured amount. */
  fullyRefunded: boolean;
}

export type PaymentMachineEvent =
  | { type: 'AUTHORIZE' }
  | { type: 'CAPTURE' }
  | { type: 'FAIL' }
  | { type: 'VOID' }
  | { type: 'REFUND' };

/**
 * The payment lifecycle: `pending → authorized → captured → partially_refunded → refunded`,
 * `failed` from pending or authorized, `voided` from authorized. A pending payment may be
 * captured directly (authorize and capture at once).
 */
export const paymentMachine = setup({
  types: {
    context: {} as PaymentMachineContext,
    events: {} as PaymentMachineEvent,
    input: {} as PaymentMachineContext,
  },
  guards: {
    fullyRefunded: ({ context }) => context.fullyRefunded,
  },
}).createMachine({
  id: 'payment',
  initial: 'pending',
  context: ({ input }) => input ?? { fullyRefunded: false },
  states: {
    pending: { on: { AUTHORIZE: 'authorized', CAPTURE: 'captured', FAIL: 'failed' } },
    authorized: { on: { CAPTURE: 'captured', FAIL: 'failed', VOID: 'voided' } },
    captured: {
      on: {
        REFUND: [{ target: 'refunded', guard: 'fullyRefunded' }, { target: 'partially_refunded' }],
      },
    },
    partially_refunded: {
      on: {
        REFUND: [{ target: 'refunded', guard: 'fullyRefunded' }, { target: 'partially_refunded' }],
      },
    },
    refunded: { type: 'final' },
    failed: { type: 'final' },
    voided: { type: 'final' },
  },
});
