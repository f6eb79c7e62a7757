import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addYears, ageOn, civilFromDays, daysFromCivil, isoDate, parseIsoDate } from './dates.ts';
import { AffinePermutation, hashSeed, mulMod, Rng } from './rng.ts';

describe('AffinePermutation', () => {
  it('is a bijection that inverts exactly', () => {
    const p = new AffinePermutation(1000, 7);
    const images = new Set(Array.from({ length: 1000 }, (_, x) => p.apply(x)));
    expect(images.size).toBe(1000);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9_999_999 }), fc.integer(), (x, seed) => {
        const q = new AffinePermutation(10_000_000, seed);
        return q.invert(q.apply(x)) === x && q.apply(x) < 10_000_000;
      }),
    );
  });

  it('multiplies without losing precision below 2^31', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 31n - 2n }),
        fc.bigInt({ min: 0n, max: 2n ** 31n - 2n }),
        (a, b) => {
          const m = 2n ** 31n - 1n;
          return BigInt(mulMod(Number(a), Number(b), Number(m))) === (a * b) % m;
        },
      ),
    );
  });
});

describe('Rng', () => {
  it('is deterministic and spreads values', () => {
    const a = new Rng(hashSeed('x'));
    const b = new Rng(hashSeed('x'));
    const draws = Array.from({ length: 1000 }, () => a.int(1, 6));
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b.int(1, 6)));
    for (let v = 1; v <= 6; v++) expect(draws.filter((d) => d === v).length).toBeGreaterThan(120);
    expect(hashSeed('x')).not.toBe(hashSeed('y'));
  });
});

describe('dates', () => {
  it('day numbers round-trip through the calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: -50_000, max: 50_000 }), (days) => {
        const [y, m, d] = civilFromDays(days);
        return daysFromCivil(y, m, d) === days && parseIsoDate(isoDate(days)) === days;
      }),
    );
    expect(isoDate(0)).toBe('1970-01-01');
    expect(isoDate(daysFromCivil(2024, 2, 29))).toBe('2024-02-29');
  });

  it('counts ages and anniversaries the legal way', () => {
    const leapling = daysFromCivil(2004, 2, 29);
    expect(isoDate(addYears(leapling, 1))).toBe('2005-02-28');
    expect(ageOn(daysFromCivil(2000, 6, 15), daysFromCivil(2026, 6, 14))).toBe(25);
    expect(ageOn(daysFromCivil(2000, 6, 15), daysFromCivil(2026, 6, 15))).toBe(26);
  });
});
