import { type Static, Type } from 'typebox';
import { AssuranceLevel } from '../assurance.ts';
import { LocalizedText } from '../i18n.ts';
import { IntegrationShares } from '../stats/schemas.ts';

const Id = (description: string) =>
  Type.String({ pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$', minLength: 2, maxLength: 80, description });

export const OrganisationId = Id(
  'Organisation id, lower-case words joined by dots or hyphens, e.g. "moi.household"',
);
export const DatasetId = Id('Dataset id: the agency id and a name, e.g. "moi.household-registration"');
export const ServiceId = Id('Service id, e.g. "boca.passport-renewal"');

export const SECTORS = ['central-government', 'local-government', 'financial', 'business'] as const;
export const Sector = Type.Enum(SECTORS, {
  description: 'Which part of society the organisation belongs to; statistics report the share per sector',
});
export type Sector = (typeof SECTORS)[number];

export const ORGANISATION_ROLES = ['data-provider', 'service-provider'] as const;
export const OrganisationRole = Type.Enum(ORGANISATION_ROLES);
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

export const Organisation = Type.Object(
  {
    id: OrganisationId,
    name: LocalizedText,
    sector: Sector,
    roles: Type.Array(OrganisationRole, { minItems: 1, uniqueItems: true }),
    website: Type.Optional(Type.String({ format: 'uri', maxLength: 500 })),
  },
  {
    additionalProperties: false,
    description: 'An agency or business that provides data, offers services, or both',
  },
);
export type Organisation = Static<typeof Organisation>;

export const TOPICS = [
  'identity',
  'household',
  'income',
  'property',
  'employment',
  'transport',
  'health',
  'travel',
  'welfare',
] as const;
export const Topic = Type.Enum(TOPICS);
export type Topic = (typeof TOPICS)[number];

export const FIELD_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'array', 'object'] as const;
export const DatasetField = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$', maxLength: 64 }),
    label: LocalizedText,
    type: Type.Enum(FIELD_TYPES),
  },
  { additionalProperties: false },
);
export type DatasetField = Static<typeof DatasetField>;

export const SENSITIVITIES = ['normal', 'sensitive'] as const;
export const Sensitivity = Type.Enum(SENSITIVITIES, {
  description:
    'sensitive: special categories under the Personal Data Protection Act art. 6 (health, medical, disability) or data that enables fraud',
});
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const Dataset = Type.Object(
  {
    id: DatasetId,
    agencyId: OrganisationId,
    name: LocalizedText,
    description: LocalizedText,
    topic: Topic,
    fields: Type.Array(DatasetField, { minItems: 1, maxItems: 200 }),
    payloadSchema: Type.Record(Type.String(), Type.Unknown(), {
      description: "JSON Schema (2020-12) of one citizen's record as the agency returns it",
    }),
    minAssurance: AssuranceLevel,
    sensitivity: Sensitivity,
  },
  { additionalProperties: false, description: 'A kind of personal data one agency holds about a citizen' },
);
export type Dataset = Static<typeof Dataset>;

export const SERVICE_MODES = ['online', 'counter'] as const;
export const ServiceMode = Type.Enum(SERVICE_MODES, {
  description: "online: delivered to the provider's system; counter: shown to a clerk at a desk",
});
export type ServiceMode = (typeof SERVICE_MODES)[number];

export const ServiceDataset = Type.Object(
  {
    datasetId: DatasetId,
    required: Type.Boolean({ description: 'false: the citizen may leave it out and still apply' }),
    justification: LocalizedText,
  },
  { additionalProperties: false },
);
export type ServiceDataset = Static<typeof ServiceDataset>;

export const Purpose = Type.Object(
  {
    dpv: Type.String({
      pattern: '^https://w3id\\.org/dpv#[A-Za-z]+$',
      description: 'The purpose as a W3C Data Privacy Vocabulary IRI',
    }),
    description: LocalizedText,
  },
  { additionalProperties: false },
);
export type Purpose = Static<typeof Purpose>;

export const ServiceParty = Type.Object(
  {
    role: Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$', description: 'The role id, e.g. vehicle-owner' }),
    name: LocalizedText,
    datasets: Type.Array(DatasetId, {
      minItems: 1,
      maxItems: 50,
      description: 'The datasets this person gives',
    }),
    initiator: Type.Optional(Type.Literal(true, { description: 'The person who starts the application' })),
  },
  { additionalProperties: false },
);
export type ServiceParty = Static<typeof ServiceParty>;

export const Service = Type.Object(
  {
    id: ServiceId,
    providerId: OrganisationId,
    name: LocalizedText,
    description: LocalizedText,
    mode: ServiceMode,
    purpose: Purpose,
    datasets: Type.Array(ServiceDataset, { minItems: 1, maxItems: 50 }),
    retentionDays: Type.Integer({
      minimum: 1,
      maximum: 3650,
      description: 'How long the provider says it keeps the data it receives',
    }),
    parties: Type.Optional(
      Type.Array(ServiceParty, {
        minItems: 2,
        maxItems: 10,
        description: 'A multi-person application: who gives which datasets (docs/multi-person.md)',
      }),
    ),
  },
  { additionalProperties: false, description: 'An online or counter service that asks citizens for data' },
);
export type Service = Static<typeof Service>;

export const Catalogue = Type.Object(
  {
    organisations: Type.Array(Organisation, { maxItems: 5000 }),
    datasets: Type.Array(Dataset, { maxItems: 5000 }),
    services: Type.Array(Service, { maxItems: 20000 }),
  },
  { additionalProperties: false },
);
export type Catalogue = Static<typeof Catalogue>;

export const Statistics = Type.Object(
  {
    datasets: Type.Integer({ description: 'Datasets citizens can use' }),
    dataProviders: Type.Integer(),
    onlineServices: Type.Integer(),
    counterServices: Type.Integer(),
    downloads: Type.Integer({ description: 'Data downloads by citizens, all time' }),
    transfers: Type.Integer({ description: 'Online-service transfers, all time' }),
    counterRedemptions: Type.Integer({ description: 'Counter verifications, all time' }),
    organisationsBySector: Type.Record(Type.String(), Type.Integer()),
    integration: IntegrationShares,
    asOf: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type Statistics = Static<typeof Statistics>;
