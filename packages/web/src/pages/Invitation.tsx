import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { type InvitationView, invitationApi, isProblem } from '../api.ts';
import { AssuranceNote, Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useRefreshIdentity, useSession } from '../session.ts';
import { ProblemText, SignInFlow } from './SignIn.tsx';

/**
 * An invitation to a multi-person application: the person the applicant named signs in as
 * themselves, sees who asks, for which service and which of their own data, and consents or
 * declines. Anyone else signed in sees only "not found", never who was named.
 */
export function InvitationPage() {
  const id = useParams().id ?? '';
  const invitation = useQuery({
    queryKey: ['invitation', id],
    queryFn: () => invitationApi.get(id),
    staleTime: 0,
    retry: false,
  });
  if (invitation.isPending) return <Loading />;
  if (invitation.isError) {
    const error = invitation.error;
    if (isProblem(error, 'identity.not-signed-in'))
      return <SignInFirst onSignedIn={() => void invitation.refetch()} />;
    if (isProblem(error, 'application.not-found')) return <NotFoundInvitation />;
    return <ErrorPanel asPage error={error} retry={() => void invitation.refetch()} />;
  }
  return <Answer key={invitation.dataUpdatedAt} view={invitation.data} reload={() => invitation.refetch()} />;
}

function SignInFirst({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  useTitle(t('invitation.signInTitle'));
  return (
    <section className="sign-in" aria-labelledby="invitation-sign-in-title">
      <h1 id="invitation-sign-in-title">{t('invitation.signInTitle')}</h1>
      <p className="lead">{t('invitation.signInBody')}</p>
      <SignInFlow onSignedIn={onSignedIn} />
    </section>
  );
}

function NotFoundInvitation() {
  const { t } = useTranslation();
  useTitle(t('invitation.notFoundTitle'));
  return (
    <section className="notice" aria-labelledby="invitation-not-found-title" data-invitation="not-found">
      <h1 id="invitation-not-found-title">{t('invitation.notFoundTitle')}</h1>
      <p>{t('invitation.notFoundBody')}</p>
      <p className="actions">
        <Link to="/">{t('invitation.home')}</Link>
      </p>
    </section>
  );
}

function Outcome({
  view,
  kind,
}: {
  view: InvitationView;
  kind: 'consented' | 'declined' | 'expired' | 'ended';
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
  }, []);
  useTitle(t(`invitation.${kind}Title`));
  return (
    <section className="notice" aria-labelledby="invitation-outcome-title" data-invitation={kind}>
      <h1 id="invitation-outcome-title" tabIndex={-1} ref={title}>
        {t(`invitation.${kind}Title`)}
      </h1>
      <p>{t(`invitation.${kind}Body`, { provider: pick(view.provider.name) })}</p>
      <p className="actions">
        <Link to="/usage-log">{t('invitation.usageLog')}</Link>
        <Link to="/">{t('invitation.home')}</Link>
      </p>
    </section>
  );
}

function Answer({ view, reload }: { view: InvitationView; reload: () => Promise<unknown> }) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const session = useSession();
  const refresh = useRefreshIdentity();
  const queries = useQueryClient();
  const csrf = session.data?.csrfToken;
  const [busy, setBusy] = useState<'consent' | 'decline' | undefined>();
  const [error, setError] = useState<unknown>();
  const [stepUp, setStepUp] = useState(!view.assurance.sufficient);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) errorBox.current?.focus();
  }, [error]);
  const serviceName = pick(view.service.name);
  useTitle(
    stepUp && view.status === 'waiting'
      ? t('invitation.stepUpTitle')
      : t('invitation.title', { service: serviceName }),
  );

  if (view.status !== 'waiting') return <Outcome view={view} kind={view.status} />;

  async function decide(decision: 'consent' | 'decline') {
    setBusy(decision);
    setError(undefined);
    try {
      const answered = await invitationApi.decide(view.id, decision, csrf);
      queries.setQueryData(['invitation', view.id], answered);
      await reload();
    } catch (e) {
      if (isProblem(e, 'identity.step-up-required')) setStepUp(true);
      else if (isProblem(e, 'identity.not-signed-in')) {
        await refresh();
        await reload();
      } else setError(e);
    } finally {
      setBusy(undefined);
    }
  }

  const errorSummary: ReactNode =
    error !== undefined ? (
      <div className="error-summary" role="alert" tabIndex={-1} ref={errorBox}>
        <ProblemText error={error} />
      </div>
    ) : null;

  if (stepUp) {
    return (
      <section
        className="consent step-up"
        aria-labelledby="invitation-step-up-title"
        data-invitation="step-up"
      >
        <h1 id="invitation-step-up-title">{t('invitation.stepUpTitle')}</h1>
        <p className="lead">
          {t('invitation.stepUpBody', { required: t(`assurance.${view.assurance.required}.name`) })}
        </p>
        <p>
          <AssuranceNote level={view.assurance.required} />
        </p>
        <SignInFlow
          only={view.assurance.candidates}
          onSignedIn={async () => {
            setStepUp(false);
            await refresh();
            await reload();
          }}
        />
      </section>
    );
  }

  return (
    <article className="consent" aria-labelledby="invitation-title" data-invitation="waiting">
      <h1 id="invitation-title">{t('invitation.title', { service: serviceName })}</h1>
      <p className="lead" data-inviter>
        {t('invitation.intro', {
          inviter: view.inviter.name ?? t('invitation.unknownInviter'),
          maskedId: view.inviter.maskedNationalId,
          service: serviceName,
          role: pick(view.role.name),
        })}
      </p>
      <dl className="facts wide consent-facts">
        <Fact label={t('invitation.whoAsks')}>
          {t('invitation.inviterLine', {
            name: view.inviter.name ?? t('invitation.unknownInviter'),
            maskedId: view.inviter.maskedNationalId,
            role: pick(view.inviter.role),
          })}
        </Fact>
        <Fact label={t('invitation.yourRole')}>{pick(view.role.name)}</Fact>
        <Fact label={t('invitation.service')}>
          {serviceName}
          <span className="badge-explain">{pick(view.service.description)}</span>
        </Fact>
        <Fact label={t('invitation.provider')}>{pick(view.provider.name)}</Fact>
        <Fact label={t('invitation.purpose')}>{pick(view.purpose.description)}</Fact>
        <Fact label={t('invitation.retention')}>
          {t('invitation.retentionBody', {
            provider: pick(view.provider.name),
            count: view.service.retentionDays,
          })}
        </Fact>
        <Fact label={t('invitation.expires')}>
          {new Date(view.expiresAt).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW')}
        </Fact>
      </dl>
      <h2>{t('invitation.datasetsTitle')}</h2>
      <ul className="cards">
        {view.datasets.map((d) => (
          <li key={d.id} className="card consent-dataset" data-dataset={d.id}>
            <h3>{pick(d.name)}</h3>
            <p className="hint">{pick(d.description)}</p>
            <dl className="facts">
              <Fact label={t('invitation.agency')}>{pick(d.agency.name)}</Fact>
              <Fact label={t('invitation.why')}>{pick(d.justification)}</Fact>
              <Fact label={t('invitation.fields')}>
                <ul className="field-list">
                  {d.fields.map((f) => (
                    <li key={f.name}>{pick(f.label)}</li>
                  ))}
                </ul>
              </Fact>
            </dl>
          </li>
        ))}
      </ul>
      {errorSummary}
      <p className="consent-note">{t('invitation.declineNote')}</p>
      <div className="consent-decision">
        <button
          type="button"
          className="decision"
          data-decision="consent"
          disabled={busy !== undefined}
          onClick={() => void decide('consent')}
        >
          {busy === 'consent' ? t('invitation.sending') : t('invitation.consent')}
        </button>
        <button
          type="button"
          className="decision"
          data-decision="decline"
          disabled={busy !== undefined}
          onClick={() => void decide('decline')}
        >
          {busy === 'decline' ? t('invitation.declining') : t('invitation.decline')}
        </button>
      </div>
      {busy === 'consent' && (
        <p className="loading-inline" role="status">
          {t('invitation.sending')}
        </p>
      )}
    </article>
  );
}
