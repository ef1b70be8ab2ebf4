import {
  COUNTRY_CODES,
  createOrderInput,
  isCountryCode,
  METADATA_LIMITS,
  parseInput,
} from 'orderflow';
import { orderInput } from 'orderflow/testing';
import { describe, expect, it } from 'vitest';

const address = (country: string) => ({
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country,
});

const issuePaths = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    const e = error as { code?: string; details?: { issues?: { path: unknown[] }[] } };
    expect(e.code).toBe('validation_error');
    return (e.details?.issues ?? []).map((i) => i.path.join('.'));
  }
  throw new Error('expected a validation error');
};

describe('country codes', () => {
  it('accepts the 249 assigned ISO 3166-1 alpha-2 codes and nothing else', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    for (const code of ['US', 'GB', 'DE', 'JP', 'AX', 'SS', 'BQ', 'CW']) {
      expect(isCountryCode(code)).toBe(true);
      parseInput(createOrderInput, orderInput({ shippingAddress: address(code) }));
    }
    for (const code of ['AA', 'XX', 'QQ', 'UK', 'EU', 'ZZ', 'XK', 'UN', 'us', 'USA', 'U', '']) {
      expect(isCountryCode(code)).toBe(false);
      expect(
        issuePaths(() =>
          parseInput(createOrderInput, orderInput({ shippingAddress: address(code) })),
        ),
      ).toEqual(['shippingAddress.country']);
    }
  });
});

describe('metadata limits', () => {
  const withMetadata = (metadata: Record<string, unknown>) => () =>
    parseInput(createOrderInput, orderInput({ metadata: metadata as never }));

  it('takes metadata right at the limits', () => {
    const metadata: Record<string, string> = {};
    for (let i = 0; i < METADATA_LIMITS.keys; i++) {
      metadata[`k${String(i).padStart(METADATA_LIMITS.keyLength - 1, '0')}`] = 'v'.repeat(
        METADATA_LIMITS.valueLength - 2,
      );
    }
    expect(withMetadata(metadata)().metadata).toEqual(metadata);
  });

  it('refuses too many keys, a long key and a long value, naming the place', () => {
    const many = Object.fromEntries(
      Array.from({ length: METADATA_LIMITS.keys + 1 }, (_, i) => [`k${i}`, i]),
    );
    expect(issuePaths(withMetadata(many))).toEqual(['metadata']);
    const longKey = 'k'.repeat(METADATA_LIMITS.keyLength + 1);
    expect(issuePaths(withMetadata({ [longKey]: 1 }))).toEqual([`metadata.${longKey}`]);
    expect(issuePaths(withMetadata({ note: 'x'.repeat(METADATA_LIMITS.valueLength) }))).toEqual([
      'metadata.note',
    ]);
    expect(
      issuePaths(withMetadata({ nested: { list: Array.from({ length: 200 }, () => 'abc') } })),
    ).toEqual(['metadata.nested']);
    expect(issuePaths(withMetadata({ '': 1 }))).toEqual(['metadata.']);
  });
});
