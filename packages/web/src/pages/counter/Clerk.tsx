import type { ClerkDesk, CounterRedemption } from '@mydata/core';
import { useQuery } from '@tanstack/react-query';
import jsQR from 'jsqr';
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { counterApi, isProblem, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { ErrorPanel } from '../../components/ErrorPanel.tsx';
import { Fact } from '../../components/Fact.tsx';
import { SignInNotice } from '../../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../../hooks.ts';
import { useRefreshIdentity, useSession } from '../../session.ts';
import { ProblemText } from '../SignIn.tsx';

/**
 * The counter clerk's console (臨櫃人員核驗): choose the service at the desk, scan the citizen's QR
 * code with the camera or type the short code, and see the consented data once, for a limited time.
 */
export function ClerkPage() {
  const { t } = useTranslation();
  const session = useSession();
  useTitle(t('clerk.title'));
  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel asPage error={session.error} retry={() => void session.refetch()} />;
  if (!session.data) {
    return (
      <SignInNotice
        id="clerk-title"
        title={t('clerk.title')}
        feature="clerk"
        body={t('clerk.signInBody')}
        signInHref="/sign-in?return=/clerk"
      />
    );
  }
  return <Desk session={session.data} />;
}

function Desk({ session }: { session: SessionView }) {
  const { t } = useTranslation();
  const desk = useQuery({ queryKey: ['counter', 'desk'], queryFn: counterApi.desk, retry: false });
  if (desk.isPending) return <Loading />;
  if (desk.isError) {
    if (isProblem(desk.error, 'counter.not-a-clerk')) {
      return (
        <section className="notice" aria-labelledby="clerk-title" data-clerk="not-a-clerk">
          <h1 id="clerk-title">{t('clerk.notClerkTitle')}</h1>
          <p>{t('clerk.notClerkBody')}</p>
        </section>
      );
    }
    return <ErrorPanel asPage error={desk.error} retry={() => void desk.refetch()} />;
  }
  return <Console desk={desk.data} session={session} />;
}

function Console({ desk, session }: { desk: ClerkDesk; session: SessionView }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  const refresh = useRefreshIdentity();
  const [serviceId, setServiceId] = useState(desk.services[0]?.id ?? '');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [errors, setErrors] = useState(0);
  const [view, setView] = useState<CounterRedemption>();
  const [cleared, setCleared] = useState(false);
  const errorBox = useRef<HTMLDivElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const base = useId();
  useEffect(() => {
    if (errors) errorBox.current?.focus();
  }, [errors]);
  useEffect(() => {
    if (view || cleared) heading.current?.focus();
  }, [view, cleared]);

  async function redeem(body: { token: string } | { code: string }) {
    setBusy(true);
    setError(undefined);
    try {
      setView(await counterApi.redeem({ serviceId, ...body }, session.csrfToken));
      setTyped('');
    } catch (e) {
      if (isProblem(e, 'identity.not-signed-in')) await refresh();
      setError(e);
      setErrors((n) => n + 1);
    } finally {
      setBusy(false);
    }
  }

  if (view) {
    return (
      <Data
        view={view}
        heading={heading}
        onClear={() => {
          setView(undefined);
          setCleared(true);
        }}
      />
    );
  }
  if (cleared) {
    return (
      <section className="clerk" aria-labelledby="clerk-cleared-title" data-clerk="cleared">
        <h1 id="clerk-cleared-title" tabIndex={-1} ref={heading}>
          {t('clerk.clearedTitle')}
        </h1>
        <p>{t('clerk.clearedBody')}</p>
        <p className="actions">
          <button type="button" data-action="next" onClick={() => setCleared(false)}>
            {t('clerk.next')}
          </button>
        </p>
      </section>
    );
  }
  return (
    <section className="clerk" aria-labelledby="clerk-title" data-clerk="console">
      <h1 id="clerk-title" tabIndex={-1} ref={heading}>
        {t('clerk.title')}
      </h1>
      <p className="lead">{t('clerk.intro')}</p>
      <fieldset className="clerk-services">
        <legend>{t('clerk.serviceLegend')}</legend>
        {desk.services.map((s) => {
          const provider = desk.organisations.find((g) => g.id === s.providerId);
          return (
            <label key={s.id} className="radio">
              <input
                type="radio"
                name="clerk-service"
                value={s.id}
                checked={serviceId === s.id}
                onChange={() => setServiceId(s.id)}
              />{' '}
              {pick(s.name)}
              {provider ? `（${pick(provider.name)}）` : ''}
            </label>
          );
        })}
      </fieldset>
      {error !== undefined && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={errorBox} data-clerk="refused">
          <h2>{t('clerk.refusedTitle')}</h2>
          <ProblemText error={error} />
        </div>
      )}
      <Scanner disabled={busy || !serviceId} onToken={(token) => void redeem({ token })} />
      <section aria-labelledby={`${base}-type`}>
        <h2 id={`${base}-type`}>{t('clerk.typeTitle')}</h2>
        <form
          className="clerk-type"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed.trim()) void redeem({ code: typed.trim() });
          }}
        >
          <label htmlFor={`${base}-code`}>{t('clerk.codeLabel')}</label>
          <p className="hint" id={`${base}-code-hint`}>
            {t('clerk.codeHint')}
          </p>
          <input
            id={`${base}-code`}
            name="code"
            data-field="code"
            className="clerk-code-input"
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            maxLength={20}
            aria-describedby={`${base}-code-hint`}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          <button type="submit" data-action="verify" disabled={busy || !serviceId}>
            {busy ? t('clerk.verifying') : t('clerk.verify')}
          </button>
        </form>
      </section>
    </section>
  );
}

/** The camera, read frame by frame until a QR code is found; then it stops. */
function Scanner({ disabled, onToken }: { disabled: boolean; onToken: (token: string) => void }) {
  const { t } = useTranslation();
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string>();
  const video = useRef<HTMLVideoElement>(null);
  const found = useRef(onToken);
  found.current = onToken;

  useEffect(() => {
    if (!on) return;
    let stream: MediaStream | undefined;
    let frame = 0;
    let stopped = false;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const scan = () => {
      if (stopped) return;
      const v = video.current;
      if (v && context && v.readyState >= 2 && v.videoWidth > 0) {
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        context.drawImage(v, 0, 0);
        const image = context.getImageData(0, 0, canvas.width, canvas.height);
        const qr = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
        if (qr?.data) {
          setOn(false);
          found.current(qr.data);
          return;
        }
      }
      frame = requestAnimationFrame(scan);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then((s) => {
        if (stopped) {
          for (const track of s.getTracks()) track.stop();
          return;
        }
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
        }
        frame = requestAnimationFrame(scan);
      })
      .catch((e: unknown) => {
        setProblem(e instanceof Error ? e.message : String(e));
        setOn(false);
      });
    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [on]);

  const available = typeof navigator !== 'undefined' && Boolean(navigator.mediaDevices?.getUserMedia);
  return (
    <section aria-labelledby="clerk-scan-title" className="clerk-scan">
      <h2 id="clerk-scan-title">{t('clerk.scanTitle')}</h2>
      {problem && <p className="error-summary">{t('clerk.cameraError', { reason: problem })}</p>}
      {on ? (
        <>
          <p className="hint">{t('clerk.cameraHint')}</p>
          <video ref={video} className="clerk-video" muted playsInline aria-label={t('clerk.cameraLabel')} />
          <p>
            <button type="button" className="button secondary" onClick={() => setOn(false)}>
              {t('clerk.stopCamera')}
            </button>
          </p>
        </>
      ) : (
        <p>
          <button
            type="button"
            data-action="camera"
            disabled={disabled || !available}
            onClick={() => {
              setProblem(undefined);
              setOn(true);
            }}
          >
            {t('clerk.startCamera')}
          </button>
        </p>
      )}
    </section>
  );
}

function Data({
  view,
  heading,
  onClear,
}: {
  view: CounterRedemption;
  heading: React.RefObject<HTMLHeadingElement | null>;
  onClear: () => void;
}) {
  const { t } = useTranslation();
  const { pick, lang } = useLanguage();
  const [now, setNow] = useState(() => Date.now());
  const until = new Date(view.viewExpiresAt).getTime();
  const left = Math.max(0, Math.ceil((until - now) / 1000));
  useEffect(() => {
    const clock = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(clock);
  }, []);
  const clear = useRef(onClear);
  clear.current = onClear;
  useEffect(() => {
    if (left === 0) clear.current();
  }, [left]);
  const mmss = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  const time = (iso: string) => new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW');
  return (
    <section className="clerk clerk-data" aria-labelledby="clerk-data-title" data-clerk="data">
      <h1 id="clerk-data-title" tabIndex={-1} ref={heading}>
        {t('clerk.dataTitle', { service: pick(view.service.name) })}
      </h1>
      <p className="clerk-countdown" data-countdown>
        {t('clerk.countdown', { time: mmss })}
      </p>
      <dl className="facts wide">
        <Fact label={t('consent.provider')}>{pick(view.provider.name)}</Fact>
        <Fact label={t('clerk.purpose')}>{pick(view.purpose.description)}</Fact>
      </dl>
      {view.datasets.map((d) => (
        <section
          key={d.id}
          className="card clerk-dataset"
          data-dataset={d.id}
          aria-labelledby={`clerk-${d.id}`}
        >
          <h2 id={`clerk-${d.id}`}>{pick(d.name)}</h2>
          <p className="verified" data-verified>
            <span aria-hidden="true">✓ </span>
            {t('clerk.verifiedMark')}
          </p>
          <dl className="facts">
            <Fact label={t('clerk.agency')}>{pick(d.agency.name)}</Fact>
            <Fact label={t('clerk.receivedAt')}>{d.receivedAt ? time(d.receivedAt) : '—'}</Fact>
            {d.fields.map((f) => (
              <Fact key={f.name} label={pick(f.label)}>
                <span className="clerk-value" data-field={f.name}>
                  {f.value}
                </span>
              </Fact>
            ))}
          </dl>
        </section>
      ))}
      <p className="actions">
        <button type="button" data-action="clear" onClick={onClear}>
          {t('clerk.done')}
        </button>
      </p>
    </section>
  );
}
