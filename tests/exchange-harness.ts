/**
 * A platform gateway and agencies on loopback with real mutual TLS, for the exchange tests and the
 * benchmark: a local CA, the platform's client certificate, demo agencies built on the SDK, and
 * "rogue" agencies that misbehave in one precise way each.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import {
  EXCHANGE_ALGORITHM,
  REQUEST_SIGNATURE_HEADER,
  RESPONSE_JWS_TYPE,
  RESPONSE_SIGNATURE_HEADER,
  requestHash,
  sha256Base64url,
} from '@mydata/core';
import { createPopulation, DEMO_SEED, demoCatalogue, startDemoAgencies } from '@mydata/demo';
import { generateSigningKey, type JWK, type SigningKeyPair } from '@mydata/sdk';
import {
  type CertificateAuthority,
  type CertifiedKey,
  createCatalogueRepo,
  createCertificateAuthority,
  createExchangeGateway,
  type ExchangeGateway,
  issueCertificate,
  type Platform,
  spkiSha256,
} from '@mydata/server';
import { importJWK, SignJWT } from 'jose';
import { createTestDatabase, type TestDatabase } from '../packages/server/src/db/testing.ts';

export const PLATFORM_ID = 'mydata-platform';

export interface Harness {
  database: TestDatabase;
  gateway: ExchangeGateway;
  ca: CertificateAuthority;
  platformClient: CertifiedKey;
  platformKey: SigningKeyPair;
  population: ReturnType<typeof createPopulation>;
  /** Certificates per agency id, issued once. */
  certificate(agencyId: string): Promise<CertifiedKey>;
  /** Registers an agency at a URL with its certificate pin and public key. */
  register(
    agencyId: string,
    url: string,
    cert: string,
    publicJwk: JWK,
    extra?: { timeoutMs?: number },
  ): Promise<void>;
  close(): Promise<void>;
}

export async function createHarness(options: {
  populationSize?: number;
  demoAgencies?: string[];
  gateway?: Partial<Parameters<typeof createExchangeGateway>[0]>;
}): Promise<Harness & { demo: Awaited<ReturnType<typeof startDemoAgencies>> }> {
  const database = await createTestDatabase();
  await createCatalogueRepo(database.db).importCatalogue(demoCatalogue);
  const ca = await createCertificateAuthority('MyData test CA');
  const platformClient = await issueCertificate(ca, { commonName: PLATFORM_ID, usage: 'client' });
  const platformKey = await generateSigningKey();
  const population = createPopulation({ seed: DEMO_SEED, size: options.populationSize ?? 300 });
  const certs = new Map<string, Promise<CertifiedKey>>();
  const certificate = (agencyId: string) => {
    let c = certs.get(agencyId);
    if (!c) {
      c = issueCertificate(ca, { commonName: agencyId, usage: 'server' });
      certs.set(agencyId, c);
    }
    return c;
  };
  const gateway = createExchangeGateway({
    db: database.db,
    platformId: PLATFORM_ID,
    signingKey: platformKey.privateJwk,
    tls: { ...platformClient, ca: ca.cert },
    retries: 2,
    backoffBaseMs: 1,
    breaker: { failureThreshold: 3, resetAfterMs: 60_000 },
    ...options.gateway,
  });
  const register: Harness['register'] = async (agencyId, url, cert, publicJwk, extra) => {
    await gateway.registry.register({
      agencyId,
      baseUrl: url,
      tlsSpkiSha256: [spkiSha256(cert)],
      jwks: { keys: [publicJwk as never] },
      timeoutMs: extra?.timeoutMs ?? 2000,
      maxConcurrency: 8,
    });
  };
  const demo = await startDemoAgencies({
    population,
    only: options.demoAgencies ?? [],
    platformKeys: { keys: [platformKey.publicJwk] },
    clientCa: ca.cert,
    credentials: certificate,
  });
  for (const a of demo.agencies) await register(a.agencyId, a.url, a.cert, a.publicJwk);
  return {
    database,
    gateway,
    ca,
    platformClient,
    platformKey,
    population,
    certificate,
    register,
    demo,
    async close() {
      gateway.close();
      await demo.close();
      await database.close();
    },
  };
}

export type RogueMode =
  | 'garbage-unsigned'
  | 'garbage-signed'
  | 'wrong-request'
  | 'stale'
  | 'slow'
  | 'error-500'
  | 'wrong-key';

/** An agency server that passes mutual TLS but answers wrongly in one way; counts the requests it got. */
export async function startRogueAgency(
  h: Harness,
  agencyId: string,
  mode: RogueMode,
  options: { cert?: CertifiedKey; delayMs?: number } = {},
): Promise<{
  url: string;
  signing: SigningKeyPair;
  requests: number;
  maxInFlight: number;
  close(): Promise<void>;
}> {
  const cert = options.cert ?? (await h.certificate(agencyId));
  const signing = await generateSigningKey();
  const otherKey = await generateSigningKey();
  const key = await importJWK((mode === 'wrong-key' ? otherKey : signing).privateJwk, EXCHANGE_ALGORITHM);
  const state = { requests: 0, inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer(
    { ...cert, ca: h.ca.cert, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      state.requests += 1;
      state.inFlight += 1;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      res.on('close', () => {
        state.inFlight -= 1;
      });
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const requestJws = String(req.headers[REQUEST_SIGNATURE_HEADER] ?? '');
        if (req.method === 'GET') {
          res.writeHead(200).end('{"status":"up"}');
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { datasetId: string };
        const answer = Buffer.from(
          mode === 'garbage-unsigned' || mode === 'garbage-signed'
            ? '<html>Service Unavailable'
            : JSON.stringify({ datasetId: body.datasetId, payload: {} }),
        );
        if (mode === 'slow') await new Promise((r) => setTimeout(r, options.delayMs ?? 500));
        if (mode === 'error-500') {
          res.writeHead(500).end('internal');
          return;
        }
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (mode !== 'garbage-unsigned') {
          const boundTo = mode === 'wrong-request' ? `${requestJws}x` : requestJws;
          const iat = Math.floor(Date.now() / 1000) - (mode === 'stale' ? 600 : 0);
          headers[RESPONSE_SIGNATURE_HEADER] = await new SignJWT({
            requestHash: requestHash(boundTo),
            bodySha256: sha256Base64url(answer),
            status: 200,
          })
            .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: RESPONSE_JWS_TYPE })
            .setIssuer(agencyId)
            .setAudience(PLATFORM_ID)
            .setIssuedAt(iat)
            .sign(key);
        }
        if (!res.destroyed) res.writeHead(200, headers).end(answer);
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await h.register(agencyId, url, cert.cert, signing.publicJwk);
  return {
    url,
    signing,
    get requests() {
      return state.requests;
    },
    /** The most requests it was answering at one time. */
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A free loopback port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const { createServer: createTcp } = await import('node:net');
  const s = createTcp();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A citizen of the population who has a record in every one of the datasets. */
export function citizenWith(population: Harness['population'], datasetIds: string[]): string {
  for (let i = 0; i < population.size; i++) {
    const id = population.citizen(i).nationalId;
    if (datasetIds.every((d) => population.record(d, id) !== undefined)) return id;
  }
  throw new Error(`nobody in the population has all of ${datasetIds.join(', ')}`);
}

/**
 * Starts the named demo agencies against a running platform, over its local CA, and registers each
 * with its exchange gateway, as `npm start` does; returns how to stop them.
 */
export async function connectDemoAgencies(
  platform: Pick<Platform, 'exchange'>,
  population: Harness['population'],
  only: string[],
): Promise<{ close(): Promise<void> }> {
  const { exchange } = platform;
  const issue = exchange.issueLocalAgencyCertificate;
  if (!issue) throw new Error('the platform issues no local agency certificates');
  const demo = await startDemoAgencies({
    population,
    only,
    platformId: exchange.platformId,
    platformKeys: exchange.platformKeys,
    clientCa: exchange.clientCa,
    credentials: issue,
    host: '127.0.0.1',
  });
  for (const a of demo.agencies) {
    await exchange.registerAgency({
      agencyId: a.agencyId,
      baseUrl: a.url,
      tlsSpkiSha256: [spkiSha256(a.cert)],
      jwks: { keys: [a.publicJwk as never] },
    });
  }
  return demo;
}
