/**
 * Builds data packages the way the platform does (docs/package.md), with keys made on the spot, so
 * the SDK's verification can be tested against good packages and every kind of bad one.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_PLATFORM_ID,
  EXCHANGE_QUERY_PATH,
  encodeQuery,
  REQUEST_JWS_TYPE,
  RESPONSE_JWS_TYPE,
  requestHash,
  sha256Base64url,
} from '@mydata/core';
import {
  CompactEncrypt,
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { generateSigningKey, type SigningKeyPair } from '../provider/keys.ts';
import { generateServiceKeys, type ServiceKeys } from './keys.ts';
import { PACKAGE_JWS_TYPE } from './package.ts';

export interface FixtureDataset {
  datasetId: string;
  agencyId: string;
  payload: Record<string, unknown>;
}

/** Knobs to build a bad package; each one breaks exactly one thing. */
export interface PackageTweaks {
  /** Changes `data` after the agency signed the body. */
  data?: (datasetId: string, data: Record<string, unknown>) => Record<string, unknown>;
  /** Signs this dataset's answer with a key the agency never registered. */
  foreignAgencyKey?: boolean;
  /** Puts a body in the package other than the one the agency hashed. */
  swapBody?: boolean;
  /** Puts another request JWS in the package than the one the agency answered. */
  swapRequest?: boolean;
  audience?: string;
  issuer?: string;
  expiresInSeconds?: number;
  /** Signs the package with a platform key that is not in the JWKS. */
  foreignPlatformKey?: boolean;
  typ?: string;
  /** Encrypts to another key than the service's. */
  foreignEncryptionKey?: boolean;
  /** Flips a character of the platform JWS payload after signing. */
  tamperJws?: boolean;
  purpose?: string;
  claims?: Record<string, unknown>;
}

export interface PackageFixture {
  issuer: string;
  clientId: string;
  platform: SigningKeyPair;
  agencies: Map<string, SigningKeyPair>;
  service: ServiceKeys;
  /** The agency-keys document the platform publishes. */
  agencyKeysDocument(): { items: { agencyId: string; jwks: { keys: JWK[] } }[] };
  /** Builds a package (JWE compact) with the given datasets, optionally broken. */
  build(datasets: FixtureDataset[], tweaks?: PackageTweaks): Promise<string>;
  /** Signs a webhook as the platform does. */
  webhook(
    claims: Record<string, unknown>,
    tweaks?: { audience?: string; foreignKey?: boolean },
  ): Promise<string>;
}

/** Creates a platform, its agencies and a service with fresh keys, and a package builder. */
export async function createPackageFixture(options: {
  issuer?: string;
  clientId?: string;
  agencyIds: string[];
  service?: ServiceKeys;
}): Promise<PackageFixture> {
  const issuer = options.issuer ?? 'http://localhost:8080';
  const clientId = options.clientId ?? 'firstbank.personal-loan';
  const platform = await generateSigningKey();
  const exchangeKey = await generateSigningKey();
  const intruder = await generateSigningKey();
  const agencies = new Map<string, SigningKeyPair>();
  for (const id of options.agencyIds) agencies.set(id, await generateSigningKey());
  const service = options.service ?? (await generateServiceKeys());
  const other = await generateServiceKeys();
  const sign = async (claims: Record<string, unknown>, key: JWK, typ: string) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ, kid: key.kid as string })
      .sign(await importJWK(key, 'ES256'));

  async function entry(d: FixtureDataset, t: PackageTweaks) {
    const body = encodeQuery({ datasetId: d.datasetId, subject: { nationalId: 'A123456789' } });
    const now = Math.floor(Date.now() / 1000);
    const request = await sign(
      {
        iss: DEFAULT_PLATFORM_ID,
        aud: d.agencyId,
        iat: now,
        jti: randomUUID(),
        method: 'POST',
        path: EXCHANGE_QUERY_PATH,
        bodySha256: sha256Base64url(body),
        consentId: 'consent-1',
        purpose: t.purpose ?? 'https://w3id.org/dpv#CreditChecking',
        datasetId: d.datasetId,
      },
      exchangeKey.privateJwk,
      REQUEST_JWS_TYPE,
    );
    const responseBody = JSON.stringify({ datasetId: d.datasetId, payload: d.payload });
    const agencyKey = t.foreignAgencyKey ? intruder : agencies.get(d.agencyId);
    if (!agencyKey) throw new Error(`no key for ${d.agencyId}`);
    const response = await sign(
      {
        iss: d.agencyId,
        aud: DEFAULT_PLATFORM_ID,
        iat: now,
        requestHash: requestHash(request),
        bodySha256: sha256Base64url(responseBody),
        status: 200,
      },
      agencyKey.privateJwk,
      RESPONSE_JWS_TYPE,
    );
    const otherRequest = t.swapRequest ? `${request.slice(0, -2)}AA` : request;
    return {
      datasetId: d.datasetId,
      agencyId: d.agencyId,
      data: t.data ? t.data(d.datasetId, structuredClone(d.payload)) : d.payload,
      agency: {
        responseSignature: response,
        responseBody: t.swapBody
          ? JSON.stringify({ datasetId: d.datasetId, payload: { forged: true } })
          : responseBody,
        requestSignature: otherRequest,
      },
      receivedAt: new Date().toISOString(),
    };
  }

  return {
    issuer,
    clientId,
    platform,
    agencies,
    service,
    agencyKeysDocument: () => ({
      items: [...agencies].map(([agencyId, k]) => ({ agencyId, jwks: { keys: [k.publicJwk] } })),
    }),
    async build(datasets, t = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: t.issuer ?? issuer,
        aud: t.audience ?? clientId,
        sub: 'pairwise-subject-1',
        jti: randomUUID(),
        iat: now,
        exp: now + (t.expiresInSeconds ?? 600),
        consent: { id: 'consent-1', receiptSha256: sha256Base64url('receipt') },
        service: clientId,
        purpose: t.purpose ?? 'https://w3id.org/dpv#CreditChecking',
        mode: 'online',
        datasets: await Promise.all(datasets.map((d) => entry(d, t))),
        ...t.claims,
      };
      let jws = await sign(
        claims,
        t.foreignPlatformKey ? intruder.privateJwk : platform.privateJwk,
        t.typ ?? PACKAGE_JWS_TYPE,
      );
      if (t.tamperJws) {
        const [h, p, s] = jws.split('.') as [string, string, string];
        const json = JSON.parse(Buffer.from(p, 'base64url').toString());
        json.sub = 'someone-else';
        jws = [h, Buffer.from(JSON.stringify(json)).toString('base64url'), s].join('.');
      }
      const to = t.foreignEncryptionKey ? other.encryptionKey : service.encryptionKey;
      const { d: _d, ...publicTo } = to;
      return new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({
          alg: 'ECDH-ES+A256KW',
          enc: 'A256GCM',
          cty: PACKAGE_JWS_TYPE,
          kid: to.kid as string,
        })
        .encrypt(await importJWK(publicTo, 'ECDH-ES+A256KW'));
    },
    async webhook(claims, t = {}) {
      const now = Math.floor(Date.now() / 1000);
      return sign(
        { iss: issuer, aud: t.audience ?? clientId, iat: now, jti: randomUUID(), ...claims },
        t.foreignKey ? intruder.privateJwk : platform.privateJwk,
        'mydata-webhook+jwt',
      );
    },
  };
}

/**
 * A stand-in authorization server, strict about what the SDK must send (private_key_jwt, PKCE S256,
 * the mydata detail, DPoP-bound token and proofs), so the client's side of the protocol is tested
 * on its own (the tests in tests/ run it against the real platform). `authorize` plays the citizen.
 */
export async function startFakePlatform(
  fixture: () => PackageFixture,
  options: { purpose: string; datasets: FixtureDataset[]; grantWithoutConsent?: boolean },
) {
  const pars = new Map<string, URLSearchParams>();
  const codes = new Map<string, { par: URLSearchParams; requestUri: string }>();
  const tokens = new Map<string, { jkt: string; code: string; requestUri: string }>();
  const taken = new Set<string>();
  const seen: { dpopAtPackage?: boolean } = {};
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = '';
      req.on('data', (c) => {
        s += c;
      });
      req.on('end', () => resolve(s));
    });
  let issuer = '';
  const clientKeys = () => createLocalJWKSet(fixture().service.publicJwks as never);
  async function checkClient(form: URLSearchParams) {
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      throw new Error('no private_key_jwt client assertion');
    const { payload } = await jwtVerify(form.get('client_assertion') ?? '', clientKeys(), {
      issuer: fixture().clientId,
      subject: fixture().clientId,
      audience: issuer,
    });
    return payload;
  }
  async function dpopJkt(header: string | undefined, htm: string, htu: string) {
    const proof = header ?? '';
    const { jwk } = decodeProtectedHeader(proof) as { jwk: JWK };
    const { payload } = await jwtVerify(proof, async () => jwk as never, { typ: 'dpop+jwt' });
    if (payload.htm !== htm || payload.htu !== htu) throw new Error('DPoP proof for another request');
    return { jkt: await calculateJwkThumbprint(jwk), payload };
  }
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    void (async () => {
      const url = new URL(req.url ?? '/', issuer);
      if (url.pathname === '/.well-known/openid-configuration')
        return json(200, {
          issuer,
          authorization_endpoint: `${issuer}/oauth/auth`,
          pushed_authorization_request_endpoint: `${issuer}/oauth/par`,
          token_endpoint: `${issuer}/oauth/token`,
          jwks_uri: `${issuer}/oauth/jwks`,
          authorization_response_iss_parameter_supported: true,
          require_pushed_authorization_requests: true,
        });
      if (url.pathname === '/oauth/jwks') return json(200, { keys: [fixture().platform.publicJwk] });
      if (url.pathname === '/api/v1/exchange/agency-keys') return json(200, fixture().agencyKeysDocument());
      if (url.pathname === '/oauth/par') {
        const form = new URLSearchParams(await read(req));
        await checkClient(form);
        const details = JSON.parse(form.get('authorization_details') ?? '[]');
        if (details[0]?.type !== 'mydata' || details[0]?.purpose !== options.purpose)
          return json(400, {
            error: 'invalid_authorization_details',
            error_description: 'purpose not approved',
          });
        const requestUri = `urn:ietf:params:oauth:request_uri:${randomUUID()}`;
        pars.set(requestUri, form);
        return json(201, { request_uri: requestUri, expires_in: 60 });
      }
      if (url.pathname === '/oauth/token') {
        const form = new URLSearchParams(await read(req));
        await checkClient(form);
        const issued = codes.get(form.get('code') ?? '');
        const par = issued?.par;
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !par ||
          par.get('code_challenge') !== challenge ||
          form.get('redirect_uri') !== par.get('redirect_uri')
        )
          return json(400, { error: 'invalid_grant', error_description: 'bad code or verifier' });
        const { jkt } = await dpopJkt(req.headers.dpop as string, 'POST', `${issuer}/oauth/token`);
        const token = randomUUID();
        tokens.set(token, { jkt, code: form.get('code') ?? '', requestUri: issued?.requestUri ?? '' });
        const detail = JSON.parse(par.get('authorization_details') ?? '[]')[0];
        return json(200, {
          access_token: token,
          token_type: 'DPoP',
          expires_in: 60,
          authorization_details: [
            options.grantWithoutConsent ? detail : { ...detail, consentId: 'consent-1' },
          ],
        });
      }
      if (url.pathname === '/api/v1/transfer/package') {
        const token = /^DPoP (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
        const t = tokens.get(token);
        const { jkt, payload } = await dpopJkt(
          req.headers.dpop as string,
          'GET',
          `${issuer}/api/v1/transfer/package`,
        );
        seen.dpopAtPackage = payload.ath === createHash('sha256').update(token).digest('base64url');
        if (!t || t.jkt !== jkt)
          return json(401, { code: 'transfer.invalid-token', status: 401, detail: 'no' });
        if (taken.has(t.code))
          return json(
            410,
            { code: 'transfer.package-gone', status: 410, detail: 'The package was already fetched.' },
            'application/problem+json',
          );
        taken.add(t.code);
        const asked =
          JSON.parse(pars.get(t.requestUri)?.get('authorization_details') ?? '[]')[0]?.datasets ?? [];
        const granted = options.datasets.filter((d) => asked.includes(d.datasetId));
        return json(200, await fixture().build(granted), 'application/jose');
      }
      json(404, { error: 'not found' });
    })().catch((error: unknown) => json(500, { error: 'server_error', error_description: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, resolve));
  issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    seen,
    /** What the authorization endpoint would do once the citizen agreed: a code for the pushed request. */
    authorize(authorizeUrl: string, outcome: 'accept' | 'decline' = 'accept') {
      const u = new URL(authorizeUrl);
      const requestUri = u.searchParams.get('request_uri') ?? '';
      const par = pars.get(requestUri);
      if (!par) throw new Error('unknown request_uri');
      const back = new URL(par.get('redirect_uri') ?? '');
      back.searchParams.set('state', par.get('state') ?? '');
      back.searchParams.set('iss', issuer);
      if (outcome === 'decline') {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The citizen declined.');
      } else {
        const code = randomUUID();
        codes.set(code, { par, requestUri });
        back.searchParams.set('code', code);
      }
      return back.href;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
