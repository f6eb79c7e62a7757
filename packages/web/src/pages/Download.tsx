import type { DatasetView, LocalizedText } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api, type DownloadReady, downloadApi, identityApi, isProblem, type SessionView } from '../api.ts';
import { assuranceRank, strongestAssurance } from '../assurance.ts';
import { AssuranceNote, Loading } from '../components/Badges.tsx';
import { CollectionFailure } from '../components/CollectionFailure.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { SignInNotice } from '../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useRefreshIdentity, useSession } from '../session.ts';
import { SignInFlow } from './SignIn.tsx';

type Step =
  | { kind: 'choose' }
  | { kind: 'confirm' }
  | { kind: 'ready'; ready: DownloadReady }
  | { kind: 'failed'; error: unknown };

/**
 * Data download (資料下載): the signed-in citizen chooses datasets from the catalogue, confirms (with a
 * stronger sign-in in place when a dataset needs it), and saves a zip of their own data signed by the
 * agencies and the platform. When an agency fails nothing is delivered: the page names it and offers
 * to try again.
 */
export function DownloadPage() {
  const { t } = useTranslation();
  const session = useSession();
  useTitle(t('download.title'));
  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel asPage error={session.error} retry={() => void session.refetch()} />;
  if (!session.data) {
    return (
      <SignInNotice
        id="download-title"
        title={t('download.title')}
        feature="download"
        body={t('download.signInBody')}
        signInHref="/sign-in?return=/download"
        links={<Link to="/datasets">{t('nav.datasets')}</Link>}
      />
    );
  }
  return <SignedIn session={session.data} />;
}

function SignedIn({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const datasets = useQuery({ queryKey: ['datasets', {}], queryFn: () => api.datasets({}) });
  const refresh = useRefreshIdentity();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set());
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [moves, setMoves] = useState(0);
  const [busy, setBusy] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // Each new step is announced as a new page would be: focus on its heading.
  useEffect(() => {
    if (moves) heading.current?.focus();
  }, [moves]);

  if (datasets.isPending) return <Loading />;
  if (datasets.isError)
    return <ErrorPanel asPage error={datasets.error} retry={() => void datasets.refetch()} />;
  const all = datasets.data.items;
  const picked = all.filter((d) => chosen.has(d.id));
  const go = (next: Step) => {
    setMoves((n) => n + 1);
    setStep(next);
  };

  async function create() {
    setBusy(true);
    try {
      go({
        kind: 'ready',
        ready: await downloadApi.create(
          picked.map((d) => d.id),
          session.csrfToken,
        ),
      });
    } catch (error) {
      // The session fell short meanwhile: the confirmation offers the stronger sign-in again.
      if (isProblem(error, 'identity.step-up-required')) go({ kind: 'confirm' });
      // The session ended meanwhile: the page asks to sign in again.
      else if (isProblem(error, 'identity.not-signed-in')) await refresh();
      else go({ kind: 'failed', error });
    } finally {
      setBusy(false);
    }
  }

  const agencyName = (id: string): LocalizedText | undefined =>
    all.find((d) => d.agency.id === id)?.agency.name;

  if (step.kind === 'confirm') {
    return (
      <Confirm
        picked={picked}
        session={session}
        busy={busy}
        heading={heading}
        onConfirm={() => void create()}
        onBack={() => go({ kind: 'choose' })}
      />
    );
  }
  if (step.kind === 'ready') {
    return <Ready ready={step.ready} heading={heading} onAgain={() => go({ kind: 'choose' })} />;
  }
  if (step.kind === 'failed') {
    return (
      <section
        className="download download-failed"
        aria-labelledby="download-failed-title"
        data-download="failed"
      >
        <h1 id="download-failed-title" tabIndex={-1} ref={heading}>
          {t('download.failedTitle')}
        </h1>
        <CollectionFailure error={step.error} agencyName={agencyName} />
        <p>{t('download.failedNothing')}</p>
        <div className="consent-decision">
          <button
            type="button"
            className="decision"
            data-action="retry"
            disabled={busy}
            onClick={() => void create()}
          >
            {busy ? t('download.preparing') : t('download.retry')}
          </button>
          <button
            type="button"
            className="decision"
            data-action="back"
            disabled={busy}
            onClick={() => go({ kind: 'choose' })}
          >
            {t('download.change')}
          </button>
        </div>
        {busy && (
          <p className="loading-inline" role="status">
            {t('download.preparingExplain')}
          </p>
        )}
      </section>
    );
  }
  return (
    <Choose
      all={all}
      session={session}
      chosen={chosen}
      setChosen={setChosen}
      heading={heading}
      onNext={() => go({ kind: 'confirm' })}
    />
  );
}

type GroupBy = 'agency' | 'topic';

function Choose({
  all,
  session,
  chosen,
  setChosen,
  heading,
  onNext,
}: {
  all: DatasetView[];
  session: SessionView;
  chosen: Set<string>;
  setChosen: (next: Set<string>) => void;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const [groupBy, setGroupBy] = useState<GroupBy>('agency');
  const [empty, setEmpty] = useState(0);
  const errorBox = useRef<HTMLDivElement>(null);
  const base = useId();
  useEffect(() => {
    if (empty) errorBox.current?.focus();
  }, [empty]);

  const groups = new Map<string, { title: string; items: DatasetView[] }>();
  for (const d of all) {
    const key = groupBy === 'agency' ? d.agency.id : d.topic;
    const title = groupBy === 'agency' ? pick(d.agency.name) : t(`topics.${d.topic}`);
    const g = groups.get(key) ?? { title, items: [] };
    g.items.push(d);
    groups.set(key, g);
  }
  const toggle = (id: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    setChosen(next);
  };

  return (
    <section className="download" aria-labelledby="download-title" data-download="choose">
      <h1 id="download-title" tabIndex={-1} ref={heading}>
        {t('download.title')}
      </h1>
      <p className="lead">{t('download.intro')}</p>
      <p>
        {t('download.current')} <AssuranceNote level={session.assurance} />
      </p>
      <form
        className="download-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (chosen.size === 0) setEmpty((n) => n + 1);
          else onNext();
        }}
      >
        <fieldset className="group-by">
          <legend>{t('download.groupBy')}</legend>
          {(['agency', 'topic'] as const).map((g) => (
            <label key={g} className="radio">
              <input
                type="radio"
                name="group-by"
                value={g}
                checked={groupBy === g}
                onChange={() => setGroupBy(g)}
              />{' '}
              {t(g === 'agency' ? 'download.groupByAgency' : 'download.groupByTopic')}
            </label>
          ))}
        </fieldset>
        {[...groups].map(([key, g]) => (
          <fieldset key={key} className="consent-datasets download-group" data-group={key}>
            <legend>
              <h2>{g.title}</h2>
            </legend>
            <ul className="cards">
              {g.items.map((d) => {
                const id = `${base}-${d.id}`;
                const stronger = assuranceRank(d.minAssurance) > assuranceRank(session.assurance);
                return (
                  <li key={d.id} className="card download-dataset" data-dataset={d.id}>
                    <div className="consent-check">
                      <input
                        type="checkbox"
                        id={id}
                        checked={chosen.has(d.id)}
                        aria-describedby={`${id}-from ${id}-need`}
                        onChange={(e) => toggle(d.id, e.target.checked)}
                      />
                      <label htmlFor={id}>{pick(d.name)}</label>
                    </div>
                    <p className="hint" id={`${id}-from`}>
                      {groupBy === 'agency'
                        ? t(`topics.${d.topic}`)
                        : t('download.heldBy', { agency: pick(d.agency.name) })}
                    </p>
                    <p id={`${id}-need`} className="need">
                      {t('download.needs')} <AssuranceNote level={d.minAssurance} />
                      {stronger && <span className="hint step-up-hint"> {t('download.stepUpLater')}</span>}
                    </p>
                  </li>
                );
              })}
            </ul>
          </fieldset>
        ))}
        {empty > 0 && chosen.size === 0 && (
          <div className="error-summary" role="alert" tabIndex={-1} ref={errorBox}>
            <p className="problem-title">{t('download.noneChosen')}</p>
          </div>
        )}
        <p className="actions">
          <button type="submit" data-action="next">
            {t('download.next', { count: chosen.size })}
          </button>
        </p>
      </form>
    </section>
  );
}

function Confirm({
  picked,
  session,
  busy,
  heading,
  onConfirm,
  onBack,
}: {
  picked: DatasetView[];
  session: SessionView;
  busy: boolean;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const refresh = useRefreshIdentity();
  const required = strongestAssurance(picked.map((d) => d.minAssurance));
  const short = assuranceRank(required) > assuranceRank(session.assurance);
  const candidates = useQuery({
    queryKey: ['identity', 'step-up', required],
    queryFn: () => identityApi.stepUp(required),
    enabled: short,
  });
  return (
    <section className="download" aria-labelledby="download-confirm-title" data-download="confirm">
      <h1 id="download-confirm-title" tabIndex={-1} ref={heading}>
        {t('download.confirmTitle')}
      </h1>
      <p className="lead">{t('download.confirmIntro', { count: picked.length })}</p>
      <ul className="field-list download-chosen">
        {picked.map((d) => (
          <li key={d.id} data-dataset={d.id}>
            {t('consent.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
          </li>
        ))}
      </ul>
      <h2>{t('download.contentsTitle')}</h2>
      <ul className="field-list">
        <li>{t('download.contentsData')}</li>
        <li>{t('download.contentsPrint')}</li>
        <li>{t('download.contentsSignatures')}</li>
      </ul>
      <p className="consent-note">{t('download.logged')}</p>
      {short ? (
        <section className="step-up" aria-labelledby="download-step-up-title" data-download="step-up">
          <h2 id="download-step-up-title">{t('download.stepUpTitle')}</h2>
          <p>
            {t('download.stepUpBody', {
              required: t(`assurance.${required}.name`),
              current: t(`assurance.${session.assurance}.name`),
            })}
          </p>
          <ul className="field-list">
            {picked
              .filter((d) => assuranceRank(d.minAssurance) > assuranceRank(session.assurance))
              .map((d) => (
                <li key={d.id}>{pick(d.name)}</li>
              ))}
          </ul>
          {candidates.data ? (
            <SignInFlow only={candidates.data.candidates} onSignedIn={() => refresh()} />
          ) : candidates.isError ? (
            <ErrorPanel error={candidates.error} retry={() => void candidates.refetch()} />
          ) : (
            <Loading />
          )}
          <p>
            <button type="button" className="button secondary" data-action="back" onClick={onBack}>
              {t('download.change')}
            </button>
          </p>
        </section>
      ) : (
        <>
          <div className="consent-decision">
            <button
              type="button"
              className="decision"
              data-action="confirm"
              disabled={busy}
              onClick={onConfirm}
            >
              {busy ? t('download.preparing') : t('download.confirm')}
            </button>
            <button type="button" className="decision" data-action="back" disabled={busy} onClick={onBack}>
              {t('download.change')}
            </button>
          </div>
          {busy && (
            <p className="loading-inline" role="status">
              {t('download.preparingExplain')}
            </p>
          )}
        </>
      )}
    </section>
  );
}

function Ready({
  ready,
  heading,
  onAgain,
}: {
  ready: DownloadReady;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onAgain: () => void;
}) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const [saved, setSaved] = useState(false);
  const kb = Math.max(1, Math.round(ready.bytes / 1024));
  return (
    <section className="download" aria-labelledby="download-ready-title" data-download="ready">
      <h1 id="download-ready-title" tabIndex={-1} ref={heading}>
        {t('download.readyTitle')}
      </h1>
      <p className="lead">{t('download.readyBody', { count: ready.datasets.length })}</p>
      <p>
        <a
          className="button"
          href={ready.href}
          download={ready.fileName}
          data-action="save"
          onClick={() => setSaved(true)}
        >
          {t('download.save', { size: kb })}
        </a>
      </p>
      <p role="status" className="status">
        {saved ? t('download.saved', { file: ready.fileName }) : ''}
      </p>
      <p className="hint">
        {t('download.once', {
          time: new Date(ready.expiresAt).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-TW'),
        })}
      </p>
      <h2>{t('download.verifyTitle')}</h2>
      <p>{t('download.verifyBody')}</p>
      <pre>
        <code>npx mydata-verify-download {ready.fileName}</code>
      </pre>
      <p className="hint download-hash">
        {t('download.sha256')} <code>{ready.sha256}</code>
      </p>
      <p>
        <button type="button" className="button secondary" data-action="again" onClick={onAgain}>
          {t('download.again')}
        </button>
      </p>
    </section>
  );
}
