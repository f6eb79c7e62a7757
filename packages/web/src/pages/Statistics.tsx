import type { Statistics, UsageKind, UsageReport } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type UsageParams, usageCsvHref } from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { describeError, ErrorPanel } from '../components/ErrorPanel.tsx';
import { useLanguage, useTitle } from '../hooks.ts';

/** The kinds of use, in the order the tables show them (core's USAGE_KINDS; core is types-only here). */
const USAGE_KINDS = ['download', 'transfer', 'counter-redemption'] as const satisfies readonly UsageKind[];

/** A month as a number (year * 12 + month - 1), or undefined for text that is not YYYY-MM. */
function parseMonth(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[2]);
  return month >= 1 && month <= 12 ? Number(m[1]) * 12 + month - 1 : undefined;
}
const formatMonth = (index: number) =>
  `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
const monthOf = (date: Date) => date.toISOString().slice(0, 7);

const FIGURES = [
  'datasets',
  'dataProviders',
  'onlineServices',
  'counterServices',
  'downloads',
  'transfers',
  'counterRedemptions',
] as const satisfies readonly (keyof Statistics)[];

interface Period {
  from: string;
  to: string;
  kind: UsageKind | undefined;
}

/** The twelve months up to the current one, as the API's default. */
function defaultPeriod(): Period {
  const to = parseMonth(monthOf(new Date())) as number;
  return { from: formatMonth(to - 11), to: formatMonth(to), kind: undefined };
}

/** Counts per row key and kind, in the order the rows first appear. */
function pivot(report: UsageReport, key: (r: UsageReport['rows'][number]) => string) {
  const rows = new Map<
    string,
    { row: UsageReport['rows'][number]; counts: Partial<Record<UsageKind, number>> }
  >();
  for (const r of report.rows) {
    const k = key(r);
    const entry = rows.get(k) ?? { row: r, counts: {} };
    entry.counts[r.kind] = (entry.counts[r.kind] ?? 0) + r.count;
    rows.set(k, entry);
  }
  return [...rows.entries()];
}

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
          <Integration shares={stats.data.integration} />
          <section aria-labelledby="sectors-title">
            <h2 id="sectors-title">{t('statistics.bySector')}</h2>
            <div className="table-scroll">
              <table aria-labelledby="sectors-title">
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
      <Usage />
    </>
  );
}

/** How many local governments (of all 22) and financial institutions are integrated. */
function Integration({ shares }: { shares: Statistics['integration'] }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const number = new Intl.NumberFormat(lang);
  const percent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });
  const local = shares.localGovernments;
  return (
    <section aria-labelledby="integration-title">
      <h2 id="integration-title">{t('statistics.integrationTitle')}</h2>
      <dl className="figures">
        <div>
          <dt>{t('statistics.localGovernments')}</dt>
          <dd>
            {number.format(local.integrated)} / {number.format(local.total)}
            <span className="figure-note">
              {t('statistics.localGovernmentsShare', {
                percent: percent.format(local.integrated / local.total),
              })}
            </span>
          </dd>
        </div>
        <div>
          <dt>{t('statistics.financialInstitutions')}</dt>
          <dd>{number.format(shares.financialInstitutions.integrated)}</dd>
        </div>
      </dl>
      <p className="meta">{t('statistics.integrationNote')}</p>
    </section>
  );
}

function Usage() {
  const { t } = useTranslation();
  const [period, setPeriod] = useState(defaultPeriod);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const kind = String(form.get('kind') ?? '');
    setPeriod({
      from: String(form.get('from') ?? '').trim(),
      to: String(form.get('to') ?? '').trim(),
      kind: (USAGE_KINDS as readonly string[]).includes(kind) ? (kind as UsageKind) : undefined,
    });
  };

  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">{t('statistics.usageTitle')}</h2>
      <p>{t('statistics.usageIntro')}</p>
      <search aria-label={t('statistics.period')}>
        <form className="filters" onSubmit={onSubmit}>
          {(['from', 'to'] as const).map((name) => (
            <div className="field" key={name}>
              <span className="label-row">
                <label htmlFor={`usage-${name}`}>{t(`statistics.${name}`)}</label>
                <span id={`usage-${name}-hint`} className="hint">
                  {t('statistics.monthHint')}
                </span>
              </span>
              <input
                id={`usage-${name}`}
                name={name}
                type="month"
                defaultValue={period[name]}
                aria-describedby={`usage-${name}-hint`}
                required
              />
            </div>
          ))}
          <div className="field">
            <label htmlFor="usage-kind">{t('statistics.kind')}</label>
            <select id="usage-kind" name="kind" defaultValue={period.kind ?? ''}>
              <option value="">{t('statistics.allKinds')}</option>
              {USAGE_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`statistics.kinds.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field buttons">
            <button type="submit">{t('statistics.show')}</button>
          </div>
        </form>
      </search>
      <UsageTable by="month" period={period} />
      <UsageTable by="dataset" period={period} />
      <UsageTable by="service" period={period} />
    </section>
  );
}

const TABLE_TITLE = { month: 'byMonth', dataset: 'byDataset', service: 'byService' } as const;

function UsageTable({ by, period }: { by: UsageParams['by']; period: Period }) {
  const { t } = useTranslation();
  const { lang, pick } = useLanguage();
  const params: UsageParams = { ...period, by };
  const usage = useQuery({ queryKey: ['statistics', 'usage', params], queryFn: () => api.usage(params) });
  const number = new Intl.NumberFormat(lang);
  const monthName = new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', timeZone: 'UTC' });
  const title = t(`statistics.${TABLE_TITLE[by]}`);
  const id = `usage-${by}-title`;
  const kinds = period.kind ? [period.kind] : USAGE_KINDS;

  let body: ReactNode;
  if (usage.isPending) body = <Loading />;
  else if (usage.isError) {
    const { title: problem, action } = describeError(usage.error, t, lang);
    body = (
      <div className="notice" role="alert">
        <p>
          <strong>{problem}</strong> {action}
        </p>
      </div>
    );
  } else {
    const report = usage.data;
    let rows: [string, ReactNode, Partial<Record<UsageKind, number>>][];
    if (by === 'month') {
      const counts = new Map(pivot(report, (r) => r.month ?? ''));
      const first = parseMonth(report.from) as number;
      const last = parseMonth(report.to) as number;
      rows = [];
      for (let m = first; m <= last; m++) {
        const month = formatMonth(m);
        rows.push([
          month,
          <time dateTime={month} key={month}>
            {monthName.format(new Date(`${month}-01T00:00:00Z`))}
          </time>,
          counts.get(month)?.counts ?? {},
        ]);
      }
    } else {
      rows = pivot(report, (r) => (by === 'dataset' ? r.datasetId : r.serviceId) ?? '').map(
        ([key, { row, counts }]) => [
          key,
          row.name ? (
            <Link key={key} to={`/${by === 'dataset' ? 'datasets' : 'services'}/${encodeURIComponent(key)}`}>
              {pick(row.name)}
            </Link>
          ) : (
            <code key={key}>{key}</code>
          ),
          counts,
        ],
      );
    }
    const totals = Object.fromEntries(
      kinds.map((k) => [k, rows.reduce((sum, [, , c]) => sum + (c[k] ?? 0), 0)]),
    ) as Record<UsageKind, number>;
    body =
      rows.length === 0 ? (
        <p>{t('statistics.none')}</p>
      ) : (
        <div className="table-scroll">
          <table aria-labelledby={id}>
            <thead>
              <tr>
                <th scope="col">{t(`statistics.${by}`)}</th>
                {kinds.map((k) => (
                  <th scope="col" key={k}>
                    {t(`statistics.kinds.${k}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(([key, label, counts]) => (
                <tr key={key}>
                  <th scope="row">{label}</th>
                  {kinds.map((k) => (
                    <td key={k}>{number.format(counts[k] ?? 0)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
            {by === 'month' && (
              <tfoot>
                <tr>
                  <th scope="row">{t('statistics.total')}</th>
                  {kinds.map((k) => (
                    <td key={k}>{number.format(totals[k])}</td>
                  ))}
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      );
  }

  return (
    <section aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      {body}
      {usage.isSuccess && (
        <p>
          <a href={usageCsvHref(params)} download>
            {t('statistics.csvOf', { table: title })}
          </a>
        </p>
      )}
    </section>
  );
}
