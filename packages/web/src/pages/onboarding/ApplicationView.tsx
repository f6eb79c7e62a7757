import type {
  ApplicationBody,
  DataProviderApplicationBody,
  DatasetView,
  DecisionEntry,
  ReviewFlag,
  SandboxCredentials,
  TestCallResult,
} from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, onboardingApi } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { Fact } from '../../components/Fact.tsx';
import { useLanguage } from '../../hooks.ts';
import { FlagNote, ProblemMessage, useFormatTime } from './common.tsx';

/** The element id a JSON pointer into the application is shown at (flags link to it). */
export const anchorOf = (pointer: string) => `at${pointer.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/** Every pointer the view shows something at, so each flag lands beside the part it concerns. */
function shownPointers(body: ApplicationBody): string[] {
  const out = [''];
  if (body.kind === 'service') {
    out.push('/service', '/service/purpose', '/service/retentionDays', '/service/mode');
    body.service.datasets.forEach((d, i) => {
      out.push(`/service/datasets/${i}`, `/service/datasets/${i}/justification`);
      for (let j = 0; j < d.fields.length; j++) out.push(`/service/datasets/${i}/fields/${j}`);
    });
    for (let i = 0; i < (body.redirectUris ?? []).length; i++) out.push(`/redirectUris/${i}`);
    out.push('/redirectUris', '/webhookUrl');
  } else {
    body.datasets.forEach((d, i) => {
      out.push(`/datasets/${i}`);
      for (let j = 0; j < d.fields.length; j++) out.push(`/datasets/${i}/fields/${j}`);
    });
    out.push('/endpoint');
  }
  out.push('/jwksUrl', '/jwks', '/securityContact');
  return out;
}

/** Where each flag is shown: the deepest shown pointer its own pointer starts with. */
export function placeFlags(body: ApplicationBody, flags: ReviewFlag[]): Map<string, ReviewFlag[]> {
  const shown = shownPointers(body);
  const placed = new Map<string, ReviewFlag[]>();
  for (const flag of flags) {
    const at = shown
      .filter((p) => flag.pointer === p || flag.pointer.startsWith(`${p}/`))
      .reduce((a, b) => (b.length > a.length ? b : a), '');
    placed.set(at, [...(placed.get(at) ?? []), flag]);
  }
  return placed;
}

/**
 * An application as its reviewer and its applicant read it, each review flag beside the field it
 * concerns and counted at the top with links down to it.
 */
export function ApplicationView({ body, flags }: { body: ApplicationBody; flags: ReviewFlag[] }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const catalogue = useQuery({ queryKey: ['datasets', {}], queryFn: () => api.datasets({}) });
  const byId = new Map<string, DatasetView>((catalogue.data?.items ?? []).map((d) => [d.id, d]));
  const placed = placeFlags(body, flags);
  const at = (pointer: string): ReactNode => {
    const here = placed.get(pointer);
    return here?.length ? (
      <div className="flags" id={anchorOf(pointer)}>
        {here.map((f) => (
          <FlagNote key={`${f.code}${f.pointer}`} flag={f} />
        ))}
      </div>
    ) : null;
  };

  return (
    <div className="application-view" data-kind={body.kind}>
      <FlagSummary flags={flags} placed={placed} />
      {at('')}
      {body.kind === 'service' ? (
        <>
          <h3>{t('onboarding.app.serviceTitle')}</h3>
          {at('/service')}
          <dl className="facts wide">
            <Fact label={t('onboarding.app.serviceId')}>
              <code>{body.service.id}</code>
            </Fact>
            <Fact label={t('onboarding.app.serviceName')}>{pick(body.service.name)}</Fact>
            <Fact label={t('onboarding.app.description')}>{pick(body.service.description)}</Fact>
            <Fact label={t('onboarding.app.mode')}>
              {t(`modes.${body.service.mode}.name`)}
              {at('/service/mode')}
            </Fact>
            <Fact label={t('onboarding.app.purpose')}>
              <code>{body.service.purpose.dpv}</code>
              <span className="badge-explain">{pick(body.service.purpose.description)}</span>
              {at('/service/purpose')}
            </Fact>
            <Fact label={t('onboarding.app.retention')}>
              {t('onboarding.app.days', { count: body.service.retentionDays })}
              {at('/service/retentionDays')}
            </Fact>
          </dl>
          <h3>{t('onboarding.app.datasetsTitle', { count: body.service.datasets.length })}</h3>
          <ul className="cards">
            {body.service.datasets.map((d, i) => {
              const known = byId.get(d.datasetId);
              const justified = new Map(d.fields.map((f, j) => [f.name, { f, j }]));
              return (
                <li className="card requested-dataset" key={d.datasetId} data-dataset={d.datasetId}>
                  <h4 className="dataset-heading">
                    {known ? pick(known.name) : d.datasetId}{' '}
                    <span className="meta">
                      {known ? `${pick(known.agency.name)} · ` : ''}
                      <code>{d.datasetId}</code>
                    </span>
                  </h4>
                  {at(`/service/datasets/${i}`)}
                  <dl className="facts">
                    <Fact label={t('onboarding.app.need')}>
                      {d.required ? t('service.required') : t('service.optional')}
                    </Fact>
                    <Fact label={t('onboarding.app.justification')}>
                      {pick(d.justification)}
                      {at(`/service/datasets/${i}/justification`)}
                    </Fact>
                  </dl>
                  <div className="table-scroll">
                    <table className="field-justifications">
                      <caption>{t('onboarding.app.fieldsCaption')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t('onboarding.app.field')}</th>
                          <th scope="col">{t('onboarding.app.justification')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {(known?.fields.map((f) => f.name) ?? d.fields.map((f) => f.name)).map((name) => {
                          const label = known?.fields.find((f) => f.name === name)?.label;
                          const given = justified.get(name);
                          return (
                            <tr key={name} data-field={name} data-justified={Boolean(given)}>
                              <th scope="row">
                                {label ? pick(label) : name} <code className="meta">{name}</code>
                              </th>
                              <td>
                                {given ? (
                                  pick(given.f.justification)
                                ) : (
                                  <em>{t('onboarding.app.noFieldReason')}</em>
                                )}
                                {given && at(`/service/datasets/${i}/fields/${given.j}`)}
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </div>
                </li>
              );
            })}
          </ul>
          <h3>{t('onboarding.app.connectionTitle')}</h3>
          <dl className="facts wide">
            <Fact label={t('onboarding.app.redirectUris')}>
              {body.redirectUris?.length ? (
                <ul className="plain">
                  {body.redirectUris.map((u, i) => (
                    <li key={u}>
                      <code>{u}</code>
                      {at(`/redirectUris/${i}`)}
                    </li>
                  ))}
                </ul>
              ) : (
                t('onboarding.app.none')
              )}
              {at('/redirectUris')}
            </Fact>
            <Fact label={t('onboarding.app.webhookUrl')}>
              {body.webhookUrl ? <code>{body.webhookUrl}</code> : t('onboarding.app.none')}
              {at('/webhookUrl')}
            </Fact>
            <Keys body={body} at={at} />
            <Contact body={body} at={at} />
          </dl>
        </>
      ) : (
        <>
          <h3>{t('onboarding.app.providedTitle', { count: body.datasets.length })}</h3>
          <ul className="cards">
            {body.datasets.map((d, i) => (
              <li className="card provided-dataset" key={d.id} data-dataset={d.id}>
                <h4 className="dataset-heading">
                  {pick(d.name)} <code className="meta">{d.id}</code>
                </h4>
                {at(`/datasets/${i}`)}
                <p className="hint">{pick(d.description)}</p>
                <dl className="facts">
                  <Fact label={t('dataset.topic')}>{t(`topics.${d.topic}`)}</Fact>
                  <Fact label={t('service.assurance')}>{t(`assurance.${d.minAssurance}.name`)}</Fact>
                  <Fact label={t('dataset.sensitivity')}>{t(`sensitivity.${d.sensitivity}.name`)}</Fact>
                  <Fact label={t('onboarding.app.fieldsCaption')}>
                    <ul className="field-list">
                      {d.fields.map((f, j) => (
                        <li key={f.name}>
                          {pick(f.label)} <code className="meta">{f.name}</code> (
                          {t(`dataset.types.${f.type}`)}){at(`/datasets/${i}/fields/${j}`)}
                        </li>
                      ))}
                    </ul>
                  </Fact>
                </dl>
              </li>
            ))}
          </ul>
          <h3>{t('onboarding.app.connectionTitle')}</h3>
          <dl className="facts wide">
            <Fact label={t('onboarding.app.endpoint')}>
              <code>{body.endpoint.baseUrl}</code>
              <ul className="plain">
                {body.endpoint.tlsSpkiSha256.map((p) => (
                  <li key={p}>
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
              {at('/endpoint')}
            </Fact>
            <Keys body={body} at={at} />
            <Contact body={body} at={at} />
          </dl>
        </>
      )}
    </div>
  );
}

function Keys({ body, at }: { body: ApplicationBody; at: (pointer: string) => ReactNode }) {
  const { t } = useTranslation();
  return (
    <Fact label={t('onboarding.app.keys')}>
      {body.jwksUrl ? (
        <code>{body.jwksUrl}</code>
      ) : body.jwks ? (
        t('onboarding.app.pastedKeys', { count: body.jwks.keys.length })
      ) : (
        t('onboarding.app.none')
      )}
      {at('/jwksUrl')}
      {at('/jwks')}
    </Fact>
  );
}

function Contact({ body, at }: { body: ApplicationBody; at: (pointer: string) => ReactNode }) {
  const { t } = useTranslation();
  const c = body.securityContact;
  return (
    <Fact label={t('onboarding.app.securityContact')}>
      {c.name} · <a href={`mailto:${c.email}`}>{c.email}</a>
      {c.phone ? ` · ${c.phone}` : ''}
      {at('/securityContact')}
    </Fact>
  );
}

/** How many flags of each severity, each linked to where it is shown. */
function FlagSummary({ flags, placed }: { flags: ReviewFlag[]; placed: Map<string, ReviewFlag[]> }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  if (!flags.length)
    return (
      <p className="no-flags" data-flags="0">
        {t('onboarding.app.noFlags')}
      </p>
    );
  const warnings = flags.filter((f) => f.severity === 'warning').length;
  return (
    <section className="flag-summary" aria-labelledby="flag-summary-title" data-flags={flags.length}>
      <h3 id="flag-summary-title" className="flag-summary-title">
        {t('onboarding.app.flagsTitle', { count: flags.length, warnings })}
      </h3>
      <p className="hint">{t('onboarding.app.flagsHint')}</p>
      <ul>
        {[...placed].flatMap(([pointer, here]) =>
          here.map((f) => (
            <li key={`${f.code}${f.pointer}`}>
              <a href={`#${anchorOf(pointer)}`}>
                {t('onboarding.app.flagLine', {
                  severity: t(`onboarding.severity.${f.severity}`),
                  message: pick(f.message),
                })}
              </a>
            </li>
          )),
        )}
      </ul>
    </section>
  );
}

/** What the operator decided and why, oldest first, as the applicant and the reviewer both see it. */
export function DecisionHistory({ decisions }: { decisions: DecisionEntry[] }) {
  const { t } = useTranslation();
  const format = useFormatTime();
  if (!decisions.length) return <p>{t('onboarding.app.noDecisions')}</p>;
  return (
    <ol className="decision-history">
      {decisions.map((d) => (
        <li key={d.seq} data-action={d.action}>
          <strong>{t(`onboarding.actions.${d.action}`)}</strong>{' '}
          <span className="meta">
            {t('onboarding.app.by', { who: d.actorLabel || t('onboarding.app.unnamed'), time: format(d.at) })}
          </span>
          {d.reason && <p className="decision-reason">{d.reason}</p>}
        </li>
      ))}
    </ol>
  );
}

/** What a developer needs to try the service in the sandbox before it is approved. */
export function SandboxBox({ sandbox }: { sandbox: SandboxCredentials }) {
  const { t } = useTranslation();
  return (
    <section className="sandbox" aria-label={t('onboarding.sandbox.title')} data-sandbox={sandbox.clientId}>
      <h4 className="sandbox-title">{t('onboarding.sandbox.title')}</h4>
      <p className="hint">{t('onboarding.sandbox.intro')}</p>
      <dl className="facts wide">
        <Fact label={t('onboarding.sandbox.clientId')}>
          <code data-sandbox-client>{sandbox.clientId}</code>
        </Fact>
        <Fact label={t('onboarding.sandbox.issuer')}>
          <code>{sandbox.issuer}</code>
        </Fact>
        <Fact label={t('onboarding.sandbox.personas')}>
          <a href={sandbox.personasUrl}>{t('onboarding.sandbox.personasLink')}</a>
        </Fact>
      </dl>
    </section>
  );
}

/** A record as received: its top-level fields as a definition list, nested values as JSON. */
function ReceivedRecord({ payload }: { payload: unknown }) {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return <pre className="test-record">{JSON.stringify(payload, null, 2)}</pre>;
  }
  return (
    <dl className="facts wide test-record">
      {Object.entries(payload as Record<string, unknown>).map(([name, value]) => (
        <Fact key={name} label={<code>{name}</code>}>
          {typeof value === 'object' && value !== null ? (
            <pre>{JSON.stringify(value, null, 2)}</pre>
          ) : (
            String(value)
          )}
        </Fact>
      ))}
    </dl>
  );
}

/**
 * The connection test of a data-provider application: one signed query for one of its datasets and
 * a test persona, to the endpoint it gave, before any review (docs/onboarding.md).
 */
export function ConnectionTest({
  orgId,
  appId,
  body,
  csrf,
}: {
  orgId: string;
  appId: string;
  body: DataProviderApplicationBody;
  csrf: string | undefined;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const personas = useQuery({ queryKey: ['sandbox', 'personas'], queryFn: () => onboardingApi.personas() });
  const [datasetId, setDatasetId] = useState(body.datasets[0]?.id ?? '');
  const [nationalId, setNationalId] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<TestCallResult>();
  const [problem, setProblem] = useState<unknown>();
  const base = `test-${appId}`;
  const list = personas.data?.personas ?? [];
  const chosen = nationalId || list[0]?.nationalId || '';
  const datasetName = (id: string) => {
    const d = body.datasets.find((x) => x.id === id);
    return d ? pick(d.name) : id;
  };

  async function run(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    setProblem(undefined);
    try {
      setResult(await onboardingApi.testCall(orgId, appId, { datasetId, nationalId: chosen }, csrf));
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="connection-test" aria-labelledby={`${base}-title`} data-connection-test={appId}>
      <h4 id={`${base}-title`}>{t('onboarding.test.title')}</h4>
      <p className="hint">{t('onboarding.test.intro')}</p>
      <form onSubmit={(e) => void run(e)} noValidate>
        <p className="field">
          <label htmlFor={`${base}-dataset`}>{t('onboarding.test.dataset')}</label>
          <select
            id={`${base}-dataset`}
            name="datasetId"
            value={datasetId}
            onChange={(e) => setDatasetId(e.target.value)}
          >
            {body.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {pick(d.name)} ({d.id})
              </option>
            ))}
          </select>
        </p>
        {personas.isPending ? (
          <Loading />
        ) : personas.isError ? (
          <ErrorPanel error={personas.error} retry={() => void personas.refetch()} />
        ) : list.length === 0 ? (
          <p>{t('onboarding.test.noPersonas')}</p>
        ) : (
          <p className="field">
            <label htmlFor={`${base}-persona`}>{t('onboarding.test.persona')}</label>
            <select
              id={`${base}-persona`}
              name="nationalId"
              value={chosen}
              onChange={(e) => setNationalId(e.target.value)}
            >
              {list.map((p) => (
                <option key={p.nationalId} value={p.nationalId}>
                  {p.name} · {p.nationalId} · {pick(p.description)}
                </option>
              ))}
            </select>
          </p>
        )}
        <p>
          <button type="submit" data-action="test-call" disabled={busy || !chosen || !datasetId}>
            {busy ? t('onboarding.test.running') : t('onboarding.test.run')}
          </button>
        </p>
      </form>
      <div role="status" className="status">
        {result?.ok && (
          <div data-test-result="ok">
            <p>
              {t('onboarding.test.ok', {
                latency: result.latencyMs,
                who: result.nationalIdHint,
              })}
            </p>
            <p className="meta">
              {t('onboarding.test.record')}: {datasetName(result.datasetId)}
            </p>
            <ReceivedRecord payload={result.payload} />
          </div>
        )}
        {result && !result.ok && (
          <div data-test-result="failed" data-problem={result.problem?.code ?? 'unknown'}>
            <p className="problem-title">
              <strong>{t('onboarding.test.failed', { latency: result.latencyMs })}</strong>
            </p>
            {result.problem && (
              <>
                <p className="problem-title">{result.problem.title}</p>
                <p className="problem-detail">{result.problem.detail}</p>
                <p className="meta">{t('error.code', { code: result.problem.code })}</p>
              </>
            )}
          </div>
        )}
      </div>
      {problem !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemMessage error={problem} />
        </div>
      )}
    </section>
  );
}
