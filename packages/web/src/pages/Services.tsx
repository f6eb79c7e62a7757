import type { ServiceMode } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api.ts';
import { Loading, ModeNote } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { formToParams } from './Catalogue.tsx';

const MODES: ServiceMode[] = ['online', 'counter'];

export function Services() {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  useTitle(t('titles.services'));
  const [params, setParams] = useSearchParams();
  const filter = { q: params.get('q') ?? undefined, mode: params.get('mode') ?? undefined };
  const services = useQuery({ queryKey: ['services', filter], queryFn: () => api.services(filter) });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setParams(formToParams(event.currentTarget));
  };

  return (
    <>
      <h1>{t('services.title')}</h1>
      <p className="lead">{t('services.intro')}</p>
      <search aria-label={t('services.filters')}>
        <form className="filters" onSubmit={onSubmit} key={params.toString()}>
          <div className="field">
            <label htmlFor="q">{t('services.search')}</label>
            <input id="q" name="q" type="search" defaultValue={filter.q} />
          </div>
          <div className="field">
            <label htmlFor="mode">{t('services.mode')}</label>
            <select id="mode" name="mode" defaultValue={filter.mode ?? ''}>
              <option value="">{t('services.anyMode')}</option>
              {MODES.map((m) => (
                <option key={m} value={m}>
                  {t(`modes.${m}.name`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field buttons">
            <button type="submit">{t('services.submit')}</button>
            {params.size > 0 && (
              <Link className="button secondary" to="/services">
                {t('services.clear')}
              </Link>
            )}
          </div>
        </form>
      </search>
      {services.isPending ? (
        <Loading />
      ) : services.isError ? (
        <ErrorPanel error={services.error} retry={() => void services.refetch()} />
      ) : (
        <>
          <p role="status" className="count">
            {services.data.total ? t('services.count', { count: services.data.total }) : t('services.none')}
          </p>
          <ul className="cards results">
            {services.data.items.map((s) => (
              <li key={s.id} className="card">
                <h2>
                  <Link to={`/services/${encodeURIComponent(s.id)}`}>{pick(s.name)}</Link>
                </h2>
                <p>{pick(s.description)}</p>
                <dl className="facts">
                  <Fact label={t('service.provider')}>{pick(s.provider.name)}</Fact>
                  <Fact label={t('service.mode')}>
                    <ModeNote mode={s.mode} />
                  </Fact>
                  <Fact label={t('service.datasetsTitle')}>
                    {s.datasets.map((d) => pick(d.name)).join('、')}
                  </Fact>
                </dl>
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
