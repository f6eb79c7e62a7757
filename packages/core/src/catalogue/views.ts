import { type Static, Type } from 'typebox';
import { LocalizedText } from '../i18n.ts';
import { Dataset, Service } from './schemas.ts';

/** How the public API shows catalogue entries: references resolved to names a person can read. */
export const OrganisationRef = Type.Object({ id: Type.String(), name: LocalizedText });
export const DatasetView = Type.Object({ ...Dataset.properties, agency: OrganisationRef });
export const ServiceView = Type.Object({
  ...Service.properties,
  provider: OrganisationRef,
  datasets: Type.Array(
    Type.Object({
      ...Service.properties.datasets.items.properties,
      name: LocalizedText,
      agency: OrganisationRef,
      minAssurance: Dataset.properties.minAssurance,
    }),
  ),
});

export type OrganisationRef = Static<typeof OrganisationRef>;
export type DatasetView = Static<typeof DatasetView>;
export type ServiceView = Static<typeof ServiceView>;
