import type {
  ApplicationBody,
  ApplicationCreated,
  ApplicationDetail,
  ApplicationStatus,
  AssuranceLevel,
  AuditTrail,
  ClerkDesk,
  ClientView,
  CounterCode,
  CounterRedemption,
  DatasetView,
  DecisionRequest,
  ErrorCode,
  LocalizedText,
  OnboardingMe,
  OnboardingOrganisation,
  OperatorApplications,
  OperatorOrganisations,
  Organisation,
  OrganisationDetail,
  OrganisationSignUp,
  SandboxPersonas,
  ScreenDataset,
  ServiceScreen,
  ServiceView,
  SignInMethod,
  StaffAddRequest,
  StaffEntry,
  Statistics,
  TestCallRequest,
  TestCallResult,
  UsageEntry,
  UsageEventType,
  UsageKind,
  UsageReport,
} from '@mydata/core';
import { currentLanguage } from './i18n/index.ts';

/** An answer of the platform in problem+json: the stable code is what the portal translates. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    readonly requestId: string | undefined,
    /** The whole problem document: some carry more members, such as the consent a failure left pending. */
    readonly body: ProblemDocument | undefined = undefined,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = 'ApiProblem';
  }
}

/** The platform could not be reached at all (offline, DNS, the server down): no HTTP answer came. */
export class PlatformUnreachable extends Error {
  constructor(cause: unknown) {
    super('the platform could not be reached', { cause });
    this.name = 'PlatformUnreachable';
  }
}

/** An RFC 9457 problem document as the platform answers it (`detail` in the requested language). */
export interface ProblemDocument {
  status?: number;
  code?: ErrorCode;
  title?: string;
  detail?: string;
  requestId?: string;
  [member: string]: unknown;
}

export interface Page<T> {
  items: T[];
  total: number;
}

async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  return call<T>(`/api/v1${path}${query.size ? `?${query}` : ''}`, {
    headers: { accept: 'application/json', 'accept-language': currentLanguage() },
  });
}

/**
 * A state-changing request: JSON body (the API accepts nothing else) and, once signed in, the
 * session's CSRF token in `x-csrf-token`. The browser adds `Origin` itself.
 */
async function send<T>(
  method: 'POST' | 'PUT' | 'DELETE',
  path: string,
  body: unknown,
  csrfToken: string | undefined,
): Promise<T> {
  // The problem's `detail` (e.g. which agency failed) comes back in the language the person reads.
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': currentLanguage(),
  };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken) headers['x-csrf-token'] = csrfToken;
  return call<T>(`/api/v1${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch (error) {
    throw new PlatformUnreachable(error);
  }
  if (response.status === 204) return undefined as T;
  if (response.ok) return (await response.json()) as T;
  // A proxy or load balancer in front of a stopped platform answers 502/503 without problem+json.
  const body = (await response.json().catch(() => undefined)) as ProblemDocument | undefined;
  if (!body?.code && response.status >= 502)
    throw new PlatformUnreachable(new Error(`HTTP ${response.status}`));
  throw new ApiProblem(response.status, body?.code, body?.requestId, body);
}

/** Whether a failure is the platform's answer with this code. */
export function isProblem(error: unknown, code: string): error is ApiProblem {
  return error instanceof ApiProblem && error.code === code;
}

/** Whether a failed request is worth one more try: only when no answer or a temporary one came. */
export function isTransient(error: unknown): boolean {
  return error instanceof PlatformUnreachable || (error instanceof ApiProblem && error.status >= 502);
}

export const api = {
  datasets: (filter: { q?: string; agency?: string; topic?: string }) =>
    get<Page<DatasetView>>('/datasets', { ...filter, limit: '500' }),
  dataset: (id: string) => get<DatasetView>(`/datasets/${encodeURIComponent(id)}`),
  services: (filter: { q?: string; mode?: string; dataset?: string }) =>
    get<Page<ServiceView>>('/services', { ...filter, limit: '500' }),
  service: (id: string) => get<ServiceView>(`/services/${encodeURIComponent(id)}`),
  organisations: (role?: 'data-provider' | 'service-provider') =>
    get<{ items: Organisation[] }>('/organisations', { role }),
  statistics: () => get<Statistics>('/statistics'),
  usage: (q: UsageParams) => get<UsageReport>('/statistics/usage', { ...q }),
};

/** What a usage report is asked for with: months as YYYY-MM, and optionally one kind of use. */
export interface UsageParams {
  from: string;
  to: string;
  by: 'month' | 'dataset' | 'service';
  kind?: UsageKind | undefined;
}

/** The address of a usage report as a CSV file, for a download link. */
export function usageCsvHref(q: UsageParams): string {
  const query = new URLSearchParams({ from: q.from, to: q.to, by: q.by, format: 'csv' });
  if (q.kind) query.set('kind', q.kind);
  return `/api/v1/statistics/usage?${query}`;
}

export type SignInAnswer =
  | { status: 'signed-in'; assurance: AssuranceLevel; methods: SignInMethod[]; csrfToken: string }
  | { status: 'second-method-required'; verified: SignInMethod[]; candidates: SignInMethod[] };

export interface SessionView {
  assurance: AssuranceLevel;
  methods: SignInMethod[];
  createdAt: string;
  idleExpiresAt: string;
  absoluteExpiresAt: string;
  csrfToken: string;
}

export interface StepUpView {
  required: AssuranceLevel;
  current: AssuranceLevel;
  satisfied: boolean;
  candidates: SignInMethod[];
}

export interface PasskeyView {
  id: string;
  createdAt: string;
  lastUsedAt: string | null;
}

interface WebAuthnOptions {
  challengeId: string;
  // JSON options for navigator.credentials; shaped by @simplewebauthn/server.
  options: Record<string, unknown>;
}

/** Citizen identity under /api/v1/identity (docs/identity.md). `csrf` is the session's token, if any. */
export const identityApi = {
  methods: () =>
    get<{
      items: {
        method: SignInMethod;
        assurance: AssuranceLevel;
        /** A federated method's identity provider, as citizens know it. */
        name?: { 'zh-TW': string; en: string };
      }[];
    }>('/identity/methods'),
  /** Where a federated sign-in starts: a full-page navigation to the identity provider. */
  oidcStartUrl: (returnTo: string) =>
    `/api/v1/identity/oidc/start?${new URLSearchParams({ return: returnTo })}`,
  /** The session, or null when nobody is signed in on this browser. */
  session: async (): Promise<SessionView | null> => {
    try {
      return await get<SessionView>('/identity/session');
    } catch (error) {
      if (error instanceof ApiProblem && error.code === 'identity.not-signed-in') return null;
      throw error;
    }
  },
  stepUp: (required: AssuranceLevel) => get<StepUpView>('/identity/step-up', { required }),
  verifyNhiCard: (body: { nationalId: string; cardNumber: string; pin: string }, csrf?: string) =>
    send<SignInAnswer>('POST', '/identity/verify/nhi-card', body, csrf),
  verifyTwoDocuments: (
    body: { nationalId: string; nhiCardNumber: string; householdNumber: string },
    csrf?: string,
  ) => send<SignInAnswer>('POST', '/identity/verify/two-documents', body, csrf),
  /** A single-use challenge for the citizen certificate to sign. */
  certificateChallenge: (csrf?: string) =>
    send<{ challengeId: string; toBeSigned: string; expiresAt: string }>(
      'POST',
      '/identity/challenges',
      {},
      csrf,
    ),
  verifyCertificate: (body: { challengeId: string; certificate: string; signature: string }, csrf?: string) =>
    send<SignInAnswer>('POST', '/identity/verify/citizen-certificate', body, csrf),
  passkeyChallenge: (csrf?: string) =>
    send<WebAuthnOptions>('POST', '/identity/passkey-challenges', {}, csrf),
  verifyPasskey: (body: { challengeId: string; credential: unknown }, csrf?: string) =>
    send<SignInAnswer>('POST', '/identity/verify/mobile-certificate', body, csrf),
  signOut: (csrf: string) => send<undefined>('POST', '/identity/sign-out', {}, csrf),
  signOutEverywhere: (csrf: string) =>
    send<{ ended: number }>('POST', '/identity/sign-out-everywhere', {}, csrf),
  passkeys: () => get<{ items: PasskeyView[] }>('/identity/passkeys'),
  passkeyOptions: (csrf: string) => send<WebAuthnOptions>('POST', '/identity/passkeys/options', {}, csrf),
  enrolPasskey: (body: { challengeId: string; credential: unknown }, csrf: string) =>
    send<{ id: string; createdAt: string }>('POST', '/identity/passkeys', body, csrf),
  removePasskey: (id: string, csrf: string) =>
    send<undefined>('DELETE', `/identity/passkeys/${encodeURIComponent(id)}`, undefined, csrf),
  /** Mobile number (行動化驗證), step one: the agencies check the details, then a code is texted. */
  mobileNumberCode: (
    body: { nationalId: string; mobileNumber: string; nhiCardNumber: string; lang: 'zh-TW' | 'en' },
    csrf?: string,
  ) => send<MobileNumberCodeSent>('POST', '/identity/mobile-number/codes', body, csrf),
  verifyMobileNumber: (body: { codeId: string; code: string }, csrf?: string) =>
    send<SignInAnswer>('POST', '/identity/verify/mobile-number', body, csrf),
  contact: () => get<ContactView>('/identity/contact'),
  setContact: (body: ContactView & { lang: 'zh-TW' | 'en' }, csrf: string) =>
    send<ContactView & { changed: boolean }>('PUT', '/identity/contact', body, csrf),
};

export interface MobileNumberCodeSent {
  codeId: string;
  expiresAt: string;
  resendAfter: string;
  maxTries: number;
  /** The number, masked: 0912***678. */
  sentTo: string;
}

/** Where the citizen is notified. */
export interface ContactView {
  email: string | null;
  mobile: string | null;
}

/** One entry of the citizen's own usage log, with what the browser needs to check it. */
export interface MyUsageEntry {
  id: string;
  index: number | null;
  entry: UsageEntry;
  commitment: string;
  salt: string;
  commitmentValid: boolean;
  inclusion: { treeSize: number; hashes: string[] } | null;
  notifications: { channel: string; status: string; attempts: number; sentAt: string | null }[];
}

export interface MyUsageLogPage {
  checkpoint: { size: number; root: string; note: string } | null;
  verifierKey: string;
  items: MyUsageEntry[];
  nextCursor: string | null;
}

/** The signed-in citizen's usage log (docs/usage-log.md). */
export const usageLogApi = {
  mine: (filter: { event?: UsageEventType; from?: string; to?: string; cursor?: string }) =>
    get<MyUsageLogPage>('/log/mine', filter),
};

/** One dataset as the consent screen shows it: who holds it, which fields, and why it is asked for. */
export type ConsentDatasetView = ScreenDataset;

/** A pending authorization request of a service, as `GET /api/v1/oauth/interactions/:uid` answers. */
export interface InteractionView extends Omit<ServiceScreen, 'oneTime'> {
  uid: string;
  expiresAt: string;
  oneTime: boolean;
  assurance: {
    current: AssuranceLevel;
    required: AssuranceLevel;
    sufficient: boolean;
    candidates: SignInMethod[];
  };
  /** A consent the citizen gave whose collection failed: it may be retried or cancelled. */
  pendingConsent: { id: string; problem: ProblemDocument } | null;
  /** Multi-person services: the applicant's own role, and the other people who must consent too. */
  role?: { role: string; name: LocalizedText };
  parties?: {
    role: string;
    name: LocalizedText;
    datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  }[];
}

/** The person the applicant names for another party of a multi-person service. */
export interface PartyNomination {
  role: string;
  nationalId: string;
  contact: { email: string } | { mobile: string };
}

export type ConsentStatus = 'pending' | 'active' | 'used' | 'expired' | 'withdrawn';
export const CONSENT_STATUSES: readonly ConsentStatus[] = [
  'pending',
  'active',
  'used',
  'expired',
  'withdrawn',
];

export interface ConsentView {
  id: string;
  status: ConsentStatus;
  createdAt: string;
  statusChangedAt: string;
  expiresAt: string;
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  problem?: ProblemDocument;
}

export type ReceiptCheck =
  | { valid: true; receipt: Record<string, unknown> }
  | { valid: false; reason: string };

/** The citizen's decision on an interaction: the browser goes on to `redirectTo`. */
export interface DecisionAnswer {
  status: 'redirect';
  redirectTo: string;
}

/** A signed receipt (compact JWS) from one of the receipt addresses: consents, counter cases, invitations. */
export async function fetchReceipt(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/jose', 'accept-language': currentLanguage() },
      credentials: 'same-origin',
    });
  } catch (error) {
    throw new PlatformUnreachable(error);
  }
  if (response.ok) return (await response.text()).trim();
  const body = (await response.json().catch(() => undefined)) as ProblemDocument | undefined;
  throw new ApiProblem(response.status, body?.code, body?.requestId, body);
}
/** Consent to services (docs/consent.md): the consent screen, and the citizen's consents and receipts. */
export const consentApi = {
  interaction: (uid: string) => get<InteractionView>(`/oauth/interactions/${encodeURIComponent(uid)}`),
  accept: (uid: string, datasets: string[], csrf: string | undefined, parties?: PartyNomination[]) =>
    send<DecisionAnswer>(
      'POST',
      `/oauth/interactions/${encodeURIComponent(uid)}/decision`,
      { decision: 'accept', datasets, ...(parties ? { parties } : {}) },
      csrf,
    ),
  decline: (uid: string, csrf: string | undefined) =>
    send<DecisionAnswer>(
      'POST',
      `/oauth/interactions/${encodeURIComponent(uid)}/decision`,
      { decision: 'decline' },
      csrf,
    ),
  retry: (uid: string, consentId: string, csrf: string | undefined) =>
    send<DecisionAnswer>('POST', `/oauth/interactions/${encodeURIComponent(uid)}/retry`, { consentId }, csrf),
  list: () => get<{ items: ConsentView[] }>('/consents'),
  withdraw: (id: string, csrf: string) =>
    send<ConsentView>('POST', `/consents/${encodeURIComponent(id)}/withdraw`, {}, csrf),
  /** Where the signed receipt downloads from (a plain link: the browser saves the attachment). */
  receiptUrl: (id: string) => `/api/v1/consents/${encodeURIComponent(id)}/receipt`,
  /** The signed receipt itself, a compact JWS. */
  receipt: (id: string) => fetchReceipt(consentApi.receiptUrl(id)),
  verifyReceipt: (receipt: string, csrf: string | undefined) =>
    send<ReceiptCheck>('POST', '/consents/verify-receipt', { receipt }, csrf),
};

/** A data download ready to fetch once (`POST /api/v1/downloads`, docs/download.md). */
export interface DownloadReady {
  id: string;
  fileName: string;
  sha256: string;
  bytes: number;
  createdAt: string;
  expiresAt: string;
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  /** Where the zip is fetched, once (a plain link: the browser saves the attachment). */
  href: string;
}

/** The citizen's own data download. */
export const downloadApi = {
  create: (datasets: string[], csrf: string | undefined) =>
    send<DownloadReady>('POST', '/downloads', { datasets }, csrf),
};

/** Organisations joining the platform (docs/onboarding.md): sign-up, applications, staff and keys. */
export const onboardingApi = {
  me: () => get<OnboardingMe>('/onboarding/me'),
  signUp: (body: OrganisationSignUp, csrf: string | undefined) =>
    send<OnboardingOrganisation>('POST', '/onboarding/organisations', body, csrf),
  organisation: (id: string) =>
    get<OrganisationDetail>(`/onboarding/organisations/${encodeURIComponent(id)}`),
  addStaff: (orgId: string, body: StaffAddRequest, csrf: string | undefined) =>
    send<StaffEntry>('POST', `/onboarding/organisations/${encodeURIComponent(orgId)}/staff`, body, csrf),
  removeStaff: (orgId: string, citizenRef: string, role: string, csrf: string | undefined) =>
    send<undefined>(
      'DELETE',
      `/onboarding/organisations/${encodeURIComponent(orgId)}/staff/${encodeURIComponent(citizenRef)}/${encodeURIComponent(role)}`,
      undefined,
      csrf,
    ),
  apply: (orgId: string, body: ApplicationBody, csrf: string | undefined) =>
    send<ApplicationCreated>(
      'POST',
      `/onboarding/organisations/${encodeURIComponent(orgId)}/applications`,
      body,
      csrf,
    ),
  application: (orgId: string, appId: string) =>
    get<ApplicationDetail>(
      `/onboarding/organisations/${encodeURIComponent(orgId)}/applications/${encodeURIComponent(appId)}`,
    ),
  resubmit: (orgId: string, appId: string, body: ApplicationBody, csrf: string | undefined) =>
    send<ApplicationCreated>(
      'PUT',
      `/onboarding/organisations/${encodeURIComponent(orgId)}/applications/${encodeURIComponent(appId)}`,
      body,
      csrf,
    ),
  refreshKeys: (orgId: string, clientId: string, csrf: string | undefined) =>
    send<ClientView>(
      'POST',
      `/onboarding/organisations/${encodeURIComponent(orgId)}/keys/refresh`,
      { clientId },
      csrf,
    ),
  personas: () => get<SandboxPersonas>('/sandbox/personas'),
  /** Connection test of a data-provider application: one query to its endpoint for a test persona. */
  testCall: (orgId: string, appId: string, body: TestCallRequest, csrf: string | undefined) =>
    send<TestCallResult>(
      'POST',
      `/onboarding/organisations/${encodeURIComponent(orgId)}/applications/${encodeURIComponent(appId)}/test-call`,
      body,
      csrf,
    ),
};

/** The platform operator's console: review applications, suspend organisations, read the audit trail. */
export const operatorApi = {
  applications: (status?: ApplicationStatus) =>
    get<OperatorApplications>('/operator/applications', { status }),
  application: (id: string) => get<ApplicationDetail>(`/operator/applications/${encodeURIComponent(id)}`),
  decide: (id: string, body: DecisionRequest, csrf: string | undefined) =>
    send<ApplicationDetail>('POST', `/operator/applications/${encodeURIComponent(id)}/decision`, body, csrf),
  organisations: () => get<OperatorOrganisations>('/operator/organisations'),
  suspend: (id: string, reason: string, csrf: string | undefined) =>
    send<unknown>('POST', `/operator/organisations/${encodeURIComponent(id)}/suspension`, { reason }, csrf),
  reinstate: (id: string, reason: string, csrf: string | undefined) =>
    send<unknown>(
      'POST',
      `/operator/organisations/${encodeURIComponent(id)}/reinstatement`,
      { reason },
      csrf,
    ),
  decisions: () => get<AuditTrail>('/operator/decisions'),
};

/** Counter verification (docs/counter.md): what the citizen sees of a counter case. */
export interface CounterCaseView {
  id: string;
  status: 'ready' | 'redeemed' | 'expired' | 'cancelled';
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  createdAt: string;
  expiresAt: string;
  redeemedAt: string | null;
  codeSeconds: number;
}

/** What a counter service asks for, as the citizen reviews it. */
export type CounterScreen = ServiceScreen;

export const counterApi = {
  screen: (serviceId: string) => get<CounterScreen>(`/counter/services/${encodeURIComponent(serviceId)}`),
  cases: (status?: CounterCaseView['status']) =>
    get<{ items: CounterCaseView[] }>('/counter/cases', { status }),
  case: (id: string) => get<CounterCaseView>(`/counter/cases/${encodeURIComponent(id)}`),
  create: (serviceId: string, datasets: string[], csrf: string) =>
    send<CounterCaseView>('POST', '/counter/cases', { serviceId, datasets }, csrf),
  code: (id: string, csrf: string) =>
    send<CounterCode>('POST', `/counter/cases/${encodeURIComponent(id)}/codes`, {}, csrf),
  cancel: (id: string, csrf: string) =>
    send<CounterCaseView>('POST', `/counter/cases/${encodeURIComponent(id)}/cancellation`, {}, csrf),
  receiptUrl: (id: string) => `/api/v1/counter/cases/${encodeURIComponent(id)}/receipt`,
  desk: () => get<ClerkDesk>('/counter/desk'),
  redeem: (body: { serviceId: string; token: string } | { serviceId: string; code: string }, csrf: string) =>
    send<CounterRedemption>('POST', '/counter/redemptions', body, csrf),
};

/** A multi-person application invitation, as `GET /api/v1/invitations/:id` answers its invitee. */
export interface InvitationView {
  id: string;
  status: 'waiting' | 'consented' | 'declined' | 'expired' | 'ended';
  expiresAt: string;
  role: { role: string; name: LocalizedText };
  inviter: { name: string | null; maskedNationalId: string; role: LocalizedText };
  service: { id: string; name: LocalizedText; description: LocalizedText; retentionDays: number };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: Omit<ConsentDatasetView, 'required' | 'sensitivity'>[];
  requiredAssurance: AssuranceLevel;
  assurance: {
    current: AssuranceLevel;
    required: AssuranceLevel;
    sufficient: boolean;
    candidates: SignInMethod[];
  };
}

/** Invitations to multi-person applications (docs/multi-person.md). */
/** One invitation in the invitee's list (`GET /api/v1/invitations`). */
export interface InvitationSummary {
  id: string;
  status: InvitationView['status'];
  role: { role: string; name: LocalizedText };
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  datasets: string[];
  invitedAt: string;
  statusChangedAt: string;
  expiresAt: string;
  hasReceipt: boolean;
}

export const invitationApi = {
  mine: () => get<{ items: InvitationSummary[] }>('/invitations'),
  receiptUrl: (id: string) => `/api/v1/invitations/${encodeURIComponent(id)}/receipt`,
  get: (id: string) => get<InvitationView>(`/invitations/${encodeURIComponent(id)}`),
  decide: (id: string, decision: 'consent' | 'decline', csrf: string | undefined) =>
    send<InvitationView>('POST', `/invitations/${encodeURIComponent(id)}/decision`, { decision }, csrf),
};
