import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCatalogue } from '../catalogue/fixtures.ts';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createStatisticsRepo } from './repository.ts';

describe('Usage statistics', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await createCatalogueRepo(t.db).importCatalogue(fixtureCatalogue());
  });
  afterAll(() => t.close());

  it('counts each use once however many datasets it carried, across months', async () => {
    const stats = createStatisticsRepo(t.db);
    const both = ['mof-fia.income', 'moi-household.household-registration'];
    await stats.recordUse({
      kind: 'transfer',
      serviceId: 'firstbank.loan',
      datasetIds: both,
      at: new Date('2026-10-31T23:00:00Z'),
    });
    await stats.recordUse({
      kind: 'transfer',
      serviceId: 'firstbank.loan',
      datasetIds: both,
      at: new Date('2026-11-01T01:00:00Z'),
    });
    await stats.recordUse({
      kind: 'download',
      datasetIds: ['mof-fia.income'],
      at: new Date('2026-11-02T00:00:00Z'),
    });
    await stats.recordUse({ kind: 'download', datasetIds: [], at: new Date() });
    const now = new Date('2026-11-24T00:00:00Z');
    const summary = await stats.summary(now);
    expect(summary).toMatchObject({
      transfers: 2,
      downloads: 1,
      counterRedemptions: 0,
      datasets: 2,
      asOf: now.toISOString(),
    });
  });

  it('leaves sandbox services and unlisted organisations out of every figure', async () => {
    const before = createStatisticsRepo(t.db);
    const at = new Date('2026-11-03T00:00:00Z');
    const now = new Date('2026-11-24T00:00:00Z');
    const counted = await before.summary(now);
    const usage = await before.usage({ from: '2026-11', to: '2026-11', by: 'dataset', now });

    await sql`insert into services (id, provider_id, name, description, mode, purpose, retention_days, environment)
      select 'firstbank.loan-sandbox', provider_id, name, description, mode, purpose, retention_days, 'sandbox'
      from services where id = 'firstbank.loan'`.execute(t.db);
    await sql`insert into organisations (id, name, sector, roles, listed) values
      ('new-city', '{"zh-TW":"新市","en":"New City"}', 'local-government', '["data-provider","service-provider"]', false)`.execute(
      t.db,
    );
    await sql`insert into datasets (id, agency_id, name, description, topic, fields, payload_schema, min_assurance, sensitivity)
      select 'new-city.records', 'new-city', name, description, topic, fields, payload_schema, min_assurance, sensitivity
      from datasets where id = 'mof-fia.income'`.execute(t.db);
    const stats = createStatisticsRepo(t.db);
    await stats.recordUse({
      kind: 'transfer',
      serviceId: 'firstbank.loan-sandbox',
      datasetIds: ['mof-fia.income'],
      at,
    });
    // A use is counted whole; only its rows per dataset can leave out an unlisted agency's dataset.
    await stats.recordUse({
      kind: 'transfer',
      serviceId: 'firstbank.loan',
      datasetIds: ['new-city.records'],
      at,
    });

    const summary = await stats.summary(now);
    expect(summary).toEqual({ ...counted, transfers: counted.transfers + 1 });
    expect(summary.integration.localGovernments).toEqual({ integrated: 1, total: 22 });
    expect(await stats.usage({ from: '2026-11', to: '2026-11', by: 'dataset', now })).toEqual(usage);
    const byService = await stats.usage({ from: '2026-11', to: '2026-11', by: 'service', now });
    expect(byService.rows.map((r) => r.serviceId)).not.toContain('firstbank.loan-sandbox');

    // Once approved and listed, the organisation counts.
    await sql`update organisations set listed = true where id = 'new-city'`.execute(t.db);
    const listed = await stats.summary(now);
    expect(listed.integration.localGovernments.integrated).toBe(2);
    expect(listed.datasets).toBe(counted.datasets + 1);
    const afterListing = await stats.usage({ from: '2026-11', to: '2026-11', by: 'dataset', now });
    expect(afterListing.rows).toContainEqual(
      expect.objectContaining({ datasetId: 'new-city.records', count: 1 }),
    );
  });
});
