import { describe, expect, it } from 'vitest';
import type { Service } from './schemas.ts';
import { initiatorView, partyIssues } from './validate.ts';

const t = (s: string) => ({ 'zh-TW': s, en: s });
const need = (datasetId: string) => ({ datasetId, required: true, justification: t('why') });

function service(parties: Service['parties']): Service {
  return {
    id: 'county.permit',
    providerId: 'county',
    name: t('permit'),
    description: t('permit'),
    mode: 'online',
    purpose: { dpv: 'https://w3id.org/dpv#ServiceProvision', description: t('permit') },
    datasets: [need('a.certificate'), need('b.vehicle'), need('b.licence')],
    retentionDays: 30,
    ...(parties ? { parties } : {}),
  };
}
const applicant = {
  role: 'applicant',
  name: t('applicant'),
  datasets: ['a.certificate'],
  initiator: true as const,
};
const owner = { role: 'vehicle-owner', name: t('owner'), datasets: ['b.vehicle', 'b.licence'] };

describe('Parties of a multi-person service', () => {
  it('accepts one initiator, unique roles and every dataset given by exactly one party', () => {
    expect(partyIssues(service([applicant, owner]))).toEqual([]);
    expect(partyIssues(service(undefined))).toEqual([]);
  });

  it('refuses no initiator or two, a repeated role, a dataset given twice, missing or foreign', () => {
    const messages = (s: Service) => partyIssues(s).map((i) => i.message);
    expect(messages(service([{ ...applicant, initiator: undefined } as never, owner]))).toContainEqual(
      'exactly one party must be the initiator (found 0)',
    );
    expect(messages(service([applicant, { ...owner, initiator: true }]))).toContainEqual(
      'exactly one party must be the initiator (found 2)',
    );
    expect(messages(service([applicant, { ...owner, role: 'applicant' }]))).toContainEqual(
      'role "applicant" is used more than once',
    );
    expect(
      messages(service([{ ...applicant, datasets: ['a.certificate', 'b.vehicle'] }, owner])),
    ).toContainEqual('"b.vehicle" is already given by "applicant"');
    expect(messages(service([applicant, { ...owner, datasets: ['b.vehicle'] }]))).toContainEqual(
      'no party gives "b.licence"',
    );
    expect(
      messages(service([applicant, { ...owner, datasets: ['b.vehicle', 'b.licence', 'c.other'] }])),
    ).toContainEqual('"c.other" is not a dataset of the service');
  });

  it('shows the initiator only their own datasets', () => {
    expect(initiatorView(service([applicant, owner])).datasets.map((d) => d.datasetId)).toEqual([
      'a.certificate',
    ]);
    expect(initiatorView(service(undefined)).datasets).toHaveLength(3);
  });
});
