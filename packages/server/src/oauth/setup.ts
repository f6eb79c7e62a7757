import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import { createCachedCatalogue, createCatalogueRepo } from '../catalogue/repository.ts';
import type { OAuthSigningJwk } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { IdentityService } from '../identity/service.ts';
import { purgeExpired, revokeGrant } from './adapter.ts';
import {
  type ClientRegistrationInput,
  type ClientRegistry,
  createClientRegistry,
  type RegisteredClient,
} from './clients.ts';
import type { ConsentPort } from './consent-port.ts';
import { createProvider, loadCookieKeys, OAUTH_ROUTES, type OAuthLifetimes } from './provider.ts';
import type { OAuthRoutesOptions } from './routes.ts';

export interface OAuthSetupOptions {
  db: Db;
  /** The issuer: the platform's PUBLIC_URL, no trailing slash. */
  publicUrl: string;
  /** File of the provider's cookie secrets (created mode 0600); in memory when unset (tests). */
  cookieKeysFile?: string | undefined;
  /** The platform's ES256 private JWK with kid: signs ID tokens, published at /oauth/jwks. */
  signingKey: OAuthSigningJwk;
  pairwiseKey: Uint8Array;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  /** The citizen reference of a citizen id, the input of pairwise subjects. */
  citizenRefOf: (citizenId: string) => Promise<string | undefined>;
  /** The consent service; set later with `useConsent` when it is built after the client directory. */
  consent?: ConsentPort;
  lifetimes?: Partial<OAuthLifetimes>;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export interface PlatformOAuth {
  provider: Provider;
  clients: ClientRegistry;
  /** Registers (or replaces) the OAuth client of an online service; refuses with `oauth-client.invalid-registration`. */
  registerClient(input: ClientRegistrationInput): Promise<RegisteredClient>;
  /** Hands the consent service to the flow (it needs the client directory, so it is built after this). */
  useConsent(consent: ConsentPort): void;
  /** What buildApp mounts. */
  http: OAuthHttp;
  /** Starts purging expired artefacts every `intervalMs` (10 minutes by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

export interface OAuthHttp {
  provider: Provider;
  routes: OAuthRoutesOptions;
}

const PROVIDER_PATHS = ['/.well-known/openid-configuration', ...Object.values(OAUTH_ROUTES)];

/** Whether oidc-provider, not Fastify, answers this address. */
export function isProviderPath(url: string): boolean {
  const path = url.split('?')[0] ?? '';
  return PROVIDER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * Hands the provider's requests to it before Fastify parses their bodies (it parses its own forms),
 * from an onRequest hook on the root instance.
 */
export function mountProvider(app: FastifyInstance, provider: Provider): void {
  const callback = provider.callback();
  app.addHook('onRequest', (req, reply, done) => {
    if (!isProviderPath(req.url)) return done();
    reply.hijack();
    reply.raw.setHeader('x-request-id', req.id);
    Promise.resolve(callback(req.raw, reply.raw)).catch((error: unknown) => {
      req.log.error({ err: error }, 'oauth request failed');
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' });
      reply.raw.end('{"error":"server_error"}');
    });
  });
}

/** Wires the authorization server: client directory, provider, the consent screen API and the package route. */
export function openOAuth(o: OAuthSetupOptions): PlatformOAuth {
  const clients = createClientRegistry({
    db: o.db,
    catalogue: createCachedCatalogue(createCatalogueRepo(o.db)),
    ...(o.now ? { now: o.now } : {}),
  });
  let consent: ConsentPort | undefined = o.consent;
  const consentPort = new Proxy({} as ConsentPort, {
    get(_target, name: keyof ConsentPort) {
      if (!consent) throw new Error('the consent service is not wired to the OAuth flow');
      const member = consent[name];
      return typeof member === 'function' ? member.bind(consent) : member;
    },
  });
  const provider = createProvider({
    db: o.db,
    issuer: o.publicUrl,
    signingKey: o.signingKey,
    pairwiseKey: o.pairwiseKey,
    citizenRefOf: o.citizenRefOf,
    clients,
    consent: consentPort,
    cookieKeys: loadCookieKeys(o.cookieKeysFile),
    ...(o.lifetimes ? { lifetimes: o.lifetimes } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  const wire = (c: ConsentPort) => {
    consent = c;
    // A withdrawn consent takes its grant with it: codes and tokens not yet used stop working.
    c.onWithdrawn(async ({ grantId }) => {
      if (grantId) await revokeGrant(o.db, grantId);
    });
  };
  if (o.consent) wire(o.consent);
  const purge = createPeriodicTask(() => purgeExpired(o.db, new Date()));
  return {
    provider,
    clients,
    registerClient: (input) => clients.register(input),
    useConsent: wire,
    http: {
      provider,
      routes: {
        provider,
        db: o.db,
        publicUrl: o.publicUrl,
        identity: o.identity,
        consent: consentPort,
        ...(o.now ? { now: o.now } : {}),
      },
    },
    start(intervalMs = 600_000, onError = () => {}) {
      purge.start(intervalMs, onError);
    },
    stop: () => purge.stop(),
  };
}

/** The pairwise-subject key, derived from the citizen-reference key so no new secret is needed. */
export function derivePairwiseKey(citizenRefKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', citizenRefKey, new Uint8Array(0), 'mydata-pairwise-key-v1', 32));
}
