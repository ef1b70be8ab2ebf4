import { setup } from 'xstate';

/** Facts the payment machine's guards read. */
export interface PaymentMachineContext {
  /** After the refund being recorded, refunds equal the captured amount. */
  fullyRefunded: boolean;
}

export type PaymentMachineEvent =
  | { type: 'REQUIRE_ACTION' }
  | { type: 'START_PROCESSING' }
  | { type: 'AUTHORIZE' }
  | { type: 'CAPTURE' }
  | { type: 'FAIL' }
  | { type: 'VOID' }
  | { type: 'REFUND' };

/**
 * The payment lifecycle: `pending → authorized → captured → partially_refunded → refunded`,
 * `failed` from pending or authorized, `voided` from authorized. A pending payment may be
 * captured directly (authorize and capture at once). A provider may answer that the
 * customer must act first (`requires_action`: 3-D Secure, a wallet) or that the outcome
 * comes later (`processing`: bank debits); from either the payment goes on to
 * `authorized`, `captured` or `failed` when the provider reports it.
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
    pending: {
      on: {
        REQUIRE_ACTION: 'requires_action',
        START_PROCESSING: 'processing',
        AUTHORIZE: 'authorized',
        CAPTURE: 'captured',
        FAIL: 'failed',
      },
    },
    requires_action: { on: { AUTHORIZE: 'authorized', CAPTURE: 'captured', FAIL: 'failed' } },
    processing: { on: { AUTHORIZE: 'authorized', CAPTURE: 'captured', FAIL: 'failed' } },
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
