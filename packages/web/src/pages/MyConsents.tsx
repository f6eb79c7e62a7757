import { type UseQueryResult, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ChangeEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  ApiProblem,
  CONSENT_STATUSES,
  type ConsentStatus,
  type ConsentView,
  consentApi,
  counterApi,
  fetchReceipt,
  invitationApi,
  isProblem,
  type ReceiptCheck,
  type SessionView,
} from '../api.ts';
import { Loading } from '../components/Badges.tsx';
import { ErrorPanel } from '../components/ErrorPanel.tsx';
import { Fact } from '../components/Fact.tsx';
import { SignInNotice } from '../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useSession } from '../session.ts';
import { ProblemText } from './SignIn.tsx';

/** A time as the citizen reads it in their language. */
const formatWhen = (iso: string, lang: string) =>
  new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW');

const CONSENTS_KEY = ['identity', 'consents'] as const;
/** Only a consent whose data has not been handed over can still be withdrawn. */
const WITHDRAWABLE = new Set<ConsentStatus>(['pending', 'active']);

/** My consents: every consent by status, its signed receipt, and withdrawal while it is still open. */
export function MyConsents() {
  const { t } = useTranslation();
  useTitle(t('consents.title'));
  const session = useSession();

  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel error={session.error} retry={() => void session.refetch()} asPage />;
  if (!session.data) {
    return (
      <SignInNotice
        id="consents-title"
        title={t('consents.title')}
        feature="consents"
        body={t('consents.signInBody')}
        signInHref="/sign-in?return=/consents"
        links={<Link to="/services">{t('nav.services')}</Link>}
      >
        <CheckReceiptFile csrf={undefined} />
      </SignInNotice>
    );
  }
  return <SignedIn session={session.data} />;
}

function SignedIn({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: CONSENTS_KEY, queryFn: consentApi.list, staleTime: 0 });
  const [message, setMessage] = useState<string | undefined>();

  return (
    <section className="consents" aria-labelledby="consents-title">
      <h1 id="consents-title">{t('consents.title')}</h1>
      <p className="lead">{t('consents.intro')}</p>
      <p role="status" className="status">
        {message}
      </p>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorPanel error={list.error} retry={() => void list.refetch()} />
      ) : (
        <>
          {list.data.items.length === 0 && <p className="empty">{t('consents.empty')}</p>}
          <nav aria-label={t('consents.byStatus')}>
            <ul className="actions status-links">
              {CONSENT_STATUSES.map((status) => (
                <li key={status}>
                  <a href={`#status-${status}`}>
                    {t(`consents.status.${status}.name`)}{' '}
                    <span className="count">
                      {t('consents.count', {
                        count: list.data.items.filter((c) => c.status === status).length,
                      })}
                    </span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {CONSENT_STATUSES.map((status) => {
            const items = list.data.items.filter((c) => c.status === status);
            return (
              <section
                key={status}
                id={`status-${status}`}
                className="consent-group"
                aria-labelledby={`status-${status}-title`}
                data-status={status}
              >
                <h2 id={`status-${status}-title`}>
                  {t(`consents.status.${status}.name`)}{' '}
                  <span className="count">{t('consents.count', { count: items.length })}</span>
                </h2>
                <p className="hint">{t(`consents.status.${status}.explain`)}</p>
                {items.length === 0 ? (
                  <p>{t('consents.none')}</p>
                ) : (
                  <ul className="cards">
                    {items.map((c) => (
                      <ConsentCard key={c.id} consent={c} session={session} onMessage={setMessage} />
                    ))}
                  </ul>
                )}
              </section>
            );
          })}
        </>
      )}
      <CounterCases session={session} />
      <Invitations session={session} />
      <CheckReceiptFile csrf={session.csrfToken} />
    </section>
  );
}

function ConsentCard({
  consent: c,
  session,
  onMessage,
}: {
  consent: ConsentView;
  session: SessionView;
  onMessage: (m: string) => void;
}) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const client = useQueryClient();
  const when = (iso: string) => formatWhen(iso, lang);
  const service = pick(c.service.name);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const confirmBox = useRef<HTMLFieldSetElement>(null);
  const withdrawButton = useRef<HTMLButtonElement>(null);
  const base = useId();
  useEffect(() => {
    if (confirming) confirmBox.current?.focus();
  }, [confirming]);

  async function withdraw() {
    setBusy(true);
    setError(undefined);
    try {
      await consentApi.withdraw(c.id, session.csrfToken);
      onMessage(t('consents.withdrawnMessage', { service }));
      setConfirming(false);
      await client.invalidateQueries({ queryKey: CONSENTS_KEY });
    } catch (e) {
      setError(e);
      setConfirming(false);
      // A consent that ended meanwhile (used, expired) is shown as it is now.
      if (isProblem(e, 'consent.not-withdrawable'))
        await client.invalidateQueries({ queryKey: CONSENTS_KEY });
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="card consent-card" data-consent-id={c.id} data-status={c.status}>
      <h3>{service}</h3>
      <dl className="facts">
        <Fact label={t('consents.provider')}>{pick(c.provider.name)}</Fact>
        <Fact label={t('consents.purpose')}>{pick(c.purpose.description)}</Fact>
        <Fact label={t('consents.datasets')}>
          <ul className="field-list">
            {c.datasets.map((d) => (
              <li key={d.id}>
                {t('consent.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
              </li>
            ))}
          </ul>
        </Fact>
        <Fact label={t('consents.status.label')}>
          <strong className={`consent-status status-${c.status}`}>
            {t(`consents.status.${c.status}.name`)}
          </strong>
        </Fact>
        <Fact label={t('consents.given')}>{when(c.createdAt)}</Fact>
        {c.statusChangedAt !== c.createdAt && (
          <Fact label={t('consents.changed')}>{when(c.statusChangedAt)}</Fact>
        )}
        {WITHDRAWABLE.has(c.status) && <Fact label={t('consents.expires')}>{when(c.expiresAt)}</Fact>}
        {c.problem && (
          <Fact label={t('consents.problem')}>
            <ProblemText
              error={new ApiProblem(c.problem.status ?? 500, c.problem.code, undefined, c.problem)}
            />
            <FailingAgency consent={c} />
            {typeof c.problem.detail === 'string' && <p className="hint">{c.problem.detail}</p>}
          </Fact>
        )}
      </dl>
      <ReceiptActions
        url={consentApi.receiptUrl(c.id)}
        fileName={`consent-${c.id}.jws`}
        service={service}
        csrf={session.csrfToken}
      >
        {WITHDRAWABLE.has(c.status) && !confirming && (
          <li>
            <button
              type="button"
              ref={withdrawButton}
              disabled={busy}
              aria-label={t('consents.withdrawLabel', { service })}
              onClick={() => setConfirming(true)}
              data-action="withdraw"
            >
              {t('consents.withdraw')}
            </button>
          </li>
        )}
      </ReceiptActions>
      {confirming && (
        <fieldset
          className="confirm"
          tabIndex={-1}
          ref={confirmBox}
          aria-describedby={`${base}-confirm-body`}
        >
          <legend className="problem-title">{t('consents.confirmTitle', { service })}</legend>
          <p id={`${base}-confirm-body`}>{t('consents.confirmBody', { provider: pick(c.provider.name) })}</p>
          <p className="actions">
            <button
              type="button"
              disabled={busy}
              onClick={() => void withdraw()}
              data-action="confirm-withdraw"
            >
              {t('consents.confirmYes')}
            </button>
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => {
                setConfirming(false);
                requestAnimationFrame(() => withdrawButton.current?.focus());
              }}
            >
              {t('consents.confirmNo')}
            </button>
          </p>
        </fieldset>
      )}
      {error !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemText error={error} />
        </div>
      )}
    </li>
  );
}

/** Download and verify a signed receipt, with the card's other actions after them. */
function ReceiptActions({
  url,
  fileName,
  service,
  csrf,
  children,
}: {
  url: string;
  fileName: string;
  service: string;
  csrf: string | undefined;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const [check, setCheck] = useState<ReceiptCheck | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function verify() {
    setBusy(true);
    setError(undefined);
    setCheck(undefined);
    try {
      setCheck(await consentApi.verifyReceipt(await fetchReceipt(url), csrf));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <ul className="actions">
        <li>
          <a
            className="button secondary"
            href={url}
            download={fileName}
            aria-label={t('consents.downloadLabel', { service })}
          >
            {t('consents.download')}
          </a>
        </li>
        <li>
          <button
            type="button"
            className="button secondary"
            disabled={busy}
            aria-label={t('consents.verifyLabel', { service })}
            onClick={() => void verify()}
            data-action="verify"
          >
            {t('consents.verify')}
          </button>
        </li>
        {children}
      </ul>
      <div role="status" className="receipt-check" data-valid={check ? String(check.valid) : undefined}>
        {check?.valid === true && <p className="valid">{t('consents.verified')}</p>}
        {check?.valid === false && <NotVerified reason={check.reason} />}
      </div>
      {error !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemText error={error} />
        </div>
      )}
    </>
  );
}

/** A titled list of the citizen's items, each a card with a receipt, loading and failing like the others. */
function ReceiptGroup<T>({
  kind,
  texts,
  list,
  children,
}: {
  kind: string;
  /** The i18n prefix with `title` and `explain`. */
  texts: string;
  list: UseQueryResult<{ items: T[] }>;
  children: (item: T) => ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <section className="consent-group" aria-labelledby={`${kind}-title`} data-kind={kind}>
      <h2 id={`${kind}-title`}>{t(`${texts}.title`)}</h2>
      <p className="hint">{t(`${texts}.explain`)}</p>
      {list.isPending ? (
        <Loading />
      ) : list.isError ? (
        <ErrorPanel error={list.error} retry={() => void list.refetch()} />
      ) : list.data.items.length === 0 ? (
        <p>{t('consents.none')}</p>
      ) : (
        <ul className="cards">{list.data.items.map(children)}</ul>
      )}
    </section>
  );
}

/** Counter verifications the citizen consented to (臨櫃核驗), with their receipts. */
function CounterCases({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const when = (iso: string) => formatWhen(iso, lang);
  const list = useQuery({ queryKey: ['identity', 'counter-cases'], queryFn: () => counterApi.cases() });
  return (
    <ReceiptGroup kind="counter" texts="consents.counter" list={list}>
      {(c) => {
        const service = pick(c.service.name);
        return (
          <li key={c.id} className="card consent-card" data-case-id={c.id} data-status={c.status}>
            <h3>{service}</h3>
            <dl className="facts">
              <Fact label={t('consents.provider')}>{pick(c.provider.name)}</Fact>
              <Fact label={t('consents.datasets')}>
                <ul className="field-list">
                  {c.datasets.map((d) => (
                    <li key={d.id}>
                      {t('consent.datasetFrom', { dataset: pick(d.name), agency: pick(d.agency.name) })}
                    </li>
                  ))}
                </ul>
              </Fact>
              <Fact label={t('consents.status.label')}>
                <strong className={`consent-status status-${c.status}`}>
                  {t(`consents.counter.status.${c.status}`)}
                </strong>
              </Fact>
              <Fact label={t('consents.given')}>{when(c.createdAt)}</Fact>
              {c.redeemedAt && <Fact label={t('consents.counter.redeemed')}>{when(c.redeemedAt)}</Fact>}
            </dl>
            <ReceiptActions
              url={counterApi.receiptUrl(c.id)}
              fileName={`counter-${c.id}.jws`}
              service={service}
              csrf={session.csrfToken}
            >
              {c.status === 'ready' && (
                <li>
                  <Link to="/counter">{t('consents.counter.show')}</Link>
                </li>
              )}
            </ReceiptActions>
          </li>
        );
      }}
    </ReceiptGroup>
  );
}

/** Others' multi-person applications the citizen was invited to, and what they answered. */
function Invitations({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const when = (iso: string) => formatWhen(iso, lang);
  const list = useQuery({ queryKey: ['identity', 'invitations'], queryFn: invitationApi.mine });
  return (
    <ReceiptGroup kind="invitations" texts="consents.invitations" list={list}>
      {(i) => {
        const service = pick(i.service.name);
        return (
          <li key={i.id} className="card consent-card" data-invitation-id={i.id} data-status={i.status}>
            <h3>{service}</h3>
            <dl className="facts">
              <Fact label={t('consents.provider')}>{pick(i.provider.name)}</Fact>
              <Fact label={t('consents.invitations.role')}>{pick(i.role.name)}</Fact>
              <Fact label={t('consents.status.label')}>
                <strong className={`consent-status status-${i.status}`}>
                  {t(`consents.invitations.status.${i.status}`)}
                </strong>
              </Fact>
              <Fact label={t('consents.invitations.invited')}>{when(i.invitedAt)}</Fact>
              {i.statusChangedAt !== i.invitedAt && (
                <Fact label={t('consents.changed')}>{when(i.statusChangedAt)}</Fact>
              )}
            </dl>
            {i.hasReceipt ? (
              <ReceiptActions
                url={invitationApi.receiptUrl(i.id)}
                fileName={`consent-${i.id}.jws`}
                service={service}
                csrf={session.csrfToken}
              />
            ) : (
              <p className="actions">
                <Link to={`/invitations/${encodeURIComponent(i.id)}`}>{t('consents.invitations.open')}</Link>
              </p>
            )}
          </li>
        );
      }}
    </ReceiptGroup>
  );
}

/** Anyone can check a receipt file: was it signed by the platform, and is it unchanged? */
function CheckReceiptFile({ csrf }: { csrf: string | undefined }) {
  const { t } = useTranslation();
  const [check, setCheck] = useState<ReceiptCheck | undefined>();
  const [error, setError] = useState<unknown>();
  const id = useId();

  async function chosen(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setCheck(undefined);
    setError(undefined);
    if (!file) return;
    try {
      setCheck(await consentApi.verifyReceipt((await file.text()).trim(), csrf));
    } catch (e) {
      setError(e);
    }
  }

  const receipt = check?.valid ? check.receipt : undefined;
  return (
    <section className="check-receipt" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('consents.checkFileTitle')}</h2>
      <p>{t('consents.checkFileBody')}</p>
      <div className="field">
        <label htmlFor={`${id}-file`}>{t('consents.checkFileLabel')}</label>
        <input
          id={`${id}-file`}
          type="file"
          accept=".jws,application/jose,text/plain"
          onChange={(e) => void chosen(e)}
        />
      </div>
      <div role="status" className="receipt-check" data-valid={check ? String(check.valid) : undefined}>
        {check?.valid === true && (
          <p className="valid">
            {t('consents.verified')}
            {typeof receipt?.receiptId === 'string' && (
              <span className="badge-explain">{t('consents.receiptId', { id: receipt.receiptId })}</span>
            )}
          </p>
        )}
        {check?.valid === false && <NotVerified reason={check.reason} />}
      </div>
      {error !== undefined && (
        <div className="error-summary" role="alert">
          <ProblemText error={error} />
        </div>
      )}
    </section>
  );
}

/** A refused receipt: what it means in plain words, then the platform's technical reason (in English). */
function NotVerified({ reason }: { reason: string }) {
  const { t } = useTranslation();
  return (
    <div className="invalid">
      <p>{t('consents.notVerified')}</p>
      <p className="meta">
        {t('consents.reason')} <span lang="en">{reason}</span>
      </p>
    </div>
  );
}

/** The agency a failed collection names by id, in the reader's language (the detail names it too). */
function FailingAgency({ consent }: { consent: ConsentView }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const problem = consent.problem;
  const params = (problem?.params ?? {}) as Record<string, unknown>;
  const id = [problem?.agencyId, params.agencyId].find((v): v is string => typeof v === 'string');
  const agency = consent.datasets.find((d) => d.agency.id === id)?.agency;
  return agency ? (
    <p className="problem-title">{t('consent.failedAgency', { agency: pick(agency.name) })}</p>
  ) : null;
}
