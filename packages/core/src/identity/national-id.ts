/**
 * Taiwan national identification numbers (國民身分證統一編號): one letter for the place of first
 * household registration, a gender digit (1 male, 2 female), seven serial digits and a check digit.
 * The platform keys every citizen by this number, so it is checked before any lookup.
 */

/** The official letter → two-digit code table; the gaps (I, O, W–Z) are letters added after the original 22. */
export const NATIONAL_ID_LETTER_CODES: Readonly<Record<string, number>> = Object.freeze({
  A: 10,
  B: 11,
  C: 12,
  D: 13,
  E: 14,
  F: 15,
  G: 16,
  H: 17,
  I: 34,
  J: 18,
  K: 19,
  L: 20,
  M: 21,
  N: 22,
  O: 35,
  P: 23,
  Q: 24,
  R: 25,
  S: 26,
  T: 27,
  U: 28,
  V: 29,
  W: 32,
  X: 30,
  Y: 31,
  Z: 33,
});

const FIRST9 = /^[A-Z][0-9]{8}$/;
// Residents' certificates (居留證) share the algorithm but use 8/9 as the second character; this
// module covers citizens only, so the gender digit must be 1 or 2.
const NATIONAL_ID = /^[A-Z][12][0-9]{8}$/;
const SERIAL_WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 1] as const;

/**
 * The check digit for the first nine characters (letter + eight digits). Throws a RangeError when
 * `first9` is not one upper-case letter followed by eight digits.
 */
export function nationalIdCheckDigit(first9: string): number {
  if (!FIRST9.test(first9)) throw new RangeError(`expected a letter and 8 digits, got "${first9}"`);
  const code = NATIONAL_ID_LETTER_CODES[first9[0] as string] as number;
  // The letter's two digits carry weights 1 and 9.
  let sum = Math.floor(code / 10) + (code % 10) * 9;
  for (let i = 0; i < 8; i++) sum += (first9.charCodeAt(i + 1) - 48) * (SERIAL_WEIGHTS[i] as number);
  return (10 - (sum % 10)) % 10;
}

/** True when `id` is a well-formed citizen national ID whose check digit is right. */
export function isValidNationalId(id: string): boolean {
  if (typeof id !== 'string' || !NATIONAL_ID.test(id)) return false;
  return nationalIdCheckDigit(id.slice(0, 9)) === id.charCodeAt(9) - 48;
}

/** The gender encoded in a valid national ID; throws a RangeError for an invalid one. */
export function nationalIdGender(id: string): 'male' | 'female' {
  if (!isValidNationalId(id)) throw new RangeError(`not a valid national ID: "${id}"`);
  return id[1] === '1' ? 'male' : 'female';
}
