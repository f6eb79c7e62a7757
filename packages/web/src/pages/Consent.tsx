import type { AssuranceLevel } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import {
  ApiProblem,
  type ConsentDatasetView,
  consentApi,
  type DecisionAnswer,
  type InteractionView,
  identityApi,
  isProblem,
  type PartyNomination,
  type ProblemDocument,
} from '../api.ts';
import { assuranceRank, strongestAssurance } from '../assurance.ts';
import { AssuranceNote, Loading } from '../components/Badges.tsx';
import { DatasetFacts } from '../components/DatasetFacts.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useRefreshIdentity, useSession } from '../session.ts';
import { ProblemText, SignInFlow } from './SignIn.tsx';

/** A collection that failed after the citizen agreed: the consent stays pending until retried or cancelled. */
interface Failure {
  consentId: string;
  problem: ProblemDocument;
}

/** The failure an answer describes, when it names the consent it left pending. */
function failureOf(error: unknown): Failure | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  const consentId = error.body?.consentId;
  return typeof consentId === 'string' ? { consentId, problem: error.body ?? {} } : undefined;
}

/** A problem document as the error the translated texts know. */
const asProblem = (p: ProblemDocument) =>
  new ApiProblem(p.status ?? 500, p.code, typeof p.requestId === 'string' ? p.requestId : undefined, p);

/**
 * The consent screen: the platform's authorization server sends the browser here when a service asks
 * for data. The citizen sees who asks, why, for which data from which agency, and decides. Signing in
 * and stepping up happen in place, so the request is never lost on the way.
 */
export function ConsentPage() {
  const uid = useParams().uid ?? '';
  const interaction = useQuery({
    queryKey: ['consent', 'interaction', uid],
    queryFn: () => consentApi.interaction(uid),
    staleTime: 0,
  });
  // After signing in or stepping up in place, focus moves to the request now shown, as a new page would.
  const [moved, setMoved] = useState(false);
  const reload = async () => {
    setMoved(true);
    await interaction.refetch();
  };

  if (interaction.isPending) return <Loading />;
  if (interaction.isError) {
    const error = interaction.error;
    if (isProblem(error, 'identity.not-signed-in')) return <SignInFirst onSignedIn={() => void reload()} />;
    if (isProblem(error, 'consent.interaction-not-found')) return <Expired />;
    return <ErrorPanel asPage error={error} retry={() => void interaction.refetch()} />;
  }
  return (
    <Decide key={interaction.dataUpdatedAt} view={interaction.data} reload={reload} focusTitle={moved} />
  );
}

function SignInFirst({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  useTitle(t('consent.signInTitle'));
  return (
    <section className="sign-in consent-sign-in" aria-labelledby="consent-sign-in-title">
      <h1 id="consent-sign-in-title">{t('consent.signInTitle')}</h1>
      <p className="lead">{t('consent.signInBody')}</p>
      <SignInFlow onSignedIn={onSignedIn} />
    </section>
  );
}

function Expired() {
  const { t } = useTranslation();
  useTitle(t('consent.expiredTitle'));
  return (
    <section className="notice" aria-labelledby="consent-expired-title" data-consent="expired">
      <h1 id="consent-expired-title">{t('consent.expiredTitle')}</h1>
      <p>{t('consent.expiredBody')}</p>
      <p>{t('consent.expiredSeeConsents')}</p>
      <p className="actions">
        <Link to="/consents">{t('consent.toMyConsents')}</Link>
        <Link to="/">{t('error.home')}</Link>
      </p>
    </section>
  );
}

/** What the page shows once the request is known: the decision, a step-up, or a failed collection. */
function Decide({
  view,
  reload,
  focusTitle,
}: {
  view: InteractionView;
  reload: () => Promise<void>;
  focusTitle: boolean;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const session = useSession();
  const refresh = useRefreshIdentity();
  const csrf = session.data?.csrfToken;
  const serviceName = pick(view.service.name);
  const current = view.assurance.current;
  // Optional data that needs a stronger check than this session starts unticked: the citizen may
  // apply without it, or tick it and verify once more when agreeing.
  const [chosen, setChosen] = useState<Set<string>>(
    () =>
      new Set(
        view.datasets
          .filter((d) => d.required || assuranceRank(d.minAssurance) <= assuranceRank(current))
          .map((d) => d.id),
      ),
  );
  const [failure, setFailure] = useState<Failure | undefined>(
    view.pendingConsent
      ? { consentId: view.pendingConsent.id, problem: view.pendingConsent.problem }
      : undefined,
  );
  // Stepping up first is only needed when the required data alone asks for more than the session has.
  const neededFirst = view.datasets.some(
    (d) => d.required && assuranceRank(d.minAssurance) > assuranceRank(current),
  );
  const [stepUp, setStepUp] = useState<AssuranceLevel | undefined>(
    view.assurance.sufficient || !neededFirst ? undefined : view.assurance.required,
  );
  const [busy, setBusy] = useState<'accept' | 'decline' | 'retry' | undefined>();
  // Multi-person services: who the applicant names for each other party.
  const [nominees, setNominees] = useState<Record<string, Nominee>>({});
  const [leaving, setLeaving] = useState(false);
  const [error, setError] = useState<unknown>();
  const [failures, setFailures] = useState(0);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) errorBox.current?.focus();
  }, [failures]);
  useEffect(() => {
    if (focusTitle) document.querySelector<HTMLElement>('main h1')?.focus();
  }, [focusTitle]);

  function leave(answer: DecisionAnswer) {
    setLeaving(true);
    window.location.assign(answer.redirectTo);
  }

  /** Sends one decision and handles every answer the platform may give. */
  async function run(kind: 'accept' | 'decline' | 'retry', call: () => Promise<DecisionAnswer>) {
    setBusy(kind);
    setError(undefined);
    try {
      leave(await call());
    } catch (e) {
      const failed = failureOf(e);
      if (failed) {
        setFailure(failed);
      } else if (isProblem(e, 'identity.step-up-required')) {
        setStepUp(
          strongestAssurance(view.datasets.filter((d) => chosen.has(d.id)).map((d) => d.minAssurance)),
        );
      } else if (isProblem(e, 'identity.not-signed-in')) {
        await refresh();
        await reload();
      } else {
        setError(e);
        setFailures((n) => n + 1);
      }
    } finally {
      setBusy(undefined);
    }
  }

  const nominations = (): PartyNomination[] | undefined =>
    view.parties?.map((p) => {
      const n = nominees[p.role] ?? EMPTY_NOMINEE;
      const contact = n.kind === 'email' ? { email: n.contact.trim() } : { mobile: n.contact.trim() };
      return { role: p.role, nationalId: n.nationalId.trim().toUpperCase(), contact };
    });
  const accept = () => run('accept', () => consentApi.accept(view.uid, [...chosen], csrf, nominations()));
  const decline = () => run('decline', () => consentApi.decline(view.uid, csrf));

  useTitle(
    failure
      ? t('consent.failedTitle')
      : stepUp
        ? t('consent.stepUpTitle')
        : t('consent.title', { service: serviceName }),
  );

  const errorSummary =
    error !== undefined ? (
      <div className="error-summary" role="alert" tabIndex={-1} ref={errorBox}>
        <ProblemText error={error} />
      </div>
    ) : null;

  if (leaving) {
    return (
      <section aria-labelledby="consent-leaving-title">
        <h1 id="consent-leaving-title">{t('consent.returning', { service: serviceName })}</h1>
        <p className="loading" role="status">
          {t('loading')}
        </p>
      </section>
    );
  }

  if (failure) {
    return (
      <FailedCollection
        view={view}
        failure={failure}
        busy={busy}
        errorSummary={errorSummary}
        onRetry={() => run('retry', () => consentApi.retry(view.uid, failure.consentId, csrf))}
        onCancel={decline}
      />
    );
  }

  if (stepUp) {
    return (
      <StepUp
        view={view}
        required={stepUp}
        busy={busy}
        errorSummary={errorSummary}
        onDone={async () => {
          setStepUp(undefined);
          await reload();
        }}
        onDecline={decline}
      />
    );
  }

  const toggle = (id: string, on: boolean) =>
    setChosen((now) => {
      const next = new Set(now);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  return (
    <article className="consent" aria-labelledby="consent-title" data-consent="decide">
      <h1 id="consent-title" tabIndex={-1}>
        {t('consent.title', { service: serviceName })}
      </h1>
      <p className="lead">{t('consent.intro', { provider: pick(view.service.provider.name) })}</p>
      <Summary view={view} />
      <form
        className="consent-form"
        onSubmit={(e) => {
          e.preventDefault();
          void accept();
        }}
        aria-labelledby="consent-datasets-title"
      >
        <fieldset className="consent-datasets">
          <legend>
            <h2 id="consent-datasets-title">{t('consent.datasetsTitle', { count: view.datasets.length })}</h2>
          </legend>
          <p className="hint" id="consent-datasets-hint">
            {t('consent.datasetsHint')}
          </p>
          <ul className="cards">
            {view.datasets.map((d) => (
              <DatasetChoice
                key={d.id}
                dataset={d}
                serviceName={serviceName}
                current={current}
                checked={d.required || chosen.has(d.id)}
                onChange={(on) => toggle(d.id, on)}
              />
            ))}
          </ul>
        </fieldset>
        {view.parties && view.parties.length > 0 && (
          <PartiesFields
            parties={view.parties}
            value={nominees}
            onChange={(role, n) => setNominees((now) => ({ ...now, [role]: n }))}
          />
        )}
        {errorSummary}
        <p className="consent-note">{t('consent.decisionNote', { service: serviceName })}</p>
        <div className="consent-decision">
          <button type="submit" className="decision" disabled={busy !== undefined} data-decision="accept">
            {busy === 'accept' ? t('consent.sending') : t('consent.agree')}
          </button>
          <button
            type="button"
            className="decision"
            disabled={busy !== undefined}
            data-decision="decline"
            onClick={() => void decline()}
          >
            {busy === 'decline' ? t('consent.declining') : t('consent.decline')}
          </button>
        </div>
        {busy === 'accept' && (
          <p className="loading-inline" role="status">
            {t('consent.sendingExplain')}
          </p>
        )}
      </form>
    </article>
  );
}

/** What the applicant types for another party of a multi-person service. */
interface Nominee {
  nationalId: string;
  kind: 'email' | 'mobile';
  contact: string;
}
const EMPTY_NOMINEE: Nominee = { nationalId: '', kind: 'email', contact: '' };

/** For a multi-person service: each other party's national ID and how to reach them. */
function PartiesFields({
  parties,
  value,
  onChange,
}: {
  parties: NonNullable<InteractionView['parties']>;
  value: Record<string, Nominee>;
  onChange: (role: string, n: Nominee) => void;
}) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  return (
    <fieldset className="consent-parties" data-parties>
      <legend>
        <h2>{t('invitation.partiesTitle')}</h2>
      </legend>
      <p className="hint">{t('invitation.partiesIntro')}</p>
      {parties.map((p) => {
        const n = value[p.role] ?? EMPTY_NOMINEE;
        const role = pick(p.name);
        const id = `party-${p.role}`;
        return (
          <div key={p.role} className="card consent-party" data-party={p.role}>
            <h3>{role}</h3>
            <p className="hint">
              {t('invitation.partyGives', {
                role,
                datasets: p.datasets.map((d) => pick(d.name)).join(lang === 'en' ? ', ' : '、'),
              })}
            </p>
            <p className="field">
              <label htmlFor={`${id}-id`}>{t('invitation.nationalId', { role })}</label>
              <input
                id={`${id}-id`}
                name={`${id}-id`}
                required
                autoComplete="off"
                inputMode="text"
                maxLength={10}
                aria-describedby={`${id}-id-hint`}
                value={n.nationalId}
                onChange={(e) => onChange(p.role, { ...n, nationalId: e.target.value })}
              />
              <span className="hint" id={`${id}-id-hint`}>
                {t('invitation.nationalIdHint')}
              </span>
            </p>
            <fieldset className="choice-row">
              <legend>{t('invitation.contactKind', { role })}</legend>
              {(['email', 'mobile'] as const).map((kind) => (
                <label key={kind}>
                  <input
                    type="radio"
                    name={`${id}-kind`}
                    value={kind}
                    checked={n.kind === kind}
                    onChange={() => onChange(p.role, { ...n, kind, contact: '' })}
                  />{' '}
                  {kind === 'email' ? t('invitation.byEmail') : t('invitation.byMobile')}
                </label>
              ))}
            </fieldset>
            <p className="field">
              <label htmlFor={`${id}-contact`}>
                {n.kind === 'email' ? t('invitation.email') : t('invitation.mobile')}
              </label>
              <input
                id={`${id}-contact`}
                name={`${id}-contact`}
                required
                type={n.kind === 'email' ? 'email' : 'tel'}
                autoComplete="off"
                value={n.contact}
                onChange={(e) => onChange(p.role, { ...n, contact: e.target.value })}
              />
            </p>
          </div>
        );
      })}
      <p className="hint">{t('invitation.waitingNote')}</p>
    </fieldset>
  );
}

/** Who asks, why, for how long they keep it, and that it is sent once. */
function Summary({ view }: { view: InteractionView }) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const p = view.service.provider;
  return (
    <dl className="facts wide consent-facts">
      <Fact label={t('consent.provider')}>
        <strong data-provider={p.id}>{pick(p.name)}</strong>
        <span className="badge-explain">
          {t('consent.providerVerified', { sector: t(`statistics.sectors.${p.sector}`) })}
        </span>
      </Fact>
      <Fact label={t('consent.service')}>
        {pick(view.service.name)}
        <span className="badge-explain">{pick(view.service.description)}</span>
      </Fact>
      <Fact label={t('consent.purpose')}>{pick(view.purpose.description)}</Fact>
      <Fact label={t('consent.oneTime')}>{t('consent.oneTimeBody')}</Fact>
      <Fact label={t('consent.retention')}>
        {t('consent.retentionBody', { provider: pick(p.name), count: view.service.retentionDays })}
      </Fact>
      <Fact label={t('consent.validUntil')}>
        {new Date(view.expiresAt).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW')}
      </Fact>
    </dl>
  );
}

function DatasetChoice({
  dataset: d,
  serviceName,
  current,
  checked,
  onChange,
}: {
  dataset: ConsentDatasetView;
  serviceName: string;
  current: AssuranceLevel;
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const id = `share-${d.id}`;
  return (
    <li className="card consent-dataset" data-dataset={d.id} data-required={d.required}>
      <div className="consent-check">
        {d.required ? (
          // Focusable and announced as checked and unavailable, with the reason, rather than
          // disabled: a disabled control is skipped by the keyboard and its reason never heard.
          <input
            type="checkbox"
            id={id}
            checked
            aria-disabled="true"
            aria-describedby={`${id}-need ${id}-why`}
            onChange={() => undefined}
            onClick={(e) => e.preventDefault()}
          />
        ) : (
          <input
            type="checkbox"
            id={id}
            checked={checked}
            aria-describedby={`${id}-need ${id}-why${assuranceRank(d.minAssurance) > assuranceRank(current) ? ` ${id}-step-up` : ''}`}
            onChange={(e) => onChange(e.target.checked)}
          />
        )}
        <label htmlFor={id}>{pick(d.name)}</label>
      </div>
      <p id={`${id}-need`} className={d.required ? 'need required' : 'need optional'}>
        <strong>{d.required ? t('service.required') : t('service.optional')}</strong>
        {d.required
          ? t('consent.requiredWhy', { service: serviceName })
          : t('consent.optionalWhy', { service: serviceName })}
      </p>
      {!d.required && assuranceRank(d.minAssurance) > assuranceRank(current) && (
        <p className="hint" id={`${id}-step-up`}>
          {t('consent.optionalStepUp', { level: t(`assurance.${d.minAssurance}.name`) })}
        </p>
      )}
      <p className="hint">{pick(d.description)}</p>
      <DatasetFacts dataset={d} id={id} />
    </li>
  );
}

/** Some data needs a stronger identity check than this session has: explain, and verify in place. */
function StepUp({
  view,
  required,
  busy,
  errorSummary,
  onDone,
  onDecline,
}: {
  view: InteractionView;
  required: AssuranceLevel;
  busy: string | undefined;
  errorSummary: ReactNode;
  onDone: () => Promise<void>;
  onDecline: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const current = view.assurance.current;
  const candidates = useQuery({
    queryKey: ['identity', 'step-up', required],
    queryFn: () => identityApi.stepUp(required),
    enabled: required !== view.assurance.required,
  });
  const methods =
    required === view.assurance.required ? view.assurance.candidates : candidates.data?.candidates;
  const needing = view.datasets.filter((d) => assuranceRank(d.minAssurance) > assuranceRank(current));
  return (
    <section className="consent step-up" aria-labelledby="consent-step-up-title" data-consent="step-up">
      <h1 id="consent-step-up-title" tabIndex={-1}>
        {t('consent.stepUpTitle')}
      </h1>
      <p className="lead">
        {t('consent.stepUpBody', {
          service: pick(view.service.name),
          required: t(`assurance.${required}.name`),
          current: t(`assurance.${current}.name`),
        })}
      </p>
      <p>
        <AssuranceNote level={required} />
      </p>
      {needing.length > 0 && (
        <>
          <h2>{t('consent.stepUpDatasets')}</h2>
          <ul>
            {needing.map((d) => (
              <li key={d.id}>
                {t('consent.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
              </li>
            ))}
          </ul>
        </>
      )}
      <h2>{t('consent.stepUpHow')}</h2>
      <p>{t('consent.stepUpKeep')}</p>
      {methods ? <SignInFlow only={methods} onSignedIn={onDone} /> : <Loading />}
      {errorSummary}
      <h2>{t('consent.stepUpOrDecline')}</h2>
      <p>{t('consent.declineNothingSent', { service: pick(view.service.name) })}</p>
      <p>
        <button
          type="button"
          className="button secondary"
          data-decision="decline"
          disabled={busy !== undefined}
          onClick={() => void onDecline()}
        >
          {busy === 'decline' ? t('consent.declining') : t('consent.decline')}
        </button>
      </p>
    </section>
  );
}

/** The citizen agreed but an agency's data could not be collected: say which, and offer retry or cancel. */
function FailedCollection({
  view,
  failure,
  busy,
  errorSummary,
  onRetry,
  onCancel,
}: {
  view: InteractionView;
  failure: Failure;
  busy: string | undefined;
  errorSummary: ReactNode;
  onRetry: () => Promise<void>;
  onCancel: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const title = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    title.current?.focus();
  }, []);
  const agencyId = typeof failure.problem.agencyId === 'string' ? failure.problem.agencyId : undefined;
  const agency = view.datasets.find((d) => d.agency.id === agencyId)?.agency;
  const serviceName = pick(view.service.name);
  return (
    <section
      className="consent consent-failed"
      aria-labelledby="consent-failed-title"
      data-consent="failed"
      data-consent-id={failure.consentId}
    >
      <h1 id="consent-failed-title" tabIndex={-1} ref={title}>
        {t('consent.failedTitle')}
      </h1>
      <p className="lead">{t('consent.failedBody', { service: serviceName })}</p>
      <div className="error-summary" role="alert">
        {agency && (
          <p className="problem-title">{t('consent.failedAgency', { agency: pick(agency.name) })}</p>
        )}
        <ProblemText error={asProblem(failure.problem)} />
        {typeof failure.problem.detail === 'string' && (
          <p className="problem-detail" data-problem-detail>
            {failure.problem.detail}
          </p>
        )}
      </div>
      {errorSummary}
      <p>{t('consent.failedChoices', { service: serviceName })}</p>
      <div className="consent-decision">
        <button
          type="button"
          className="decision"
          data-decision="retry"
          disabled={busy !== undefined}
          onClick={() => void onRetry()}
        >
          {busy === 'retry' ? t('consent.sending') : t('consent.retry')}
        </button>
        <button
          type="button"
          className="decision"
          data-decision="cancel"
          disabled={busy !== undefined}
          onClick={() => void onCancel()}
        >
          {busy === 'decline' ? t('consent.declining') : t('consent.cancel')}
        </button>
      </div>
      <p className="hint">{t('consent.cancelHint', { service: serviceName })}</p>
    </section>
  );
}
