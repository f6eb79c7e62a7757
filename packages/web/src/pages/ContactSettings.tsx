import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ContactView, identityApi, type SessionView } from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { useLanguage } from '../hooks.ts';
import { ProblemText } from './SignIn.tsx';

const CONTACT_KEY = ['identity', 'contact'] as const;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Taiwan mobile numbers: 09 and 8 digits. Spaces and dashes people type are dropped. */
export const MOBILE = /^09\d{8}$/;
export const normaliseMobile = (value: string) => value.replace(/[\s-]/g, '');

type Field = 'email' | 'mobile';

/** Notification settings (通知設定): where the platform tells the citizen of each use of their data. */
export function ContactSettings({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const contact = useQuery({ queryKey: CONTACT_KEY, queryFn: identityApi.contact, staleTime: 0 });
  return (
    <section className="contact-settings" aria-labelledby="contact-title">
      <h2 id="contact-title">{t('account.contactTitle')}</h2>
      <p>{t('account.contactIntro')}</p>
      {contact.isPending ? (
        <Loading />
      ) : contact.isError ? (
        <ErrorPanel error={contact.error} retry={() => void contact.refetch()} />
      ) : (
        <ContactForm session={session} saved={contact.data} />
      )}
    </section>
  );
}

function ContactForm({ session, saved }: { session: SessionView; saved: ContactView }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const client = useQueryClient();
  const [values, setValues] = useState({ email: saved.email ?? '', mobile: saved.mobile ?? '' });
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [status, setStatus] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);

  function validate(email: string, mobile: string) {
    const found: Partial<Record<Field, string>> = {};
    if (email && !EMAIL.test(email)) found.email = t('signIn.invalid.email', { field: t('account.email') });
    if (mobile && !MOBILE.test(mobile))
      found.mobile = t('signIn.invalid.mobileNumber', { field: t('account.mobile') });
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const email = values.email.trim();
    const mobile = normaliseMobile(values.mobile);
    const found = validate(email, mobile);
    setInvalid(found);
    setProblem(undefined);
    setStatus(undefined);
    if (Object.keys(found).length) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const answer = await identityApi.setContact(
        { email: email || null, mobile: mobile || null, lang },
        session.csrfToken,
      );
      setValues({ email: answer.email ?? '', mobile: answer.mobile ?? '' });
      setStatus(answer.changed ? t('account.contactSaved') : t('account.contactUnchanged'));
      client.setQueryData(CONTACT_KEY, { email: answer.email, mobile: answer.mobile });
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const hasErrors = Object.keys(invalid).length > 0 || problem !== undefined;
  const field = (f: Field, type: string, autoComplete: string, inputMode: 'email' | 'tel') => {
    const id = `contact-${f}`;
    return (
      <div className="field">
        <label htmlFor={id}>{t(`account.${f}`)}</label>
        <span className="hint" id={`${id}-hint`}>
          {t(`account.${f}Hint`)}
        </span>
        {invalid[f] && (
          <span className="field-error" id={`${id}-error`}>
            {invalid[f]}
          </span>
        )}
        <input
          id={id}
          name={f}
          type={type}
          inputMode={inputMode}
          autoComplete={autoComplete}
          spellCheck={false}
          value={values[f]}
          aria-invalid={invalid[f] ? true : undefined}
          aria-describedby={[`${id}-hint`, invalid[f] ? `${id}-error` : ''].filter(Boolean).join(' ')}
          onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
        />
      </div>
    );
  };

  return (
    <form
      className="contact-form"
      noValidate
      onSubmit={(e) => void submit(e)}
      aria-labelledby="contact-title"
    >
      {hasErrors && (
        <div
          className="error-summary"
          role="alert"
          tabIndex={-1}
          ref={summary}
          aria-labelledby="contact-summary-title"
        >
          <h3 id="contact-summary-title">{t('signIn.errorSummary')}</h3>
          {problem !== undefined ? (
            <ProblemText error={problem} />
          ) : (
            <ul>
              {(['email', 'mobile'] as const)
                .filter((f) => invalid[f])
                .map((f) => (
                  <li key={f}>
                    <a href={`#contact-${f}`}>{invalid[f]}</a>
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
      {!saved.email && !saved.mobile && <p className="notice-inline">{t('account.contactNone')}</p>}
      {field('email', 'email', 'email', 'email')}
      {field('mobile', 'tel', 'tel-national', 'tel')}
      <p className="hint">{t('account.contactChangeNote')}</p>
      <p role="status" className="status">
        {status}
      </p>
      <p>
        <button type="submit" disabled={busy}>
          {busy ? t('account.saving') : t('account.saveContact')}
        </button>
      </p>
    </form>
  );
}
