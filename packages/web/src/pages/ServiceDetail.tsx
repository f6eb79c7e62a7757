import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import { AssuranceNote, Loading, ModeNote } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';

export function ServiceDetail() {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const id = useParams().id ?? '';
  const service = useQuery({ queryKey: ['service', id], queryFn: () => api.service(id) });
  useTitle(service.data ? pick(service.data.name) : undefined);

  if (service.isPending) return <Loading />;
  if (service.isError)
    return <ErrorPanel asPage error={service.error} retry={() => void service.refetch()} />;
  const s = service.data;
  return (
    <article aria-labelledby="service-title">
      <p className="back">
        <Link to="/services">{t('service.back')}</Link>
      </p>
      <h1 id="service-title">{pick(s.name)}</h1>
      <p className="lead">{pick(s.description)}</p>
      <dl className="facts wide">
        <Fact label={t('service.provider')}>{pick(s.provider.name)}</Fact>
        <Fact label={t('service.mode')}>
          <ModeNote mode={s.mode} />
        </Fact>
        <Fact label={t('service.purpose')}>
          {pick(s.purpose.description)}
          <span className="badge-explain">
            {t('service.purposeCode')}: <code>{s.purpose.dpv.replace('https://w3id.org/dpv#', 'dpv:')}</code>
          </span>
        </Fact>
        <Fact label={t('service.retention')}>{t('service.retentionDays', { count: s.retentionDays })}</Fact>
      </dl>
      <p className="actions">
        <Link
          className="button"
          to={s.mode === 'counter' ? `/counter?service=${encodeURIComponent(s.id)}` : '/sign-in'}
        >
          {t('service.use')}
        </Link>
      </p>
      <section aria-labelledby="asks-title">
        <h2 id="asks-title">{t('service.datasetsTitle')}</h2>
        <ul className="cards">
          {s.datasets.map((d) => (
            <li key={d.datasetId} className="card">
              <h3>
                <Link to={`/datasets/${encodeURIComponent(d.datasetId)}`}>{pick(d.name)}</Link>
              </h3>
              <dl className="facts">
                <Fact label={t('service.need')}>
                  <strong className={d.required ? 'required' : 'optional'}>
                    {d.required ? t('service.required') : t('service.optional')}
                  </strong>
                </Fact>
                <Fact label={t('service.why')}>{pick(d.justification)}</Fact>
                <Fact label={t('service.agency')}>{pick(d.agency.name)}</Fact>
                <Fact label={t('service.assurance')}>
                  <AssuranceNote level={d.minAssurance} />
                </Fact>
              </dl>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
