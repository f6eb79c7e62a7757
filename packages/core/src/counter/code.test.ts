import { describe, expect, it } from 'vitest';
import {
  COUNTER_CODE_ALPHABET,
  COUNTER_CODE_LENGTH,
  formatCounterCode,
  formatCounterToken,
  normaliseCounterCode,
  parseCounterToken,
  randomCounterCode,
} from './code.ts';

describe('Counter codes', () => {
  it('draws short codes from the unambiguous alphabet only', () => {
    for (const c of '01ILOUV') expect(COUNTER_CODE_ALPHABET).not.toContain(c);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = randomCounterCode();
      expect(code).toHaveLength(COUNTER_CODE_LENGTH);
      for (const c of code) seen.add(c);
      expect(normaliseCounterCode(code)).toBe(code);
    }
    // Every letter turns up: the draw is not biased towards part of the alphabet.
    expect(seen.size).toBe(COUNTER_CODE_ALPHABET.length);
  });

  it('reads a typed code in any case, with spaces or a hyphen, and refuses anything else', () => {
    expect(formatCounterCode('ABCD2345')).toBe('ABCD-2345');
    expect(normaliseCounterCode('abcd-2345')).toBe('ABCD2345');
    expect(normaliseCounterCode(' ab cd 23 45 ')).toBe('ABCD2345');
    for (const bad of ['ABCD234', 'ABCD23456', 'ABCD-O345', 'ABCD1234', '', 'ABCD_2345']) {
      expect(normaliseCounterCode(bad)).toBeUndefined();
    }
  });

  it('parses the QR token it formats, and nothing of another shape', () => {
    const token = {
      caseId: '0b7e4f9c-3a51-4d5e-9a61-1f2b3c4d5e6f',
      expiresAt: 1_800_000_000,
      nonce: 'AAAAAAAAAAAAAAAAAAAAAA',
      mac: 'B'.repeat(43),
    };
    const text = formatCounterToken(token);
    expect(text).toBe(`${token.caseId}.1800000000.${token.nonce}.${token.mac}`);
    expect(parseCounterToken(text)).toEqual(token);
    for (const bad of [
      `${token.caseId}.1800000000.${token.nonce}`,
      `not-a-uuid.1800000000.${token.nonce}.${token.mac}`,
      `${token.caseId}.soon.${token.nonce}.${token.mac}`,
      `${token.caseId}.1800000000.short.${token.mac}`,
      `${token.caseId}.1800000000.${token.nonce}.${token.mac}x`,
      'https://example.org/',
      'x'.repeat(500),
    ]) {
      expect(parseCounterToken(bad)).toBeUndefined();
    }
  });
});
