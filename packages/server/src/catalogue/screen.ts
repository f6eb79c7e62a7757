/**
 * What a citizen reads before agreeing to give data (the consent screen, the counter review): the
 * service and its provider, the purpose, and each chosen dataset with its agency, fields and why it is
 * asked, in the names the catalogue has now.
 */
import { AppError, type Service, type ServiceScreen } from '@mydata/core';
import type { CatalogueRepo } from './repository.ts';

export type { ServiceScreen };

/** The screen for a service and the datasets chosen of it; a dataset the service does not ask for is refused. */
export async function describeService(
  catalogue: Pick<CatalogueRepo, 'getOrganisation' | 'getDatasetsByIds'>,
  service: Service,
  datasetIds: string[],
): Promise<ServiceScreen> {
  const datasets = await catalogue.getDatasetsByIds(datasetIds);
  const orgIds = [...new Set([service.providerId, ...datasets.map((d) => d.agencyId)])];
  const orgs = new Map(
    (await Promise.all(orgIds.map((id) => catalogue.getOrganisation(id)))).map((g) => [g.id, g]),
  );
  const provider = orgs.get(service.providerId);
  if (!provider) throw new AppError('catalogue.organisation-not-found', { id: service.providerId });
  const byId = new Map(datasets.map((d) => [d.id, d]));
  const listed = new Map(service.datasets.map((s) => [s.datasetId, s]));
  return {
    service: {
      id: service.id,
      name: service.name,
      description: service.description,
      retentionDays: service.retentionDays,
      mode: service.mode,
      provider: { id: provider.id, name: provider.name, sector: provider.sector },
    },
    purpose: { dpv: service.purpose.dpv, description: service.purpose.description },
    datasets: datasetIds.map((id) => {
      const d = byId.get(id);
      const s = listed.get(id);
      if (!d || !s) throw new AppError('catalogue.dataset-not-found', { id });
      const agency = orgs.get(d.agencyId);
      return {
        id: d.id,
        name: d.name,
        description: d.description,
        agency: { id: d.agencyId, name: agency?.name ?? { 'zh-TW': d.agencyId, en: d.agencyId } },
        fields: d.fields.map((f) => ({ name: f.name, label: f.label })),
        required: s.required,
        justification: s.justification,
        minAssurance: d.minAssurance,
        sensitivity: d.sensitivity,
      };
    }),
    oneTime: true,
  };
}
