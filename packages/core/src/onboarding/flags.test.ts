import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../catalogue/schemas.ts';
import { reviewFlags } from './flags.ts';
import { ApplicationBody, type ServiceApplicationBody } from './schemas.ts';

const t = (zh: string, en: string) => ({ 'zh-TW': zh, en });
const DPV = 'https://w3id.org/dpv#';

const dataset = (
  id: string,
  topic: Dataset['topic'],
  sensitivity: Dataset['sensitivity'],
  fields: string[],
) =>
  ({
    id,
    agencyId: id.split('.')[0] as string,
    name: t(`資料 ${id}`, `Data ${id}`),
    description: t('說明', 'About'),
    topic,
    fields: fields.map((name) => ({ name, label: t(name, name), type: 'string' as const })),
    payloadSchema: {},
    minAssurance: 'substantial' as const,
    sensitivity,
  }) satisfies Dataset;

const catalogue = {
  datasets: [
    dataset('moi.household', 'household', 'normal', ['address', 'members']),
    dataset('mof.income', 'income', 'sensitive', ['total']),
    dataset('nhia.health', 'health', 'sensitive', ['status']),
  ],
};

function application(
  over: Partial<ServiceApplicationBody['service']> = {},
  redirectUris = ['https://a.example/cb'],
) {
  return {
    kind: 'service' as const,
    service: {
      id: 'acme.loan',
      name: t('貸款', 'Loan'),
      description: t('申請貸款', 'Apply for a loan'),
      mode: 'online' as const,
      purpose: { dpv: `${DPV}CreditChecking`, description: t('評估還款能力', 'Assess repayment') },
      retentionDays: 365,
      datasets: [
        {
          datasetId: 'moi.household',
          required: true,
          justification: t('核對地址', 'Checks the address'),
          fields: [
            { name: 'address', justification: t('寄送契約', 'Contract by post') },
            { name: 'members', justification: t('確認家戶', 'Household size') },
          ],
        },
      ],
      ...over,
    },
    redirectUris,
    jwksUrl: 'https://a.example/jwks.json',
    securityContact: { name: 'Sec', email: 'sec@a.example' },
  };
}

const codes = (app: ServiceApplicationBody) =>
  reviewFlags(app, catalogue).map((f) => `${f.code} ${f.pointer}`);

describe('reviewFlags', () => {
  it('has nothing to say about a tidy application, which the schema accepts', () => {
    const app = application();
    expect(Value.Check(ApplicationBody, app)).toBe(true);
    expect(reviewFlags(app, catalogue)).toEqual([]);
  });

  it('flags fields without justification: the whole dataset would be delivered', () => {
    const app = application();
    app.service.datasets[0]?.fields.pop();
    const flags = reviewFlags(app, catalogue);
    expect(flags.map((f) => [f.code, f.severity, f.pointer])).toEqual([
      ['field-without-justification', 'warning', '/service/datasets/0/fields'],
    ]);
    expect(flags[0]?.message.en).toContain('members');
    expect(flags[0]?.message['zh-TW']).toContain('整份資料集');
  });

  it('flags a topic unusual for the purpose, and sensitive datasets', () => {
    const app = application({
      datasets: [
        {
          datasetId: 'nhia.health',
          required: true,
          justification: t('健康', 'Health'),
          fields: [{ name: 'status', justification: t('狀態', 'Status') }],
        },
      ],
    });
    expect(codes(app)).toEqual([
      'topic-unusual-for-purpose /service/datasets/0/datasetId',
      'sensitive-dataset /service/datasets/0/datasetId',
    ]);
  });

  it('flags retention beyond what the purpose suggests, and an unknown purpose', () => {
    expect(codes(application({ retentionDays: 3000 }))).toEqual([
      'retention-beyond-purpose /service/retentionDays',
    ]);
    const unknown = application({ purpose: { dpv: `${DPV}Juggling`, description: t('雜耍', 'Juggling') } });
    expect(codes(unknown)).toEqual(['purpose-unknown /service/purpose/dpv']);
  });

  it('flags justifications copied across datasets', () => {
    const same = t('核對', 'Checks it');
    const app = application({
      datasets: [
        {
          datasetId: 'moi.household',
          required: true,
          justification: same,
          fields: [
            { name: 'address', justification: t('a', 'a') },
            { name: 'members', justification: t('b', 'b') },
          ],
        },
        {
          datasetId: 'mof.income',
          required: false,
          justification: { ...same, en: 'checks it ' },
          fields: [{ name: 'total', justification: t('c', 'c') }],
        },
      ],
    });
    expect(codes(app)).toEqual([
      'sensitive-dataset /service/datasets/1/datasetId',
      'copied-justification /service/datasets/1/justification',
    ]);
  });

  it('flags plain-http redirect URIs (sandbox only)', () => {
    expect(codes(application({}, ['https://a.example/cb', 'http://test.example/cb']))).toEqual([
      'http-redirect-uri /redirectUris/1',
    ]);
  });

  it('notes sensitive datasets a data provider offers', () => {
    const flags = reviewFlags(
      {
        kind: 'data-provider',
        datasets: [
          dataset('acme.records', 'health', 'sensitive', ['x']),
          dataset('acme.plain', 'identity', 'normal', ['y']),
        ],
        endpoint: { baseUrl: 'https://acme.example:8443', tlsSpkiSha256: [`${'A'.repeat(43)}=`] },
        jwksUrl: 'https://acme.example/jwks.json',
        securityContact: { name: 'Sec', email: 'sec@acme.example' },
      },
      catalogue,
    );
    expect(flags.map((f) => [f.code, f.severity, f.pointer])).toEqual([
      ['sensitive-dataset', 'notice', '/datasets/0/sensitivity'],
    ]);
  });
});
