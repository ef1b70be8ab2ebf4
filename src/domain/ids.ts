import { randomBytes } from 'node:crypto';

/**
 * The prefix of each kind of id: `ord_…`, `oli_…`, `ret_…`, `pay_…`, `rfd_…`, `evt_…`,
 * `shp_…`, `mov_…` (a stock movement).
 */
export const ID_PREFIXES = {
  order: 'ord',
  orderLine: 'oli',
  return: 'ret',
  payment: 'pay',
  refund: 'rfd',
  event: 'evt',
  shipment: 'shp',
  movement: 'mov',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** The last id's time and 80-bit random part: changed in place, never handed out. */
let lastTime = -1;
const random = new Uint8Array(10);
let pool = randomBytes(4096);
let poolOffset = 0;

/** A fresh random part, copied out of a pool of random bytes. */
function refillRandom(): void {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  for (let i = 0; i < 10; i++) random[i] = pool[poolOffset + i]!;
  poolOffset += 10;
}

/** Adds one to the random part so ids minted in the same millisecond still sort. */
function incrementRandom(): void {
  for (let i = random.length - 1; i >= 0; i--) {
    if (random[i] === 255) {
      random[i] = 0;
    } else {
      random[i]! += 1;
      break;
    }
  }
}

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
const UNDERSCORE = '_'.charCodeAt(0);
const PREFIX_LENGTH = 3;
if (Object.values(ID_PREFIXES).some((prefix) => prefix.length !== PREFIX_LENGTH)) {
  throw new Error(`every id prefix has ${PREFIX_LENGTH} characters`);
}
/**
 * Char codes of one id — its prefix, `_`, 10 time and 16 random characters — reused, so
 * the string is made in one call, flat. The time characters change once per millisecond.
 */
const chars: number[] = new Array(PREFIX_LENGTH + 1 + 26).fill(UNDERSCORE);
const TIME_AT = PREFIX_LENGTH + 1;
const RANDOM_AT = TIME_AT + 10;
const PREFIX_CODES = Object.fromEntries(
  Object.entries(ID_PREFIXES).map(([kind, prefix]) => [
    kind,
    Array.from(prefix, (c) => c.charCodeAt(0)),
  ]),
) as Record<IdKind, number[]>;

function encodeTime(time: number): void {
  let t = time;
  for (let i = TIME_AT + 9; i >= TIME_AT; i--) {
    chars[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
}

/** 80 random bits → 16 base32 characters. */
function encodeRandom(): void {
  let bits = 0;
  let value = 0;
  let at = RANDOM_AT;
  for (let i = 0; i < random.length; i++) {
    value = (value << 8) | random[i]!;
    bits += 8;
    while (bits >= 5) {
      chars[at++] = CODES[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
}

/**
 * A new time-sortable id (ULID layout: 48-bit millisecond time + 80 random bits,
 * monotonic within one process) with its type prefix.
 *
 * ```ts
 * newId('order'); // "ord_01jd3x8k7m2v9q4r6t8w0y2a4c"
 * ```
 */
export function newId(kind: IdKind): string {
  const now = Date.now();
  if (now <= lastTime) {
    incrementRandom();
  } else {
    lastTime = now;
    encodeTime(now);
    refillRandom();
  }
  const prefix = PREFIX_CODES[kind];
  for (let i = 0; i < PREFIX_LENGTH; i++) chars[i] = prefix[i]!;
  encodeRandom();
  return String.fromCharCode(...chars);
}

/** True when `id` looks like an orderflow id of the given kind. */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(id);
}
