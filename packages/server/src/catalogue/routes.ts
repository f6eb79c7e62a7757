import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  Catalogue,
  DatasetView,
  Organisation,
  OrganisationRole,
  Sector,
  type Service,
  ServiceMode,
  ServiceView,
  Topic,
  validateCatalogue,
} from '@mydata/core';
import { Type } from 'typebox';
import type { CatalogueRepo } from './repository.ts';

const Paging = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};
const Search = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'Words to find in names and descriptions',
});
const IdParam = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 80 }) },
  { additionalProperties: false },
);
const page = <T extends ReturnType<typeof Type.Object>>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });

export interface CatalogueRoutesOptions {
  repo: CatalogueRepo;
}

/** Public, read-only catalogue: who holds which data, which services ask for it and why. */
export const catalogueRoutes: FastifyPluginAsyncTypebox<CatalogueRoutesOptions> = async (app, { repo }) => {
  // Organisations are few (thousands at most); one query resolves every reference on a page.
  const organisationRefs = async () => {
    const orgs = await repo.listOrganisations({});
    const byId = new Map(orgs.map((o) => [o.id, { id: o.id, name: o.name }]));
    return (id: string) => byId.get(id) ?? { id, name: { 'zh-TW': id, en: id } };
  };

  app.get(
    '/organisations',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Agencies and businesses that provide data or offer services',
        querystring: Type.Object(
          { role: Type.Optional(OrganisationRole), sector: Type.Optional(Sector) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Organisation) }) },
      },
    },
    async (req) => ({ items: await repo.listOrganisations(req.query) }),
  );

  app.get(
    '/organisations/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One organisation',
        params: IdParam,
        response: { 200: Organisation },
      },
    },
    async (req) => repo.getOrganisation(req.params.id),
  );

  app.get(
    '/datasets',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Datasets citizens can download or share, with their source agency and required assurance',
        querystring: Type.Object(
          {
            agency: Type.Optional(Type.String({ maxLength: 80 })),
            topic: Type.Optional(Topic),
            q: Type.Optional(Search),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: { 200: page(DatasetView) },
      },
    },
    async (req) => {
      const result = await repo.listDatasets(req.query);
      const ref = await organisationRefs();
      return { total: result.total, items: result.items.map((d) => ({ ...d, agency: ref(d.agencyId) })) };
    },
  );

  app.get(
    '/datasets/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One dataset',
        params: IdParam,
        response: { 200: DatasetView },
      },
    },
    async (req) => {
      const d = await repo.getDataset(req.params.id);
      const agency = await repo.getOrganisation(d.agencyId);
      return { ...d, agency: { id: agency.id, name: agency.name } };
    },
  );

  const expandServices = async (services: Service[]) => {
    const datasets = await repo.getDatasetsByIds([
      ...new Set(services.flatMap((s) => s.datasets.map((d) => d.datasetId))),
    ]);
    const byId = new Map(datasets.map((d) => [d.id, d]));
    const ref = await organisationRefs();
    return services.map((s) => ({
      ...s,
      provider: ref(s.providerId),
      datasets: s.datasets.map((sd) => {
        const d = byId.get(sd.datasetId);
        if (!d) throw new AppError('catalogue.dataset-not-found', { id: sd.datasetId });
        return { ...sd, name: d.name, agency: ref(d.agencyId), minAssurance: d.minAssurance };
      }),
    }));
  };

  app.get(
    '/services',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'Online and counter services, what each asks for and why',
        querystring: Type.Object(
          {
            mode: Type.Optional(ServiceMode),
            provider: Type.Optional(Type.String({ maxLength: 80 })),
            dataset: Type.Optional(
              Type.String({ maxLength: 80, description: 'Only services that ask for this dataset' }),
            ),
            q: Type.Optional(Search),
            ...Paging,
          },
          { additionalProperties: false },
        ),
        response: { 200: page(ServiceView) },
      },
    },
    async (req) => {
      const result = await repo.listServices(req.query);
      return { total: result.total, items: await expandServices(result.items) };
    },
  );

  app.get(
    '/services/:id',
    {
      schema: {
        tags: ['catalogue'],
        summary: 'One service',
        params: IdParam,
        response: { 200: ServiceView },
      },
    },
    async (req) => {
      const [view] = await expandServices([await repo.getService(req.params.id)]);
      return view as NonNullable<typeof view>;
    },
  );

  app.post(
    '/catalogue/validate',
    {
      schema: {
        tags: ['catalogue'],
        summary:
          'Check a catalogue (organisations, datasets, services) before applying to integrate; stores nothing',
        body: Catalogue,
        response: {
          200: Type.Object({
            valid: Type.Boolean(),
            errors: Type.Array(Type.Object({ pointer: Type.String(), message: Type.String() })),
          }),
        },
      },
    },
    async (req) => {
      const errors = validateCatalogue(req.body);
      return { valid: errors.length === 0, errors };
    },
  );
};
