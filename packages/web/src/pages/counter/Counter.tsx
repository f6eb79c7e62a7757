import type { CounterCode } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { renderSVG } from 'uqr';
import {
  ApiProblem,
  api,
  type CounterCaseView,
  type CounterScreen,
  counterApi,
  identityApi,
  isProblem,
  type SessionView,
} from '../../api.ts';
import { assuranceRank, strongestAssurance } from '../../assurance.ts';
import { Loading } from '../../components/Badges.tsx';
import { CollectionFailure } from '../../components/CollectionFailure.tsx';
import { DatasetFacts } from '../../components/DatasetFacts.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { Fact } from '../../components/Fact.tsx';
import { SignInNotice } from '../../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../../hooks.ts';
import { useRefreshIdentity, useSession } from '../../session.ts';
import { ProblemText, SignInFlow } from '../SignIn.tsx';

/** How long an unredeemed case waits (the platform's default), for the review text. */
const CASE_MINUTES = 30;

type Step =
  | { kind: 'choose' }
  | { kind: 'review'; serviceId: string }
  | { kind: 'failed'; serviceId: string; chosen: string[]; error: unknown }
  | { kind: 'show'; caseView: CounterCaseView };

/**
 * Counter verification for the citizen (臨櫃核驗): choose a counter service, review what it asks and
 * why, consent; the platform collects the data and this page shows a QR code and a short code that
 * change every period until a clerk redeems one.
 */
export function CounterPage() {
  const { t } = useTranslation();
  const session = useSession();
  const [params] = useSearchParams();
  const service = params.get('service');
  useTitle(t('counter.title'));
  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel asPage error={session.error} retry={() => void session.refetch()} />;
  if (!session.data) {
    return (
      <SignInNotice
        id="counter-title"
        title={t('counter.title')}
        feature="counter"
        body={t('counter.signInBody')}
        signInHref={`/sign-in?return=${service ? encodeURIComponent(`/counter?service=${encodeURIComponent(service)}`) : '/counter'}`}
        links={<Link to="/services">{t('nav.services')}</Link>}
      />
    );
  }
  return <SignedIn session={session.data} />;
}

function SignedIn({ session }: { session: SessionView }) {
  // A service page links here with ?service=<id>: its review comes first.
  const [params] = useSearchParams();
  const [step, setStep] = useState<Step>(() => {
    const serviceId = params.get('service');
    return serviceId ? { kind: 'review', serviceId } : { kind: 'choose' };
  });
  const [moves, setMoves] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);
  // Each new step is announced as a new page would be: focus on its heading.
  useEffect(() => {
    if (moves) heading.current?.focus();
  }, [moves]);
  const go = (next: Step) => {
    setMoves((n) => n + 1);
    setStep(next);
  };
  if (step.kind === 'review') {
    return (
      <Review
        serviceId={step.serviceId}
        session={session}
        heading={heading}
        onBack={() => go({ kind: 'choose' })}
        onCreated={(caseView) => go({ kind: 'show', caseView })}
        onFailed={(chosen, error) => go({ kind: 'failed', serviceId: step.serviceId, chosen, error })}
      />
    );
  }
  if (step.kind === 'failed') {
    return (
      <Failed
        step={step}
        session={session}
        heading={heading}
        onCreated={(caseView) => go({ kind: 'show', caseView })}
        onBack={() => go({ kind: 'review', serviceId: step.serviceId })}
      />
    );
  }
  if (step.kind === 'show') {
    return (
      <Show
        initial={step.caseView}
        session={session}
        heading={heading}
        onAgain={() => go({ kind: 'choose' })}
      />
    );
  }
  return (
    <Choose
      heading={heading}
      onPick={(serviceId) => go({ kind: 'review', serviceId })}
      onResume={(caseView) => go({ kind: 'show', caseView })}
    />
  );
}

function Choose({
  heading,
  onPick,
  onResume,
}: {
  heading: React.RefObject<HTMLHeadingElement | null>;
  onPick: (serviceId: string) => void;
  onResume: (c: CounterCaseView) => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const services = useQuery({
    queryKey: ['services', { mode: 'counter' }],
    queryFn: () => api.services({ mode: 'counter' }),
  });
  const ready = useQuery({
    queryKey: ['counter', 'cases', 'ready'],
    queryFn: () => counterApi.cases('ready'),
  });
  if (services.isPending) return <Loading />;
  if (services.isError)
    return <ErrorPanel asPage error={services.error} retry={() => void services.refetch()} />;
  return (
    <section className="counter" aria-labelledby="counter-title" data-counter="choose">
      <h1 id="counter-title" tabIndex={-1} ref={heading}>
        {t('counter.title')}
      </h1>
      <p className="lead">{t('counter.intro')}</p>
      {ready.data && ready.data.items.length > 0 && (
        <section aria-labelledby="counter-resume-title" className="counter-resume">
          <h2 id="counter-resume-title">{t('counter.resumeTitle')}</h2>
          <ul className="field-list">
            {ready.data.items.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className="button secondary"
                  data-resume={c.id}
                  onClick={() => onResume(c)}
                >
                  {t('counter.resume', { service: pick(c.service.name) })}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      <h2>{t('counter.chooseTitle')}</h2>
      <p className="hint">{t('counter.chooseHint')}</p>
      {services.data.items.length === 0 ? (
        <p>{t('counter.none')}</p>
      ) : (
        <ul className="cards">
          {services.data.items.map((s) => (
            <li key={s.id} className="card" data-service={s.id}>
              <h3>{pick(s.name)}</h3>
              <p className="hint">{pick(s.provider.name)}</p>
              <p>{pick(s.description)}</p>
              <p>
                <button
                  type="button"
                  data-action="pick"
                  aria-label={`${t('counter.pick')}: ${pick(s.name)}`}
                  onClick={() => onPick(s.id)}
                >
                  {t('counter.pick')}
                </button>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Review({
  serviceId,
  session,
  heading,
  onBack,
  onCreated,
  onFailed,
}: {
  serviceId: string;
  session: SessionView;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onBack: () => void;
  onCreated: (c: CounterCaseView) => void;
  onFailed: (chosen: string[], error: unknown) => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const refresh = useRefreshIdentity();
  const screen = useQuery({
    queryKey: ['counter', 'screen', serviceId],
    queryFn: () => counterApi.screen(serviceId),
  });
  const [optional, setOptional] = useState<Set<string> | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const chosenIds = (s: CounterScreen) =>
    s.datasets
      .filter((d) => d.required || (optional ?? new Set(s.datasets.map((x) => x.id))).has(d.id))
      .map((d) => d.id);
  const required = screen.data
    ? strongestAssurance(
        screen.data.datasets.filter((d) => chosenIds(screen.data).includes(d.id)).map((d) => d.minAssurance),
      )
    : 'low';
  const short = assuranceRank(required) > assuranceRank(session.assurance);
  const candidates = useQuery({
    queryKey: ['identity', 'step-up', required],
    queryFn: () => identityApi.stepUp(required),
    enabled: short,
  });
  const loaded = screen.isSuccess;
  // The heading exists only once the screen has loaded: focus moves to it then.
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded, heading]);
  if (screen.isPending) return <Loading />;
  if (screen.isError) return <ErrorPanel asPage error={screen.error} retry={() => void screen.refetch()} />;
  const view = screen.data;
  const serviceName = pick(view.service.name);
  const chosen = chosenIds(view);
  const toggle = (id: string, on: boolean) => {
    const next = new Set(optional ?? view.datasets.map((d) => d.id));
    if (on) next.add(id);
    else next.delete(id);
    setOptional(next);
  };

  async function agree() {
    setBusy(true);
    setError(undefined);
    try {
      onCreated(await counterApi.create(serviceId, chosen, session.csrfToken));
    } catch (e) {
      if (isProblem(e, 'identity.not-signed-in') || isProblem(e, 'identity.step-up-required'))
        await refresh();
      else if (e instanceof ApiProblem && e.code?.startsWith('exchange.')) onFailed(chosen, e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="consent counter" aria-labelledby="counter-review-title" data-counter="review">
      <h1 id="counter-review-title" tabIndex={-1} ref={heading}>
        {t('counter.reviewTitle', { service: serviceName })}
      </h1>
      <p className="lead">{t('counter.reviewIntro', { provider: pick(view.service.provider.name) })}</p>
      <dl className="facts wide consent-facts">
        <Fact label={t('consent.provider')}>
          <strong data-provider={view.service.provider.id}>{pick(view.service.provider.name)}</strong>
          <span className="badge-explain">
            {t('consent.providerVerified', {
              sector: t(`statistics.sectors.${view.service.provider.sector}`),
            })}
          </span>
        </Fact>
        <Fact label={t('consent.service')}>
          {serviceName}
          <span className="badge-explain">{pick(view.service.description)}</span>
        </Fact>
        <Fact label={t('consent.purpose')}>{pick(view.purpose.description)}</Fact>
        <Fact label={t('counter.validity')}>{t('counter.validityBody', { minutes: CASE_MINUTES })}</Fact>
        <Fact label={t('consent.retention')}>
          {t('consent.retentionBody', {
            provider: pick(view.service.provider.name),
            count: view.service.retentionDays,
          })}
        </Fact>
      </dl>
      <form
        className="consent-form"
        aria-labelledby="counter-datasets-title"
        onSubmit={(e) => {
          e.preventDefault();
          void agree();
        }}
      >
        <fieldset className="consent-datasets">
          <legend>
            <h2 id="counter-datasets-title">{t('consent.datasetsTitle', { count: view.datasets.length })}</h2>
          </legend>
          <p className="hint">{t('consent.datasetsHint')}</p>
          <ul className="cards">
            {view.datasets.map((d) => {
              const id = `counter-share-${d.id}`;
              return (
                <li
                  key={d.id}
                  className="card consent-dataset"
                  data-dataset={d.id}
                  data-required={d.required}
                >
                  <div className="consent-check">
                    {d.required ? (
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
                        checked={chosen.includes(d.id)}
                        aria-describedby={`${id}-need ${id}-why`}
                        onChange={(e) => toggle(d.id, e.target.checked)}
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
                  <DatasetFacts dataset={d} id={id} />
                </li>
              );
            })}
          </ul>
        </fieldset>
        {error !== undefined && (
          <div className="error-summary" role="alert">
            <ProblemText error={error} />
          </div>
        )}
        {short ? (
          <section className="step-up" aria-labelledby="counter-step-up-title" data-counter="step-up">
            <h2 id="counter-step-up-title">{t('counter.stepUpTitle')}</h2>
            <p>
              {t('counter.stepUpBody', {
                required: t(`assurance.${required}.name`),
                current: t(`assurance.${session.assurance}.name`),
              })}
            </p>
            {candidates.data ? (
              <SignInFlow
                only={candidates.data.candidates}
                onSignedIn={() => refresh()}
                returnTo="/counter"
              />
            ) : candidates.isError ? (
              <ErrorPanel error={candidates.error} retry={() => void candidates.refetch()} />
            ) : (
              <Loading />
            )}
          </section>
        ) : (
          <div className="consent-decision">
            <button type="submit" className="decision" disabled={busy} data-action="agree">
              {busy ? t('counter.collecting') : t('counter.agree')}
            </button>
            <button type="button" className="decision" disabled={busy} data-action="back" onClick={onBack}>
              {t('counter.back')}
            </button>
          </div>
        )}
        {busy && (
          <p className="loading-inline" role="status">
            {t('counter.collectingExplain')}
          </p>
        )}
      </form>
    </article>
  );
}

function Failed({
  step,
  session,
  heading,
  onCreated,
  onBack,
}: {
  step: { serviceId: string; chosen: string[]; error: unknown };
  session: SessionView;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onCreated: (c: CounterCaseView) => void;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(step.error);
  const screen = useQuery({
    queryKey: ['counter', 'screen', step.serviceId],
    queryFn: () => counterApi.screen(step.serviceId),
  });
  const agencyName = (id: string) => screen.data?.datasets.find((d) => d.agency.id === id)?.agency.name;
  async function retry() {
    setBusy(true);
    try {
      onCreated(await counterApi.create(step.serviceId, step.chosen, session.csrfToken));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="counter counter-failed" aria-labelledby="counter-failed-title" data-counter="failed">
      <h1 id="counter-failed-title" tabIndex={-1} ref={heading}>
        {t('counter.failedTitle')}
      </h1>
      <CollectionFailure error={error} agencyName={agencyName} />
      <p>{t('counter.failedNothing')}</p>
      <div className="consent-decision">
        <button
          type="button"
          className="decision"
          data-action="retry"
          disabled={busy}
          onClick={() => void retry()}
        >
          {busy ? t('counter.collecting') : t('counter.retry')}
        </button>
        <button type="button" className="decision" data-action="back" disabled={busy} onClick={onBack}>
          {t('counter.change')}
        </button>
      </div>
      {busy && (
        <p className="loading-inline" role="status">
          {t('counter.collectingExplain')}
        </p>
      )}
    </section>
  );
}

/** The QR code as an image: an SVG drawn from the token, so no personal data and no network request. */
function QrImage({ token, alt }: { token: string; alt: string }) {
  const svg = renderSVG(token, { ecc: 'M', border: 4 });
  return (
    <img
      className="counter-qr"
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
      alt={alt}
      width={240}
      height={240}
      data-token={token}
    />
  );
}

function Show({
  initial,
  session,
  heading,
  onAgain,
}: {
  initial: CounterCaseView;
  session: SessionView;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onAgain: () => void;
}) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const [caseView, setCaseView] = useState(initial);
  const [code, setCode] = useState<CounterCode>();
  const [error, setError] = useState<unknown>();
  const [tick, setTick] = useState(() => Date.now());
  // How many times the code was replaced, for the screen-reader announcement.
  const [refreshes, setRefreshes] = useState(0);
  const [cancelling, setCancelling] = useState(false);
  const csrf = session.csrfToken;
  const open = caseView.status === 'ready';

  // A new code each period while the case is open; the case's state is checked at the same time,
  // so the page learns when a clerk has redeemed it.
  useEffect(() => {
    if (!open) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let first = true;
    async function next() {
      try {
        const fresh = await counterApi.code(caseView.id, csrf);
        if (stopped) return;
        setCode(fresh);
        setError(undefined);
        if (!first) setRefreshes((n) => n + 1);
        first = false;
        timer = setTimeout(
          () => void next(),
          Math.max(1000, new Date(fresh.expiresAt).getTime() - Date.now()),
        );
      } catch (e) {
        if (stopped) return;
        if (isProblem(e, 'counter.case-closed')) {
          setCaseView(await counterApi.case(caseView.id));
        } else {
          setError(e);
          timer = setTimeout(() => void next(), 5000);
        }
      }
    }
    void next();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [open, caseView.id, csrf]);

  // Whether a clerk has redeemed it: asked every few seconds while the code is shown.
  useEffect(() => {
    if (!open) return;
    const poll = setInterval(() => {
      setTick(Date.now());
      void counterApi.case(caseView.id).then(
        (c) => {
          if (c.status !== 'ready') setCaseView(c);
        },
        () => undefined,
      );
    }, 3000);
    const clock = setInterval(() => setTick(Date.now()), 1000);
    return () => {
      clearInterval(poll);
      clearInterval(clock);
    };
  }, [open, caseView.id]);

  async function cancel() {
    setCancelling(true);
    try {
      setCaseView(await counterApi.cancel(caseView.id, csrf));
    } catch (e) {
      setError(e);
    } finally {
      setCancelling(false);
    }
  }

  const time = (iso: string) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW');
  if (caseView.status === 'redeemed') {
    return (
      <section className="counter" aria-labelledby="counter-done-title" data-counter="redeemed">
        <h1 id="counter-done-title" tabIndex={-1} ref={heading}>
          {t('counter.redeemedTitle')}
        </h1>
        <p role="status">
          {t('counter.redeemedBody', {
            provider: pick(caseView.provider.name),
            time: caseView.redeemedAt ? time(caseView.redeemedAt) : '',
          })}
        </p>
        <p className="actions">
          <a href={counterApi.receiptUrl(caseView.id)} download>
            {t('counter.receipt')}
          </a>
          <Link to="/usage-log">{t('counter.usageLog')}</Link>
          <button type="button" className="button secondary" onClick={onAgain}>
            {t('counter.again')}
          </button>
        </p>
      </section>
    );
  }
  if (!open) {
    return (
      <section className="counter" aria-labelledby="counter-ended-title" data-counter="ended">
        <h1 id="counter-ended-title" tabIndex={-1} ref={heading}>
          {t('counter.expiredTitle')}
        </h1>
        <p role="status">
          {caseView.status === 'cancelled' ? t('counter.cancelled') : t('counter.expiredBody')}
        </p>
        <p className="actions">
          <button type="button" className="button secondary" data-action="again" onClick={onAgain}>
            {t('counter.again')}
          </button>
        </p>
      </section>
    );
  }
  const left = code ? Math.max(0, Math.ceil((new Date(code.expiresAt).getTime() - tick) / 1000)) : 0;
  return (
    <section className="counter" aria-labelledby="counter-show-title" data-counter="show">
      <h1 id="counter-show-title" tabIndex={-1} ref={heading}>
        {t('counter.showTitle')}
      </h1>
      <p className="lead">{t('counter.showIntro')}</p>
      <div className="counter-code">
        {code ? (
          <>
            <QrImage token={code.token} alt={t('counter.qrAlt', { code: code.shortCode })} />
            <p className="counter-short">
              <span className="counter-short-label">{t('counter.shortCode')}</span>{' '}
              <strong className="counter-short-code" data-short-code lang="en">
                {code.shortCode}
              </strong>
            </p>
            <p className="hint" data-countdown>
              {t('counter.refreshesIn', { seconds: left })}
            </p>
          </>
        ) : (
          <Loading />
        )}
        <p className="visually-hidden" role="status">
          {refreshes > 0 && code ? t('counter.refreshed', { code: code.shortCode }) : ''}
        </p>
      </div>
      {error !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemText error={error} />
        </div>
      )}
      <p className="hint">{t('counter.refreshHint', { seconds: caseView.codeSeconds })}</p>
      <dl className="facts wide">
        <Fact label={t('counter.forService')}>
          {pick(caseView.service.name)}（{pick(caseView.provider.name)}）
        </Fact>
        <Fact label={t('counter.datasets')}>
          <ul className="field-list">
            {caseView.datasets.map((d) => (
              <li key={d.id}>
                {t('consent.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
              </li>
            ))}
          </ul>
        </Fact>
      </dl>
      <p className="hint">{t('counter.caseExpires', { time: time(caseView.expiresAt) })}</p>
      <p className="actions">
        <a href={counterApi.receiptUrl(caseView.id)} download>
          {t('counter.receipt')}
        </a>
        <button
          type="button"
          className="button secondary"
          data-action="cancel"
          disabled={cancelling}
          onClick={() => void cancel()}
        >
          {t('counter.cancel')}
        </button>
      </p>
    </section>
  );
}
