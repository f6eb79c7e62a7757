import { AppError } from '@mydata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { fixtureCatalogue } from './fixtures.ts';
import { createCatalogueRepo } from './repository.ts';

describe('The catalogue repository', () => {
  let t: TestDatabase;
  let repo: ReturnType<typeof createCatalogueRepo>;
  beforeAll(async () => {
    t = await createTestDatabase();
    repo = createCatalogueRepo(t.db);
    await repo.importCatalogue(fixtureCatalogue());
  });
  afterAll(() => t.close());

  it('reads back exactly what was imported', async () => {
    const c = fixtureCatalogue();
    expect(await repo.getDataset('mof-fia.income')).toEqual(c.datasets[1]);
    expect(await repo.getService('firstbank.loan')).toEqual(c.services[0]);
    expect(await repo.getOrganisation('firstbank')).toEqual(c.organisations[2]);
  });

  it('imports the same catalogue twice without duplicates, and applies changes', async () => {
    const c = fixtureCatalogue();
    c.services[0]!.datasets = c.services[0]!.datasets.slice(0, 1);
    c.datasets[1]!.minAssurance = 'substantial';
    await repo.importCatalogue(c);
    await repo.importCatalogue(c);
    expect((await repo.getService('firstbank.loan')).datasets).toHaveLength(1);
    expect((await repo.getDataset('mof-fia.income')).minAssurance).toBe('substantial');
    expect((await repo.listDatasets({ limit: 100, offset: 0 })).total).toBe(2);
    await repo.importCatalogue(fixtureCatalogue());
  });

  it('rejects an inconsistent catalogue whole, changing nothing', async () => {
    const c = fixtureCatalogue();
    c.datasets[1]!.minAssurance = 'low';
    c.services.push({ ...c.services[0]!, id: 'firstbank.broken', providerId: 'nobody' });
    const error = await repo.importCatalogue(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('catalogue.invalid');
    expect((error as AppError).issues).toContainEqual({
      pointer: '/services/2/providerId',
      message: 'no organisation "nobody"',
    });
    expect((await repo.getDataset('mof-fia.income')).minAssurance).toBe('high');
    await expect(repo.getService('firstbank.broken')).rejects.toMatchObject({
      code: 'catalogue.service-not-found',
    });
  });
});
