import type {
  ApplicationCreated,
  ApplicationSummary,
  ClientView,
  OrganisationDetail,
  StaffEntry,
} from '@mydata/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { onboardingApi, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { Fact } from '../../components/Fact.tsx';
import { ErrorSummary, Field } from '../../components/Field.tsx';
import { useLanguage, useTitle } from '../../hooks.ts';
import { ApplicationForm } from './ApplicationForm.tsx';
import { ApplicationView, ConnectionTest, DecisionHistory, SandboxBox } from './ApplicationView.tsx';
import {
  FlagNote,
  ProblemMessage,
  type Said,
  STAFF_ROLES,
  StaffPage,
  StatusBadge,
  Suspended,
  useFormatTime,
  useSay,
} from './common.tsx';
import { ME_KEY } from './Organisations.tsx';

const NATIONAL_ID = /^[A-Z][12]\d{8}$/;
type StaffRole = (typeof STAFF_ROLES)[number];

/** One organisation as its staff manage it: applications, staff, keys. */
export function OrganisationPage() {
  const { t } = useTranslation();
  const id = useParams().id ?? '';
  return (
    <StaffPage title={t('onboarding.title')} returnTo={`/organisations/${encodeURIComponent(id)}`}>
      {(session) => <Manage id={id} session={session} />}
    </StaffPage>
  );
}

function Manage({ id, session }: { id: string; session: SessionView }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const detail = useQuery({
    queryKey: ['onboarding', 'organisation', id],
    queryFn: () => onboardingApi.organisation(id),
    staleTime: 0,
  });
  const me = useQuery({ queryKey: ME_KEY, queryFn: onboardingApi.me, staleTime: 0 });
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [sent, setSent] = useState<ApplicationCreated | undefined>();
  const sentBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (sent) sentBox.current?.focus();
  }, [sent]);
  useTitle(detail.data ? pick(detail.data.organisation.name) : t('onboarding.title'));

  if (detail.isPending) return <Loading />;
  if (detail.isError) return <ErrorPanel asPage error={detail.error} retry={() => void detail.refetch()} />;
  const { organisation: o, staff, applications, clients } = detail.data;
  const myRoles = me.data?.organisations.find((x) => x.id === id)?.myRoles ?? [];
  const admin = myRoles.includes('admin');
  const refresh = () => client.invalidateQueries({ queryKey: ['onboarding'] });

  return (
    <article
      className="onboarding organisation"
      aria-labelledby="organisation-title"
      data-organisation={o.id}
    >
      <p className="back">
        <Link to="/organisations">{t('onboarding.backToMine')}</Link>
      </p>
      <h1 id="organisation-title">{pick(o.name)}</h1>
      <dl className="facts wide">
        <Fact label={t('onboarding.orgId')}>
          <code>{o.id}</code>
        </Fact>
        <Fact label={t('onboarding.signUp.sector')}>{t(`statistics.sectors.${o.sector}`)}</Fact>
        <Fact label={t('onboarding.listed')}>
          {o.listed ? t('onboarding.listedYes') : t('onboarding.listedNo')}
        </Fact>
        {myRoles.length > 0 && (
          <Fact label={t('onboarding.myRoles')}>
            {myRoles.map((r) => t(`onboarding.roles.${r}`)).join(' · ')}
          </Fact>
        )}
      </dl>
      {o.suspended && <Suspended since={o.suspended.since} reason={o.suspended.reason} />}

      <section aria-labelledby="applications-title" className="applications">
        <h2 id="applications-title">{t('onboarding.applicationsTitle')}</h2>
        {sent && (
          <div className="step-done" role="status" tabIndex={-1} ref={sentBox} data-sent={sent.id}>
            <p>
              <strong>{t('onboarding.sent', { status: t(`onboarding.statuses.${sent.status}`) })}</strong>
            </p>
            {sent.sandbox && <p>{t('onboarding.sentSandbox')}</p>}
          </div>
        )}
        {applications.length === 0 ? (
          <p>{t('onboarding.noApplications')}</p>
        ) : (
          <ul className="cards">
            {applications.map((a) => (
              <ApplicationCard
                key={a.id}
                orgId={o.id}
                summary={a}
                csrf={session.csrfToken}
                onResubmitted={(created) => {
                  setSent(created);
                  void refresh();
                }}
              />
            ))}
          </ul>
        )}
        {creating ? (
          <section aria-labelledby="new-application-title" className="new-application">
            <h3 id="new-application-title" tabIndex={-1}>
              {t('onboarding.newApplication')}
            </h3>
            <ApplicationForm
              orgId={o.id}
              csrf={session.csrfToken}
              {...(o.securityContact ? { contact: o.securityContact } : {})}
              onDone={(created) => {
                setCreating(false);
                setSent(created);
                void refresh();
              }}
              onCancel={() => {
                setCreating(false);
                // Back to the button that opened the form, as a keyboard user expects.
                requestAnimationFrame(() => document.getElementById('new-application-button')?.focus());
              }}
            />
          </section>
        ) : (
          <p>
            <button
              type="button"
              id="new-application-button"
              data-action="new-application"
              onClick={() => {
                setCreating(true);
                setSent(undefined);
                requestAnimationFrame(() => document.getElementById('new-application-title')?.focus());
              }}
            >
              {t('onboarding.newApplication')}
            </button>
          </p>
        )}
      </section>

      <Keys orgId={o.id} clients={clients} csrf={session.csrfToken} onRefreshed={() => void refresh()} />
      <Staff
        orgId={o.id}
        staff={staff}
        admin={admin}
        csrf={session.csrfToken}
        onChanged={() => void refresh()}
      />
    </article>
  );
}

/** One application: its status and what the operator said, with the flags and sandbox credentials. */
function ApplicationCard({
  orgId,
  summary,
  csrf,
  onResubmitted,
}: {
  orgId: string;
  summary: ApplicationSummary;
  csrf: string | undefined;
  onResubmitted: (created: ApplicationCreated) => void;
}) {
  const { t } = useTranslation();
  const format = useFormatTime();
  const detail = useQuery({
    queryKey: ['onboarding', 'application', orgId, summary.id, summary.updatedAt],
    queryFn: () => onboardingApi.application(orgId, summary.id),
  });
  const [editing, setEditing] = useState(false);
  const titleId = `app-${summary.id}-title`;
  return (
    <li
      className="card application-card"
      data-application={summary.id}
      data-status={summary.status}
      aria-labelledby={titleId}
    >
      <h3 id={titleId}>
        {t(`onboarding.kinds.${summary.kind}`)}: <code>{summary.subject}</code>
      </h3>
      <p>
        <StatusBadge status={summary.status} />{' '}
        <span className="meta">
          {t('onboarding.submittedAt', { time: format(summary.submittedAt) })} ·{' '}
          {t('onboarding.flagCount', { count: summary.flagCount })}
        </span>
      </p>
      {detail.isPending ? (
        <Loading />
      ) : detail.isError ? (
        <ErrorPanel error={detail.error} retry={() => void detail.refetch()} />
      ) : editing ? (
        <section aria-labelledby={`${titleId}-edit`}>
          <h4 id={`${titleId}-edit`}>{t('onboarding.changeTitle')}</h4>
          <ApplicationForm
            orgId={orgId}
            csrf={csrf}
            initial={detail.data.body}
            resubmit={summary.id}
            onDone={(created) => {
              setEditing(false);
              onResubmitted(created);
            }}
            onCancel={() => setEditing(false)}
          />
        </section>
      ) : (
        <>
          {detail.data.sandbox && <SandboxBox sandbox={detail.data.sandbox} />}
          {detail.data.body.kind === 'data-provider' && summary.status !== 'rejected' && (
            <ConnectionTest orgId={orgId} appId={summary.id} body={detail.data.body} csrf={csrf} />
          )}
          {detail.data.flags.length > 0 && (
            <>
              <h4>{t('onboarding.flagsHeading')}</h4>
              <p className="hint">{t('onboarding.flagsApplicant')}</p>
              {detail.data.flags.map((f) => (
                <FlagNote key={`${f.code}${f.pointer}`} flag={f} />
              ))}
            </>
          )}
          <h4>{t('onboarding.decisionsTitle')}</h4>
          <DecisionHistory decisions={detail.data.decisions} />
          {summary.status === 'changes-requested' && (
            <p>
              <button type="button" data-action="change-application" onClick={() => setEditing(true)}>
                {t('onboarding.change')}
              </button>
            </p>
          )}
          <details className="technical">
            <summary>{t('onboarding.showApplication')}</summary>
            <ApplicationView body={detail.data.body} flags={detail.data.flags} />
          </details>
        </>
      )}
    </li>
  );
}

/** The OAuth clients of the organisation and their keys, refreshed from the JWKS address on demand. */
function Keys({
  orgId,
  clients,
  csrf,
  onRefreshed,
}: {
  orgId: string;
  clients: OrganisationDetail['clients'];
  csrf: string | undefined;
  onRefreshed: () => void;
}) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="keys-title" className="keys">
      <h2 id="keys-title">{t('onboarding.keys.title')}</h2>
      <p>{t('onboarding.keys.intro')}</p>
      {clients.length === 0 ? (
        <p>{t('onboarding.keys.none')}</p>
      ) : (
        <ul className="cards">
          {clients.map((c) => (
            <ClientCard key={c.clientId} orgId={orgId} client={c} csrf={csrf} onRefreshed={onRefreshed} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ClientCard({
  orgId,
  client,
  csrf,
  onRefreshed,
}: {
  orgId: string;
  client: ClientView;
  csrf: string | undefined;
  onRefreshed: () => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<Said>();
  const say = useSay();
  const [problem, setProblem] = useState<unknown>();
  async function refresh() {
    setBusy(true);
    setProblem(undefined);
    setStatus(undefined);
    try {
      const updated = await onboardingApi.refreshKeys(orgId, client.clientId, csrf);
      setStatus({ key: 'onboarding.keys.refreshed', params: { count: updated?.keys?.length ?? 0 } });
      onRefreshed();
    } catch (error) {
      setProblem(error);
    } finally {
      setBusy(false);
    }
  }
  return (
    <li className="card client-card" data-client={client.clientId} data-environment={client.environment}>
      <h3>
        <code>{client.clientId}</code>{' '}
        <span className="meta">{t(`onboarding.keys.env.${client.environment}`)}</span>
      </h3>
      <dl className="facts wide">
        <Fact label={t('onboarding.app.redirectUris')}>
          {client.redirectUris.length ? (
            <ul className="plain">
              {client.redirectUris.map((u) => (
                <li key={u}>
                  <code>{u}</code>
                </li>
              ))}
            </ul>
          ) : (
            t('onboarding.app.none')
          )}
        </Fact>
        <Fact label={t('onboarding.app.webhookUrl')}>
          {client.webhookUrl ? <code>{client.webhookUrl}</code> : t('onboarding.app.none')}
        </Fact>
        <Fact label={t('onboarding.form.jwksUrl')}>
          {client.jwksUrl ? <code>{client.jwksUrl}</code> : t('onboarding.keys.pasted')}
        </Fact>
      </dl>
      <div className="table-scroll">
        <table className="key-table">
          <caption>{t('onboarding.keys.caption', { count: client.keys.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('onboarding.keys.kid')}</th>
              <th scope="col">{t('onboarding.keys.use')}</th>
              <th scope="col">{t('onboarding.keys.thumbprint')}</th>
            </tr>
          </thead>
          <tbody>
            {client.keys.map((k) => (
              <tr key={`${k.kid}${k.use}`} data-kid={k.kid}>
                <td>
                  <code>{k.kid}</code>
                </td>
                <td>{k.use === 'enc' ? t('onboarding.keys.enc') : t('onboarding.keys.sig')}</td>
                <td>
                  <code>{k.thumbprint}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {client.jwksUrl && (
        <p>
          <button type="button" data-action="refresh-keys" disabled={busy} onClick={() => void refresh()}>
            {busy ? t('onboarding.keys.refreshing') : t('onboarding.keys.refresh')}
          </button>
        </p>
      )}
      <p role="status" className="status">
        {say(status)}
      </p>
      {problem !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemMessage error={problem} />
        </div>
      )}
    </li>
  );
}

/** Who works for the organisation: admins add and remove people by national ID; never the last admin. */
function Staff({
  orgId,
  staff,
  admin,
  csrf,
  onChanged,
}: {
  orgId: string;
  staff: StaffEntry[];
  admin: boolean;
  csrf: string | undefined;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const format = useFormatTime();
  const [confirming, setConfirming] = useState<string | undefined>();
  const [problem, setProblem] = useState<unknown>();
  const [status, setStatus] = useState<Said>();
  const say = useSay();
  const key = (s: StaffEntry) => `${s.citizenRef}/${s.role}`;

  async function remove(s: StaffEntry) {
    setProblem(undefined);
    try {
      await onboardingApi.removeStaff(orgId, s.citizenRef, s.role, csrf);
      setConfirming(undefined);
      setStatus({ key: 'onboarding.staff.removed', params: { who: s.label, role: s.role } });
      onChanged();
    } catch (error) {
      setProblem(error);
    }
  }

  return (
    <section aria-labelledby="staff-title" className="staff">
      <h2 id="staff-title">{t('onboarding.staff.title')}</h2>
      <p>{t('onboarding.staff.intro')}</p>
      <div className="table-scroll">
        <table className="staff-table">
          <caption>{t('onboarding.staff.caption', { count: staff.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('onboarding.staff.label')}</th>
              <th scope="col">{t('onboarding.staff.nationalId')}</th>
              <th scope="col">{t('onboarding.staff.role')}</th>
              <th scope="col">{t('onboarding.staff.addedAt')}</th>
              {admin && <th scope="col">{t('onboarding.staff.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {staff.map((s) => (
              <tr key={key(s)} data-staff={s.label} data-role={s.role}>
                <th scope="row">{s.label}</th>
                <td>
                  <code>{s.nationalIdHint}</code>
                </td>
                <td>{t(`onboarding.roles.${s.role}`)}</td>
                <td>{format(s.addedAt)}</td>
                {admin && (
                  <td>
                    {confirming === key(s) ? (
                      <ConfirmRemove
                        label={t('onboarding.staff.confirmRemove', { who: s.label })}
                        onConfirm={() => void remove(s)}
                        onCancel={() => setConfirming(undefined)}
                      />
                    ) : (
                      <button
                        type="button"
                        className="button secondary"
                        data-action="remove-staff"
                        onClick={() => setConfirming(key(s))}
                      >
                        {t('onboarding.staff.remove', { who: s.label })}
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p role="status" className="status">
        {say(status)}
      </p>
      {problem !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemMessage error={problem} />
        </div>
      )}
      {admin && (
        <AddStaff
          orgId={orgId}
          csrf={csrf}
          onAdded={(who) => {
            setStatus(who);
            onChanged();
          }}
        />
      )}
    </section>
  );
}

/** The second step of a removal; focus moves to it, so a keyboard user confirms or cancels at once. */
function ConfirmRemove({
  label,
  onConfirm,
  onCancel,
}: {
  label: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    confirm.current?.focus();
  }, []);
  return (
    <span className="inline-controls">
      <button type="button" data-action="confirm-remove" ref={confirm} onClick={onConfirm}>
        {label}
      </button>
      <button type="button" className="button secondary" onClick={onCancel}>
        {t('onboarding.form.cancel')}
      </button>
    </span>
  );
}

function AddStaff({
  orgId,
  csrf,
  onAdded,
}: {
  orgId: string;
  csrf: string | undefined;
  onAdded: (message: Said) => void;
}) {
  const { t } = useTranslation();
  const [values, setValues] = useState({ nationalId: '', role: 'developer' as StaffRole, label: '' });
  const [invalid, setInvalid] = useState<{ id: string; message: string }[]>([]);
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);
  const errorOf = (id: string) => invalid.find((e) => e.id === id)?.message;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const nationalId = values.nationalId.trim().toUpperCase();
    const found: { id: string; message: string }[] = [];
    if (!NATIONAL_ID.test(nationalId))
      found.push({ id: 'staff-national-id', message: t('onboarding.staff.nationalIdInvalid') });
    if (!values.label.trim())
      found.push({
        id: 'staff-label',
        message: t('onboarding.form.missing', { field: t('onboarding.staff.label') }),
      });
    setInvalid(found);
    setProblem(undefined);
    if (found.length) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      await onboardingApi.addStaff(
        orgId,
        { nationalId, role: values.role, label: values.label.trim() },
        csrf,
      );
      onAdded({ key: 'onboarding.staff.added', params: { who: values.label.trim(), role: values.role } });
      setValues({ nationalId: '', role: 'developer', label: '' });
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form noValidate onSubmit={(e) => void submit(e)} aria-labelledby="add-staff-title" data-form="add-staff">
      <h3 id="add-staff-title">{t('onboarding.staff.addTitle')}</h3>
      {(invalid.length > 0 || problem !== undefined) && (
        <ErrorSummary title={t('signIn.errorSummary')} errors={invalid} summaryRef={summary}>
          {problem !== undefined && <ProblemMessage error={problem} />}
        </ErrorSummary>
      )}
      <div className="field-grid">
        <Field
          id="staff-national-id"
          label={t('onboarding.staff.nationalId')}
          hint={t('onboarding.staff.nationalIdHint')}
          error={errorOf('staff-national-id')}
        >
          {(c) => (
            <input
              {...c}
              autoComplete="off"
              spellCheck={false}
              autoCapitalize="characters"
              value={values.nationalId}
              onChange={(e) => setValues((v) => ({ ...v, nationalId: e.target.value }))}
            />
          )}
        </Field>
        <Field id="staff-role" label={t('onboarding.staff.role')}>
          {(c) => (
            <select
              {...c}
              value={values.role}
              onChange={(e) => setValues((v) => ({ ...v, role: e.target.value as StaffRole }))}
            >
              {STAFF_ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`onboarding.roles.${r}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="staff-label"
          label={t('onboarding.staff.label')}
          hint={t('onboarding.staff.labelHint')}
          error={errorOf('staff-label')}
        >
          {(c) => (
            <input
              {...c}
              value={values.label}
              onChange={(e) => setValues((v) => ({ ...v, label: e.target.value }))}
            />
          )}
        </Field>
      </div>
      <p>
        <button type="submit" disabled={busy} data-action="add-staff">
          {busy ? t('onboarding.form.sending') : t('onboarding.staff.add')}
        </button>
      </p>
    </form>
  );
}
