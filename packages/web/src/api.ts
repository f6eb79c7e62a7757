import type {
  AssuranceLevel,
  DatasetView,
  ErrorCode,
  Organisation,
  ServiceView,
  SignInMethod,
  Statistics,
} from '@mydata/core';

/** An answer of the platform in problem+json: the stable code is what the portal translates. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    readonly requestId: string | undefined,
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

export interface Page<T> {
  items: T[];
  total: number;
}

async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  return call<T>(`/api/v1${path}${query.size ? `?${query}` : ''}`, {
    headers: { accept: 'application/json' },
  });
}

/**
 * A state-changing request: JSON body (the API accepts nothing else) and, once signed in, the
 * session's CSRF token in `x-csrf-token`. The browser adds `Origin` itself.
 */
async function send<T>(
  method: 'POST' | 'DELETE',
  path: string,
  body: unknown,
  csrfToken: string | undefined,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
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
  const body = (await response.json().catch(() => undefined)) as
    | { code?: ErrorCode; requestId?: string }
    | undefined;
  if (!body?.code && response.status >= 502)
    throw new PlatformUnreachable(new Error(`HTTP ${response.status}`));
  throw new ApiProblem(response.status, body?.code, body?.requestId);
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
};

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
  methods: () => get<{ items: { method: SignInMethod; assurance: AssuranceLevel }[] }>('/identity/methods'),
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
};
