import { afterEach, describe, expect, it, vi } from 'vitest';
import { ID_PREFIXES, type IdKind, isId, newId } from '../../src/domain/ids.js';

const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** The millisecond timestamp encoded in the first 10 characters after the prefix. */
function decodeTime(id: string): number {
  const body = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  return [...body].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);
}

/** A fresh copy of the ids module, so its monotonic state starts from scratch. */
async function freshIds() {
  vi.resetModules();
  return import('../../src/domain/ids.js');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newId', () => {
  it('uses the prefix of each kind of entity', () => {
    expect(ID_PREFIXES).toEqual({
      order: 'ord',
      orderLine: 'oli',
      return: 'ret',
      payment: 'pay',
      refund: 'rfd',
      event: 'evt',
      shipment: 'shp',
      movement: 'mov',
    });
    for (const kind of KINDS) {
      expect(newId(kind).startsWith(`${ID_PREFIXES[kind]}_`)).toBe(true);
    }
  });

  it('mints ids that isId accepts for their own kind and refuses for every other kind', () => {
    for (const kind of KINDS) {
      const id = newId(kind);
      expect(id).toMatch(/^[a-z]{3}_[0-9a-hjkmnp-tv-z]{26}$/);
      for (const other of KINDS) expect(isId(other, id)).toBe(other === kind);
    }
  });

  it('never repeats itself over 100,000 ids', () => {
    const ids = Array.from({ length: 100_000 }, () => newId('order'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('mints ids that sort lexicographically in creation order', () => {
    const ids = Array.from({ length: 100_000 }, () => newId('event'));
    const firstOutOfOrder = ids.findIndex((id, i) => i > 0 && !(ids[i - 1]! < id));
    expect(firstOutOfOrder).toBe(-1);
  });

  it('keeps creation order across kinds once the prefix is set aside', () => {
    const suffixes = Array.from({ length: 1000 }, (_, i) =>
      newId(i % 2 ? 'payment' : 'refund').slice(4),
    );
    expect([...suffixes].sort()).toEqual(suffixes);
  });

  it('encodes the current millisecond at the front, so ids sort by time', async () => {
    const { newId: mint } = await freshIds();
    const at = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
    const now = vi.spyOn(Date, 'now').mockReturnValue(at);
    const first = mint('order');
    now.mockReturnValue(at + 1);
    const second = mint('order');
    expect(decodeTime(first)).toBe(at);
    expect(decodeTime(second)).toBe(at + 1);
    expect(first < second).toBe(true);
  });

  it('stays unique and ordered when many ids share one millisecond', async () => {
    const { newId: mint } = await freshIds();
    const at = Date.UTC(2031, 5, 6);
    vi.spyOn(Date, 'now').mockReturnValue(at);
    const ids = Array.from({ length: 10_000 }, () => mint('payment'));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(decodeTime(id)).toBe(at);
  });

  it('carries into the first random byte when the rest of it is all ones', async () => {
    vi.resetModules();
    // Randomness whose first byte is 0 and the other nine 0xff: the next id must carry.
    vi.doMock('node:crypto', () => ({
      randomBytes: (n: number) => Buffer.from([0, ...new Array<number>(n - 1).fill(255)]),
    }));
    try {
      const { newId: mint } = await import('../../src/domain/ids.js');
      vi.spyOn(Date, 'now').mockReturnValue(Date.UTC(2031, 5, 7));
      const first = mint('order');
      const second = mint('order');
      expect(first.slice(14)).toBe(`03${'z'.repeat(14)}`);
      expect(second.slice(14)).toBe(`04${'0'.repeat(14)}`);
      expect(first < second).toBe(true);
    } finally {
      vi.doUnmock('node:crypto');
      vi.resetModules();
    }
  });

  it('keeps sorting forward when the clock steps backwards', async () => {
    const { newId: mint } = await freshIds();
    const at = Date.UTC(2032, 1, 1);
    const now = vi.spyOn(Date, 'now').mockReturnValue(at);
    const before = mint('refund');
    now.mockReturnValue(at - 5_000);
    const after = mint('refund');
    expect(before < after).toBe(true);
  });

  it('draws fresh randomness for each new millisecond', async () => {
    const { newId: mint } = await freshIds();
    const at = Date.UTC(2033, 0, 1);
    const now = vi.spyOn(Date, 'now').mockReturnValue(at);
    const randoms = new Set<string>();
    for (let i = 0; i < 100; i++) {
      now.mockReturnValue(at + i);
      randoms.add(mint('order').slice(14));
    }
    expect(randoms.size).toBe(100);
  });
});

describe('isId', () => {
  const valid = `ord_${'0'.repeat(10)}${'z'.repeat(16)}`;

  it('accepts a prefix, an underscore and 26 lower-case Crockford base32 characters', () => {
    expect(isId('order', valid)).toBe(true);
  });

  it('refuses ids of the wrong length', () => {
    expect(isId('order', valid.slice(0, -1))).toBe(false);
    expect(isId('order', `${valid}0`)).toBe(false);
    expect(isId('order', 'ord_')).toBe(false);
    expect(isId('order', '')).toBe(false);
  });

  it('refuses upper case and the letters Crockford base32 leaves out (i, l, o, u)', () => {
    expect(isId('order', valid.toUpperCase())).toBe(false);
    for (const letter of ['i', 'l', 'o', 'u']) {
      expect(isId('order', `${valid.slice(0, -1)}${letter}`)).toBe(false);
    }
  });

  it('refuses a missing or different prefix', () => {
    expect(isId('order', valid.slice(4))).toBe(false);
    expect(isId('order', valid.replace('ord_', 'ord-'))).toBe(false);
    expect(isId('payment', valid)).toBe(false);
    expect(isId('order', ` ${valid}`)).toBe(false);
  });
});
