import { describe, expect, it } from 'vitest';
import { extend } from '../../src/domain/extend.js';

describe('extend', () => {
  it('copies the record with the new keys added, as a spread would', () => {
    const base = { id: 'ord_1', total: 100, items: [{ id: 'oli_1' }] };
    const out = extend(base, { paidTotal: 0, balanceDue: 100 });
    expect(out).toEqual({ ...base, paidTotal: 0, balanceDue: 100 });
    expect(Object.keys(out)).toEqual(['id', 'total', 'items', 'paidTotal', 'balanceDue']);
    expect(out).not.toBe(base);
    expect(base).toEqual({ id: 'ord_1', total: 100, items: [{ id: 'oli_1' }] });
  });

  it('lets the keys it is given win over the record’s own', () => {
    const base = { id: 'inv_1', state: 'pending', version: 1 };
    expect(extend(base, { state: 'paid', version: 2 })).toEqual({
      id: 'inv_1',
      state: 'paid',
      version: 2,
    });
    expect(base.state).toBe('pending');
  });
});
