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

let lastTime = -1;
let lastRandom: Uint8Array = new Uint8Array(10);
let pool = randomBytes(4096);
let poolOffset = 0;

function nextRandom(): Uint8Array {
  if (poolOffset + 10 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const out = pool.subarray(poolOffset, poolOffset + 10);
  poolOffset += 10;
  return new Uint8Array(out);
}

/** Adds one to the 80-bit random part so ids minted in the same millisecond still sort. */
function increment(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i] === 255) {
      out[i] = 0;
    } else {
      out[i]! += 1;
      break;
    }
  }
  return out;
}

const CODES = Array.from(ALPHABET, (c) => c.charCodeAt(0));
/** Char codes of one id's 26 characters, reused: the string is made in one call, flat. */
const chars: number[] = new Array(26).fill(0);

function encode(time: number, random: Uint8Array): string {
  let t = time;
  for (let i = 9; i >= 0; i--) {
    chars[i] = CODES[t % 32]!;
    t = Math.floor(t / 32);
  }
  // 80 random bits → 16 base32 characters
  let bits = 0;
  let value = 0;
  let at = 10;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      chars[at++] = CODES[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return String.fromCharCode(...chars);
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
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = nextRandom();
  }
  return `${ID_PREFIXES[kind]}_${encode(lastTime, lastRandom)}`;
}

/** True when `id` looks like an orderflow id of the given kind. */
export function isId(kind: IdKind, id: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`).test(id);
}
