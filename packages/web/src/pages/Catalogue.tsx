import type { Topic } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { AssuranceNote, Loading, SensitivityNote } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { zhTW } from '../i18n/zh-TW.ts';

const TOPIC_OPTIONS = Object.keys(zhTW.topics) as Topic[];

/** Reads a filter form into search params, leaving out empty fields so addresses stay short. */
export function formToParams(form: HTMLFormElement): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (typeof v === 'string' && v.trim()) params.set(k, v.trim());
  return params;
}

export function Catalogue() {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  useTitle(t('titles.datasets'));
  const [params, setParams] = useSearchParams();
  const filter = {
    q: params.get('q') ?? undefined,
    agency: params.get('agency') ?? undefined,
    topic: params.get('topic') ?? undefined,
  };
  const datasets = useQuery({ queryKey: ['datasets', filter], queryFn: () => api.datasets(filter) });
  const agencies = useQuery({
    queryKey: ['organisations', 'data-provider'],
    queryFn: () => api.organisations('data-provider'),
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setParams(formToParams(event.currentTarget));
  };

  return (
    <>
      <h1>{t('catalogue.title')}</h1>
      <p className="lead">{t('catalogue.intro')}</p>
      {/* The key resets the uncontrolled fields when the address changes (clear, back, forward). */}
      <search aria-label={t('catalogue.filters')}>
        <form className="filters" onSubmit={onSubmit} key={params.toString()}>
          <div className="field">
            <span className="label-row">
              <label htmlFor="q">{t('catalogue.search')}</label>
              <span id="q-hint" className="hint">
                {t('catalogue.searchHint')}
              </span>
            </span>
            <input id="q" name="q" type="search" defaultValue={filter.q} aria-describedby="q-hint" />
          </div>
          <div className="field">
            <label htmlFor="agency">{t('catalogue.agency')}</label>
            <select id="agency" name="agency" defaultValue={filter.agency ?? ''}>
              <option value="">{t('catalogue.anyAgency')}</option>
              {agencies.data?.items.map((o) => (
                <option key={o.id} value={o.id}>
                  {pick(o.name)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="topic">{t('catalogue.topic')}</label>
            <select id="topic" name="topic" defaultValue={filter.topic ?? ''}>
              <option value="">{t('catalogue.anyTopic')}</option>
              {TOPIC_OPTIONS.map((topic) => (
                <option key={topic} value={topic}>
                  {t(`topics.${topic}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field buttons">
            <button type="submit">{t('catalogue.submit')}</button>
            {params.size > 0 && (
              <Link className="button secondary" to="/datasets">
                {t('catalogue.clear')}
              </Link>
            )}
          </div>
        </form>
      </search>
      {datasets.isPending ? (
        <Loading />
      ) : datasets.isError ? (
        <ErrorPanel error={datasets.error} retry={() => void datasets.refetch()} />
      ) : (
        <>
          <p role="status" className="count">
            {datasets.data.total ? t('catalogue.count', { count: datasets.data.total }) : t('catalogue.none')}
          </p>
          <ul className="cards results">
            {datasets.data.items.map((d) => (
              <li key={d.id} className="card">
                <h2>
                  <Link to={`/datasets/${encodeURIComponent(d.id)}`}>{pick(d.name)}</Link>
                </h2>
                <p>{pick(d.description)}</p>
                <dl className="facts">
                  <Fact label={t('catalogue.heldBy')}>{pick(d.agency.name)}</Fact>
                  <Fact label={t('catalogue.topic')}>{t(`topics.${d.topic}`)}</Fact>
                  <Fact label={t('catalogue.needs')}>
                    <AssuranceNote level={d.minAssurance} />
                  </Fact>
                  {d.sensitivity === 'sensitive' && (
                    <Fact label={t('dataset.sensitivity')}>
                      <SensitivityNote sensitivity={d.sensitivity} />
                    </Fact>
                  )}
                </dl>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
