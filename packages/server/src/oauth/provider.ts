/**
 * The authorization server: oidc-provider configured for the FAPI 2.0 Security Profile. PAR is
 * required, PKCE S256 is required, clients authenticate with private_key_jwt (ES256 only), access
 * tokens are DPoP-bound, the authorization response carries `iss`, codes live 60 seconds, and the
 * only thing a client can ask for is one `mydata` authorization detail (RFC 9396), checked against
 * the catalogue at PAR. Subjects are pairwise per service. Every transfer gets a fresh grant: an
 * earlier consent is never reused.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError, type AssuranceLevel, pairwiseSubject, parseAuthorizationDetails } from '@mydata/core';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { OAuthSigningJwk } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import { createAdapterFactory } from './adapter.ts';
import type { ClientRegistry } from './clients.ts';
import type { ConsentPort, MydataAuthorizationDetail } from './consent-port.ts';

/** Where each endpoint lives; the issuer has no path, so these are absolute paths on the platform. */
export const OAUTH_ROUTES = {
  authorization: '/oauth/authorize',
  pushed_authorization_request: '/oauth/par',
  token: '/oauth/token',
  jwks: '/oauth/jwks',
} as const;

/** The resource indicator (RFC 8707) of the package endpoint, the audience of every access token. */
export const packageResource = (issuer: string) => `${issuer}/api/v1/transfer/package`;

/** The OpenID Connect `acr` for each assurance level: eIDAS levels of assurance, which ours follow. */
export const ACR_VALUES: Record<AssuranceLevel, string> = {
  low: 'http://eidas.europa.eu/LoA/low',
  substantial: 'http://eidas.europa.eu/LoA/substantial',
  high: 'http://eidas.europa.eu/LoA/high',
};

export interface OAuthLifetimes {
  /** Authorization code, seconds (60 by default, as FAPI 2.0 recommends). */
  authorizationCode: number;
  /** Access token, seconds: enough to fetch the package, no more (600 by default). */
  accessToken: number;
  /** How long the citizen has for the consent screen, sign-in and step-up included (1800). */
  interaction: number;
}

export const DEFAULT_LIFETIMES: OAuthLifetimes = {
  authorizationCode: 60,
  accessToken: 600,
  interaction: 1800,
};

export interface ProviderOptions {
  db: Db;
  issuer: string;
  /** The platform's ES256 private JWK (with kid) that signs ID tokens; its public half is at /oauth/jwks. */
  signingKey: OAuthSigningJwk;
  /** Key of the pairwise subjects (core's pairwiseSubject). */
  pairwiseKey: Uint8Array;
  /** The citizen reference of a citizen id (accountId), the input of the pairwise subject. */
  citizenRefOf: (citizenId: string) => Promise<string | undefined>;
  clients: ClientRegistry;
  consent: Pick<ConsentPort, 'describeRequest' | 'accessTokenSeconds'>;
  /** Secrets that sign the provider's cookies, newest first. */
  cookieKeys: string[];
  lifetimes?: Partial<OAuthLifetimes>;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** An authorization request must carry exactly one well-formed `mydata` detail (core's rule). */
function requireOneMydataDetail(value: unknown): void {
  try {
    parseAuthorizationDetails(value);
  } catch (error) {
    if (error instanceof AppError) throw new errors.InvalidAuthorizationDetails(error.message);
    throw error;
  }
}

/** Builds the configured oidc-provider instance (not yet mounted). */
export function createProvider(o: ProviderOptions): Provider {
  const ttl = { ...DEFAULT_LIFETIMES, ...o.lifetimes };
  const configuration: Configuration = {
    adapter: createAdapterFactory(o.db, o.clients, o.now) as never,
    jwks: { keys: [{ ...o.signingKey, use: 'sig', alg: 'ES256' }] },
    cookies: {
      keys: o.cookieKeys,
      names: {
        session: 'mydata-oauth',
        interaction: 'mydata-oauth-interaction',
        resume: 'mydata-oauth-resume',
      },
    },
    routes: OAUTH_ROUTES,
    scopes: ['openid'],
    responseTypes: ['code'],
    subjectTypes: ['pairwise'],
    acrValues: Object.values(ACR_VALUES),
    // The service learns how strongly the citizen was verified, and with which methods, in every ID token.
    claims: { openid: ['sub', 'acr', 'amr', 'auth_time'], sid: null, iss: null },
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      requestObjectSigningAlgValues: ['ES256'],
      authorizationSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: ['ES256', 'EdDSA'],
    },
    pkce: { required: () => true },
    ttl: {
      AuthorizationCode: ttl.authorizationCode,
      // A multi-person application's token waits for the other parties (getResourceServerInfo below).
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ttl.accessToken,
      IdToken: ttl.accessToken,
      Interaction: ttl.interaction,
      // The provider's own session only carries one authorization through; there is no single sign-on.
      Session: ttl.interaction,
      Grant: ttl.interaction + ttl.accessToken,
    },
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true },
      richAuthorizationRequests: {
        enabled: true,
        types: {
          mydata: {
            async validate(_ctx, detail, client) {
              try {
                await o.consent.describeRequest(detail as MydataAuthorizationDetail, client.clientId);
              } catch (error) {
                if (error instanceof AppError && error.status < 500) {
                  throw new errors.InvalidAuthorizationDetails(error.message);
                }
                throw error;
              }
            },
          },
        },
        // The code and the token carry what the citizen granted (chosen datasets, consent id), not what was asked.
        authorizationDetailsForGrantSource: (ctx) => ctx.oidc.grant?.rar as never,
        authorizationDetailsForAccessToken: (_ctx, _token, source) => source?.rar as never,
        authorizationDetailsForIntrospection: (_ctx, token) => token.rar as never,
      },
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      // Rich authorization requests need a resource server: the package endpoint is the only one.
      // Clients need not name it; every token is for it, opaque, and lives as long as a package.
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => packageResource(o.issuer),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (ctx, resource) => {
          if (resource !== packageResource(o.issuer)) {
            throw new errors.InvalidTarget('the only resource is the data package endpoint');
          }
          const rar = (
            ctx.oidc.entities.AuthorizationCode as { rar?: MydataAuthorizationDetail[] } | undefined
          )?.rar;
          const consentId = rar?.find((d) => d.type === 'mydata')?.consentId;
          const waiting = consentId ? await o.consent.accessTokenSeconds?.(consentId) : undefined;
          return {
            scope: '',
            audience: resource,
            accessTokenFormat: 'opaque',
            accessTokenTTL: waiting ?? ttl.accessToken,
          };
        },
      },
      registration: { enabled: false },
    },
    extraParams: {
      async authorization_details(_ctx: KoaContextWithOIDC, value: unknown) {
        requireOneMydataDetail(value);
      },
    } as never,
    clientBasedCORS: () => false,
    async pairwiseIdentifier(_ctx, accountId, client) {
      const ref = await o.citizenRefOf(accountId);
      if (!ref) throw new Error(`no citizen ${accountId}`);
      return pairwiseSubject(o.pairwiseKey, ref, client.clientId);
    },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub }) };
    },
    async loadExistingGrant(ctx) {
      // Only the grant the consent screen just made: an earlier consent is never reused.
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    interactions: {
      // The portal's consent page (an SPA route); it reads the interaction from /api/v1/oauth/interactions/:uid.
      url: async (_ctx, interaction) => `/consent/${interaction.uid}`,
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
      ctx.set('referrer-policy', 'no-referrer');
      const error = escapeHtml(String(out.error ?? 'server_error'));
      const description = escapeHtml(String(out.error_description ?? ''));
      ctx.body = `<!DOCTYPE html>
<html lang="zh-TW">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>無法處理授權請求 / The authorization request cannot be processed</title></head>
<body>
<main>
<h1>無法處理授權請求</h1>
<p>請回到您原本使用的服務，重新開始申請。</p>
<h1 lang="en">The authorization request cannot be processed</h1>
<p lang="en">Go back to the service you came from and start again.</p>
<p><code>${error}</code></p>
${description ? `<p lang="en">${description}</p>` : ''}
</main>
</body>
</html>`;
    },
  };
  const provider = new Provider(o.issuer, configuration);
  // Behind TLS termination the provider must trust X-Forwarded-Proto to set its Secure cookies.
  provider.proxy = o.issuer.startsWith('https:');
  provider.on('server_error', (_ctx, error) => o.onError?.(error, 'oauth'));
  return provider;
}

/** The cookie-signing secrets, from a file in the data directory (created mode 0600 on first start). */
export function loadCookieKeys(file: string | undefined): string[] {
  if (!file) return [randomBytes(32).toString('base64url')];
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, `${JSON.stringify({ keys: [randomBytes(32).toString('base64url')] })}\n`, {
        mode: 0o600,
        flag: 'wx',
      });
      chmodSync(temp, 0o600);
      renameSync(temp, file);
    } catch (error) {
      if (!existsSync(file)) throw error;
    }
  }
  const { keys } = JSON.parse(readFileSync(file, 'utf8')) as { keys?: unknown };
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'string' || k.length < 32)) {
    throw new Error(`${file}: expected {"keys": ["<secret of at least 32 characters>", …]}`);
  }
  return keys as string[];
}
