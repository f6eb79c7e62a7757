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
});
