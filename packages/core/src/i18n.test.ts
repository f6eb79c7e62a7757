import { describe, expect, it } from 'vitest';
import { negotiateLanguage } from './i18n.ts';

describe('Language negotiation', () => {
  it('defaults to zh-TW', () => {
    expect(negotiateLanguage(undefined)).toBe('zh-TW');
    expect(negotiateLanguage('')).toBe('zh-TW');
    expect(negotiateLanguage('fr-FR, de;q=0.8')).toBe('zh-TW');
  });
  it('honours the order of preference and q-values', () => {
    expect(negotiateLanguage('en-US,en;q=0.9')).toBe('en');
    expect(negotiateLanguage('zh-TW,en;q=0.8')).toBe('zh-TW');
    expect(negotiateLanguage('zh;q=0.3, en;q=0.7')).toBe('en');
    expect(negotiateLanguage('en;q=0, zh-Hant;q=0.1')).toBe('zh-TW');
  });
});
