/**
 * Federation with an OpenID Connect identity provider: the platform is the relying party.
 *
 * `start` discovers the provider (cached), opens a single-use flow and answers the authorization URL
 * (code flow, PKCE S256, state, nonce) with a flow cookie for the browser. The cookie holds the flow's
 * id and a random secret; `state`, `nonce` and the PKCE verifier are derived from that secret, so
 * only the browser that started the flow can finish it, and the stored row (which holds no secret)
 * makes it single use. `callback` consumes the flow, checks the authorization response (`state`,
 * `iss`), exchanges the code at the token endpoint server-side and validates the ID token (signature,
 * issuer, audience, expiry, nonce); the national ID is read from the configured claim. What it
 * yields is an in-process ticket that only the authenticator accepts: nothing a browser sends can
 * stand in for validated claims.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AppError, type AssuranceLevel, isValidNationalId } from '@mydata/core';
import { importJWK, type JWK } from 'jose';
import * as client from 'openid-client';
import { Type } from 'typebox';
import { type Authenticator, VerificationFailure } from './authenticators.ts';
import type { IdentityRepo } from './repository.ts';

export const OIDC_CALLBACK_PATH = '/api/v1/identity/oidc/callback';

export interface OidcProviderOptions {
  /** The provider's issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Client authentication: a secret (client_secret_basic) or a private JWK file (private_key_jwt). */
  clientSecret?: string | undefined;
  privateKeyFile?: string | undefined;
  /** What a sign-in through this provider proves. */
  assurance: AssuranceLevel;
  /** The ID token claim that carries the citizen's national ID. */
  nationalIdClaim: string;
  /** The provider's name as citizens know it. */
  name: { 'zh-TW': string; en: string };
}

export interface OidcMethodOptions extends OidcProviderOptions {
  repo: Pick<IdentityRepo, 'createChallenge' | 'consumeChallenge'>;
  publicUrl: string;
  /** How long a started sign-in waits for the provider's answer; 10 minutes by default. */
  flowSeconds?: number;
  /** How long discovery is reused before it is fetched again; an hour by default. */
  discoveryTtlSeconds?: number;
  /** Per-request timeout towards the provider; 10 s by default. */
  timeoutMs?: number;
}

/** What the callback hands the identity service: validated claims, as an object only this module makes. */
interface OidcTicket {
  readonly nationalId: string;
}

export interface OidcMethod {
  authenticator: Authenticator;
  name: { 'zh-TW': string; en: string };
  /** Opens a flow: the authorization URL to send the browser to, and the flow cookie's value. */
  start(returnTo: string, at: Date): Promise<{ url: string; flowCookie: string }>;
  /**
   * Consumes the flow named by the cookie; resolves with where the browser goes back to and a
   * `finish` that checks the provider's answer (the callback's query) and yields the ticket.
   */
  resume(
    flowCookie: string | undefined,
    at: Date,
  ): Promise<{ returnTo: string; finish: (query: string) => Promise<unknown> }>;
}

/** A path of this portal, never another site; `/` otherwise. */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' &&
    value.startsWith('/') &&
    !value.startsWith('//') &&
    !value.startsWith('/\\') &&
    value.length <= 500
    ? value
    : '/';
}

const derive = (secret: string, label: string) =>
  createHmac('sha256', Buffer.from(secret, 'base64url'))
    .update(`mydata-oidc-v1:${label}`)
    .digest('base64url');

/** Whether the provider could not be reached (network, timeout, 5xx), rather than answered no. */
function isOutage(error: unknown): boolean {
  if (error instanceof client.ResponseBodyError) return error.status >= 500;
  if (error instanceof TypeError) return true; // fetch failed: refused, unresolved, reset
  if (error instanceof client.ClientError) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Response) return cause.status >= 500;
    return error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT';
  }
  return false;
}

/** An error and what it wraps, e.g. "unexpected JWT claim value encountered (unexpected ID Token "nonce" claim value)". */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error && cause.message !== error.message
    ? `${error.message} (${cause.message})`
    : error.message;
}

async function clientAuth(o: OidcProviderOptions): Promise<client.ClientAuth> {
  if (o.privateKeyFile) {
    const jwk = JSON.parse(readFileSync(o.privateKeyFile, 'utf8')) as JWK;
    const alg = jwk.alg ?? (jwk.kty === 'EC' ? 'ES256' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS256');
    const key = (await importJWK(jwk, alg)) as client.CryptoKey;
    return client.PrivateKeyJwt(jwk.kid ? { key, kid: jwk.kid } : key);
  }
  return client.ClientSecretBasic(o.clientSecret);
}

/** The OpenID Connect federation method (`oidc`): its authenticator and the two steps of its redirect. */
export function createOidcMethod(o: OidcMethodOptions): OidcMethod {
  const flowMs = (o.flowSeconds ?? 600) * 1000;
  const ttlMs = (o.discoveryTtlSeconds ?? 3600) * 1000;
  const redirectUri = new URL(OIDC_CALLBACK_PATH, o.publicUrl).href;
  const provider = o.name.en;
  const tickets = new WeakSet<object>();
  let cached: { config: Promise<client.Configuration>; at: number } | undefined;

  const unavailable = (error: unknown) =>
    new AppError('identity.oidc-unavailable', {
      provider,
      issuer: o.issuer,
      reason: describe(error),
    });
  const rejected = (reason: string) => new AppError('identity.oidc-rejected', { provider, reason });

  /** The provider's metadata and keys, fetched once an hour; a failed fetch is not kept. */
  function configuration(): Promise<client.Configuration> {
    if (cached && Date.now() - cached.at < ttlMs) return cached.config;
    const config = (async () => {
      const auth = await clientAuth(o);
      return client.discovery(
        new URL(o.issuer),
        o.clientId,
        { redirect_uris: [redirectUri], response_types: ['code'] },
        auth,
        {
          timeout: (o.timeoutMs ?? 10_000) / 1000,
          // A provider at http:// is a local test one; a real provider is https.
          ...(o.issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {}),
        },
      );
    })();
    const entry = { config, at: Date.now() };
    cached = entry;
    config.catch(() => {
      if (cached === entry) cached = undefined;
    });
    return config;
  }

  async function available(): Promise<client.Configuration> {
    try {
      return await configuration();
    } catch (error) {
      throw unavailable(error);
    }
  }

  const authenticator: Authenticator = {
    method: 'oidc',
    assurance: o.assurance,
    federated: true,
    body: Type.Unknown(),
    async verify(body) {
      if (typeof body !== 'object' || body === null || !tickets.delete(body)) {
        throw new VerificationFailure(rejected('not an answer of the identity provider'));
      }
      return { nationalId: (body as OidcTicket).nationalId };
    },
  };

  return {
    authenticator,
    name: o.name,

    async start(returnTo, at) {
      const config = await available();
      const secret = randomBytes(32).toString('base64url');
      const id = await o.repo.createChallenge({
        nonce: `oidc:${safeReturnPath(returnTo)}`,
        expiresAt: new Date(at.getTime() + flowMs),
      });
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: 'openid',
        response_type: 'code',
        state: derive(secret, 'state'),
        nonce: derive(secret, 'nonce'),
        code_challenge: await client.calculatePKCECodeChallenge(derive(secret, 'pkce')),
        code_challenge_method: 'S256',
        claims: JSON.stringify({ id_token: { [o.nationalIdClaim]: { essential: true } } }),
      });
      return { url: url.href, flowCookie: `${id}_${secret}` };
    },

    async resume(flowCookie, at) {
      const sep = flowCookie?.indexOf('_') ?? -1;
      if (!flowCookie || sep < 0) throw rejected('no sign-in was started in this browser');
      const id = flowCookie.slice(0, sep);
      const secret = flowCookie.slice(sep + 1);
      const flow = await o.repo.consumeChallenge(id, at);
      if (!flow.ok || !flow.nonce.startsWith('oidc:')) {
        throw rejected(
          flow.ok || flow.reason === 'unknown'
            ? 'no sign-in was started in this browser'
            : flow.reason === 'used'
              ? 'this answer was already used'
              : 'the sign-in took too long',
        );
      }
      const returnTo = safeReturnPath(flow.nonce.slice('oidc:'.length));
      return {
        returnTo,
        finish: async (query) => {
          const config = await available();
          const current = new URL(redirectUri);
          current.search = query;
          let claims: client.IDToken | undefined;
          try {
            const tokens = await client.authorizationCodeGrant(config, current, {
              expectedState: derive(secret, 'state'),
              expectedNonce: derive(secret, 'nonce'),
              pkceCodeVerifier: derive(secret, 'pkce'),
              idTokenExpected: true,
            });
            claims = tokens.claims();
          } catch (error) {
            if (isOutage(error)) throw unavailable(error);
            if (error instanceof client.AuthorizationResponseError) {
              throw rejected(
                `the provider answered ${error.error}${error.error_description ? `: ${error.error_description}` : ''}`,
              );
            }
            throw rejected(describe(error));
          }
          const nationalId = claims?.[o.nationalIdClaim];
          if (typeof nationalId !== 'string' || !isValidNationalId(nationalId.toUpperCase())) {
            throw rejected(
              nationalId === undefined
                ? `the ID token has no "${o.nationalIdClaim}" claim`
                : `the "${o.nationalIdClaim}" claim is not a national ID`,
            );
          }
          const ticket: OidcTicket = Object.freeze({ nationalId: nationalId.toUpperCase() });
          tickets.add(ticket);
          return ticket;
        },
      };
    },
  };
}
