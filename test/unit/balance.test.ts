import { describe, expect, it } from 'vitest';
import { balanceDue, excessPaid, payableAmount } from '../../src/domain/balance.js';
import type { Refund } from '../../src/schemas/payment.js';

type Payment = Parameters<typeof balanceDue>[1][number];

function refund(amount: number, state: Refund['state'], returnId?: string): Refund {
  return {
    id: `rfd_${amount}_${state}`,
    paymentId: 'pay_1',
    amount,
    state,
    ...(returnId ? { returnId } : {}),
  } as Refund;
}

function captured(amount: number, refunds: Refund[] = []): Payment {
  const refunded = refunds.filter((r) => r.state === 'succeeded').reduce((a, r) => a + r.amount, 0);
  return {
    state: refunded === 0 ? 'captured' : refunded < amount ? 'partially_refunded' : 'refunded',
    amount,
    capturedAmount: amount,
    refunds,
  };
}

const confirmed = { total: 5000, creditTotal: 0, state: 'confirmed' as const };
const cancelled = { ...confirmed, state: 'cancelled' as const };

describe('balanceDue', () => {
  it('is 0 for a cancelled order, paid or not', () => {
    expect(balanceDue(cancelled, [])).toBe(0);
    expect(balanceDue(confirmed, [])).toBe(5000);
  });

  it('owes again what a refund without a return gave back, not what a return refunded', () => {
    expect(balanceDue(confirmed, [captured(5000, [refund(300, 'succeeded')])])).toBe(300);
    expect(balanceDue(confirmed, [captured(5000, [refund(300, 'succeeded', 'ret_1')])])).toBe(0);
    expect(balanceDue(confirmed, [captured(5000, [refund(300, 'pending')])])).toBe(0);
  });
});

describe('payableAmount', () => {
  it('lets a new payment charge what refunds without a return gave back, in flight or done', () => {
    expect(payableAmount(confirmed, [captured(5000)])).toBe(0);
    expect(payableAmount(confirmed, [captured(5000, [refund(300, 'succeeded')])])).toBe(300);
    expect(payableAmount(confirmed, [captured(5000, [refund(200, 'pending')])])).toBe(200);
    expect(payableAmount(confirmed, [captured(5000, [refund(200, 'failed')])])).toBe(0);
    expect(payableAmount(confirmed, [captured(5000, [refund(300, 'succeeded', 'ret_1')])])).toBe(0);
  });
});

describe('excessPaid', () => {
  it('is what was captured beyond the total, less refunds already asked for', () => {
    const edited = { ...confirmed, total: 3000 };
    expect(excessPaid(edited, [captured(5000)])).toBe(2000);
    expect(excessPaid(edited, [captured(5000, [refund(2000, 'pending')])])).toBe(0);
    expect(excessPaid(confirmed, [captured(5000)])).toBe(0);
  });

  it('is 0 for a cancelled order: its refund is the cancel’s', () => {
    expect(excessPaid(cancelled, [captured(5000)])).toBe(0);
    expect(excessPaid({ ...cancelled, total: 3000 }, [captured(5000)])).toBe(0);
  });
});
