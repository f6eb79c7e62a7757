import { describe, expect, it } from 'vitest';
import type { Service } from '../catalogue/schemas.ts';
import { AppError } from '../errors.ts';
import {
  checkAuthorizationDetail,
  checkChoice,
  type MydataAuthorizationDetail,
  parseAuthorizationDetails,
} from './authorization.ts';
import { type ConsentReceipt, canonicalReceipt, isConsentReceipt, RECEIPT_VERSION } from './receipt.ts';
import { CONSENT_STATUSES, canTransition, isFinalStatus } from './states.ts';

const t = (s: string) => ({ 'zh-TW': s, en: s });
const service: Service = {
  id: 'bank.loan',
  providerId: 'bank',
  name: t('Loan'),
  description: t('Loan'),
  mode: 'online',
  purpose: { dpv: 'https://w3id.org/dpv#CreditChecking', description: t('credit') },
  datasets: [
    { datasetId: 'fia.income', required: true, justification: t('income') },
    { datasetId: 'moi.household', required: false, justification: t('address') },
  ],
  retentionDays: 30,
};
const detail: MydataAuthorizationDetail = {
  type: 'mydata',
  datasets: ['fia.income', 'moi.household'],
  purpose: 'https://w3id.org/dpv#CreditChecking',
  mode: 'online',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return `${e.code} ${JSON.stringify(e.params)}`;
    throw e;
  }
  return undefined;
}

describe('The mydata authorization detail', () => {
  it('accepts one well-formed detail, given as an array or its JSON', () => {
    expect(parseAuthorizationDetails([detail])).toEqual(detail);
    expect(parseAuthorizationDetails(JSON.stringify([detail]))).toEqual(detail);
    expect(checkAuthorizationDetail(detail, service)).toEqual(detail);
  });

  it('refuses missing, malformed or several details', () => {
    for (const bad of [
      undefined,
      '{',
      {},
      [],
      [detail, detail],
      [{ ...detail, type: 'payment' }],
      [detail, { type: 'payment' }],
      [{ ...detail, datasets: [] }],
      [{ ...detail, datasets: ['fia.income', 'fia.income'] }],
      [{ ...detail, datasets: [1] }],
      [{ ...detail, purpose: 3 }],
      [{ ...detail, mode: undefined }],
    ]) {
      expect(codeOf(() => parseAuthorizationDetails(bad))).toMatch(
        /^consent\.invalid-authorization-details /,
      );
    }
  });

  it('checks the request against the service in the catalogue', () => {
    expect(
      codeOf(() => checkAuthorizationDetail({ ...detail, datasets: ['fia.income', 'x.y'] }, service)),
    ).toBe('consent.dataset-not-approved {"serviceId":"bank.loan","datasetId":"x.y"}');
    expect(codeOf(() => checkAuthorizationDetail({ ...detail, datasets: ['moi.household'] }, service))).toBe(
      'consent.required-dataset-missing {"datasetId":"fia.income"}',
    );
    expect(
      codeOf(() =>
        checkAuthorizationDetail({ ...detail, purpose: 'https://w3id.org/dpv#Marketing' }, service),
      ),
    ).toBe(
      'consent.purpose-not-approved {"serviceId":"bank.loan","purpose":"https://w3id.org/dpv#Marketing","approved":"https://w3id.org/dpv#CreditChecking"}',
    );
    expect(codeOf(() => checkAuthorizationDetail({ ...detail, mode: 'counter' }, service))).toBe(
      'consent.mode-not-supported {"serviceId":"bank.loan","mode":"counter","approved":"online"}',
    );
    // A counter service cannot be asked for online, even by a request that names its own mode.
    expect(
      codeOf(() => checkAuthorizationDetail({ ...detail, mode: 'counter' }, { ...service, mode: 'counter' })),
    ).toMatch(/^consent\.mode-not-supported/);
  });

  it('checks the citizen’s choice against the request', () => {
    expect(checkChoice(detail, service, ['moi.household', 'fia.income'])).toEqual([
      'fia.income',
      'moi.household',
    ]);
    expect(checkChoice(detail, service, ['fia.income'])).toEqual(['fia.income']);
    expect(codeOf(() => checkChoice(detail, service, ['moi.household']))).toBe(
      'consent.required-dataset-missing {"datasetId":"fia.income"}',
    );
    expect(
      codeOf(() =>
        checkChoice({ ...detail, datasets: ['fia.income'] }, service, ['fia.income', 'moi.household']),
      ),
    ).toBe('consent.dataset-not-requested {"datasetId":"moi.household"}');
  });
});

describe('Consent states', () => {
  it('moves only forward, and never out of a final state', () => {
    const allowed = CONSENT_STATUSES.flatMap((from) =>
      CONSENT_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}>${to}`),
    );
    expect(allowed).toEqual([
      'pending>active',
      'pending>expired',
      'pending>withdrawn',
      'active>used',
      'active>expired',
      'active>withdrawn',
    ]);
    expect(CONSENT_STATUSES.filter(isFinalStatus)).toEqual(['used', 'expired', 'withdrawn']);
  });
});

describe('The consent receipt', () => {
  const receipt: ConsentReceipt = {
    version: RECEIPT_VERSION,
    receiptId: 'c1',
    issuedAt: '2026-01-01T00:00:00.000Z',
    jurisdiction: 'TW',
    issuer: 'http://localhost:8080',
    controller: { id: 'bank', name: t('Bank') },
    service: { id: 'bank.loan', name: t('Loan') },
    subject: 'pairwise',
    purposes: [{ dpv: 'https://w3id.org/dpv#CreditChecking', description: t('credit') }],
    datasets: [{ id: 'fia.income', agencyId: 'fia', fields: ['total'], required: true }],
    mode: 'online',
    oneTime: true,
    retentionDays: 30,
    validUntil: '2026-01-01T00:10:00.000Z',
    collectionMethod: 'platform-consent-screen',
    assurance: { level: 'substantial', methods: ['nhi-card'] },
    status: 'given',
  };

  it('is canonicalised with RFC 8785: sorted keys, no whitespace, independent of key order', () => {
    const text = canonicalReceipt(receipt);
    expect(
      text.startsWith('{"assurance":{"level":"substantial","methods":["nhi-card"]},"collectionMethod"'),
    ).toBe(true);
    expect(text).not.toMatch(/\s"|":\s/);
    const shuffled = Object.fromEntries(Object.entries(receipt).reverse()) as unknown as ConsentReceipt;
    expect(canonicalReceipt(shuffled)).toBe(text);
    expect(isConsentReceipt(JSON.parse(text))).toBe(true);
    expect(isConsentReceipt({ ...receipt, oneTime: false })).toBe(false);
  });
});
