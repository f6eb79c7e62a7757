import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CATALOGUE, formatErrorDetail } from './errors.ts';

describe('The error catalogue', () => {
  const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, def] of Object.entries(ERROR_CATALOGUE)) {
      const row = new RegExp(`\\|\\s*\`${code.replace('.', '\\.')}\`\\s*\\|\\s*${def.status}\\s*\\|`);
      expect(doc, `docs/errors.md lacks ${code}`).toMatch(row);
    }
  });

  it('has a title and a detail in zh-TW and English for every code', () => {
    for (const def of Object.values(ERROR_CATALOGUE)) {
      for (const lang of ['zh-TW', 'en'] as const) {
        expect(def.title[lang].length).toBeGreaterThan(0);
        expect(def.detail[lang].length).toBeGreaterThan(10);
      }
      expect(def.detail['zh-TW'].match(/\{\w+\}/g)?.sort()).toEqual(def.detail.en.match(/\{\w+\}/g)?.sort());
    }
  });

  it('fills params into the detail and carries code and status', () => {
    const e = new AppError('catalogue.dataset-not-found', { id: 'x.y' });
    expect(e.status).toBe(404);
    expect(e.message).toContain('"x.y"');
    expect(formatErrorDetail('catalogue.dataset-not-found', { id: 'x.y' }, 'zh-TW')).toContain('「x.y」');
  });

  it('uses a param’s own wording for a language when it has one', () => {
    const params = {
      agency: '內政部戶政司',
      'agency@en': 'Department of Household Registration',
      agencyId: 'moi',
    };
    expect(formatErrorDetail('exchange.timeout', params, 'zh-TW')).toContain('內政部戶政司');
    const en = formatErrorDetail('exchange.timeout', params, 'en');
    expect(en).toContain('Department of Household Registration');
    expect(en).not.toContain('戶政司');
  });
});
