/**
 * Seeded, stateless randomness. Every fact about a citizen is derived from (seed, index, stream)
 * so nothing has to be stored and any citizen can be recomputed in isolation.
 */

/** A 32-bit hash of a seed; numbers and their decimal strings give the same population. */
export function hashSeed(seed: string | number): number {
  const text = String(seed);
  // FNV-1a over UTF-16 code units, then a finaliser so short seeds still spread over all bits.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** murmur3's 32-bit finaliser: a bijective avalanche of one word. */
export function fmix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines words into one 32-bit hash; order matters. */
export function mix(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) h = fmix(Math.imul(h ^ (w | 0), 0x27d4eb2d) + 0x165667b1);
  return h >>> 0;
}

/** A small splitmix32 generator: a few multiplies per draw, so drawing dozens of values per citizen stays cheap. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed | 0;
  }

  /** The next unsigned 32-bit value. */
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A float in [0, 1). */
  float(): number {
    return this.next() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  /** One element, uniformly. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)] as T;
  }

  /** One element of a weighted table. */
  weighted<T>(table: WeightedTable<T>): T {
    const r = this.float() * table.total;
    // Tables are short (≤ 40 entries); a linear scan beats a binary search at this size.
    const { cumulative, items } = table;
    for (let i = 0; i < cumulative.length; i++) if (r < (cumulative[i] as number)) return items[i] as T;
    return items[items.length - 1] as T;
  }
}

/** Items with precomputed cumulative weights, for `Rng.weighted`. */
export interface WeightedTable<T> {
  items: readonly T[];
  cumulative: readonly number[];
  total: number;
}

/** Builds a weighted table from items and a weight accessor. */
export function weightedTable<T>(items: readonly T[], weight: (item: T) => number): WeightedTable<T> {
  const cumulative: number[] = [];
  let total = 0;
  for (const item of items) {
    total += weight(item);
    cumulative.push(total);
  }
  return { items, cumulative, total };
}

/** (a · b) mod m without losing precision, for m < 2^31. */
export function mulMod(a: number, b: number, m: number): number {
  const hi = Math.floor(b / 65536);
  const lo = b % 65536;
  return (((a * hi) % m) * 65536 + a * lo) % m;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function modInverse(a: number, m: number): number {
  let [oldR, r] = [a, m];
  let [oldS, s] = [1, 0];
  while (r !== 0) {
    const q = Math.floor(oldR / r);
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return ((oldS % m) + m) % m;
}

/**
 * A seeded bijection on [0, modulus): x ↦ (a·x + b) mod modulus with a coprime to the modulus.
 * Used for serial numbers (national IDs, phone numbers, plates) so they look scattered, never
 * collide, and can be inverted to find who holds a number in O(1).
 */
export class AffinePermutation {
  readonly modulus: number;
  private readonly a: number;
  private readonly b: number;
  private readonly aInverse: number;

  constructor(modulus: number, seed: number) {
    if (modulus < 2 || modulus >= 2 ** 31) throw new RangeError('modulus must be in [2, 2^31)');
    this.modulus = modulus;
    const rng = new Rng(seed);
    // A multiplier in the upper part of the range scatters consecutive indexes across the space.
    let a = rng.int(Math.floor(modulus / 3), modulus - 1);
    while (gcd(a, modulus) !== 1) a = a + 1 < modulus ? a + 1 : 1;
    this.a = a;
    this.b = rng.int(0, modulus - 1);
    this.aInverse = modInverse(a, modulus);
  }

  /** The image of x. */
  apply(x: number): number {
    return (mulMod(this.a, x, this.modulus) + this.b) % this.modulus;
  }

  /** The x with apply(x) = y. */
  invert(y: number): number {
    return mulMod(this.aInverse, (y - this.b + this.modulus) % this.modulus, this.modulus);
  }
}
