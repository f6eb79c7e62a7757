/**
 * A platform with the authorization server listening on loopback, the demo catalogue, citizen
 * sign-in over the demo population, and a consent service (the real one, or a stand-in a test
 * controls), plus a browser that follows the authorization flow through the portal's API.
 */
import { createServer } from 'node:net';
import { AppError } from '@mydata/core';
import {
  createDemoIdentityChecks,
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  openCard,
  writePkcs12,
} from '@mydata/demo';
import {
  buildApp,
  type ConsentPort,
  createCatalogueRepo,
  createOutbox,
  createUsageLog,
  createUsageRecorder,
  derivePairwiseKey,
  generatePlatformKeys,
  loadConfig,
  type MydataAuthorizationDetail,
  openIdentity,
  openNationalCa,
  openOAuth,
} from '@mydata/server';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { expect } from 'vitest';
import { createTestDatabase } from '../packages/server/src/db/testing.ts';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A key pair as a service holds it: the private CryptoKey and the public JWK with kid and use. */
export async function serviceKey(use: 'sig' | 'enc') {
  const alg = use === 'sig' ? 'ES256' : 'ECDH-ES+A256KW';
  const pair = await generateKeyPair(alg, { extractable: true, ...(use === 'enc' ? { crv: 'P-256' } : {}) });
  const jwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...pair, publicJwk: { ...jwk, kid, use, alg } as JWK & { kid: string } };
}

/**
 * A stand-in consent service: the contract's rules against the catalogue, consents in memory, and a
 * package that is an opaque string. Tests make the next collection fail with `failNext`.
 */
export function createStandInConsent(db: Parameters<typeof createCatalogueRepo>[0]) {
  const catalogue = createCatalogueRepo(db);
  const consents = new Map<
    string,
    { id: string; status: string; clientId: string; citizenId: string; grantId?: string; datasets: string[] }
  >();
  const listeners: ((c: { id: string; clientId: string; grantId?: string }) => Promise<void>)[] = [];
  const state = { failNext: undefined as AppError | undefined, taken: 0 };
  let n = 0;
  const collect = (c: { id: string; status: string; datasets: string[] }) => {
    const error = state.failNext;
    state.failNext = undefined;
    const view = { id: c.id, status: c.status, datasets: c.datasets.map((id) => ({ id })) };
    // Only what the OAuth flow reads of a consent view.
    if (error) return { consent: view, ready: false, error } as never;
    c.status = 'active';
    return { consent: { ...view, status: 'active' }, ready: true } as never;
  };
  const port: ConsentPort = {
    async describeRequest(detail: MydataAuthorizationDetail, serviceId: string) {
      const service = await catalogue.getService(serviceId);
      if (!Array.isArray(detail.datasets) || detail.datasets.length === 0) {
        throw new AppError('consent.invalid-authorization-details', { reason: 'datasets' } as never);
      }
      for (const id of detail.datasets) {
        if (!service.datasets.some((d) => d.datasetId === id)) {
          throw new AppError('consent.dataset-not-approved', { serviceId, datasetId: id });
        }
      }
      for (const d of service.datasets) {
        if (d.required && !detail.datasets.includes(d.datasetId)) {
          throw new AppError('consent.required-dataset-missing', { datasetId: d.datasetId });
        }
      }
      if (detail.purpose !== service.purpose.dpv) {
        throw new AppError('consent.purpose-not-approved', {
          serviceId,
          purpose: String(detail.purpose),
          approved: service.purpose.dpv,
        });
      }
      if (detail.mode !== 'online' || service.mode !== 'online') {
        throw new AppError('consent.mode-not-supported', {
          serviceId,
          mode: String(detail.mode),
          approved: service.mode,
        });
      }
      const datasets = await catalogue.getDatasetsByIds(detail.datasets);
      const provider = await catalogue.getOrganisation(service.providerId);
      return {
        service: {
          id: service.id,
          name: service.name,
          description: service.description,
          retentionDays: service.retentionDays,
          mode: service.mode,
          provider: { id: provider.id, name: provider.name, sector: provider.sector },
        },
        purpose: service.purpose,
        datasets: datasets.map((d) => ({
          id: d.id,
          name: d.name,
          minAssurance: d.minAssurance,
          required: service.datasets.find((s) => s.datasetId === d.id)?.required ?? false,
        })),
        oneTime: true as const,
      } as never;
    },
    async accept({ citizenId, serviceId, chosen }) {
      const c = { id: `consent-${++n}`, status: 'pending', clientId: serviceId, citizenId, datasets: chosen };
      consents.set(c.id, c);
      return collect(c);
    },
    async retry(consentId, citizenId) {
      const c = consents.get(consentId);
      if (!c || c.citizenId !== citizenId) throw new AppError('consent.not-found', { id: consentId });
      return collect(c);
    },
    async withdraw(consentId, citizenId) {
      const c = consents.get(consentId);
      if (!c || c.citizenId !== citizenId) throw new AppError('consent.not-found', { id: consentId });
      if (!['pending', 'active'].includes(c.status)) {
        throw new AppError('consent.not-withdrawable', { id: consentId, status: c.status });
      }
      c.status = 'withdrawn';
      for (const l of listeners)
        await l({ id: c.id, clientId: c.clientId, ...(c.grantId ? { grantId: c.grantId } : {}) });
      return { id: c.id, status: c.status } as never;
    },
    onWithdrawn(listener) {
      listeners.push(listener as never);
    },
    async attachGrant(consentId, grantId) {
      const c = consents.get(consentId);
      if (c) c.grantId = grantId;
    },
    async takePackage(consentId, clientId) {
      const c = consents.get(consentId);
      if (!c || c.clientId !== clientId) throw new AppError('transfer.package-gone', { status: 'unknown' });
      if (c.status === 'pending') throw new AppError('transfer.package-not-ready');
      if (c.status !== 'active') throw new AppError('transfer.package-gone', { status: c.status });
      c.status = 'used';
      state.taken += 1;
      return `package-of-${c.id}`;
    },
  };
  return { port, consents, state };
}

export interface OAuthHarnessOptions {
  /** Builds the consent capability the flow uses (with its routes); the stand-in service by default. */
  consent?: (ctx: {
    db: Awaited<ReturnType<typeof createTestDatabase>>['db'];
    recorder: ReturnType<typeof createUsageRecorder>;
    outbox: ReturnType<typeof createOutbox>;
    identity: ReturnType<typeof openIdentity>;
    issuer: string;
    signingKey: JWK;
    pairwiseKey: Uint8Array;
    clients: ReturnType<typeof openOAuth>['clients'];
  }) => { service: ConsentPort; routes?: Parameters<typeof buildApp>[0]['consent'] };
  lifetimes?: Parameters<typeof openOAuth>[0]['lifetimes'];
  /** A database to use (the exchange harness's, say) with the demo catalogue already in it. */
  database?: Awaited<ReturnType<typeof createTestDatabase>>;
  /** The population sign-in checks against; the demo's first 300 citizens by default. */
  population?: ReturnType<typeof createPopulation>;
  /** The exchange gateway, for its routes (the agencies' keys a service verifies packages with). */
  gateway?: Parameters<typeof buildApp>[0]['gateway'];
}

export async function createOAuthHarness(options: OAuthHarnessOptions = {}) {
  const database = options.database ?? (await createTestDatabase());
  if (!options.database) await createCatalogueRepo(database.db).importCatalogue(demoCatalogue);
  const keys = generatePlatformKeys();
  const log = createUsageLog({ db: database.db, keys, origin: 'oauth.test/log' });
  const outbox = createOutbox({ db: database.db, keys });
  const recorder = createUsageRecorder({ log, outbox });
  const ca = await openNationalCa({});
  const population = options.population ?? createPopulation({ seed: DEMO_SEED, size: 300 });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const identity = openIdentity({
    db: database.db,
    keys,
    usageLog: log,
    recorder,
    publicUrl,
    timeouts: { idleSeconds: 900, absoluteSeconds: 12 * 3600 },
    nationalCa: ca,
    checks: createDemoIdentityChecks(population),
  });
  const signingKey = keys.oauthSigning;
  const pairwiseKey = derivePairwiseKey(keys.citizenRefKey);
  const oauth = openOAuth({
    db: database.db,
    publicUrl,
    signingKey,
    pairwiseKey,
    identity: identity.service,
    citizenRefOf: (id) => identity.repo.citizenRefOf(id),
    ...(options.lifetimes ? { lifetimes: options.lifetimes } : {}),
  });
  const standIn = createStandInConsent(database.db);
  const capability = options.consent
    ? options.consent({
        db: database.db,
        recorder,
        outbox,
        identity,
        issuer: publicUrl,
        signingKey,
        pairwiseKey,
        clients: oauth.clients,
      })
    : { service: standIn.port };
  const consent = capability.service;
  oauth.useConsent(consent);
  const config = loadConfig({ PUBLIC_URL: publicUrl, LOG_LEVEL: 'silent' });
  const app = await buildApp({
    config,
    db: database.db,
    usageLog: log,
    identity: identity.routes,
    oauth: oauth.http,
    ...(capability.routes ? { consent: capability.routes } : {}),
    ...(options.gateway ? { gateway: options.gateway } : {}),
  });
  await app.listen({ port, host: '127.0.0.1' });

  const citizen = (i: number) => {
    const c = population.citizen(i);
    return { nationalId: c.nationalId, nhiCardNumber: c.nhiCardNumber, householdNumber: c.household.number };
  };
  async function card(nationalId: string) {
    const issued = await ca.issue({ nationalId });
    return openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456');
  }

  /** Registers a service's client with fresh keys; returns what the service keeps. */
  async function registerService(serviceId: string, redirectUri = 'http://127.0.0.1:9/callback') {
    const sig = await serviceKey('sig');
    const enc = await serviceKey('enc');
    await oauth.registerClient({
      clientId: serviceId,
      jwks: { keys: [sig.publicJwk, enc.publicJwk] },
      redirectUris: [redirectUri],
      webhookUrl: 'http://127.0.0.1:9/webhook',
    });
    return { serviceId, redirectUri, sig, enc };
  }

  return {
    app,
    db: database.db,
    publicUrl,
    oauth,
    identity,
    population,
    population_: population,
    consent,
    standIn,
    citizen,
    card,
    registerService,
    browser: (): Browser => new Browser(app, publicUrl),
    async close() {
      await app.close();
      if (!options.database) await database.close();
    },
  };
}

export type OAuthHarness = Awaited<ReturnType<typeof createOAuthHarness>>;
type App = Awaited<ReturnType<typeof buildApp>>;

/**
 * One citizen's browser: cookies (all sent everywhere, which is enough here), real HTTP to the
 * provider's endpoints, and the portal's API calls with the CSRF header.
 */
let browsers = 0;

export class Browser {
  jar = new Map<string, string>();
  csrf: string | undefined;
  /** Each browser its own address, so sign-in rate limits per address do not add up across tests. */
  readonly address = `10.9.${Math.floor(++browsers / 250)}.${browsers % 250}`;
  constructor(
    private app: App,
    private publicUrl: string,
  ) {}
  private keep(setCookies: string[]) {
    for (const line of setCookies) {
      const [pair = '', ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some(
        (a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()),
      );
      if (!value || expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  /** A top-level navigation with redirects not followed. */
  async navigate(url: string) {
    const res = await fetch(new URL(url, this.publicUrl), {
      redirect: 'manual',
      headers: this.jar.size ? { cookie: this.cookie } : {},
    });
    this.keep(res.headers.getSetCookie());
    return res;
  }
  /** Follows redirects on the platform until one leaves it; answers the address it left for. */
  async follow(url: string, stopAt: (u: URL) => boolean): Promise<URL> {
    let next = new URL(url, this.publicUrl);
    for (let i = 0; i < 10 && !stopAt(next); i++) {
      const res = await this.navigate(next.href);
      const location = res.headers.get('location');
      if (!location) throw new Error(`no redirect from ${next.href}: ${res.status} ${await res.text()}`);
      next = new URL(location, next);
    }
    return next;
  }
  async api(method: 'GET' | 'POST', url: string, payload?: unknown) {
    const res = await this.app.inject({
      method,
      url,
      remoteAddress: this.address,
      ...(payload === undefined ? {} : { payload: payload as object }),
      headers: {
        origin: new URL(this.publicUrl).origin,
        ...(this.jar.size ? { cookie: this.cookie } : {}),
        ...(this.csrf && method !== 'GET' ? { 'x-csrf-token': this.csrf } : {}),
      },
    });
    const setCookie = res.headers['set-cookie'];
    this.keep(Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []);
    if (res.statusCode < 300 && String(res.headers['content-type']).includes('json')) {
      const body = res.json() as { csrfToken?: string };
      if (body.csrfToken) this.csrf = body.csrfToken;
    }
    return res;
  }
  /** First use: citizen certificate, then two documents (high assurance). */
  async signInHigh(
    card: { certificate: string; sign: (s: string) => string },
    c: { nationalId: string; nhiCardNumber: string; householdNumber: string },
  ) {
    const challenge = (await this.api('POST', '/api/v1/identity/challenges')).json() as {
      challengeId: string;
      toBeSigned: string;
    };
    const first = await this.api('POST', '/api/v1/identity/verify/citizen-certificate', {
      challengeId: challenge.challengeId,
      certificate: card.certificate,
      signature: card.sign(challenge.toBeSigned),
    });
    expect(first.json()).toMatchObject({ status: 'second-method-required' });
    const second = await this.api('POST', '/api/v1/identity/verify/two-documents', c);
    expect(second.json()).toMatchObject({ status: 'signed-in', assurance: 'high' });
  }
  /** A later use with two documents only (low assurance). */
  async signInLow(c: { nationalId: string; nhiCardNumber: string; householdNumber: string }) {
    const res = await this.api('POST', '/api/v1/identity/verify/two-documents', c);
    expect(res.json()).toMatchObject({ status: 'signed-in', assurance: 'low' });
  }
}
