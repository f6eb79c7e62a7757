/**
 * The consent service over the real exchange gateway: demo agencies on loopback with mutual TLS and
 * signed answers. The package a service receives is checked the way a service must check it:
 * decrypt, verify the platform's signature, then each agency's signature with the keys the platform
 * publishes at /api/v1/exchange/agency-keys.
 */
import {
  AppError,
  EXCHANGE_ALGORITHM,
  PACKAGE_JWS_TYPE,
  type PackageDataset,
  RESPONSE_JWS_TYPE,
  requestHash,
  sha256Base64url,
} from '@mydata/core';
import { demoCatalogue, SERVICE_IDS } from '@mydata/demo';
import { buildApp, loadConfig } from '@mydata/server';
import { compactDecrypt, createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsentFixture, ISSUER } from '../packages/server/src/consent/testing.ts';
import { citizenWith, closedPort, createHarness } from './exchange-harness.ts';

const service = demoCatalogue.services.find((s) => s.id === SERVICE_IDS.loanApplication);
if (!service) throw new Error('the demo catalogue has no loan application');
const required = service.datasets.filter((d) => d.required).map((d) => d.datasetId);
const agencyOf = (id: string) => demoCatalogue.datasets.find((d) => d.id === id)?.agencyId as string;
const agencies = [...new Set(required.map(agencyOf))];

describe('Consent and transfer over the exchange gateway', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  let f: Awaited<ReturnType<typeof createConsentFixture>>;
  let citizenId: string;
  let nationalId: string;

  const request = () => ({
    citizenId,
    serviceId: service.id,
    detail: { type: 'mydata' as const, datasets: required, purpose: service.purpose.dpv, mode: 'online' },
    chosen: required,
    assurance: 'high' as const,
    methods: ['citizen-certificate'],
  });

  beforeAll(async () => {
    h = await createHarness({
      demoAgencies: agencies,
      // The down-agency scenario must not open the circuit before the retry.
      gateway: { breaker: { failureThreshold: 100, resetAfterMs: 60_000 } },
    });
    f = await createConsentFixture({ database: h.database, gateway: h.gateway, serviceId: service.id });
    nationalId = citizenWith(h.population, required);
    ({ citizenId } = await f.signIn(nationalId));
  }, 60_000);
  afterAll(async () => {
    await f?.identity.stop();
    await h?.close();
  });

  it('collects every chosen dataset, and the service can verify the package end to end', async () => {
    const result = await f.service.accept(request());
    expect(result.ready).toBe(true);
    const jwe = await f.service.takePackage(result.consent.id, service.id);

    const { plaintext } = await compactDecrypt(jwe, f.enc.privateKey);
    const { payload } = await jwtVerify(
      new TextDecoder().decode(plaintext),
      createLocalJWKSet({ keys: [f.service.publicJwk] }),
      { issuer: ISSUER, audience: service.id, typ: PACKAGE_JWS_TYPE },
    );
    const datasets = payload.datasets as PackageDataset[];
    expect(datasets.map((d) => d.datasetId)).toEqual(required);

    // The agencies' keys as the platform publishes them.
    const app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: ISSUER }),
      db: h.database.db,
      gateway: h.gateway,
    });
    const published = (await app.inject({ method: 'GET', url: '/api/v1/exchange/agency-keys' })).json() as {
      items: { agencyId: string; jwks: { keys: JWK[] } }[];
    };
    await app.close();
    expect(published.items.map((i) => i.agencyId).sort()).toEqual([...agencies].sort());
    expect(JSON.stringify(published)).not.toContain('"d"');

    for (const d of datasets) {
      const keys = published.items.find((i) => i.agencyId === d.agencyId)?.jwks;
      expect(keys, d.agencyId).toBeDefined();
      const { payload: claims } = await jwtVerify(
        d.agency.responseSignature,
        createLocalJWKSet(keys as never),
        {
          algorithms: [EXCHANGE_ALGORITHM],
          typ: RESPONSE_JWS_TYPE,
          issuer: d.agencyId,
        },
      );
      expect(claims.bodySha256).toBe(sha256Base64url(d.agency.responseBody));
      expect(claims.requestHash).toBe(requestHash(d.agency.requestSignature));
      const body = JSON.parse(d.agency.responseBody) as { datasetId: string; payload: unknown };
      expect(body.datasetId).toBe(d.datasetId);
      expect(d.data).toEqual(body.payload);
      expect(d.data).toEqual(h.population.record(d.datasetId, nationalId));
    }
  });

  it('names every failing agency in the usage log when several fail at once', async () => {
    const [first, second] = h.demo.agencies;
    if (!first || !second) throw new Error('two demo agencies are needed');
    for (const a of [first, second]) {
      await h.register(a.agencyId, `https://127.0.0.1:${await closedPort()}`, a.cert, a.publicJwk);
    }
    try {
      const failed = await f.service.accept(request());
      expect(failed.ready).toBe(false);
      if (failed.ready) return;
      expect(failed.error.code).toBe('exchange.failed');
      const logged = (await f.recorder.citizenView(nationalId)).items.find(
        (e) => e.entry.consentId === failed.consent.id && e.entry.event === 'transfer',
      );
      expect(logged?.entry.agencyIds).toEqual([first.agencyId, second.agencyId].sort());
      await f.service.withdraw(failed.consent.id, citizenId, 'cancelled');
    } finally {
      for (const a of [first, second]) await h.register(a.agencyId, a.url, a.cert, a.publicJwk);
    }
  });

  it('keeps the consent pending naming the agency that is down, and a retry succeeds once it is back', async () => {
    // An agency holding one of the datasets, so the error is its own (several give exchange.failed).
    const down = agencies.find((a) => required.filter((d) => agencyOf(d) === a).length === 1) as string;
    const running = h.demo.agencies.find((a) => a.agencyId === down);
    if (!running) throw new Error(`no demo agency ${down}`);
    await h.register(down, `https://127.0.0.1:${await closedPort()}`, running.cert, running.publicJwk);

    const failed = await f.service.accept(request());
    expect(failed.ready).toBe(false);
    if (failed.ready) return;
    expect(failed.error).toBeInstanceOf(AppError);
    expect(failed.error.code).toBe('exchange.agency-unreachable');
    expect(failed.error.params.agencyId).toBe(down);
    expect(failed.consent).toMatchObject({ status: 'pending', problem: { params: { agencyId: down } } });
    const taken = await f.service.takePackage(failed.consent.id, service.id).catch((e: AppError) => e.code);
    expect(taken).toBe('transfer.package-not-ready');

    const failures = (await f.recorder.citizenView(nationalId)).items.filter(
      (e) => e.entry.consentId === failed.consent.id && e.entry.event === 'transfer',
    );
    expect(failures.map((e) => [e.entry.outcome, e.entry.agencyIds])).toEqual([['failure', [down]]]);

    await h.register(down, running.url, running.cert, running.publicJwk);
    const retried = await f.service.retry(failed.consent.id, citizenId);
    expect(retried.ready).toBe(true);
    expect(typeof (await f.service.takePackage(failed.consent.id, service.id))).toBe('string');
  });
});
