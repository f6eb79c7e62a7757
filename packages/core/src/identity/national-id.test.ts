import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isValidNationalId,
  NATIONAL_ID_LETTER_CODES,
  nationalIdCheckDigit,
  nationalIdGender,
} from './national-id.ts';

const LETTERS = Object.keys(NATIONAL_ID_LETTER_CODES);

/** A valid ID built from arbitrary letter, gender and serial digits. */
const validId = fc
  .tuple(fc.constantFrom(...LETTERS), fc.constantFrom('1', '2'), fc.stringMatching(/^[0-9]{7}$/))
  .map(([letter, gender, serial]) => {
    const first9 = `${letter}${gender}${serial}`;
    return `${first9}${nationalIdCheckDigit(first9)}`;
  });

// Weight of each character position 1..9 (gender digit, serial, check digit) in the checksum.
const WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1, 1];

describe('national ID', () => {
  it('accepts known valid IDs', () => {
    for (const id of ['A123456789', 'F131104093', 'B234567894', 'Q185749500']) {
      expect(isValidNationalId(id), id).toBe(true);
    }
    expect(nationalIdCheckDigit('A12345678')).toBe(9);
  });

  it('rejects malformed IDs', () => {
    for (const id of [
      '',
      'A12345678',
      'A1234567890',
      'a123456789',
      'A323456789',
      'A823456789',
      '1123456789',
    ]) {
      expect(isValidNationalId(id), id).toBe(false);
    }
    expect(isValidNationalId('A123456788')).toBe(false);
    expect(() => nationalIdCheckDigit('A1234')).toThrow(RangeError);
  });

  it('reads the gender digit', () => {
    expect(nationalIdGender('A123456789')).toBe('male');
    expect(nationalIdGender('B234567894')).toBe('female');
    expect(() => nationalIdGender('A123456788')).toThrow(RangeError);
  });

  it('every generated ID validates', () => {
    fc.assert(fc.property(validId, (id) => isValidNationalId(id)));
  });

  it('a single changed digit is caught exactly when weight × change is not a multiple of 10', () => {
    // The checksum is mod 10, so a position of weight w misses a change d when w·d ≡ 0 (mod 10):
    // ±5 at the even weights (8, 6, 4, 2) and any even change at weight 5. Every other single-digit
    // change, and any change of the gender digit (which must stay 1 or 2), is caught.
    fc.assert(
      fc.property(
        validId,
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (id, pos, delta) => {
          const weight = WEIGHTS[pos - 1] as number;
          const changed = (Number(id[pos]) + delta) % 10;
          const mutated = `${id.slice(0, pos)}${changed}${id.slice(pos + 1)}`;
          const blind = pos !== 1 && (weight * delta) % 10 === 0;
          return isValidNationalId(mutated) === blind;
        },
      ),
    );
  });

  it('changing the letter to one with a different check contribution breaks the check', () => {
    const contribution = (l: string) => {
      const c = NATIONAL_ID_LETTER_CODES[l] as number;
      return (Math.floor(c / 10) + (c % 10) * 9) % 10;
    };
    fc.assert(
      fc.property(validId, fc.constantFrom(...LETTERS), (id, letter) => {
        const mutated = `${letter}${id.slice(1)}`;
        return isValidNationalId(mutated) === (contribution(letter) === contribution(id[0] as string));
      }),
    );
  });

  it('changing the check digit or the gender digit always breaks the check', () => {
    fc.assert(
      fc.property(validId, fc.integer({ min: 1, max: 9 }), (id, delta) => {
        const check = `${id.slice(0, 9)}${(Number(id[9]) + delta) % 10}`;
        const gender = `${id[0]}${id[1] === '1' ? '2' : '1'}${id.slice(2)}`;
        return !isValidNationalId(check) && !isValidNationalId(gender);
      }),
    );
  });
});
