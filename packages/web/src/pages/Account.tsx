import { type PublicKeyCredentialCreationOptionsJSON, startRegistration } from '@simplewebauthn/browser';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { identityApi, type SessionView } from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useRefreshIdentity, useSession } from '../session.ts';
import { ContactSettings } from './ContactSettings.tsx';
import { CardSignIn, ProblemText } from './SignIn.tsx';

/** My account: the session, signing out, notification settings and the passkeys (mobile citizen certificate). */
export function Account() {
  const { t } = useTranslation();
  useTitle(t('account.title'));
  const session = useSession();
  const [message, setMessage] = useState<string | undefined>();

  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel error={session.error} retry={() => void session.refetch()} asPage />;
  if (!session.data) {
    return (
      <section className="notice" aria-labelledby="account-title">
        <h1 id="account-title">{t('account.title')}</h1>
        {message && <p role="status">{message}</p>}
        <h2>{t('signIn.notice')}</h2>
        <p>
          <Link to="/sign-in">{t('signIn.goSignIn')}</Link>
        </p>
      </section>
    );
  }
  return <SignedIn session={session.data} onSignedOut={setMessage} />;
}

function SignedIn({ session, onSignedOut }: { session: SessionView; onSignedOut: (m: string) => void }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const refresh = useRefreshIdentity();
  const [error, setError] = useState<unknown>();
  const when = (iso: string) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW');

  async function signOut(everywhere: boolean) {
    setError(undefined);
    try {
      if (everywhere) {
        const { ended } = await identityApi.signOutEverywhere(session.csrfToken);
        onSignedOut(t('account.signedOutEverywhere', { count: ended }));
      } else {
        await identityApi.signOut(session.csrfToken);
        onSignedOut(t('account.signedOut'));
      }
    } catch (e) {
      setError(e);
      return;
    }
    await refresh();
  }

  return (
    <section className="account" aria-labelledby="account-title">
      <h1 id="account-title">{t('account.title')}</h1>
      <p className="lead">{t('account.signedInAs')}</p>
      <dl className="facts">
        <div>
          <dt>{t('account.assurance')}</dt>
          <dd data-assurance={session.assurance}>{t(`assurance.${session.assurance}.name`)}</dd>
        </div>
        <div>
          <dt>{t('account.methodsUsed')}</dt>
          <dd data-methods={session.methods.join(' ')}>
            {session.methods.map((m) => t(`signIn.methods.${m}.name`)).join(t('signIn.listSeparator'))}
          </dd>
        </div>
        <Fact label={t('account.idleExpires')}>{when(session.idleExpiresAt)}</Fact>
        <Fact label={t('account.absoluteExpires')}>{when(session.absoluteExpiresAt)}</Fact>
      </dl>
      {error !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemText error={error} />
        </div>
      )}
      <ul className="actions">
        <li>
          <button type="button" onClick={() => void signOut(false)}>
            {t('account.signOut')}
          </button>
        </li>
        <li>
          <button type="button" className="button secondary" onClick={() => void signOut(true)}>
            {t('account.signOutEverywhere')}
          </button>
        </li>
      </ul>
      <ContactSettings session={session} />
      <Passkeys session={session} />
    </section>
  );
}

function Passkeys({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const refresh = useRefreshIdentity();
  const high = session.assurance === 'high';
  const list = useQuery({ queryKey: ['identity', 'passkeys'], queryFn: identityApi.passkeys });
  const stepUp = useQuery({
    queryKey: ['identity', 'step-up', 'high'],
    queryFn: () => identityApi.stepUp('high'),
    enabled: !high,
  });
  const [status, setStatus] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) errorBox.current?.focus();
  }, [failures]);
  const date = (iso: string) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW');

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setError(undefined);
    setStatus(undefined);
    try {
      setStatus(await action());
      await refresh();
    } catch (e) {
      setError(e);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const enrol = () =>
    run(async () => {
      const { challengeId, options } = await identityApi.passkeyOptions(session.csrfToken);
      const credential = await startRegistration({
        optionsJSON: options as unknown as PublicKeyCredentialCreationOptionsJSON,
      });
      await identityApi.enrolPasskey({ challengeId, credential }, session.csrfToken);
      return t('account.enrolled');
    });

  const remove = (id: string) =>
    run(async () => {
      await identityApi.removePasskey(id, session.csrfToken);
      return t('account.removed');
    });

  return (
    <section className="passkeys" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('account.passkeysTitle')}</h2>
      <p>{t('account.passkeysIntro')}</p>
      <p role="status" className="status">
        {status}
      </p>
      {error !== undefined && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={errorBox}>
          <ProblemText error={error} />
        </div>
      )}
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorPanel error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p>{t('account.noPasskeys')}</p>
      ) : (
        <ul className="passkey-list">
          {list.data.items.map((p) => (
            <li key={p.id}>
              <span>{t('account.passkeyItem', { created: date(p.createdAt) })}</span>{' '}
              <span className="hint">
                {p.lastUsedAt ? t('account.lastUsed', { when: date(p.lastUsedAt) }) : t('account.neverUsed')}
              </span>{' '}
              <button
                type="button"
                className="button secondary"
                disabled={busy}
                aria-label={t('account.removeLabel', { created: date(p.createdAt) })}
                onClick={() => void remove(p.id)}
              >
                {t('account.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {high ? (
        <p>
          <button type="button" disabled={busy} onClick={() => void enrol()}>
            {t('account.enrol')}
          </button>
        </p>
      ) : (
        <section className="step-up" aria-labelledby="step-up-title">
          <h3 id="step-up-title">{t('account.stepUpTitle')}</h3>
          {stepUp.isPending ? (
            <Loading />
          ) : stepUp.isError ? (
            <ErrorPanel error={stepUp.error} retry={() => void stepUp.refetch()} />
          ) : (
            <>
              <p>{t('account.stepUpBody', { current: t(`assurance.${stepUp.data.current}.name`) })}</p>
              <ul>
                {stepUp.data.candidates.map((m) => (
                  <li key={m} data-method={m}>
                    {m === 'citizen-certificate' ? (
                      <>
                        {t('account.stepUpCard')}
                        <CardSignIn csrf={session.csrfToken} onAnswer={refresh} heading="h4" />
                      </>
                    ) : (
                      t(`signIn.methods.${m}.name`)
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      )}
    </section>
  );
}
