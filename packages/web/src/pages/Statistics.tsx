import type { Statistics } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { useLanguage, useTitle } from '../hooks.ts';

const FIGURES = [
  'datasets',
  'dataProviders',
  'onlineServices',
  'counterServices',
  'downloads',
  'transfers',
  'counterRedemptions',
] as const satisfies readonly (keyof Statistics)[];

export function StatisticsPage() {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  useTitle(t('titles.statistics'));
  const stats = useQuery({ queryKey: ['statistics'], queryFn: api.statistics });
  const number = new Intl.NumberFormat(lang);

  return (
    <>
      <h1>{t('statistics.title')}</h1>
      <p className="lead">{t('statistics.intro')}</p>
      {stats.isPending ? (
        <Loading />
      ) : stats.isError ? (
        <ErrorPanel error={stats.error} retry={() => void stats.refetch()} />
      ) : (
        <>
          <dl className="figures">
            {FIGURES.map((key) => (
              <div key={key}>
                <dt>{t(`statistics.${key}`)}</dt>
                <dd>{number.format(stats.data[key])}</dd>
              </div>
            ))}
          </dl>
          <section aria-labelledby="sectors-title">
            <h2 id="sectors-title">{t('statistics.bySector')}</h2>
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('statistics.sector')}</th>
                    <th scope="col">{t('statistics.organisations')}</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(stats.data.organisationsBySector).map(([sector, count]) => (
                    <tr key={sector}>
                      <th scope="row">{t(`statistics.sectors.${sector}`, { defaultValue: sector })}</th>
                      <td>{number.format(count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <p className="meta">
            {t('statistics.asOf', {
              time: new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' }).format(
                new Date(stats.data.asOf),
              ),
            })}
          </p>
        </>
      )}
    </>
  );
}
