import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCatalogue } from '@mydata/demo';
import { createCatalogueClient, MyDataProblem } from '@mydata/sdk';
import {
  createScratchDatabase,
  loadConfig,
  type Platform,
  type ScratchDatabase,
  startPlatform,
} from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('The SDK catalogue client against a running platform over HTTP', () => {
  let platform: Platform;
  let dataDir: string;
  let scratch: ScratchDatabase | undefined;
  let client: ReturnType<typeof createCatalogueClient>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mydata-'));
    // A database of its own on a PostgreSQL server: the statistics below must start from zero.
    scratch = process.env.DATABASE_URL ? await createScratchDatabase(process.env.DATABASE_URL) : undefined;
    const config = loadConfig({
      PORT: '0',
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await startPlatform({ config, catalogue: demoCatalogue });
    client = createCatalogueClient({ baseUrl: platform.url });
  });
  afterAll(async () => {
    await platform.stop();
    await scratch?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the whole demo catalogue', async () => {
    const datasets = await client.listDatasets({ limit: 500 });
    expect(datasets.total).toBe(demoCatalogue.datasets.length);
    const services = await client.listServices({ limit: 500 });
    expect(services.total).toBe(demoCatalogue.services.length);
    const stats = await client.statistics();
    expect(stats).toMatchObject({
      datasets: demoCatalogue.datasets.length,
      onlineServices: demoCatalogue.services.filter((s) => s.mode === 'online').length,
      counterServices: demoCatalogue.services.filter((s) => s.mode === 'counter').length,
      downloads: 0,
      transfers: 0,
    });
  });

  it('shows each service with its datasets resolved to names, agencies and assurance', async () => {
    for (const service of demoCatalogue.services) {
      const view = await client.getService(service.id);
      expect(view.datasets.map((d) => d.datasetId)).toEqual(service.datasets.map((d) => d.datasetId));
      for (const d of view.datasets) {
        const dataset = demoCatalogue.datasets.find((x) => x.id === d.datasetId);
        expect(d.agency.id).toBe(dataset?.agencyId);
        expect(d.minAssurance).toBe(dataset?.minAssurance);
      }
    }
  });

  it('turns error answers into MyDataProblem with the stable code', async () => {
    const error = await client.getDataset('no.such-dataset').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MyDataProblem);
    expect(error).toMatchObject({ status: 404, code: 'catalogue.dataset-not-found' });
    const invalid = await client.listDatasets({ limit: 0 }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'request.invalid' });
    expect((invalid as MyDataProblem).errors[0]?.pointer).toBe('/query/limit');
  });
});
