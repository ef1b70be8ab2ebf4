import { describe, expect, it } from 'vitest';
import { and, not, setup } from 'xstate';
import { orderMachine } from '../../src/machines/order-machine.js';
import { paymentMachine } from '../../src/machines/payment-machine.js';
import { returnMachine } from '../../src/machines/return-machine.js';
import { toMermaid } from '../../src/machines/to-mermaid.js';
import { ORDER_STATES } from '../../src/schemas/order.js';
import { RETURN_STATES } from '../../src/schemas/return.js';

/** The order lifecycle of SPEC §5, one Mermaid line per transition. */
const ORDER_TRANSITIONS = [
  'pending --> confirmed: CONFIRM',
  'pending --> cancelled: CANCEL',
  'confirmed --> processing: PROCESS',
  'confirmed --> cancelled: CANCEL',
  'processing --> shipped: SHIP',
  'processing --> cancelled: CANCEL [nothingShipped]',
  'shipped --> delivered: DELIVER',
  'delivered --> returned: RETURN [fullyReturned]',
];

const lines = (diagram: string) => diagram.split('\n').map((l) => l.trim());

describe('toMermaid', () => {
  const diagram = toMermaid(orderMachine);

  it('starts with the stateDiagram-v2 header', () => {
    expect(diagram.split('\n')[0]).toBe('stateDiagram-v2');
  });

  it('draws every transition of the order machine on its own line', () => {
    expect(lines(diagram)).toEqual(expect.arrayContaining(ORDER_TRANSITIONS));
  });

  it('draws nothing but the header, the initial marker, the transitions and the final markers', () => {
    const transitions = lines(diagram).filter((l) => / --> [a-z_]+: /.test(l));
    expect(transitions).toEqual(ORDER_TRANSITIONS);
    expect(lines(diagram)).toHaveLength(1 + 1 + ORDER_TRANSITIONS.length + 2);
  });

  it('marks pending as the initial state', () => {
    expect(lines(diagram)).toContain('[*] --> pending');
    expect(lines(diagram).filter((l) => l.startsWith('[*] -->'))).toHaveLength(1);
  });

  it('marks cancelled and returned as the final states', () => {
    const finals = lines(diagram).filter((l) => l.endsWith('--> [*]'));
    expect(finals).toEqual(['cancelled --> [*]', 'returned --> [*]']);
  });

  it('mentions every order state', () => {
    const mentioned = new Set(lines(diagram).flatMap((l) => l.match(/[a-z_]+/g) ?? []));
    for (const state of ORDER_STATES) expect(mentioned).toContain(state);
  });

  it('produces the same text every time it is asked', () => {
    expect(toMermaid(orderMachine)).toBe(diagram);
  });

  it('shows both candidates of a guarded payment refund, the guarded one first', () => {
    const payment = lines(toMermaid(paymentMachine));
    const refunds = payment.filter((l) => l.startsWith('captured -->'));
    expect(refunds).toEqual([
      'captured --> refunded: REFUND [fullyRefunded]',
      'captured --> partially_refunded: REFUND',
    ]);
    expect(payment).toContain('partially_refunded --> partially_refunded: REFUND');
  });

  it('mentions every return state and marks its three final states', () => {
    const ret = lines(toMermaid(returnMachine));
    for (const state of RETURN_STATES) expect(ret.join('\n')).toContain(state);
    expect(ret.filter((l) => l.endsWith('--> [*]'))).toEqual([
      'refunded --> [*]',
      'rejected --> [*]',
      'cancelled --> [*]',
    ]);
  });

  it('names combined guards, draws targetless transitions as self-loops and keeps isolated states', () => {
    const machine = setup({
      guards: { paid: () => true, blocked: () => false },
    }).createMachine({
      id: 'demo',
      initial: 'open',
      states: {
        open: {
          on: {
            CLOSE: { target: 'closed', guard: and(['paid', not('blocked')]) },
            TOUCH: { actions: () => {} },
          },
        },
        closed: { type: 'final' },
        orphan: {},
      },
    });
    expect(toMermaid(machine).split('\n')).toEqual([
      'stateDiagram-v2',
      '  [*] --> open',
      '  open --> closed: CLOSE [and(paid, not(blocked))]',
      '  open --> open: TOUCH',
      '  closed --> [*]',
      '  orphan',
    ]);
  });
});
