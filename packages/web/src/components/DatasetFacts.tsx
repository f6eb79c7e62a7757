import type { ScreenDataset } from '@mydata/core';
import { useTranslation } from 'react-i18next';
import { useLanguage } from '../hooks.ts';
import { AssuranceNote, SensitivityNote } from './Badges.tsx';
import { Fact } from './Fact.tsx';

/**
 * What a citizen reads about one asked-for dataset before agreeing (consent screen, counter review):
 * the agency, the reason (`${id}-why`, which the dataset's checkbox points at), the fields, the
 * assurance it needs and, when sensitive, that it is.
 */
export function DatasetFacts({ dataset: d, id }: { dataset: ScreenDataset; id: string }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  return (
    <dl className="facts">
      <Fact label={t('consent.agency')}>
        <span data-agency={d.agency.id}>{pick(d.agency.name)}</span>
      </Fact>
      <Fact label={t('consent.why')}>
        <span id={`${id}-why`}>{pick(d.justification)}</span>
      </Fact>
      <Fact label={t('consent.fields')}>
        <ul className="field-list">
          {d.fields.map((f) => (
            <li key={f.name}>{pick(f.label)}</li>
          ))}
        </ul>
      </Fact>
      <Fact label={t('service.assurance')}>
        <AssuranceNote level={d.minAssurance} />
      </Fact>
      {d.sensitivity === 'sensitive' && (
        <Fact label={t('dataset.sensitivity')}>
          <SensitivityNote sensitivity={d.sensitivity} />
        </Fact>
      )}
    </dl>
  );
}
