/**
 * The codes a citizen shows at a counter (docs/counter.md). The QR code carries a MAC'd token that
 * names only a case, an expiry and a nonce; the short code is typed by a clerk when a camera is not
 * at hand. Neither carries personal data.
 */

/** Letters and digits that cannot be mistaken for one another when read aloud or typed (no 0/O, 1/I/L, U/V). */
export const COUNTER_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';

/** Characters of a short code: 29^8 ≈ 5·10^11 values, with typed guesses rate-limited per clerk. */
export const COUNTER_CODE_LENGTH = 8;

/** A parsed QR token: `<case id>.<expiry>.<nonce>.<MAC>`. */
export interface CounterToken {
  caseId: string;
  /** Unix seconds after which the token is refused. */
  expiresAt: number;
  nonce: string;
  mac: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** A fresh short code from the platform's random source (rejection sampling, so every letter is equally likely). */
export function randomCounterCode(): string {
  const n = COUNTER_CODE_ALPHABET.length;
  const limit = 256 - (256 % n);
  let code = '';
  while (code.length < COUNTER_CODE_LENGTH) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
    for (const b of bytes) {
      if (b < limit && code.length < COUNTER_CODE_LENGTH) code += COUNTER_CODE_ALPHABET[b % n];
    }
  }
  return code;
}

/** A typed short code in its stored form (upper case, spaces and hyphens dropped), or undefined when it cannot be one. */
export function normaliseCounterCode(typed: string): string | undefined {
  const code = typed.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== COUNTER_CODE_LENGTH) return undefined;
  for (const c of code) if (!COUNTER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}

/** "ABCD2345" → "ABCD-2345": two groups of four are easier to read out and type. */
export function formatCounterCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** The part of a token the MAC covers. */
export function counterTokenMessage(t: Omit<CounterToken, 'mac'>): string {
  return `${t.caseId}.${t.expiresAt}.${t.nonce}`;
}

/** The token's text, as the QR code carries it. */
export function formatCounterToken(t: CounterToken): string {
  return `${counterTokenMessage(t)}.${t.mac}`;
}

/** Splits a scanned token into its parts; undefined when the text does not have the token's shape. */
export function parseCounterToken(text: string): CounterToken | undefined {
  if (text.length > 200) return undefined;
  const parts = text.trim().split('.');
  if (parts.length !== 4) return undefined;
  const [caseId, exp, nonce, mac] = parts as [string, string, string, string];
  if (!UUID.test(caseId) || !/^\d{1,12}$/.test(exp)) return undefined;
  if (!B64URL.test(nonce) || nonce.length < 16 || nonce.length > 43) return undefined;
  if (!B64URL.test(mac) || mac.length !== 43) return undefined;
  return { caseId, expiresAt: Number(exp), nonce, mac };
}
