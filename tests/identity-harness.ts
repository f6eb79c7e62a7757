/**
 * A platform app with the identity capability over a fresh database, a national test CA, the demo
 * population's identity checks and an injected clock, for the identity tests.
 */
import {
  createDemoIdentityChecks,
  createPopulation,
  DEMO_SEED,
  demoNhiPin,
  openCard,
  writePkcs12,
} from '@mydata/demo';
import {
  buildApp,
  createOutbox,
  createUsageLog,
  createUsageRecorder,
  generatePlatformKeys,
  loadConfig,
  type OidcProviderOptions,
  openIdentity,
  openNationalCa,
} from '@mydata/server';
import { expect } from 'vitest';
import { createTestDatabase } from '../packages/server/src/db/testing.ts';

export const PUBLIC_URL = 'http://localhost:8080';
export const START = new Date('2026-11-24T10:00:00Z');

export async function createIdentityHarness(options: { oidc?: OidcProviderOptions } = {}) {
  const database = await createTestDatabase();
  const keys = generatePlatformKeys();
  const clock = { now: new Date(START) };
  const now = () => new Date(clock.now);
  const log = createUsageLog({ db: database.db, keys, origin: 'identity.test/log' });
  const outbox = createOutbox({ db: database.db, keys });
  const recorder = createUsageRecorder({ log, outbox });
  const ca = await openNationalCa({ now });
  const population = createPopulation({ seed: DEMO_SEED, size: 60 });
  const timeouts = { idleSeconds: 900, absoluteSeconds: 12 * 3600 };
  const identity = openIdentity({
    db: database.db,
    keys,
    usageLog: log,
    recorder,
    publicUrl: PUBLIC_URL,
    timeouts,
    nationalCa: ca,
    checks: createDemoIdentityChecks(population),
    ...(options.oidc ? { oidc: options.oidc } : {}),
    now,
  });
  const config = loadConfig({ PUBLIC_URL, LOG_LEVEL: 'silent' });
  const app = await buildApp({ config, db: database.db, usageLog: log, identity: identity.routes });

  /** A card (PKCS#12, PIN 123456) for a citizen, opened as the card tool would. */
  async function card(nationalId: string, options: Parameters<typeof ca.issue>[0] | object = {}) {
    const issued = await ca.issue({ nationalId, ...options });
    return {
      ...openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456'),
      serialNumber: issued.serialNumber,
    };
  }

  const citizen = (i: number) => {
    const c = population.citizen(i);
    return {
      nationalId: c.nationalId,
      nhiCardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
      pin: demoNhiPin(population.seed, c.nationalId),
    };
  };

  return {
    app,
    db: database.db,
    ca,
    log,
    outbox,
    identity,
    clock,
    card,
    citizen,
    async close() {
      await app.close();
      await database.close();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createIdentityHarness>>;
type Card = Awaited<ReturnType<Harness['card']>>;
type Res = Awaited<ReturnType<Harness['app']['inject']>>;

export const ORIGIN = new URL(PUBLIC_URL).origin;
export const cookieOf = (res: Res, name: string) => res.cookies.find((c) => c.name === name);

/** A browser-like cookie jar for one citizen's device. */
export class Device {
  jar = new Map<string, string>();
  csrf: string | undefined;
  constructor(
    private h: Harness,
    readonly address = '127.0.0.1',
  ) {}
  get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(res: Res) {
    for (const c of res.cookies) {
      if (c.value === '' || c.maxAge === 0) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const body = res.json() as { csrfToken?: string };
    if (res.statusCode < 300 && body?.csrfToken) this.csrf = body.csrfToken;
    return res;
  }
  headers(extra: Record<string, string> = {}) {
    return {
      origin: ORIGIN,
      ...(this.jar.size ? { cookie: this.cookie } : {}),
      ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
      ...extra,
    };
  }
  async post(url: string, payload: unknown = {}, extra: Record<string, string> = {}) {
    const res = await this.h.app.inject({
      method: 'POST',
      url,
      payload: payload as object,
      headers: this.headers(extra),
      remoteAddress: this.address,
    });
    if (res.statusCode === 204) {
      for (const c of res.cookies) if (c.value === '') this.jar.delete(c.name);
      return res;
    }
    return this.keep(res);
  }
  async get(url: string) {
    return this.h.app.inject({ method: 'GET', url, headers: this.headers(), remoteAddress: this.address });
  }
  async challenge() {
    const res = await this.post('/api/v1/identity/challenges');
    expect(res.statusCode).toBe(201);
    return res.json() as { challengeId: string; toBeSigned: string };
  }
  async withCard(
    card: Pick<Card, 'certificate' | 'sign'>,
    tamper?: (c: { challengeId: string; toBeSigned: string }) => string,
  ) {
    const c = await this.challenge();
    return this.post('/api/v1/identity/verify/citizen-certificate', {
      challengeId: c.challengeId,
      certificate: card.certificate,
      signature: card.sign(tamper ? tamper(c) : c.toBeSigned),
    });
  }
  withDocuments(c: { nationalId: string; nhiCardNumber: string; householdNumber: string }) {
    return this.post('/api/v1/identity/verify/two-documents', {
      nationalId: c.nationalId,
      nhiCardNumber: c.nhiCardNumber,
      householdNumber: c.householdNumber,
    });
  }
  withNhiCard(c: { nationalId: string; nhiCardNumber: string; pin: string }) {
    return this.post('/api/v1/identity/verify/nhi-card', {
      nationalId: c.nationalId,
      cardNumber: c.nhiCardNumber,
      pin: c.pin,
    });
  }
}
