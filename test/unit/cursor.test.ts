import { describe, expect, it } from 'vitest';
import { compareKeys, decodeCursor, encodeCursor } from '../../src/domain/cursor.js';

const row = (createdAt: string, id: string) => ({ createdAt, id });

describe('compareKeys', () => {
  it('orders rows by createdAt, then by id, and finds a row equal only to itself', () => {
    const rows = [
      row('2026-01-02T00:00:00.000Z', 'ord_a'),
      row('2026-01-01T00:00:00.000Z', 'ord_b'),
      row('2026-01-01T00:00:00.000Z', 'ord_a'),
      row('2026-01-03T00:00:00.000Z', 'ord_0'),
    ];
    expect([...rows].sort(compareKeys)).toEqual([rows[2], rows[1], rows[0], rows[3]]);
    expect(compareKeys(rows[1]!, rows[2]!)).toBe(1);
    expect(compareKeys(rows[2]!, rows[1]!)).toBe(-1);
    expect(compareKeys(rows[0]!, rows[3]!)).toBe(-1);
    expect(compareKeys(rows[3]!, rows[0]!)).toBe(1);
    expect(compareKeys(rows[0]!, row('2026-01-02T00:00:00.000Z', 'ord_a'))).toBe(0);
  });
});

describe('decodeCursor', () => {
  it('gives back the position encodeCursor was given', () => {
    const position = row('2026-01-31T12:00:00.000Z', 'notify:evt_01jd3x8k7m2v9q4r6t8w0y2a4c');
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });
});
