import { describe, expect, it } from 'vitest';
import type { Catalogue } from './schemas.ts';
import { validateCatalogue } from './validate.ts';

const t = (s: string) => ({ 'zh-TW': s, en: s });

function catalogue(): Catalogue {
  return {
    organisations: [
      { id: 'agency', name: t('機關'), sector: 'central-government', roles: ['data-provider'] },
      { id: 'bank', name: t('銀行'), sector: 'financial', roles: ['service-provider'] },
    ],
    datasets: [
      {
        id: 'agency.data',
        agencyId: 'agency',
        name: t('資料'),
        description: t('資料'),
        topic: 'income',
        fields: [{ name: 'total', label: t('總額'), type: 'integer' }],
        payloadSchema: { type: 'object', properties: { total: { type: 'integer' } } },
        minAssurance: 'high',
        sensitivity: 'sensitive',
      },
    ],
    services: [
      {
        id: 'bank.loan',
        providerId: 'bank',
        name: t('貸款'),
        description: t('貸款'),
        mode: 'online',
        purpose: { dpv: 'https://w3id.org/dpv#CreditChecking', description: t('授信') },
        datasets: [{ datasetId: 'agency.data', required: true, justification: t('授信') }],
        retentionDays: 30,
      },
    ],
  };
}

describe('Catalogue validation', () => {
  it('accepts a consistent catalogue', () => {
    expect(validateCatalogue(catalogue())).toEqual([]);
  });

  it('reports shape problems with their location before anything else', () => {
    const c = catalogue() as unknown as { datasets: Record<string, unknown>[] };
    c.datasets[0]!.minAssurance = 'medium';
    c.datasets[0]!.extra = true;
    const issues = validateCatalogue(c);
    expect(issues.map((i) => i.pointer)).toContain('/datasets/0/minAssurance');
    expect(issues).toContainEqual({ pointer: '/datasets/0', message: 'unknown field(s): extra' });
    expect(validateCatalogue(null)).not.toEqual([]);
  });

  it('finds duplicate ids and references to missing or wrong-role organisations', () => {
    const c = catalogue();
    c.datasets[0]!.agencyId = 'bank';
    c.services[0]!.providerId = 'agency';
    c.services.push({ ...c.services[0]!, providerId: 'ghost' });
    const messages = validateCatalogue(c).map((i) => `${i.pointer} ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '/datasets/0/agencyId "bank" is not a data provider',
        '/services/0/providerId "agency" is not a service provider',
        '/services/1/id id "bank.loan" is used more than once',
        '/services/1/providerId no organisation "ghost"',
      ]),
    );
  });

  it('requires fields to match the payload schema exactly', () => {
    const c = catalogue();
    c.datasets[0]!.payloadSchema = { type: 'object', properties: { total: {}, secret: {} } };
    c.datasets[0]!.fields.push({ name: 'missing', label: t('缺'), type: 'string' });
    const messages = validateCatalogue(c).map((i) => i.message);
    expect(messages).toContain('field "missing" is not in payloadSchema.properties');
    expect(messages).toContain('payloadSchema property "secret" has no entry in fields');
    c.datasets[0]!.payloadSchema = { type: 'array' };
    expect(validateCatalogue(c).map((i) => i.message)).toContain(
      'payloadSchema must describe an object with properties',
    );
  });

  it('requires services to ask for existing datasets, once each, at least one of them required', () => {
    const c = catalogue();
    const ask = c.services[0]!.datasets[0]!;
    c.services[0]!.datasets = [
      { ...ask, required: false },
      { ...ask, required: false },
      { ...ask, datasetId: 'agency.none', required: false },
    ];
    const messages = validateCatalogue(c).map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        '"agency.data" is asked for twice',
        'no dataset "agency.none"',
        'a service must require at least one dataset',
      ]),
    );
  });
});
