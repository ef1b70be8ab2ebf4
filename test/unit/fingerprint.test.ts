import { describe, expect, it } from 'vitest';
import { fingerprint } from '../../src/managers/idempotency.js';

describe('idempotency fingerprints', () => {
  it('ignores the order of keys, at every depth', () => {
    const a = {
      customerId: 'c_1',
      currency: 'USD',
      shipping: { name: 'Ada', city: 'Paris', zip: '75001', country: 'FR' },
      items: [{ sku: 'A', name: 'Mug', quantity: 1, unitPrice: 5 }],
    };
    const orders = [
      {
        items: [{ unitPrice: 5, quantity: 1, name: 'Mug', sku: 'A' }],
        shipping: { city: 'Paris', name: 'Ada', country: 'FR', zip: '75001' },
        customerId: 'c_1',
        currency: 'USD',
      },
      {
        shipping: { zip: '75001', country: 'FR', name: 'Ada', city: 'Paris' },
        items: [{ quantity: 1, unitPrice: 5, sku: 'A', name: 'Mug' }],
        currency: 'USD',
        customerId: 'c_1',
      },
      {
        currency: 'USD',
        items: [{ name: 'Mug', sku: 'A', unitPrice: 5, quantity: 1 }],
        customerId: 'c_1',
        shipping: { country: 'FR', city: 'Paris', name: 'Ada', zip: '75001' },
      },
    ];
    for (const other of orders) expect(fingerprint(other)).toBe(fingerprint(a));
    const keys = ['e', 'b', 'd', 'a', 'c'];
    const forward = Object.fromEntries(keys.map((k) => [k, k]));
    const backward = Object.fromEntries([...keys].reverse().map((k) => [k, k]));
    const sorted = Object.fromEntries([...keys].sort().map((k) => [k, k]));
    expect(fingerprint(backward)).toBe(fingerprint(forward));
    expect(fingerprint(sorted)).toBe(fingerprint(forward));
  });

  it('reads a property set to undefined as no property, like JSON', () => {
    expect(fingerprint({ amount: 500, reason: undefined })).toBe(fingerprint({ amount: 500 }));
    expect(fingerprint({ amount: 500, reason: undefined })).not.toBe(
      fingerprint({ amount: 500, reason: null }),
    );
    expect(fingerprint([1, undefined])).toBe(fingerprint([1, null]));
  });

  it('tells apart inputs that differ in a value, its type or the order of a list', () => {
    const prints = [
      { amount: 500 },
      { amount: 600 },
      { amount: '500' },
      { amount: null },
      { amount: true },
      { amount: false },
      { amount: [500] },
      { amount: { value: 500 } },
      { items: ['A', 'B'] },
      { items: ['B', 'A'] },
      { items: [] },
      {},
    ].map(fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
  });
});
