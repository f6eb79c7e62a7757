import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import {
  AGENCY_ERRORS,
  type AgencyErrorCode,
  checkRequestClaims,
  DEFAULT_CLOCK_SKEW_SECONDS,
  DEFAULT_PLATFORM_ID,
  EXCHANGE_ALGORITHM,
  EXCHANGE_CHECK_PATH,
  EXCHANGE_HEALTH_PATH,
  EXCHANGE_QUERY_PATH,
  type ExchangeQuery,
  type IdentityCheckQuery,
  parseRequestClaims,
  REQUEST_JWS_TYPE,
  REQUEST_SIGNATURE_HEADER,
  RESPONSE_JWS_TYPE,
  RESPONSE_SIGNATURE_HEADER,
  requestHash,
  sha256Base64url,
} from '@mydata/core';
import { createLocalJWKSet, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import type { Jwks } from './keys.ts';

/** What a lookup is told about the request it answers. */
export interface LookupContext {
  datasetId: string;
  consentId: string;
  /** The purpose as a DPV IRI. */
  purpose: string;
  /** The platform's request id (the JWS `jti`). */
  requestId: string;
}

/** Returns the citizen's record for one dataset, or undefined when the agency holds none. */
export type DatasetLookup = (nationalId: string, ctx: LookupContext) => unknown | Promise<unknown>;

/** Answers whether `claims` (e.g. `{ cardNumber, pin }`) match what the agency holds about the citizen. */
export type IdentityCheck = (
  nationalId: string,
  claims: Record<string, string>,
) => boolean | Promise<boolean>;

/** Remembers request ids for the clock window so a captured request cannot be sent twice. */
export interface ReplayCache {
  /** Records `jti` until `expiresAtMs`; returns false when it was already recorded. */
  remember(jti: string, expiresAtMs: number): boolean | Promise<boolean>;
}

/** What an agency configures: who it is, its datasets, its TLS credentials and keys. */
export interface DataProviderOptions {
  /** This agency's organisation id in the catalogue; the `aud` of requests, the `iss` of responses. */
  agencyId: string;
  /** The platform's id: `iss` of requests and the CN of its client certificate. */
  platformId?: string;
  /** One lookup per dataset this agency provides, by dataset id. */
  datasets: Record<string, DatasetLookup>;
  /**
   * Identity checks this agency answers (e.g. `nhi-card-pin`), by check id: whether the details a
   * citizen gave the platform match the agency's records. Only yes or no goes back.
   */
  checks?: Record<string, IdentityCheck>;
  tls: {
    /** This agency's server certificate and private key (PEM). */
    cert: string;
    key: string;
    /** CA certificate(s) (PEM) that issue the platform's client certificate. */
    ca: string;
    /** Subject CN the client certificate must carry; the platform id by default. */
    clientCommonName?: string;
  };
  /** This agency's private ES256 signing key (JWK) for responses; register its public half with the platform. */
  signingKey: JWK;
  /** The platform's public request-signing keys. */
  platformKeys: Jwks;
  /** How far a request's `iat` may be from this server's clock (seconds); 60 by default. */
  clockSkewSeconds?: number;
  replayCache?: ReplayCache;
  /** Largest request body accepted; 64 KiB by default. */
  maxBodyBytes?: number;
  /** Told about lookups that throw; the platform only sees a signed `internal` error. */
  onError?: (error: unknown) => void;
}

/** A running (or ready to run) data-provider HTTPS server. */
export interface DataProvider {
  readonly server: Server;
  /** Starts listening (an ephemeral port by default) and resolves with the base URL. */
  listen(options?: { port?: number; host?: string }): Promise<string>;
  /** Stops taking connections and closes open ones. */
  close(): Promise<void>;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** An in-memory replay cache; enough for one agency process. */
export function createMemoryReplayCache(): ReplayCache {
  const seen = new Map<string, number>();
  return {
    remember(jti, expiresAtMs) {
      const now = Date.now();
      // Entries are inserted in roughly expiry order, so pruning stops at the first live one.
      for (const [k, exp] of seen) {
        if (exp > now) break;
        seen.delete(k);
      }
      if (seen.has(jti)) return false;
      seen.set(jti, expiresAtMs);
      return true;
    },
  };
}

class Refusal extends Error {
  constructor(
    readonly error: AgencyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Refusal('bad-request', `body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Creates a data-provider server: mutual TLS that admits only the platform's client certificate,
 * verification of every signed request (signature, binding to method/path/body, freshness, replay),
 * and a signed answer bound to the request's hash. See docs/provider-quickstart.md.
 */
export function createDataProvider(options: DataProviderOptions): DataProvider {
  const platformId = options.platformId ?? DEFAULT_PLATFORM_ID;
  const clientCn = options.tls.clientCommonName ?? platformId;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const maxBody = options.maxBodyBytes ?? 64 * 1024;
  const replay = options.replayCache ?? createMemoryReplayCache();
  // Keys are imported once; per-request imports would cost more than the signature itself.
  const platformKeys = createLocalJWKSet(options.platformKeys);
  const signingKey = importJWK(options.signingKey, EXCHANGE_ALGORITHM);
  const kid = options.signingKey.kid;

  async function answer(res: ServerResponse, requestJws: string, status: number, body: unknown) {
    const bytes = Buffer.from(JSON.stringify(body));
    const signature = await new SignJWT({
      requestHash: requestHash(requestJws),
      bodySha256: sha256Base64url(bytes),
      status,
    })
      .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: RESPONSE_JWS_TYPE, ...(kid ? { kid } : {}) })
      .setIssuer(options.agencyId)
      .setAudience(platformId)
      .setIssuedAt()
      .sign(await signingKey);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': bytes.length,
      [RESPONSE_SIGNATURE_HEADER]: signature,
    });
    res.end(bytes);
  }

  /** Reads the body and checks the request's signature, binding, freshness and replay; returns both. */
  async function verifiedRequest(req: IncomingMessage, requestJws: string) {
    const body = await readBody(req, maxBody);
    if (!requestJws) throw new Refusal('bad-signature', 'the request carries no signature');
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(requestJws, platformKeys, {
        algorithms: [EXCHANGE_ALGORITHM],
        typ: REQUEST_JWS_TYPE,
      }));
    } catch {
      throw new Refusal('bad-signature', 'the request signature does not verify with the platform keys');
    }
    const claims = parseRequestClaims(payload);
    if (!claims) throw new Refusal('bad-signature', 'the signed claims are incomplete');
    const problem = checkRequestClaims(claims, {
      platformId,
      agencyId: options.agencyId,
      method: req.method ?? '',
      path: req.url ?? '',
      bodySha256: sha256Base64url(body),
      nowSeconds: Math.floor(Date.now() / 1000),
      skewSeconds: skew,
    });
    if (problem?.kind === 'stale') throw new Refusal('stale', `signed ${problem.ageSeconds} s from now`);
    if (problem)
      throw new Refusal('bad-signature', `the signature does not cover this request (${problem.kind})`);
    if (!(await replay.remember(claims.jti, (claims.iat + 2 * skew) * 1000))) {
      throw new Refusal('replayed', `request ${claims.jti} was already answered`);
    }
    return { body, claims };
  }

  async function handleQuery(req: IncomingMessage, requestJws: string) {
    const { body, claims } = await verifiedRequest(req, requestJws);
    let query: ExchangeQuery;
    try {
      query = JSON.parse(body.toString('utf8')) as ExchangeQuery;
    } catch {
      throw new Refusal('bad-request', 'the body is not JSON');
    }
    if (query?.datasetId !== claims.datasetId || typeof query.subject?.nationalId !== 'string') {
      throw new Refusal('bad-request', 'the body does not name the signed dataset and a subject');
    }
    const lookup = Object.hasOwn(options.datasets, query.datasetId)
      ? options.datasets[query.datasetId]
      : undefined;
    if (!lookup)
      throw new Refusal('not-permitted', `${options.agencyId} does not provide ${query.datasetId}`);
    let record: unknown;
    try {
      record = await lookup(query.subject.nationalId, {
        datasetId: query.datasetId,
        consentId: claims.consentId,
        purpose: claims.purpose,
        requestId: claims.jti,
      });
    } catch (error) {
      options.onError?.(error);
      throw new Refusal('internal', 'the lookup failed');
    }
    if (record === undefined) throw new Refusal('no-such-person', 'no record of this person');
    return { datasetId: query.datasetId, payload: record };
  }

  async function handleCheck(req: IncomingMessage, requestJws: string) {
    const { body, claims } = await verifiedRequest(req, requestJws);
    let query: IdentityCheckQuery;
    try {
      query = JSON.parse(body.toString('utf8')) as IdentityCheckQuery;
    } catch {
      throw new Refusal('bad-request', 'the body is not JSON');
    }
    if (
      query?.check !== claims.datasetId ||
      typeof query.subject?.nationalId !== 'string' ||
      typeof query.claims !== 'object' ||
      query.claims === null
    ) {
      throw new Refusal('bad-request', 'the body does not name the signed check, a subject and claims');
    }
    const check =
      options.checks && Object.hasOwn(options.checks, query.check) ? options.checks[query.check] : undefined;
    if (!check) throw new Refusal('not-permitted', `${options.agencyId} does not answer ${query.check}`);
    let match: boolean;
    try {
      match = (await check(query.subject.nationalId, query.claims)) === true;
    } catch (error) {
      options.onError?.(error);
      throw new Refusal('internal', 'the check failed');
    }
    return { check: query.check, match };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const header = req.headers[REQUEST_SIGNATURE_HEADER];
    const requestJws = typeof header === 'string' ? header : '';
    try {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      // The CA may issue other certificates (agencies' own): the chain alone is not an identity.
      const eku = (peer as { ext_key_usage?: string[] }).ext_key_usage;
      if (!socket.authorized || peer.subject?.CN !== clientCn || (eku && !eku.includes(CLIENT_AUTH_OID))) {
        throw new Refusal('client-not-allowed', 'only the platform’s client certificate is accepted');
      }
      if (req.method === 'GET' && req.url === EXCHANGE_HEALTH_PATH) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"up"}');
        return;
      }
      if (req.method === 'POST' && req.url === EXCHANGE_CHECK_PATH) {
        await answer(res, requestJws, 200, await handleCheck(req, requestJws));
        return;
      }
      if (req.method !== 'POST' || req.url !== EXCHANGE_QUERY_PATH) {
        throw new Refusal('bad-request', `no such endpoint: ${req.method} ${req.url}`);
      }
      await answer(res, requestJws, 200, await handleQuery(req, requestJws));
    } catch (error) {
      const refusal =
        error instanceof Refusal ? error : new Refusal('internal', 'the agency failed to answer');
      if (!(error instanceof Refusal)) options.onError?.(error);
      if (res.headersSent) return;
      await answer(res, requestJws, AGENCY_ERRORS[refusal.error], {
        error: refusal.error,
        message: refusal.message,
      }).catch((e: unknown) => {
        options.onError?.(e);
        res.destroy();
      });
    }
  }

  const server = createServer(
    {
      cert: options.tls.cert,
      key: options.tls.key,
      ca: options.tls.ca,
      requestCert: true,
      // A client without a certificate from the CA never gets past the handshake.
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      void handle(req, res);
    },
  );

  return {
    server,
    async listen({ port = 0, host = '127.0.0.1' } = {}) {
      await signingKey;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      return `https://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
