import { demoCatalogue } from '@mydata/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { citizenWith, createHarness } from './exchange-harness.ts';

describe('The demo agencies', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  const providers = [...new Set(demoCatalogue.datasets.map((d) => d.agencyId))];
  beforeAll(async () => {
    h = await createHarness({ demoAgencies: providers, populationSize: 2000 });
  });
  afterAll(() => h.close());

  it('run one HTTPS server per data-provider agency of the demo catalogue', () => {
    expect(h.demo.agencies.map((a) => a.agencyId).sort()).toEqual([...providers].sort());
    expect(new Set(h.demo.agencies.map((a) => a.url)).size).toBe(providers.length);
  });

  it.each(demoCatalogue.datasets.map((d) => d.id))(
    'answer %s through the gateway with a record that matches the catalogue schema',
    async (datasetId) => {
      const nationalId = citizenWith(h.population, [datasetId]);
      const { results } = await h.gateway.fetch({
        consentId: `demo-${datasetId}`,
        purpose: 'https://w3id.org/dpv#ServiceProvision',
        subject: { nationalId },
        datasets: [datasetId],
      });
      expect(results[0]?.payload).toEqual(h.population.record(datasetId, nationalId));
    },
  );
});
