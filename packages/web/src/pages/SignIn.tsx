import type { ErrorCode, SignInMethod } from '@mydata/core';
import { type PublicKeyCredentialRequestOptionsJSON, startAuthentication } from '@simplewebauthn/browser';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  ApiProblem,
  identityApi,
  type MobileNumberCodeSent,
  PlatformUnreachable,
  type SignInAnswer,
} from '../api.ts';
import { CardFileError, openCardFile } from '../card/pkcs12.ts';
import { Loading } from '../components/Badges.tsx';
import { describeError } from '../components/ErrorPanel.tsx';
import { useLanguage, useTitle } from '../hooks.ts';
import { useRefreshIdentity, useSession } from '../session.ts';

/** The methods this page can carry out or explain, in the order they are offered. */
const PORTAL_METHODS: readonly SignInMethod[] = [
  'nhi-card',
  'two-documents',
  'mobile-number',
  'mobile-certificate',
  'citizen-certificate',
  'oidc',
];

type Field = 'nationalId' | 'cardNumber' | 'pin' | 'householdNumber';
type FormMethod = 'nhi-card' | 'two-documents';
const FORM_FIELDS: Record<FormMethod, Field[]> = {
  'nhi-card': ['nationalId', 'cardNumber', 'pin'],
  'two-documents': ['nationalId', 'cardNumber', 'householdNumber'],
};

/** Codes that say the typed details are wrong or refused: tied to every field of the form. */
const FIELD_CODES = new Set(['identity.verification-failed', 'identity.locked-out', 'identity.rate-limited']);

/** The command of the card tool, as docs/identity.md gives it, pointed at this platform. */
export function cardToolCommand(): string {
  return `npx tsx packages/demo/src/card/cli.ts sign-in --card .mydata/cards/<ID>.p12 --pin 123456 --platform ${window.location.origin}`;
}

/** Where a sign-in may send the person back to: a path of this portal, never another site. */
export function safeReturn(value: string | null | undefined): string | undefined {
  return value?.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : undefined;
}

/**
 * Sign-in: choose a method, verify, and on first use verify once more with another method. With
 * `?return=/path` the person goes back there afterwards (e.g. to "my consents"), otherwise to the account.
 */
export function SignIn() {
  const { t } = useTranslation();
  useTitle(t('signIn.title'));
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [inFlow, setInFlow] = useState(false);
  const back = safeReturn(params.get('return'));

  if (session.isPending) return <Loading />;
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('signIn.title')}</h1>
      {session.data && !inFlow ? (
        <p className="notice-inline">
          {t('signIn.alreadySignedIn')} <Link to={back ?? '/account'}>{t('signIn.toAccount')}</Link>
        </p>
      ) : null}
      <SignInFlow
        onSignedIn={() => void navigate(back ?? '/account')}
        onFlowChange={setInFlow}
        returnTo={back ?? '/account'}
      />
    </section>
  );
}

/**
 * The sign-in steps without a page around them: the choice of method, its form, and on first use
 * the second method. Used by the sign-in page and, in place, by pages that need a session (the
 * consent screen). With `only`, just those methods are offered: a step-up to a stronger level.
 */
export function SignInFlow({
  onSignedIn,
  onFlowChange,
  only,
  returnTo,
}: {
  onSignedIn: () => void | Promise<void>;
  onFlowChange?: (inFlow: boolean) => void;
  only?: readonly SignInMethod[];
  /** Where a sign-in through an identity provider comes back to; this page by default. */
  returnTo?: string;
}) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const session = useSession();
  const methods = useQuery({ queryKey: ['identity', 'methods'], queryFn: identityApi.methods });
  const refresh = useRefreshIdentity();
  const [params] = useSearchParams();
  const [chosen, setChosen] = useState<SignInMethod | undefined>();
  // Back from an identity provider: the first method of a first use passed, or the sign-in failed.
  const [flow, setFlowState] = useState<{ verified: SignInMethod[]; candidates: SignInMethod[] } | undefined>(
    () => federatedFlow(params),
  );
  const [returned] = useState(() => federatedError(params));
  const stepTitle = useRef<HTMLHeadingElement>(null);
  const returnedSummary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (flow) stepTitle.current?.focus();
  }, [flow]);
  useEffect(() => {
    if (flow) onFlowChange?.(true);
  }, [flow, onFlowChange]);
  useEffect(() => {
    if (returned) returnedSummary.current?.focus();
  }, [returned]);

  if (session.isPending || methods.isPending) return <Loading />;

  function setFlow(next: typeof flow) {
    setFlowState(next);
    onFlowChange?.(next !== undefined);
  }

  async function answered(answer: SignInAnswer) {
    if (answer.status === 'signed-in') {
      await refresh();
      await onSignedIn();
      return;
    }
    setChosen(undefined);
    setFlow({ verified: answer.verified, candidates: answer.candidates });
  }

  const offered = new Set((methods.data?.items ?? []).map((m) => m.method));
  const provider = methods.data?.items.find((m) => m.method === 'oidc')?.name;
  const providerName = provider ? pick(provider) : t('signIn.methods.oidc.name');
  const label = (m: SignInMethod) => (m === 'oidc' ? providerName : t(`signIn.methods.${m}.name`));
  const choices = PORTAL_METHODS.filter((m) =>
    flow ? flow.candidates.includes(m) : offered.has(m) && (!only || only.includes(m)),
  );
  const csrf = session.data?.csrfToken;

  return (
    <>
      {flow ? (
        <div className="step-done" role="status">
          <h2 id="second-step" tabIndex={-1} ref={stepTitle}>
            {t('signIn.secondTitle')}
          </h2>
          <p>
            {t('signIn.secondBody', {
              methods: flow.verified.map(label).join(t('signIn.listSeparator')),
            })}
          </p>
        </div>
      ) : only ? null : (
        <>
          {returned ? (
            <div className="error-summary" role="alert" tabIndex={-1} ref={returnedSummary}>
              <ProblemText error={returned} />
            </div>
          ) : null}
          <p className="lead">{t('signIn.intro')}</p>
          <p className="first-use">{t('signIn.firstUse')}</p>
        </>
      )}
      <fieldset className="method-choice">
        <legend>{flow ? t('signIn.secondLegend') : t('signIn.chooseLegend')}</legend>
        {choices.map((m) => (
          <div className="choice" key={m}>
            <input
              type="radio"
              id={`method-${m}`}
              name="method"
              value={m}
              checked={chosen === m}
              onChange={() => setChosen(m)}
              aria-describedby={`method-${m}-explain`}
            />
            <label htmlFor={`method-${m}`}>{label(m)}</label>
            <span className="hint" id={`method-${m}-explain`}>
              {t(`signIn.methods.${m}.explain`, { name: providerName })}
            </span>
          </div>
        ))}
      </fieldset>
      {chosen === 'nhi-card' || chosen === 'two-documents' ? (
        <DocumentForm key={chosen} method={chosen} csrf={csrf} onAnswer={answered} />
      ) : null}
      {chosen === 'mobile-number' ? <MobileNumberSignIn csrf={csrf} onAnswer={answered} /> : null}
      {chosen === 'mobile-certificate' ? <PasskeySignIn csrf={csrf} onAnswer={answered} /> : null}
      {chosen === 'citizen-certificate' ? <CardSignIn csrf={csrf} onAnswer={answered} /> : null}
      {chosen === 'oidc' ? (
        <FederatedSignIn
          name={providerName}
          returnTo={returnTo ?? `${window.location.pathname}${window.location.search}`}
        />
      ) : null}
      {flow ? (
        <p>
          <button
            type="button"
            className="button secondary"
            onClick={() => {
              setFlow(undefined);
              setChosen(undefined);
            }}
          >
            {t('signIn.startOver')}
          </button>
        </p>
      ) : null}
    </>
  );
}

/**
 * The citizen certificate in the browser: the card file (PKCS#12) and its PIN are opened here with
 * WebCrypto, the platform's challenge is signed, and only the certificate and signature are sent.
 * The card tool stays as the other way.
 */
export function CardSignIn({
  csrf,
  onAnswer,
  heading: Heading = 'h2',
}: {
  csrf: string | undefined;
  onAnswer: (answer: SignInAnswer) => void | Promise<void>;
  /** The level of its title where it sits: h2 on the sign-in page, lower inside a page's section. */
  heading?: 'h2' | 'h4';
}) {
  const { t } = useTranslation();
  const base = useId();
  const [file, setFile] = useState<File | undefined>();
  const [pin, setPin] = useState('');
  const [invalid, setInvalid] = useState<Partial<Record<'file' | 'pin', string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);
  const ids = { file: `${base}-card-file`, pin: `${base}-card-pin`, problem: `${base}-card-problem` };

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<'file' | 'pin', string>> = {};
    if (!file) found.file = t('signIn.invalid.required', { field: t('signIn.card.file') });
    if (!pin) found.pin = t('signIn.invalid.required', { field: t('signIn.card.pin') });
    setInvalid(found);
    setProblem(undefined);
    if (!file || !pin) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      const card = await openCardFile(await file.arrayBuffer(), pin);
      const { challengeId, toBeSigned } = await identityApi.certificateChallenge(csrf);
      const answer = await identityApi.verifyCertificate(
        { challengeId, certificate: card.certificate, signature: await card.sign(toBeSigned) },
        csrf,
      );
      setBusy(false);
      await onAnswer(answer);
    } catch (error) {
      setBusy(false);
      setProblem(error);
      setFailures((n) => n + 1);
    }
  }

  const cardProblem = problem instanceof CardFileError ? problem.reason : undefined;
  const hasErrors = Object.keys(invalid).length > 0 || problem !== undefined;
  const describe = (f: 'file' | 'pin') =>
    [
      `${ids[f]}-hint`,
      invalid[f] ? `${ids[f]}-error` : undefined,
      (f === 'pin' && cardProblem === 'wrong-pin') ||
      (f === 'file' && cardProblem && cardProblem !== 'wrong-pin')
        ? ids.problem
        : undefined,
    ]
      .filter(Boolean)
      .join(' ');

  return (
    <section className="method-panel" aria-labelledby={`${base}-card-title`}>
      <Heading id={`${base}-card-title`}>{t('signIn.methods.citizen-certificate.name')}</Heading>
      <form
        className="sign-in-form card-form"
        noValidate
        onSubmit={(e) => void submit(e)}
        aria-labelledby={`${base}-card-title`}
      >
        <p>{t('signIn.card.intro')}</p>
        {hasErrors && (
          <div
            className="error-summary"
            role="alert"
            tabIndex={-1}
            ref={summary}
            aria-labelledby={`${base}-card-summary`}
          >
            <p className="problem-title" id={`${base}-card-summary`}>
              {t('signIn.errorSummary')}
            </p>
            {cardProblem ? (
              <p id={ids.problem}>{t(`signIn.card.errors.${cardProblem}`)}</p>
            ) : problem !== undefined ? (
              <ProblemText error={problem} id={ids.problem} />
            ) : (
              <ul>
                {(['file', 'pin'] as const)
                  .filter((f) => invalid[f])
                  .map((f) => (
                    <li key={f}>
                      <a href={`#${ids[f]}`}>{invalid[f]}</a>
                    </li>
                  ))}
              </ul>
            )}
          </div>
        )}
        <div className="field">
          <label htmlFor={ids.file}>{t('signIn.card.file')}</label>
          <span className="hint" id={`${ids.file}-hint`}>
            {t('signIn.card.fileHint')}
          </span>
          {invalid.file && (
            <span className="field-error" id={`${ids.file}-error`}>
              {invalid.file}
            </span>
          )}
          <input
            id={ids.file}
            name="card"
            type="file"
            accept=".p12,.pfx,application/x-pkcs12"
            aria-invalid={invalid.file || (cardProblem && cardProblem !== 'wrong-pin') ? true : undefined}
            aria-describedby={describe('file')}
            onChange={(e) => setFile(e.target.files?.[0])}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.pin}>{t('signIn.card.pin')}</label>
          <span className="hint" id={`${ids.pin}-hint`}>
            {t('signIn.card.pinHint')}
          </span>
          {invalid.pin && (
            <span className="field-error" id={`${ids.pin}-error`}>
              {invalid.pin}
            </span>
          )}
          <input
            id={ids.pin}
            name="pin"
            type="password"
            inputMode="numeric"
            autoComplete="off"
            value={pin}
            aria-invalid={invalid.pin || cardProblem === 'wrong-pin' ? true : undefined}
            aria-describedby={describe('pin')}
            onChange={(e) => setPin(e.target.value)}
          />
        </div>
        <p className="hint">{t('signIn.card.privacy')}</p>
        <p>
          <button type="submit" disabled={busy}>
            {busy ? t('signIn.verifying') : t('signIn.card.button')}
          </button>
        </p>
      </form>
      <details className="card-tool">
        <summary>{t('signIn.card.toolSummary')}</summary>
        <p>{t('signIn.methods.citizen-certificate.tool')}</p>
        <pre>
          <code>{cardToolCommand()}</code>
        </pre>
        <p>{t('signIn.methods.citizen-certificate.after')}</p>
      </details>
    </section>
  );
}

/** The first method of a first use, passed at an identity provider: `?verified=oidc&candidates=…`. */
function federatedFlow(params: URLSearchParams) {
  const known = (value: string | null) =>
    (value ?? '')
      .split(',')
      .filter((m): m is SignInMethod => (PORTAL_METHODS as readonly string[]).includes(m));
  const verified = known(params.get('verified'));
  return verified.length > 0 ? { verified, candidates: known(params.get('candidates')) } : undefined;
}

/** A sign-in at an identity provider that failed: `?error=<code>`. */
function federatedError(params: URLSearchParams) {
  const code = params.get('error');
  return code && /^[a-z]+\.[a-z-]+$/.test(code) ? new ApiProblem(0, code as ErrorCode, undefined) : undefined;
}

/** Sign-in at an identity provider: a full-page navigation there; it sends the browser back here. */
function FederatedSignIn({ name, returnTo }: { name: string; returnTo: string }) {
  const { t } = useTranslation();
  const [leaving, setLeaving] = useState(false);
  return (
    <section className="method-panel" aria-labelledby="oidc-title">
      <h2 id="oidc-title">{name}</h2>
      <p>{t('signIn.methods.oidc.explain', { name })}</p>
      <button
        type="button"
        disabled={leaving}
        onClick={() => {
          setLeaving(true);
          window.location.assign(identityApi.oidcStartUrl(returnTo));
        }}
      >
        {leaving ? t('signIn.methods.oidc.leaving', { name }) : t('signIn.methods.oidc.button', { name })}
      </button>
    </section>
  );
}

/** A translated problem, or the passkey being cancelled in the browser. */
export function ProblemText({ error, id }: { error: unknown; id?: string }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  if (!(error instanceof ApiProblem) && !(error instanceof PlatformUnreachable)) {
    return <p id={id}>{t('signIn.methods.mobile-certificate.cancelled')}</p>;
  }
  const { title, action, code } = describeError(error, t, lang);
  return (
    <div id={id}>
      <p className="problem-title">{title}</p>
      <p>{action}</p>
      {code && <p className="meta">{t('error.code', { code })}</p>}
    </div>
  );
}

function PasskeySignIn({
  csrf,
  onAnswer,
}: {
  csrf: string | undefined;
  onAnswer: (answer: SignInAnswer) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const summary = useRef<HTMLDivElement>(null);
  const [failures, setFailures] = useState(0);
  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);

  async function signIn() {
    setBusy(true);
    setError(undefined);
    try {
      const { challengeId, options } = await identityApi.passkeyChallenge(csrf);
      const credential = await startAuthentication({
        optionsJSON: options as unknown as PublicKeyCredentialRequestOptionsJSON,
      });
      await onAnswer(await identityApi.verifyPasskey({ challengeId, credential }, csrf));
    } catch (e) {
      setError(e);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="method-panel" aria-labelledby="passkey-title">
      <h2 id="passkey-title">{t('signIn.methods.mobile-certificate.name')}</h2>
      {error !== undefined && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summary}>
          <ProblemText error={error} />
        </div>
      )}
      <button type="button" onClick={() => void signIn()} disabled={busy}>
        {busy ? t('signIn.verifying') : t('signIn.methods.mobile-certificate.button')}
      </button>
    </section>
  );
}

const NATIONAL_ID = /^[A-Z][0-9]{9}$/;

function DocumentForm({
  method,
  csrf,
  onAnswer,
}: {
  method: FormMethod;
  csrf: string | undefined;
  onAnswer: (answer: SignInAnswer) => Promise<void>;
}) {
  const { t } = useTranslation();
  const fields = FORM_FIELDS[method];
  const [values, setValues] = useState<Record<Field, string>>({
    nationalId: '',
    cardNumber: '',
    pin: '',
    householdNumber: '',
  });
  const [invalid, setInvalid] = useState<Partial<Record<Field, string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const summary = useRef<HTMLDivElement>(null);
  const base = useId();
  const idOf = (f: Field) => `${method}-${f}`;
  const problemId = `${base}-problem`;

  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);

  function validate(): Partial<Record<Field, string>> {
    const found: Partial<Record<Field, string>> = {};
    for (const f of fields) {
      const field = t(`signIn.fields.${f}`);
      if (!values[f].trim()) found[f] = t('signIn.invalid.required', { field });
      else if (f === 'nationalId' && !NATIONAL_ID.test(values[f].trim().toUpperCase()))
        found[f] = t('signIn.invalid.nationalId', { field });
    }
    return found;
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validate();
    setInvalid(found);
    setProblem(undefined);
    if (Object.keys(found).length) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    const nationalId = values.nationalId.trim().toUpperCase();
    try {
      const answer =
        method === 'nhi-card'
          ? await identityApi.verifyNhiCard(
              { nationalId, cardNumber: values.cardNumber.trim(), pin: values.pin },
              csrf,
            )
          : await identityApi.verifyTwoDocuments(
              {
                nationalId,
                nhiCardNumber: values.cardNumber.trim(),
                householdNumber: values.householdNumber.trim().toUpperCase(),
              },
              csrf,
            );
      setBusy(false);
      await onAnswer(answer);
    } catch (error) {
      setBusy(false);
      setProblem(error);
      setFailures((n) => n + 1);
    }
  }

  const tiedToFields =
    problem instanceof ApiProblem && problem.code !== undefined && FIELD_CODES.has(problem.code);
  const hasErrors = Object.keys(invalid).length > 0 || problem !== undefined;

  return (
    <form
      className="method-panel sign-in-form"
      noValidate
      onSubmit={(e) => void submit(e)}
      aria-labelledby={`${base}-title`}
    >
      <h2 id={`${base}-title`}>{t(`signIn.methods.${method}.name`)}</h2>
      {hasErrors && (
        <div
          className="error-summary"
          role="alert"
          tabIndex={-1}
          ref={summary}
          aria-labelledby={`${base}-summary-title`}
        >
          <h3 id={`${base}-summary-title`}>{t('signIn.errorSummary')}</h3>
          {problem !== undefined ? (
            <ProblemText error={problem} id={problemId} />
          ) : (
            <ul>
              {fields
                .filter((f) => invalid[f])
                .map((f) => (
                  <li key={f}>
                    <a href={`#${idOf(f)}`}>{invalid[f]}</a>
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
      {fields.map((f) => {
        const id = idOf(f);
        const describedBy = [
          `${id}-hint`,
          invalid[f] ? `${id}-error` : undefined,
          tiedToFields ? problemId : undefined,
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <div className="field" key={f}>
            <label htmlFor={id}>{t(`signIn.fields.${f}`)}</label>
            <span className="hint" id={`${id}-hint`}>
              {t(`signIn.fields.${f}Hint`)}
            </span>
            {invalid[f] && (
              <span className="field-error" id={`${id}-error`}>
                {invalid[f]}
              </span>
            )}
            <input
              id={id}
              name={f}
              type={f === 'pin' ? 'password' : 'text'}
              inputMode={f === 'cardNumber' || f === 'pin' ? 'numeric' : undefined}
              autoComplete="off"
              autoCapitalize={f === 'nationalId' || f === 'householdNumber' ? 'characters' : 'off'}
              spellCheck={false}
              value={values[f]}
              aria-invalid={invalid[f] || tiedToFields ? true : undefined}
              aria-describedby={describedBy}
              onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
            />
          </div>
        );
      })}
      <p>
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.verifying') : t('signIn.continue')}
        </button>
      </p>
    </form>
  );
}

type MobileField = 'nationalId' | 'mobileNumber' | 'cardNumber' | 'code';
const MOBILE_NUMBER = /^09\d{8}$/;
/** Codes that are about the code typed, not the details that asked for it. */
const CODE_CODES = new Set(['identity.otp-incorrect', 'identity.otp-expired', 'identity.otp-exhausted']);

/**
 * Mobile number (行動化驗證): national ID, mobile number and NHI card number are checked by the
 * telecom operator and the NHI administration; a 6-digit code comes by SMS and is entered here.
 */
function MobileNumberSignIn({
  csrf,
  onAnswer,
}: {
  csrf: string | undefined;
  onAnswer: (answer: SignInAnswer) => Promise<void>;
}) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const [values, setValues] = useState<Record<MobileField, string>>({
    nationalId: '',
    mobileNumber: '',
    cardNumber: '',
    code: '',
  });
  const [sent, setSent] = useState<MobileNumberCodeSent | undefined>();
  const [invalid, setInvalid] = useState<Partial<Record<MobileField, string>>>({});
  const [problem, setProblem] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [failures, setFailures] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const summary = useRef<HTMLDivElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const detailsStep = useRef<HTMLHeadingElement>(null);
  const step = sent ? 'code' : 'details';
  const fields: MobileField[] = sent ? ['code'] : ['nationalId', 'mobileNumber', 'cardNumber'];

  useEffect(() => {
    if (failures) summary.current?.focus();
  }, [failures]);
  // Each code sent: the code field, described by where the code went, is where the citizen goes next.
  const codeId = sent?.codeId;
  useEffect(() => {
    if (codeId) codeInput.current?.focus();
  }, [codeId]);
  // The resend countdown: once a second while a code is out, never announced (it is not a live region).
  useEffect(() => {
    if (!sent) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [sent]);

  const waitSeconds = sent ? Math.max(0, Math.ceil((new Date(sent.resendAfter).getTime() - now) / 1000)) : 0;

  function validate(): Partial<Record<MobileField, string>> {
    const found: Partial<Record<MobileField, string>> = {};
    for (const f of fields) {
      const field = t(`signIn.fields.${f}`);
      const value = f === 'mobileNumber' ? values[f].replace(/[\s-]/g, '') : values[f].trim();
      if (!value) found[f] = t('signIn.invalid.required', { field });
      else if (f === 'nationalId' && !NATIONAL_ID.test(value.toUpperCase()))
        found[f] = t('signIn.invalid.nationalId', { field });
      else if (f === 'mobileNumber' && !MOBILE_NUMBER.test(value))
        found[f] = t('signIn.invalid.mobileNumber', { field });
      else if (f === 'code' && !/^\d{6}$/.test(value)) found[f] = t('signIn.invalid.code', { field });
    }
    return found;
  }

  async function run(action: () => Promise<void>) {
    const found = validate();
    setInvalid(found);
    setProblem(undefined);
    if (Object.keys(found).length) {
      setFailures((n) => n + 1);
      return;
    }
    setBusy(true);
    try {
      await action();
    } catch (error) {
      setProblem(error);
      setFailures((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  const sendCode = () =>
    run(async () => {
      const answer = await identityApi.mobileNumberCode(
        {
          nationalId: values.nationalId.trim().toUpperCase(),
          mobileNumber: values.mobileNumber.replace(/[\s-]/g, ''),
          nhiCardNumber: values.cardNumber.trim(),
          lang,
        },
        csrf,
      );
      setValues((v) => ({ ...v, code: '' }));
      setNow(Date.now());
      setSent(answer);
    });

  const verify = () =>
    run(async () => {
      if (!sent) return;
      const answer = await identityApi.verifyMobileNumber(
        { codeId: sent.codeId, code: values.code.trim() },
        csrf,
      );
      await onAnswer(answer);
    });

  function submit(event: FormEvent) {
    event.preventDefault();
    void (step === 'details' ? sendCode() : verify());
  }

  const problemCode = problem instanceof ApiProblem ? problem.code : undefined;
  const tiedTo = (f: MobileField) =>
    problemCode !== undefined &&
    (f === 'code' ? CODE_CODES.has(problemCode) : FIELD_CODES.has(problemCode) && step === 'details');
  const hasErrors = Object.keys(invalid).length > 0 || problem !== undefined;
  const problemId = 'mobile-number-problem';
  const sentId = 'mobile-number-sent';
  const time = sent
    ? new Date(sent.expiresAt).toLocaleTimeString(lang === 'en' ? 'en-GB' : 'zh-TW', {
        hour: '2-digit',
        minute: '2-digit',
      })
    : '';

  return (
    <form
      className="method-panel sign-in-form"
      noValidate
      onSubmit={submit}
      aria-labelledby="mobile-number-title"
      data-step={step}
    >
      <h2 id="mobile-number-title" tabIndex={-1} ref={detailsStep}>
        {t('signIn.methods.mobile-number.name')}
      </h2>
      {hasErrors && (
        <div
          className="error-summary"
          role="alert"
          tabIndex={-1}
          ref={summary}
          aria-labelledby="mobile-number-summary-title"
        >
          <h3 id="mobile-number-summary-title">{t('signIn.errorSummary')}</h3>
          {problem !== undefined ? (
            <ProblemText error={problem} id={problemId} />
          ) : (
            <ul>
              {fields
                .filter((f) => invalid[f])
                .map((f) => (
                  <li key={f}>
                    <a href={`#mobile-number-${f}`}>{invalid[f]}</a>
                  </li>
                ))}
            </ul>
          )}
        </div>
      )}
      {sent && (
        <>
          <h3>{t('signIn.methods.mobile-number.codeStep')}</h3>
          <p id={sentId} role="status">
            {t('signIn.methods.mobile-number.sent', { sentTo: sent.sentTo, time })}
          </p>
        </>
      )}
      {fields.map((f) => {
        const id = `mobile-number-${f}`;
        const describedBy = [
          f === 'code' ? sentId : undefined,
          `${id}-hint`,
          invalid[f] ? `${id}-error` : undefined,
          tiedTo(f) ? problemId : undefined,
        ]
          .filter(Boolean)
          .join(' ');
        return (
          <div className="field" key={f}>
            <label htmlFor={id}>{t(`signIn.fields.${f}`)}</label>
            <span className="hint" id={`${id}-hint`}>
              {t(`signIn.fields.${f}Hint`)}
            </span>
            {invalid[f] && (
              <span className="field-error" id={`${id}-error`}>
                {invalid[f]}
              </span>
            )}
            <input
              id={id}
              name={f}
              ref={f === 'code' ? codeInput : undefined}
              type={f === 'mobileNumber' ? 'tel' : 'text'}
              inputMode={f === 'nationalId' ? undefined : f === 'mobileNumber' ? 'tel' : 'numeric'}
              autoComplete={f === 'code' ? 'one-time-code' : f === 'mobileNumber' ? 'tel-national' : 'off'}
              autoCapitalize={f === 'nationalId' ? 'characters' : 'off'}
              maxLength={f === 'code' ? 6 : undefined}
              spellCheck={false}
              value={values[f]}
              aria-invalid={invalid[f] || tiedTo(f) ? true : undefined}
              aria-describedby={describedBy}
              onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
            />
          </div>
        );
      })}
      <p>
        <button type="submit" disabled={busy}>
          {busy
            ? step === 'details'
              ? t('signIn.methods.mobile-number.sending')
              : t('signIn.verifying')
            : step === 'details'
              ? t('signIn.methods.mobile-number.send')
              : t('signIn.continue')}
        </button>
      </p>
      {sent && (
        <ul className="actions">
          <li>
            <button
              type="button"
              className="button secondary"
              disabled={busy || waitSeconds > 0}
              aria-describedby={waitSeconds > 0 ? 'mobile-number-wait' : undefined}
              onClick={() => void sendCode()}
            >
              {t('signIn.methods.mobile-number.resend')}
            </button>
            {waitSeconds > 0 && (
              <span className="hint" id="mobile-number-wait">
                {' '}
                {t('signIn.methods.mobile-number.resendIn', { seconds: waitSeconds })}
              </span>
            )}
          </li>
          <li>
            <button
              type="button"
              className="button secondary"
              disabled={busy}
              onClick={() => {
                setSent(undefined);
                setProblem(undefined);
                setInvalid({});
                detailsStep.current?.focus();
              }}
            >
              {t('signIn.methods.mobile-number.change')}
            </button>
          </li>
        </ul>
      )}
    </form>
  );
}
