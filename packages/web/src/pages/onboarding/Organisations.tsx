import type { Sector } from '@mydata/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { onboardingApi, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { ErrorSummary, Field } from '../../components/Field.tsx';
import { useLanguage } from '../../hooks.ts';
import { ContactFields } from './ApplicationForm.tsx';
import { ProblemMessage, SECTOR_IDS, StaffPage, Suspended, text } from './common.tsx';

export const ME_KEY = ['onboarding', 'me'] as const;
const ORG_ID = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** My organisations (組織管理): the ones I am staff of, my roles, and a sign-up for a new one. */
export function OrganisationsPage() {
  const { t } = useTranslation();
  return (
    <StaffPage title={t('onboarding.title')} returnTo="/organisations">
      {(session) => <Mine session={session} />}
    </StaffPage>
  );
}

function Mine({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const me = useQuery({ queryKey: ME_KEY, queryFn: onboardingApi.me, staleTime: 0 });
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorPanel asPage error={me.error} retry={() => void me.refetch()} />;
  const { organisations, operator } = me.data;
  return (
    <section className="onboarding" aria-labelledby="organisations-title">
      <h1 id="organisations-title">{t('onboarding.title')}</h1>
      <p className="lead">{t('onboarding.intro')}</p>
      {operator && (
        <p className="notice-inline">
          {t('onboarding.youAreOperator')} <Link to="/operator">{t('onboarding.toOperator')}</Link>
        </p>
      )}
      <h2>{t('onboarding.mine')}</h2>
      {organisations.length === 0 ? (
        <p>{t('onboarding.none')}</p>
      ) : (
        <ul className="cards">
          {organisations.map((o) => (
            <li className="card" key={o.id} data-organisation={o.id}>
              <h3>
                <Link to={`/organisations/${encodeURIComponent(o.id)}`}>{pick(o.name)}</Link>
              </h3>
              <dl className="facts">
                <div>
                  <dt>{t('onboarding.orgId')}</dt>
                  <dd>
                    <code>{o.id}</code>
                  </dd>
                </div>
                <div>
                  <dt>{t('onboarding.myRoles')}</dt>
                  <dd>{o.myRoles.map((r) => t(`onboarding.roles.${r}`)).join(' · ')}</dd>
                </div>
                <div>
                  <dt>{t('onboarding.listed')}</dt>
                  <dd>{o.listed ? t('onboarding.listedYes') : t('onboarding.listedNo')}</dd>
                </div>
              </dl>
              {o.suspended && <Suspended since={o.suspended.since} reason={o.suspended.reason} />}
            </li>
          ))}
        </ul>
      )}
      <SignUp session={session} />
    </section>
  );
}

type Invalid = { id: string; message: string }[];

/** Sign-up of a new organisation: the person signing it up becomes its first admin. */
function SignUp({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [values, setValues] = useState({
    id: '',
    nameZh: '',
    nameEn: '',
    sector: 'business' as Sector,
    website: '',
    contact: { name: '', email: '', phone: '' },
  });
  const [invalid, setInvalid] = useState<Invalid>([]);
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);
  const errorOf = (id: string) => invalid.find((e) => e.id === id)?.message;

  function validate(): Invalid {
    const found: Invalid = [];
    const missing = (id: string, value: string, label: string) => {
      if (!value.trim()) found.push({ id, message: t('onboarding.form.missing', { field: label }) });
    };
    if (!ORG_ID.test(values.id.trim()) || values.id.trim() === 'platform-operator')
      found.push({ id: 'org-id', message: t('onboarding.signUp.idInvalid') });
    missing('org-name-zh', values.nameZh, t('onboarding.signUp.nameZh'));
    missing('org-name-en', values.nameEn, t('onboarding.signUp.nameEn'));
    missing('org-contact-name', values.contact.name, t('onboarding.signUp.contactName'));
    if (!EMAIL.test(values.contact.email.trim()))
      found.push({ id: 'org-contact-email', message: t('onboarding.signUp.emailInvalid') });
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setInvalid(found);
    setProblem(undefined);
    if (found.length) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const created = await onboardingApi.signUp(
        {
          id: values.id.trim(),
          name: text(values.nameZh, values.nameEn),
          sector: values.sector,
          ...(values.website.trim() ? { website: values.website.trim() } : {}),
          securityContact: {
            name: values.contact.name.trim(),
            email: values.contact.email.trim(),
            ...(values.contact.phone.trim() ? { phone: values.contact.phone.trim() } : {}),
          },
        },
        session.csrfToken,
      );
      await client.invalidateQueries({ queryKey: ['onboarding'] });
      void navigate(`/organisations/${encodeURIComponent(created.id)}`);
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="sign-up" aria-labelledby="sign-up-title">
      <h2 id="sign-up-title">{t('onboarding.signUp.title')}</h2>
      <p>{t('onboarding.signUp.intro')}</p>
      <form noValidate onSubmit={(e) => void submit(e)} data-form="sign-up" aria-labelledby="sign-up-title">
        {(invalid.length > 0 || problem !== undefined) && (
          <ErrorSummary title={t('signIn.errorSummary')} errors={invalid} summaryRef={summary}>
            {problem !== undefined && <ProblemMessage error={problem} />}
          </ErrorSummary>
        )}
        <Field
          id="org-id"
          label={t('onboarding.signUp.id')}
          hint={t('onboarding.signUp.idHint')}
          error={errorOf('org-id')}
        >
          {(c) => (
            <input
              {...c}
              spellCheck={false}
              autoCapitalize="none"
              value={values.id}
              onChange={(e) => setValues((v) => ({ ...v, id: e.target.value }))}
            />
          )}
        </Field>
        <div className="field-pair">
          <Field id="org-name-zh" label={t('onboarding.signUp.nameZh')} error={errorOf('org-name-zh')}>
            {(c) => (
              <input
                {...c}
                lang="zh-TW"
                autoComplete="organization"
                value={values.nameZh}
                onChange={(e) => setValues((v) => ({ ...v, nameZh: e.target.value }))}
              />
            )}
          </Field>
          <Field id="org-name-en" label={t('onboarding.signUp.nameEn')} error={errorOf('org-name-en')}>
            {(c) => (
              <input
                {...c}
                lang="en"
                value={values.nameEn}
                onChange={(e) => setValues((v) => ({ ...v, nameEn: e.target.value }))}
              />
            )}
          </Field>
        </div>
        <Field id="org-sector" label={t('onboarding.signUp.sector')}>
          {(c) => (
            <select
              {...c}
              value={values.sector}
              onChange={(e) => setValues((v) => ({ ...v, sector: e.target.value as Sector }))}
            >
              {SECTOR_IDS.map((s) => (
                <option key={s} value={s}>
                  {t(`statistics.sectors.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          id="org-website"
          label={t('onboarding.signUp.website')}
          optional={t('onboarding.form.optional')}
        >
          {(c) => (
            <input
              {...c}
              type="url"
              spellCheck={false}
              value={values.website}
              onChange={(e) => setValues((v) => ({ ...v, website: e.target.value }))}
            />
          )}
        </Field>
        <fieldset className="form-section">
          <legend>
            <h3 className="legend-heading">{t('onboarding.app.securityContact')}</h3>
          </legend>
          <p className="hint">{t('onboarding.signUp.contactHint')}</p>
          <ContactFields
            prefix="org-contact"
            value={values.contact}
            onChange={(contact) => setValues((v) => ({ ...v, contact }))}
            errorOf={errorOf}
          />
        </fieldset>
        <p>
          <button type="submit" disabled={busy} data-action="sign-up">
            {busy ? t('onboarding.form.sending') : t('onboarding.signUp.submit')}
          </button>
        </p>
      </form>
    </section>
  );
}
