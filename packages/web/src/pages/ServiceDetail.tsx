import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import { AssuranceNote, Loading, ModeNote } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
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
        <div>
          <dt>{t('service.provider')}</dt>
          <dd>{pick(s.provider.name)}</dd>
        </div>
        <div>
          <dt>{t('service.mode')}</dt>
          <dd>
            <ModeNote mode={s.mode} />
          </dd>
        </div>
        <div>
          <dt>{t('service.purpose')}</dt>
          <dd>
            {pick(s.purpose.description)}
            <span className="badge-explain">
              {t('service.purposeCode')}:{' '}
              <code>{s.purpose.dpv.replace('https://w3id.org/dpv#', 'dpv:')}</code>
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('service.retention')}</dt>
          <dd>{t('service.retentionDays', { count: s.retentionDays })}</dd>
        </div>
      </dl>
      <p className="actions">
        <Link className="button" to={s.mode === 'counter' ? '/counter' : '/sign-in'}>
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
                <div>
                  <dt>{t('service.need')}</dt>
                  <dd>
                    <strong className={d.required ? 'required' : 'optional'}>
                      {d.required ? t('service.required') : t('service.optional')}
                    </strong>
                  </dd>
                </div>
                <div>
                  <dt>{t('service.why')}</dt>
                  <dd>{pick(d.justification)}</dd>
                </div>
                <div>
                  <dt>{t('service.agency')}</dt>
                  <dd>{pick(d.agency.name)}</dd>
                </div>
                <div>
                  <dt>{t('service.assurance')}</dt>
                  <dd>
                    <AssuranceNote level={d.minAssurance} />
                  </dd>
                </div>
              </dl>
            </li>
          ))}
        </ul>
      </section>
    </article>
  );
}
