/**
 * The client directory: one OAuth client per online service, registered by the operator (the
 * composition root) after review. It holds the service's public keys (a P-256 `sig` key for
 * private_key_jwt and DPoP-free client authentication, a P-256 `enc` key the data package is
 * encrypted to), its redirect URIs and the webhook address the platform posts events to.
 */
import { AppError } from '@mydata/core';
import type { ClientMetadata } from 'oidc-provider';
import type { createCatalogueRepo } from '../catalogue/repository.ts';
import { createReadThroughCache } from '../db/cache.ts';
import type { Db } from '../db/database.ts';

export type PublicJwk = {
  kty?: string | undefined;
  kid?: string | undefined;
  use?: string | undefined;
  crv?: string | undefined;
  [member: string]: unknown;
};

export interface ClientRegistrationInput {
  /** The catalogue id of the online service. */
  clientId: string;
  /** The service's public keys: at least one P-256 `use: "sig"` key and one P-256 `use: "enc"` key. */
  jwks: { keys: PublicJwk[] };
  redirectUris: string[];
  /** Where the platform posts signed events (consent withdrawn or expired, transfer failed). */
  webhookUrl?: string | undefined;
  /** Sandbox clients only: plain http redirect URIs on any host (test systems), never for production. */
  allowHttpRedirects?: boolean | undefined;
}

export interface RegisteredClient {
  clientId: string;
  jwks: { keys: PublicJwk[] };
  redirectUris: string[];
  webhookUrl: string | undefined;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function refuse(reason: string): never {
  throw new AppError('oauth-client.invalid-registration', { reason });
}

/** https anywhere, http only on this machine (development and the demo); never a fragment. */
function checkUrl(value: unknown, what: string, anyHttp = false): string {
  if (typeof value !== 'string') refuse(`${what} must be a URL`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(`${what} "${value}" is not a URL`);
  }
  if (url.hash) refuse(`${what} "${value}" must not have a fragment`);
  if (url.username || url.password) refuse(`${what} "${value}" must not carry credentials`);
  if (url.protocol === 'https:') return value;
  if (url.protocol === 'http:' && (anyHttp || LOCAL_HOSTS.has(url.hostname))) return value;
  refuse(`${what} "${value}" must use https (http only on localhost)`);
}

function isP256(key: PublicJwk): boolean {
  return key.kty === 'EC' && key.crv === 'P-256' && typeof key.x === 'string' && typeof key.y === 'string';
}

/** Checks a registration; answers `oauth-client.invalid-registration` naming the first problem. */
export function validateRegistration(input: ClientRegistrationInput): RegisteredClient {
  const keys = input.jwks?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) {
    refuse('jwks must be {"keys": [...]} with 1 to 10 public keys');
  }
  const kids = new Set<string>();
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || typeof key.kty !== 'string') refuse('a key has no kty');
    if (PRIVATE_MEMBERS.some((m) => m in key)) refuse(`key ${key.kid ?? ''} carries private members`);
    if (typeof key.kid !== 'string' || !key.kid) refuse('every key needs a kid');
    if (kids.has(key.kid)) refuse(`kid "${key.kid}" is used twice`);
    kids.add(key.kid);
    if (key.use !== 'sig' && key.use !== 'enc') refuse(`key "${key.kid}" needs use "sig" or "enc"`);
  }
  if (!keys.some((k) => k.use === 'sig' && isP256(k) && (k.alg === undefined || k.alg === 'ES256'))) {
    refuse('jwks has no P-256 key with use "sig" (ES256) for client authentication');
  }
  if (
    !keys.some((k) => k.use === 'enc' && isP256(k) && (k.alg === undefined || k.alg === 'ECDH-ES+A256KW'))
  ) {
    refuse('jwks has no P-256 key with use "enc" (ECDH-ES+A256KW) to encrypt data packages to');
  }
  if (
    !Array.isArray(input.redirectUris) ||
    input.redirectUris.length === 0 ||
    input.redirectUris.length > 10
  ) {
    refuse('redirectUris must list 1 to 10 addresses');
  }
  const redirectUris = input.redirectUris.map((u) => checkUrl(u, 'redirect URI', input.allowHttpRedirects));
  const webhookUrl = input.webhookUrl === undefined ? undefined : checkUrl(input.webhookUrl, 'webhook URL');
  return { clientId: input.clientId, jwks: { keys }, redirectUris, webhookUrl };
}

export interface ClientRegistry {
  /** Registers (or replaces) the client of an online service of the catalogue. */
  register(input: ClientRegistrationInput): Promise<RegisteredClient>;
  get(clientId: string): Promise<RegisteredClient | undefined>;
  /** What the consent service needs of a client: the key packages are encrypted to, and the webhook address. */
  directory(clientId: string): Promise<{ encryptionKey: PublicJwk; webhookUrl?: string } | undefined>;
  /** The client as oidc-provider sees it. */
  metadata(clientId: string): Promise<ClientMetadata | undefined>;
}

/** The client directory over `oauth_clients`. */
export function createClientRegistry({
  db,
  catalogue,
  now = () => new Date(),
}: {
  db: Db;
  catalogue: Pick<ReturnType<typeof createCatalogueRepo>, 'getService'>;
  now?: () => Date;
}): ClientRegistry {
  // Every PAR, authorization, token and package request reads the client: keep it for 2 s.
  const cache = createReadThroughCache<RegisteredClient | undefined>({ maxAgeMs: 2000 });
  const get = (clientId: string) => cache.get(clientId, () => load(clientId));
  async function load(clientId: string): Promise<RegisteredClient | undefined> {
    const row = await db
      .selectFrom('oauth_clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      clientId: row.client_id,
      jwks: row.jwks as RegisteredClient['jwks'],
      redirectUris: row.redirect_uris,
      webhookUrl: row.webhook_url ?? undefined,
    };
  }
  return {
    async register(input) {
      if (typeof input?.clientId !== 'string') refuse('clientId must be the service id');
      const service = await catalogue.getService(input.clientId).catch(() => undefined);
      if (!service) refuse(`"${input.clientId}" is not a service of the catalogue`);
      if (service.mode !== 'online')
        refuse(`service "${input.clientId}" is a ${service.mode} service, not online`);
      const client = validateRegistration(input);
      const at = now();
      const values = {
        jwks: JSON.stringify(client.jwks),
        redirect_uris: JSON.stringify(client.redirectUris),
        webhook_url: client.webhookUrl ?? null,
        updated_at: at,
      };
      await db
        .insertInto('oauth_clients')
        .values({ client_id: client.clientId, created_at: at, ...values })
        .onConflict((oc) => oc.column('client_id').doUpdateSet(values))
        .execute();
      cache.clear();
      return client;
    },
    get,
    async directory(clientId) {
      const client = await get(clientId);
      const encryptionKey = client?.jwks.keys.find((k) => k.use === 'enc' && isP256(k));
      if (!client || !encryptionKey) return undefined;
      return { encryptionKey, ...(client.webhookUrl ? { webhookUrl: client.webhookUrl } : {}) };
    },
    async metadata(clientId) {
      const client = await get(clientId);
      if (!client) return undefined;
      return {
        client_id: client.clientId,
        redirect_uris: client.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        id_token_signed_response_alg: 'ES256',
        subject_type: 'pairwise',
        dpop_bound_access_tokens: true,
        require_pushed_authorization_requests: true,
        authorization_details_types: ['mydata'],
        // Only the signing keys: oidc-provider has no use for the encryption key and must not pick it.
        jwks: { keys: client.jwks.keys.filter((k) => k.use === 'sig') as never },
      };
    },
  };
}
