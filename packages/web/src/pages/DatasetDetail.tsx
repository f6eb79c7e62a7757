import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api.ts';
import { AssuranceNote, Loading, ModeNote, SensitivityNote } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';

export function DatasetDetail() {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const id = useParams().id ?? '';
  const dataset = useQuery({ queryKey: ['dataset', id], queryFn: () => api.dataset(id) });
  const usedBy = useQuery({
    queryKey: ['services', { dataset: id }],
    queryFn: () => api.services({ dataset: id }),
    enabled: dataset.isSuccess,
  });
  useTitle(dataset.data ? pick(dataset.data.name) : undefined);

  if (dataset.isPending) return <Loading />;
  if (dataset.isError)
    return <ErrorPanel asPage error={dataset.error} retry={() => void dataset.refetch()} />;
  const d = dataset.data;
  return (
    <article aria-labelledby="dataset-title">
      <p className="back">
        <Link to="/datasets">{t('dataset.back')}</Link>
      </p>
      <h1 id="dataset-title">{pick(d.name)}</h1>
      <p className="lead">{pick(d.description)}</p>
      <dl className="facts wide">
        <Fact label={t('dataset.agency')}>{pick(d.agency.name)}</Fact>
        <Fact label={t('dataset.topic')}>{t(`topics.${d.topic}`)}</Fact>
        <Fact label={t('dataset.assurance')}>
          <AssuranceNote level={d.minAssurance} />
        </Fact>
        <Fact label={t('dataset.sensitivity')}>
          <SensitivityNote sensitivity={d.sensitivity} />
        </Fact>
      </dl>
      <p className="actions">
        <Link className="button" to="/download">
          {t('dataset.download')}
        </Link>
      </p>
      <section aria-labelledby="fields-title">
        <h2 id="fields-title">{t('dataset.fieldsTitle')}</h2>
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('dataset.fieldLabel')}</th>
                <th scope="col">{t('dataset.fieldType')}</th>
                <th scope="col">{t('dataset.fieldName')}</th>
              </tr>
            </thead>
            <tbody>
              {d.fields.map((f) => (
                <tr key={f.name}>
                  <th scope="row">{pick(f.label)}</th>
                  <td>{t(`dataset.types.${f.type}`)}</td>
                  <td>
                    <code>{f.name}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="used-by-title">
        <h2 id="used-by-title">{t('dataset.usedByTitle')}</h2>
        {usedBy.isPending ? (
          <Loading />
        ) : usedBy.isError ? (
          <ErrorPanel error={usedBy.error} retry={() => void usedBy.refetch()} />
        ) : usedBy.data.items.length === 0 ? (
          <p>{t('dataset.usedByNone')}</p>
        ) : (
          <ul className="cards">
            {usedBy.data.items.map((s) => {
              const ask = s.datasets.find((x) => x.datasetId === d.id);
              return (
                <li key={s.id} className="card">
                  <h3>
                    <Link to={`/services/${encodeURIComponent(s.id)}`}>{pick(s.name)}</Link>
                  </h3>
                  <p>
                    {pick(s.provider.name)} · <ModeNote mode={s.mode} />
                  </p>
                  {ask && (
                    <p>
                      <strong>{ask.required ? t('service.required') : t('service.optional')}</strong> —{' '}
                      {pick(ask.justification)}
                    </p>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </article>
  );
}
