import { validateCatalogue } from '@mydata/core';
import { describe, expect, it } from 'vitest';
import { DEMO_IDENTITY_CHECKS } from './agencies/identity-checks.ts';
import { demoCatalogue, SERVICE_IDS } from './catalogue.ts';
import { DATASET_IDS } from './population/payloads.ts';

const { organisations, datasets, services } = demoCatalogue;

describe('demo catalogue', () => {
  it('passes validateCatalogue with no issues', () => {
    expect(validateCatalogue(demoCatalogue)).toEqual([]);
  });

  it('survives a JSON round trip unchanged (it is what the platform publishes)', () => {
    expect(validateCatalogue(JSON.parse(JSON.stringify(demoCatalogue)))).toEqual([]);
  });

  it('has unique ids across organisations, datasets and services', () => {
    const ids = [...organisations, ...datasets, ...services].map((x) => x.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the scale the brief asks for', () => {
    expect(datasets.length).toBeGreaterThanOrEqual(12);
    expect(organisations.filter((o) => o.roles.includes('data-provider')).length).toBeGreaterThanOrEqual(8);
    expect(services.length).toBeGreaterThanOrEqual(7);
    expect(services.filter((s) => s.mode === 'counter').length).toBeGreaterThanOrEqual(2);
    expect(new Set(datasets.map((d) => d.id))).toEqual(new Set(Object.values(DATASET_IDS)));
  });

  it('every dataset is asked for by at least one service, and every provider has a dataset, service or identity check', () => {
    const asked = new Set(services.flatMap((s) => s.datasets.map((d) => d.datasetId)));
    for (const d of datasets) expect(asked.has(d.id), d.id).toBe(true);
    for (const o of organisations) {
      const used =
        datasets.some((d) => d.agencyId === o.id) ||
        services.some((s) => s.providerId === o.id) ||
        o.id in DEMO_IDENTITY_CHECKS;
      expect(used, o.id).toBe(true);
    }
  });

  it('passport renewal asks for exactly household registration, entry/exit dates and passport, all required', () => {
    const renewal = services.find((s) => s.id === SERVICE_IDS.passportRenewal);
    expect(renewal?.providerId).toBe('boca');
    expect(renewal?.datasets.map((d) => [d.datasetId, d.required]).sort()).toEqual(
      [
        [DATASET_IDS.entryExit, true],
        [DATASET_IDS.householdRegistration, true],
        [DATASET_IDS.passport, true],
      ].sort(),
    );
  });

  it('the disabled parking permit needs the certificate, vehicle and licence', () => {
    const permit = services.find((s) => s.id === SERVICE_IDS.disabledParkingPermit);
    expect(
      permit?.datasets
        .filter((d) => d.required)
        .map((d) => d.datasetId)
        .sort(),
    ).toEqual(
      [DATASET_IDS.disabilityCertificate, DATASET_IDS.drivingLicence, DATASET_IDS.vehicleRegistration].sort(),
    );
  });

  it('marks health, disability and financial-standing data sensitive and asks strong assurance for credit data', () => {
    const byId = new Map(datasets.map((d) => [d.id, d]));
    for (const id of [
      DATASET_IDS.income,
      DATASET_IDS.property,
      DATASET_IDS.disabilityCertificate,
      DATASET_IDS.lowIncomeStatus,
      DATASET_IDS.nhiStatus,
    ]) {
      expect(byId.get(id)?.sensitivity, id).toBe('sensitive');
    }
    for (const id of [DATASET_IDS.income, DATASET_IDS.property, DATASET_IDS.disabilityCertificate]) {
      expect(byId.get(id)?.minAssurance, id).toBe('high');
    }
    expect(byId.get(DATASET_IDS.householdRegistration)?.minAssurance).toBe('substantial');
  });

  it('payload schemas forbid extra properties and fields mirror their top-level properties', () => {
    for (const d of datasets) {
      const schema = d.payloadSchema as {
        additionalProperties?: boolean;
        properties: Record<string, unknown>;
        required: string[];
      };
      expect(schema.additionalProperties, d.id).toBe(false);
      expect(d.fields.map((f) => f.name)).toEqual(Object.keys(schema.properties));
      expect(schema.required.sort()).toEqual(Object.keys(schema.properties).sort());
      for (const f of d.fields) expect(f.label['zh-TW'] && f.label.en, `${d.id}.${f.name}`).toBeTruthy();
    }
  });
});
