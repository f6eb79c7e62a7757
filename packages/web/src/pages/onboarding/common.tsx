import type { ApplicationStatus, LocalizedText, ReviewFlag } from '@mydata/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiProblem, type SessionView } from '../../api.ts';
import { Loading } from '../../components/Badges.tsx';
import { describeError, ErrorPanel } from '../../components/ErrorPanel.tsx';
import { SignInNotice } from '../../components/SignInNotice.tsx';
import { useLanguage, useTitle } from '../../hooks.ts';
import { useSession } from '../../session.ts';

// Kept here rather than imported: a value import of the core would bundle its Node-only modules.
export const SECTOR_IDS = ['central-government', 'local-government', 'financial', 'business'] as const;
export const STAFF_ROLES = ['admin', 'developer', 'counter-clerk'] as const;
export const STATUSES: readonly ApplicationStatus[] = [
  'submitted',
  'changes-requested',
  'approved',
  'rejected',
];
export const TOPIC_IDS = [
  'identity',
  'household',
  'income',
  'property',
  'employment',
  'transport',
  'health',
  'travel',
  'welfare',
] as const;
export const FIELD_TYPE_IDS = ['string', 'integer', 'number', 'boolean', 'date', 'array', 'object'] as const;
/** Purposes services of the catalogue use, offered as suggestions; any DPV purpose IRI is accepted. */
export const DPV_SUGGESTIONS = [
  'ServiceProvision',
  'IdentityVerification',
  'CreditChecking',
  'EstablishContractualAgreement',
  'FraudPreventionAndDetection',
  'ResearchAndDevelopment',
].map((p) => `https://w3id.org/dpv#${p}`);

/** A time in the reader's language, to the minute. */
export function useFormatTime(): (iso: string) => string {
  const { lang } = useLanguage();
  return (iso) =>
    new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-TW', {
      dateStyle: 'medium',
      timeStyle: 'short',
    });
}

/**
 * A page only staff use: signed out, it says so and links to sign-in coming back here. Staff sign
 * in as themselves, with the same methods as any citizen.
 */
export function StaffPage({
  title,
  returnTo,
  children,
}: {
  title: string;
  returnTo: string;
  children: (session: SessionView) => ReactNode;
}) {
  const { t } = useTranslation();
  const session = useSession();
  useTitle(title);
  if (session.isPending) return <Loading />;
  if (session.isError)
    return <ErrorPanel asPage error={session.error} retry={() => void session.refetch()} />;
  if (!session.data) {
    return (
      <SignInNotice
        id="staff-sign-in-title"
        title={title}
        feature="staff"
        body={t('onboarding.signInBody')}
        signInHref={`/sign-in?return=${encodeURIComponent(returnTo)}`}
      />
    );
  }
  return <>{children(session.data)}</>;
}

/**
 * A refusal of the platform in words: what happened and what to do, then the platform's own detail,
 * which names the thing at fault (the JWKS address that did not answer, the dataset that does not exist).
 */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t } = useTranslation();
  const { lang } = useLanguage();
  const { title, action, code } = describeError(error, t, lang);
  const detail = error instanceof ApiProblem ? error.body?.detail : undefined;
  const errors = error instanceof ApiProblem && Array.isArray(error.body?.errors) ? error.body.errors : [];
  return (
    <div data-problem={code ?? 'unknown'}>
      <p className="problem-title">{title}</p>
      {typeof detail === 'string' && detail !== title && (
        <p className="problem-detail" data-problem-detail>
          {detail}
        </p>
      )}
      {errors.length > 0 && (
        <ul className="problem-errors">
          {errors.slice(0, 20).map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list is static once shown.
            <li key={i}>{describeIssue(e)}</li>
          ))}
        </ul>
      )}
      <p>{action}</p>
      {code && <p className="meta">{t('error.code', { code })}</p>}
    </div>
  );
}

function describeIssue(issue: unknown): string {
  if (issue && typeof issue === 'object') {
    const { pointer, path, message, detail } = issue as Record<string, unknown>;
    const where = typeof pointer === 'string' ? pointer : typeof path === 'string' ? path : '';
    const what = typeof message === 'string' ? message : typeof detail === 'string' ? detail : '';
    return where ? `${where}: ${what}` : what;
  }
  return String(issue);
}

export function StatusBadge({ status }: { status: ApplicationStatus }) {
  const { t } = useTranslation();
  return (
    <span className={`consent-status app-status status-${status}`} data-status={status}>
      {t(`onboarding.statuses.${status}`)}
    </span>
  );
}

/** One review flag: how serious, and what the reviewer should look at, in the reader's language. */
export function FlagNote({ flag }: { flag: ReviewFlag }) {
  const { t } = useTranslation();
  const { pick } = useLanguage();
  return (
    <p className={`flag flag-${flag.severity}`} data-flag={flag.code} data-pointer={flag.pointer}>
      <strong className="flag-severity">{t(`onboarding.severity.${flag.severity}`)}</strong>{' '}
      {pick(flag.message)}
    </p>
  );
}

export function Suspended({ since, reason }: { since: string; reason: string }) {
  const { t } = useTranslation();
  const format = useFormatTime();
  return (
    <p className="suspended-note" data-suspended="true">
      <strong>{t('onboarding.suspended')}</strong>{' '}
      {t('onboarding.suspendedSince', { time: format(since), reason })}
    </p>
  );
}

export const text = (zh: string, en: string): LocalizedText => ({ 'zh-TW': zh.trim(), en: en.trim() });

/**
 * A status message kept as its text key, not as text: a person who switches language after an
 * action reads it in the new language. A `role` parameter is a staff role id, named when shown.
 */
export interface Said {
  key: string;
  params?: Record<string, string | number>;
}

export function useSay(): (said: Said | undefined) => string | undefined {
  const { t } = useTranslation();
  return (said) => {
    if (!said) return undefined;
    const role = said.params?.role;
    return t(said.key, { ...said.params, ...(role ? { role: t(`onboarding.roles.${role}`) } : {}) });
  };
}
