import type { ApplicationStatus, ApplicationSummary, OperatorOrganisations } from '@mydata/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { isProblem, operatorApi, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { Field } from '../../components/Field.tsx';
import { useLanguage } from '../../hooks.ts';
import {
  ProblemMessage,
  type Said,
  STATUSES,
  StaffPage,
  StatusBadge,
  useFormatTime,
  useSay,
} from '../onboarding/common.tsx';

/** Operator pages answer 403 to anyone without the role: say plainly who may use them. */
export function OperatorOnly({ error, retry }: { error: unknown; retry: () => void }) {
  const { t } = useTranslation();
  if (isProblem(error, 'operator.forbidden'))
    return (
      <section className="notice" aria-labelledby="operator-forbidden-title" data-operator="forbidden">
        <h1 id="operator-forbidden-title">{t('operator.forbiddenTitle')}</h1>
        <p>{t('operator.forbiddenBody')}</p>
        <p className="actions">
          <Link to="/organisations">{t('operator.toOrganisations')}</Link>
        </p>
      </section>
    );
  return <ErrorPanel asPage error={error} retry={retry} />;
}

/** The operator console (平臺維運): the review queue, organisations with suspension, the audit trail. */
export function OperatorPage() {
  const { t } = useTranslation();
  return (
    <StaffPage title={t('operator.title')} returnTo="/operator">
      {(session) => <Console session={session} />}
    </StaffPage>
  );
}

function Console({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES.find((s) => s === params.get('status')) ?? 'submitted') as ApplicationStatus;
  const queue = useQuery({
    queryKey: ['operator', 'applications', status],
    queryFn: () => operatorApi.applications(status),
    staleTime: 0,
  });
  if (queue.isPending) return <Loading />;
  if (queue.isError) return <OperatorOnly error={queue.error} retry={() => void queue.refetch()} />;
  return (
    <section className="operator" aria-labelledby="operator-title">
      <h1 id="operator-title">{t('operator.title')}</h1>
      <p className="lead">{t('operator.intro')}</p>
      <nav aria-label={t('operator.sections')}>
        <ul className="actions">
          <li>
            <a href="#queue-title">{t('operator.queueTitle')}</a>
          </li>
          <li>
            <a href="#operator-organisations-title">{t('operator.organisationsTitle')}</a>
          </li>
          <li>
            <a href="#audit-title">{t('operator.auditTitle')}</a>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="queue-title" className="queue">
        <h2 id="queue-title">{t('operator.queueTitle')}</h2>
        <div className="field status-filter">
          <label htmlFor="queue-status">{t('operator.queueStatus')}</label>
          <select
            id="queue-status"
            value={status}
            onChange={(e) => setParams({ status: e.target.value }, { replace: true })}
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`onboarding.statuses.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <Queue items={queue.data.applications} status={status} />
      </section>
      <Organisations session={session} />
      <AuditTrail />
    </section>
  );
}

function Queue({ items, status }: { items: ApplicationSummary[]; status: ApplicationStatus }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const format = useFormatTime();
  if (!items.length)
    return (
      <p data-queue="empty" role="status">
        {t('operator.queueEmpty', { status: t(`onboarding.statuses.${status}`) })}
      </p>
    );
  return (
    <div className="table-scroll">
      <table className="queue-table">
        <caption>
          {t('operator.queueCaption', { count: items.length, status: t(`onboarding.statuses.${status}`) })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('operator.application')}</th>
            <th scope="col">{t('operator.organisation')}</th>
            <th scope="col">{t('onboarding.status')}</th>
            <th scope="col">{t('operator.flags')}</th>
            <th scope="col">{t('operator.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id} data-application={a.id}>
              <th scope="row">
                <Link to={`/operator/applications/${encodeURIComponent(a.id)}`}>
                  {t(`onboarding.kinds.${a.kind}`)}: {a.subject}
                </Link>
              </th>
              <td>{pick(a.organisationName)}</td>
              <td>
                <StatusBadge status={a.status} />
              </td>
              <td>{a.flagCount}</td>
              <td>{format(a.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type OrgRow = OperatorOrganisations['organisations'][number];

function Organisations({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const orgs = useQuery({
    queryKey: ['operator', 'organisations'],
    queryFn: operatorApi.organisations,
    staleTime: 0,
  });
  const [status, setStatus] = useState<Said>();
  const say = useSay();
  return (
    <section aria-labelledby="operator-organisations-title" className="operator-organisations">
      <h2 id="operator-organisations-title">{t('operator.organisationsTitle')}</h2>
      <p>{t('operator.organisationsIntro')}</p>
      <p role="status" className="status">
        {say(status)}
      </p>
      {orgs.isPending ? (
        <Loading />
      ) : orgs.isError ? (
        <ErrorPanel error={orgs.error} retry={() => void orgs.refetch()} />
      ) : (
        <ul className="cards">
          {orgs.data.organisations.map((o) => (
            <OrganisationRow key={o.id} org={o} csrf={session.csrfToken} onDone={setStatus} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** One organisation: suspend or reinstate it, after confirming with a reason that goes to the audit trail. */
function OrganisationRow({
  org: o,
  csrf,
  onDone,
}: {
  org: OrgRow;
  csrf: string | undefined;
  onDone: (message: Said) => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const format = useFormatTime();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const box = useRef<HTMLFieldSetElement>(null);
  useEffect(() => {
    if (open) box.current?.focus();
  }, [open]);
  const suspending = !o.suspended;
  const name = pick(o.name);
  const idBase = `org-${o.id.replace(/[^a-z0-9-]/g, '-')}`;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setProblem(undefined);
    if (!reason.trim()) {
      setError(t('operator.reasonMissing'));
      document.getElementById(`${idBase}-reason`)?.focus();
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      if (suspending) await operatorApi.suspend(o.id, reason.trim(), csrf);
      else await operatorApi.reinstate(o.id, reason.trim(), csrf);
      setOpen(false);
      setReason('');
      onDone({ key: suspending ? 'operator.suspendedDone' : 'operator.reinstatedDone', params: { name } });
      await client.invalidateQueries({ queryKey: ['operator'] });
    } catch (e) {
      setProblem(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card org-row" data-organisation={o.id} data-suspended={Boolean(o.suspended)}>
      <h3>
        {name} <code className="meta">{o.id}</code>
      </h3>
      <p>
        {t(`statistics.sectors.${o.sector}`)} ·{' '}
        {o.listed ? t('onboarding.listedYes') : t('onboarding.listedNo')}
      </p>
      {o.suspended && (
        <p className="suspended-note">
          <strong>{t('onboarding.suspended')}</strong>{' '}
          {t('onboarding.suspendedSince', { time: format(o.suspended.since), reason: o.suspended.reason })}
        </p>
      )}
      {open ? (
        <form noValidate onSubmit={(e) => void submit(e)}>
          <fieldset className="confirm" tabIndex={-1} ref={box}>
            <legend>
              {t(suspending ? 'operator.confirmSuspend' : 'operator.confirmReinstate', { name })}
            </legend>
            <p className="hint">{t(suspending ? 'operator.suspendEffect' : 'operator.reinstateEffect')}</p>
            <Field
              id={`${idBase}-reason`}
              label={t('operator.reason')}
              hint={t('operator.reasonHint')}
              error={error}
            >
              {(c) => <textarea {...c} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
            {problem !== undefined && (
              <div className="error-summary" role="alert">
                <ProblemMessage error={problem} />
              </div>
            )}
            <p className="actions">
              <button
                type="submit"
                disabled={busy}
                data-action={suspending ? 'confirm-suspend' : 'confirm-reinstate'}
              >
                {t(suspending ? 'operator.suspend' : 'operator.reinstate')}
              </button>
              <button type="button" className="button secondary" onClick={() => setOpen(false)}>
                {t('onboarding.form.cancel')}
              </button>
            </p>
          </fieldset>
        </form>
      ) : (
        <p>
          <button
            type="button"
            className="button secondary"
            data-action={suspending ? 'suspend' : 'reinstate'}
            onClick={() => setOpen(true)}
          >
            {t(suspending ? 'operator.suspendNamed' : 'operator.reinstateNamed', { name })}
          </button>
        </p>
      )}
    </li>
  );
}

/** Every decision and suspension, newest first, and whether the hash chain over them still holds. */
function AuditTrail() {
  const { t } = useTranslation();
  const format = useFormatTime();
  const trail = useQuery({
    queryKey: ['operator', 'decisions'],
    queryFn: operatorApi.decisions,
    staleTime: 0,
  });
  return (
    <section aria-labelledby="audit-title" className="audit">
      <h2 id="audit-title">{t('operator.auditTitle')}</h2>
      {trail.isPending ? (
        <Loading />
      ) : trail.isError ? (
        <ErrorPanel error={trail.error} retry={() => void trail.refetch()} />
      ) : (
        <>
          <p
            className={trail.data.chain.valid ? 'chain valid' : 'chain invalid'}
            data-chain={trail.data.chain.valid}
          >
            {trail.data.chain.valid
              ? t('operator.chainValid', { count: trail.data.chain.checked })
              : t('operator.chainBroken', { seq: trail.data.chain.brokenAt ?? '?' })}
          </p>
          <div className="table-scroll">
            <table className="audit-table">
              <caption>{t('operator.auditCaption', { count: trail.data.entries.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('operator.when')}</th>
                  <th scope="col">{t('operator.action')}</th>
                  <th scope="col">{t('operator.organisation')}</th>
                  <th scope="col">{t('operator.who')}</th>
                  <th scope="col">{t('operator.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {trail.data.entries.map((e) => (
                  <tr key={e.seq} data-action={e.action}>
                    <td>{format(e.at)}</td>
                    <th scope="row">
                      {e.applicationId ? (
                        <Link to={`/operator/applications/${encodeURIComponent(e.applicationId)}`}>
                          {t(`onboarding.actions.${e.action}`)}
                        </Link>
                      ) : (
                        t(`onboarding.actions.${e.action}`)
                      )}
                    </th>
                    <td>
                      <code>{e.organisationId}</code>
                    </td>
                    <td>{e.actorLabel || t('onboarding.app.unnamed')}</td>
                    <td>{e.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
