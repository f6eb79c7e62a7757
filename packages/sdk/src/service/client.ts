/**
 * The service-provider side of an online transfer (docs/service-quickstart.md): a FAPI 2.0
 * authorization (PAR, PKCE, private_key_jwt, DPoP, a rich `mydata` authorization detail), then the
 * one-time fetch of the data package and its verification down to each agency's signature.
 */

import {
  type CryptoKey,
  createRemoteJWKSet,
  exportJWK,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import * as oauth from 'oauth4webapi';
import { MyDataProblem } from '../problem.ts';
import type { Jwks } from '../provider/keys.ts';
import { TransferError } from './errors.ts';
import { SERVICE_ENCRYPTION_ALGORITHM, SERVICE_SIGNING_ALGORITHM } from './keys.ts';
import {
  type ApplicationHandle,
  type ApplicationProgress,
  type TransferResult,
  verifyPackage,
  WEBHOOK_JWS_TYPE,
} from './package.ts';

/** Path of the package endpoint, relative to the issuer. */
export const TRANSFER_PACKAGE_PATH = '/api/v1/transfer/package';
/** Path of the multi-person application progress endpoint, relative to the issuer. */
export const TRANSFER_PROGRESS_PATH = '/api/v1/transfer/progress';
/** Path of the agencies' public signing keys, relative to the issuer. */
export const AGENCY_KEYS_PATH = '/api/v1/exchange/agency-keys';

/** What a service configures once. */
export interface ServiceClientOptions {
  /** The platform's issuer URL (its public URL, no trailing slash), e.g. `https://mydata.example.gov.tw`. */
  issuer: string;
  /** The service id in the catalogue, which is also its OAuth client id. */
  clientId: string;
  /** The service's private ES256 signing key (JWK with kid), from `generateServiceKeys()`. */
  signingKey: JWK;
  /** The service's private P-256 encryption key (JWK with kid), from `generateServiceKeys()`. */
  encryptionKey: JWK;
  /** The redirect URI registered for this service; the platform sends the citizen back to it. */
  redirectUri: string;
  /** OAuth scope sent with each request; `openid` by default. */
  scope?: string;
  /** How long agency keys are reused before being fetched again (ms); 5 minutes by default. */
  agencyKeysMaxAgeMs?: number;
}

/** What the service asks the citizen to share. */
export interface TransferRequest {
  /** Dataset ids from the catalogue entry of this service (every `required` one included). */
  datasets: string[];
  /** The purpose as the DPV IRI registered for this service. */
  purpose: string;
  /** `online` (the only mode this flow serves). */
  mode?: 'online';
}

/**
 * What the service keeps in the citizen's session between `startTransfer` and `finishTransfer`.
 * Plain JSON, no keys: store it server-side (or in an encrypted, signed cookie), never in a URL.
 */
export interface PendingTransfer {
  state: string;
  codeVerifier: string;
  datasets: string[];
  purpose: string;
  createdAt: string;
}

/** A webhook event the platform sent, after its signature was verified. */
export interface WebhookEvent {
  /** `consent.withdrawn`, `consent.expired` or `transfer.failed`. */
  event: string;
  consentId: string;
  /** The citizen's pairwise subject for this service. */
  subject: string | undefined;
  /** The event id (`jti`); the platform may deliver an event more than once, so deduplicate on it. */
  id: string;
  issuedAt: Date;
  claims: Record<string, unknown>;
}

/** A configured service: start a transfer, finish it at the callback, verify webhooks. */
export interface ServiceClient {
  /** Pushes the authorization request to the platform; send the citizen's browser to `url`, keep `pending`. */
  startTransfer(request: TransferRequest): Promise<{ url: string; pending: PendingTransfer }>;
  /**
   * Checks the callback, exchanges the code, fetches the package once and verifies it.
   * Throws a `TransferError` (declined, invalid callback, package refused, …) or the platform's `MyDataProblem`.
   */
  finishTransfer(callbackUrl: string | URL, pending: PendingTransfer): Promise<TransferResult>;
  /** Where a multi-person application stands, with the handle of a pending result. */
  progress(handle: ApplicationHandle): Promise<ApplicationProgress>;
  /**
   * Fetches and verifies the package of a multi-person application once every party consented.
   * Throws `MyDataProblem` `transfer.package-not-ready` (425, `extensions.progress`) while it still waits.
   */
  fetchPackage(handle: ApplicationHandle): Promise<TransferResult>;
  /** Verifies a webhook body (a compact JWS the platform signed for this service) and returns the event. */
  verifyWebhook(body: string | Uint8Array): Promise<WebhookEvent>;
}

/** `http:` is only accepted for a platform on this machine (development and tests). */
function isLocal(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

/** Creates a service client; discovery, the JWKS and agency keys are fetched lazily and cached. */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const issuer = new URL(options.issuer.replace(/\/$/, ''));
  const issuerId = issuer.href.replace(/\/$/, '');
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && isLocal(issuer)))
    throw new TypeError(`the issuer must be https (http only on localhost): ${options.issuer}`);
  const insecure = issuer.protocol === 'http:';
  const http = { [oauth.allowInsecureRequests]: insecure };
  const client: oauth.Client = {
    client_id: options.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    id_token_signed_response_alg: 'ES256',
  };
  const scope = options.scope ?? 'openid';
  const agencyKeysMaxAge = options.agencyKeysMaxAgeMs ?? 5 * 60_000;

  // Keys are imported once: a service handles many callbacks with the same two keys.
  const signingKey = importJWK(options.signingKey, SERVICE_SIGNING_ALGORITHM) as Promise<CryptoKey>;
  const decryptionKey = importJWK(options.encryptionKey, SERVICE_ENCRYPTION_ALGORITHM) as Promise<CryptoKey>;
  const clientAuth = async (...args: Parameters<oauth.ClientAuth>) =>
    oauth.PrivateKeyJwt({ key: await signingKey, kid: options.signingKey.kid as string })(...args);

  let discovery: Promise<{ as: oauth.AuthorizationServer; jwks: JWTVerifyGetKey }> | undefined;
  function discover() {
    discovery ??= (async () => {
      const res = await oauth.discoveryRequest(issuer, { ...http, algorithm: 'oidc' });
      const as = await oauth.processDiscoveryResponse(issuer, res);
      if (!as.jwks_uri) throw new MyDataProblem({ detail: 'the platform publishes no jwks_uri' }, 502);
      // jose caches the JWKS and fetches it again (at most every 30 s) when a kid is unknown.
      return { as, jwks: createRemoteJWKSet(new URL(as.jwks_uri)) };
    })();
    // A failed discovery is not cached: the next call tries again.
    discovery.catch(() => {
      discovery = undefined;
    });
    return discovery;
  }

  let agencyKeys: { at: number; byAgency: Map<string, Jwks> } | undefined;
  async function keysOfAgency(agencyId: string, refresh: boolean): Promise<Jwks | undefined> {
    if (refresh || !agencyKeys || Date.now() - agencyKeys.at > agencyKeysMaxAge) {
      // Fetching again after a miss is what lets a newly rotated agency key verify.
      if (refresh && agencyKeys && Date.now() - agencyKeys.at < 1000)
        return agencyKeys.byAgency.get(agencyId);
      const res = await fetch(new URL(AGENCY_KEYS_PATH, issuer), { headers: { accept: 'application/json' } });
      const body = await readProblemOrJson<{ items: { agencyId: string; jwks: Jwks }[] }>(res);
      agencyKeys = { at: Date.now(), byAgency: new Map(body.items.map((i) => [i.agencyId, i.jwks])) };
    }
    return agencyKeys.byAgency.get(agencyId);
  }

  /** The DPoP signer of a stored application handle. */
  async function dpopOf(handle: ApplicationHandle) {
    const privateKey = (await importJWK(handle.dpopKey.privateJwk as JWK, 'ES256')) as CryptoKey;
    const publicKey = (await importJWK(handle.dpopKey.publicJwk as JWK, 'ES256', {
      extractable: true,
    })) as CryptoKey;
    return oauth.DPoP(client, { privateKey, publicKey });
  }

  /** Fetches the package with a token and its DPoP key, and verifies it. */
  async function fetchWith(
    handle: ApplicationHandle,
    dpop: oauth.DPoPHandle,
    jwks: JWTVerifyGetKey,
  ): Promise<TransferResult> {
    let jwe: string;
    try {
      const res = await withNonceRetry(() =>
        oauth.protectedResourceRequest(
          handle.accessToken,
          'GET',
          new URL(TRANSFER_PACKAGE_PATH, issuer),
          new Headers({ accept: 'application/jose' }),
          null,
          { ...http, DPoP: dpop },
        ),
      );
      if (!res.ok) await readProblemOrJson(res);
      jwe = await res.text();
    } catch (error) {
      throw await asProblem(error, 'the platform did not hand over the package');
    }
    return verifyPackage(jwe, {
      issuer: issuerId,
      clientId: options.clientId,
      decryptionKey: await decryptionKey,
      decryptionKeyId: options.encryptionKey.kid,
      platformKeys: jwks,
      agencyKeys: keysOfAgency,
      requestedDatasets: handle.datasets,
      purpose: handle.purpose,
      consentId: handle.consentId,
      ...(handle.subject ? { subject: handle.subject } : {}),
    });
  }

  /** A transfer result that waits for other parties: no data yet, the handle to fetch it later. */
  function pendingResult(handle: ApplicationHandle, progress: ApplicationProgress): TransferResult {
    return {
      packageId: '',
      subject: handle.subject ?? '',
      consentId: handle.consentId,
      receiptSha256: '',
      serviceId: options.clientId,
      purpose: handle.purpose,
      mode: 'online',
      issuedAt: new Date(),
      expiresAt: new Date(handle.tokenExpiresAt),
      datasets: [],
      pending: { consentId: handle.consentId, progress, handle },
    };
  }

  /** Runs an HTTP exchange once more with the server's fresh DPoP nonce when it asks for one. */
  async function withNonceRetry<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (oauth.isDPoPNonceError(error)) return call();
      throw error;
    }
  }

  return {
    async startTransfer(request) {
      const { as } = await discover();
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const detail = {
        type: 'mydata',
        datasets: [...request.datasets],
        purpose: request.purpose,
        mode: request.mode ?? 'online',
      };
      const params = new URLSearchParams({
        response_type: 'code',
        redirect_uri: options.redirectUri,
        scope,
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        authorization_details: JSON.stringify([detail]),
      });
      let par: oauth.PushedAuthorizationResponse;
      try {
        const res = await oauth.pushedAuthorizationRequest(as, client, clientAuth, params, http);
        par = await oauth.processPushedAuthorizationResponse(as, client, res);
      } catch (error) {
        throw await asProblem(error, 'the platform refused the authorization request');
      }
      if (!as.authorization_endpoint)
        throw new MyDataProblem({ detail: 'the platform publishes no authorization endpoint' }, 502);
      const url = new URL(as.authorization_endpoint);
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('request_uri', par.request_uri);
      return {
        url: url.href,
        pending: {
          state,
          codeVerifier,
          datasets: detail.datasets,
          purpose: detail.purpose,
          createdAt: new Date().toISOString(),
        },
      };
    },

    async finishTransfer(callbackUrl, pending) {
      const { as, jwks } = await discover();
      const callback = new URL(callbackUrl);
      // RFC 9207: the answer must say it comes from this platform (no mix-up with another issuer).
      const iss = callback.searchParams.get('iss');
      if (iss !== issuerId && iss !== as.issuer)
        throw new TransferError(
          'transfer.invalid-callback',
          `the callback comes from issuer ${JSON.stringify(iss)}, not ${issuerId}`,
        );
      if (callback.searchParams.get('state') !== pending.state)
        throw new TransferError(
          'transfer.invalid-callback',
          'the callback state is not the one of this session',
        );
      let params: URLSearchParams;
      try {
        params = oauth.validateAuthResponse(as, client, callback.searchParams, pending.state);
      } catch (error) {
        if (error instanceof oauth.AuthorizationResponseError) {
          const oauthError = error.error;
          const description = error.error_description ?? '';
          throw new TransferError(
            oauthError === 'access_denied' ? 'transfer.declined' : 'transfer.authorization-failed',
            description || `the platform answered ${oauthError}`,
            { oauthError },
          );
        }
        throw new TransferError('transfer.invalid-callback', errorMessage(error), { cause: error });
      }

      // A fresh DPoP key per transfer: the access token is bound to it. Extractable, so a multi-person
      // application's handle can carry it until the package is ready.
      const dpopKeys = await oauth.generateKeyPair('ES256', { extractable: true });
      const dpop = oauth.DPoP(client, dpopKeys);
      let token: oauth.TokenEndpointResponse;
      try {
        token = await withNonceRetry(async () =>
          oauth.processAuthorizationCodeResponse(
            as,
            client,
            await oauth.authorizationCodeGrantRequest(
              as,
              client,
              clientAuth,
              params,
              options.redirectUri,
              pending.codeVerifier,
              { ...http, DPoP: dpop },
            ),
          ),
        );
      } catch (error) {
        if (error instanceof oauth.ResponseBodyError)
          throw new TransferError('transfer.token-failed', error.error_description ?? error.error, {
            oauthError: error.error,
            cause: error,
          });
        throw new TransferError('transfer.token-failed', errorMessage(error), { cause: error });
      }

      const grant = grantOf(token);
      // The DPoP key leaves this call only for an application that waits for other people.
      const handle: ApplicationHandle = {
        consentId: grant.consentId,
        ...(grant.subject ? { subject: grant.subject } : {}),
        accessToken: token.access_token,
        dpopKey: { privateJwk: {}, publicJwk: {} },
        datasets: pending.datasets,
        purpose: pending.purpose,
        tokenExpiresAt: new Date(Date.now() + (token.expires_in ?? 600) * 1000).toISOString(),
      };
      try {
        return await fetchWith(handle, dpop, jwks);
      } catch (error) {
        // Other people must still consent: the service keeps the handle and fetches later.
        const progress = error instanceof MyDataProblem ? error.extensions.progress : undefined;
        if (error instanceof MyDataProblem && error.code === 'transfer.package-not-ready' && progress) {
          handle.dpopKey = {
            privateJwk: (await exportJWK(dpopKeys.privateKey)) as Record<string, unknown>,
            publicJwk: (await exportJWK(dpopKeys.publicKey)) as Record<string, unknown>,
          };
          return pendingResult(handle, progress as ApplicationProgress);
        }
        throw error;
      }
    },

    async progress(handle) {
      const dpop = await dpopOf(handle);
      try {
        const res = await withNonceRetry(() =>
          oauth.protectedResourceRequest(
            handle.accessToken,
            'GET',
            new URL(TRANSFER_PROGRESS_PATH, issuer),
            new Headers({ accept: 'application/json' }),
            null,
            { ...http, DPoP: dpop },
          ),
        );
        return await readProblemOrJson<ApplicationProgress>(res);
      } catch (error) {
        throw await asProblem(error, 'the platform did not tell the progress');
      }
    },

    async fetchPackage(handle) {
      const { jwks } = await discover();
      return fetchWith(handle, await dpopOf(handle), jwks);
    },

    async verifyWebhook(body) {
      const { jwks } = await discover();
      const jws = (typeof body === 'string' ? body : new TextDecoder().decode(body)).trim();
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(jws, jwks, {
          algorithms: ['ES256'],
          typ: WEBHOOK_JWS_TYPE,
          issuer: issuerId,
          audience: options.clientId,
          requiredClaims: ['iat', 'jti'],
        }));
      } catch (error) {
        throw new MyDataProblem(
          {
            code: 'webhook.invalid-signature',
            detail: `the webhook does not verify: ${errorMessage(error)}`,
          },
          401,
        );
      }
      if (typeof claims.event !== 'string' || typeof claims.consentId !== 'string')
        throw new MyDataProblem(
          { code: 'webhook.invalid-signature', detail: 'the webhook names no event' },
          400,
        );
      return {
        event: claims.event,
        consentId: claims.consentId,
        subject: typeof claims.sub === 'string' ? claims.sub : undefined,
        id: claims.jti as string,
        issuedAt: new Date((claims.iat as number) * 1000),
        claims,
      };
    },
  };
}

/** What the token response says was granted: the consent of its `mydata` detail and the ID token's subject. */
function grantOf(token: oauth.TokenEndpointResponse): { consentId: string; subject?: string } {
  const detail = token.authorization_details?.find((d) => d.type === 'mydata');
  // The grant names the consent the citizen gave; without it the package could not be tied to it.
  if (typeof detail?.consentId !== 'string')
    throw new TransferError(
      'transfer.token-failed',
      'the access token names no consent (authorization_details)',
    );
  const sub = oauth.getValidatedIdTokenClaims(token)?.sub;
  return { consentId: detail.consentId, ...(sub ? { subject: sub } : {}) };
}

/** A platform answer as JSON, or its problem+json (or OAuth error) thrown as a MyDataProblem. */
async function readProblemOrJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    if (body && typeof body.error === 'string' && body.code === undefined)
      throw new MyDataProblem(
        { code: body.error, detail: String(body.error_description ?? body.error) },
        res.status,
      );
    throw new MyDataProblem(body ?? { detail: text.slice(0, 200) || `HTTP ${res.status}` }, res.status);
  }
  if (body === undefined) throw new MyDataProblem({ detail: 'the platform answered with no JSON body' }, 502);
  return body as T;
}

/** Turns what an HTTP exchange threw into a MyDataProblem, reading the platform's problem body when there is one. */
async function asProblem(error: unknown, context: string): Promise<MyDataProblem> {
  if (error instanceof MyDataProblem) return error;
  const response =
    error instanceof oauth.WWWAuthenticateChallengeError || error instanceof oauth.ResponseBodyError
      ? error.response
      : undefined;
  if (response && !response.bodyUsed) {
    try {
      await readProblemOrJson(response);
    } catch (problem) {
      if (problem instanceof MyDataProblem) return problem;
    }
  }
  if (error instanceof oauth.ResponseBodyError)
    return new MyDataProblem(
      { code: error.error, detail: error.error_description ?? error.error },
      error.status,
    );
  return new MyDataProblem({ detail: `${context}: ${errorMessage(error)}` }, 502);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
