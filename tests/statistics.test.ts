/**
 * The public statistics equal the events that happened: real data downloads and real transfers to
 * an online service over the exchange gateway (demo agencies on loopback with mutual TLS), then the
 * statistics API is compared with the citizens' usage-log entries, which are the record of what
 * happened. Uses that did not happen (a consent withdrawn before its package was fetched, a failed
 * collection, a download never fetched) must count nowhere. Counter redemptions are checked the same
 * way on a whole platform (`startPlatform`), a clerk redeeming citizens' codes over HTTP.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMonth, monthOf, parseMonth } from '@mydata/core';
import { createPopulation, DATASET_IDS, DEMO_SEED, demoCatalogue, SERVICE_IDS } from '@mydata/demo';
import { buildApp, createScratchDatabase, loadConfig, type Platform, startPlatform } from '@mydata/server';
import type { JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogueRepo } from '../packages/server/src/catalogue/repository.ts';
import { createConsentFixture, ISSUER } from '../packages/server/src/consent/testing.ts';
import { createEnvelope } from '../packages/server/src/crypto/envelope.ts';
import { createDownloadService } from '../packages/server/src/download/service.ts';
import { csrfTokenFor } from '../packages/server/src/identity/http.ts';
import { closedPort, connectDemoAgencies, createHarness } from './exchange-harness.ts';

const service = (() => {
  const found = demoCatalogue.services.find((s) => s.id === SERVICE_IDS.loanApplication);
  if (!found) throw new Error('the demo catalogue has no loan application');
  return found;
})();
const required = service.datasets.filter((d) => d.required).map((d) => d.datasetId);
const optional = service.datasets.filter((d) => !d.required).map((d) => d.datasetId);
const agencyOf = (id: string) => demoCatalogue.datasets.find((d) => d.id === id)?.agencyId as string;
const HOUSEHOLD = DATASET_IDS.householdRegistration;
const VEHICLES = DATASET_IDS.vehicleRegistration;
const allDatasets = [...new Set([...required, ...optional, HOUSEHOLD, VEHICLES])];
const agencies = [...new Set(allDatasets.map(agencyOf))];

interface Expected {
  byMonth: Map<string, number>;
  byDataset: Map<string, number>;
  byService: Map<string, number>;
}
/** Last month and this one, so that a run across midnight at a month's end still sees every use. */
const period = () => {
  const now = parseMonth(monthOf(new Date())) as number;
  return `from=${formatMonth(now - 1)}&to=${formatMonth(now)}`;
};
const key = (...parts: string[]) => parts.join(' ');
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

describe('Statistics equal the events that happened', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  let f: Awaited<ReturnType<typeof createConsentFixture>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const citizens: { nationalId: string; citizenId: string; cookie: string; csrf: string }[] = [];

  beforeAll(async () => {
    h = await createHarness({
      demoAgencies: agencies,
      gateway: { breaker: { failureThreshold: 100, resetAfterMs: 60_000 } },
    });
    f = await createConsentFixture({ database: h.database, gateway: h.gateway, serviceId: service.id });
    // Two citizens who have every dataset the scenario asks for.
    for (let i = 0; i < h.population.size && citizens.length < 2; i++) {
      const nationalId = h.population.citizen(i).nationalId;
      if (!allDatasets.every((d) => h.population.record(d, nationalId) !== undefined)) continue;
      const { citizenId } = await f.signIn(nationalId);
      const session = await h.database.db.transaction().execute((tx) =>
        f.identity.repo.createSession(tx, {
          citizenId,
          assurance: 'high',
          methods: ['citizen-certificate'],
          at: new Date(),
        }),
      );
      citizens.push({
        nationalId,
        citizenId,
        cookie: `mydata-session=${session.token}`,
        csrf: csrfTokenFor(session.token),
      });
    }
    expect(citizens).toHaveLength(2);
    const download = createDownloadService({
      db: h.database.db,
      catalogue: createCatalogueRepo(h.database.db),
      gateway: h.gateway,
      recorder: f.recorder,
      identityRepo: f.identity.repo,
      envelope: createEnvelope(f.keys.atRest),
      signingKey: f.keys.oauthSigning as unknown as JWK,
      issuer: ISSUER,
    });
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: ISSUER }),
      db: h.database.db,
      gateway: h.gateway,
      download: { service: download, identity: f.identity.service, publicUrl: ISSUER },
    });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    f?.identity.stop();
    await h?.close();
  });

  const accept = (who: (typeof citizens)[number], chosen: string[]) =>
    f.service.accept({
      citizenId: who.citizenId,
      serviceId: service.id,
      detail: { type: 'mydata' as const, datasets: chosen, purpose: service.purpose.dpv, mode: 'online' },
      chosen,
      assurance: 'high' as const,
      methods: ['citizen-certificate'],
    });

  async function transfer(who: (typeof citizens)[number], chosen: string[]) {
    const result = await accept(who, chosen);
    expect(result.ready).toBe(true);
    await f.service.takePackage(result.consent.id, service.id);
  }

  async function download(who: (typeof citizens)[number], datasets: string[], fetchIt = true) {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/downloads',
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf },
      payload: { datasets },
    });
    expect(created.statusCode, created.body).toBe(201);
    if (!fetchIt) return;
    const file = await app.inject({
      method: 'GET',
      url: created.json().href,
      headers: { cookie: who.cookie },
    });
    expect(file.statusCode).toBe(200);
  }

  /** What the usage log says happened: successful downloads and transfers of these citizens. */
  async function fromUsageLog(): Promise<Expected & { downloads: number; transfers: number }> {
    const e = { byMonth: new Map(), byDataset: new Map(), byService: new Map(), downloads: 0, transfers: 0 };
    for (const c of citizens) {
      const { items } = await f.recorder.citizenView(c.nationalId, { events: ['download', 'transfer'] });
      for (const { entry } of items) {
        if (entry.outcome !== 'success') continue;
        const kind = entry.event;
        if (kind === 'download') e.downloads++;
        else e.transfers++;
        bump(e.byMonth, key(entry.occurredAt.slice(0, 7), kind));
        for (const d of entry.datasets) bump(e.byDataset, key(d, kind));
        if (entry.serviceId) bump(e.byService, key(entry.serviceId, kind));
      }
    }
    return e;
  }

  async function fromStatistics(): Promise<Expected> {
    const usage = async (by: string) => {
      const res = await app.inject({
        method: 'GET',
        url: `/api/v1/statistics/usage?${period()}&by=${by}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().rows as {
        month?: string;
        datasetId?: string;
        serviceId?: string;
        kind: string;
        count: number;
      }[];
    };
    const map = (rows: Awaited<ReturnType<typeof usage>>, k: (r: (typeof rows)[number]) => string) =>
      new Map(rows.map((r) => [key(k(r), r.kind), r.count]));
    return {
      byMonth: map(await usage('month'), (r) => r.month as string),
      byDataset: map(await usage('dataset'), (r) => r.datasetId as string),
      byService: map(await usage('service'), (r) => r.serviceId as string),
    };
  }

  it('counts every download and transfer that happened, and nothing else', async () => {
    const [a, b] = citizens as [(typeof citizens)[number], (typeof citizens)[number]];
    const before = (await app.inject({ method: 'GET', url: '/api/v1/statistics' })).json();
    expect(before).toMatchObject({ downloads: 0, transfers: 0 });

    await transfer(a, required);
    await transfer(a, [...required, ...optional]);
    await transfer(b, required);
    await download(a, [HOUSEHOLD]);
    await download(b, [HOUSEHOLD, VEHICLES]);
    await download(b, [VEHICLES]);

    // Did not happen: a consent withdrawn before the service fetched its package,
    const withdrawn = await accept(b, required);
    expect(withdrawn.ready).toBe(true);
    await f.service.withdraw(withdrawn.consent.id, b.citizenId, 'withdrawn');
    // a collection that failed at an agency (then cancelled),
    const down = h.demo.agencies.find((x) => x.agencyId === agencyOf(required[0] as string));
    if (!down) throw new Error('the agency of the first required dataset is not running');
    await h.register(down.agencyId, `https://127.0.0.1:${await closedPort()}`, down.cert, down.publicJwk);
    try {
      const failed = await accept(a, required);
      expect(failed.ready).toBe(false);
      await f.service.withdraw(failed.consent.id, a.citizenId, 'cancelled');
    } finally {
      await h.register(down.agencyId, down.url, down.cert, down.publicJwk);
    }
    // and a download prepared but never fetched.
    await download(a, [VEHICLES], false);

    const expected = await fromUsageLog();
    expect(expected).toMatchObject({ downloads: 3, transfers: 3 });
    const actual = await fromStatistics();
    expect(actual.byMonth).toEqual(expected.byMonth);
    expect(actual.byDataset).toEqual(expected.byDataset);
    expect(actual.byService).toEqual(expected.byService);

    const summary = (await app.inject({ method: 'GET', url: '/api/v1/statistics' })).json();
    expect(summary).toMatchObject({ downloads: 3, transfers: 3, counterRedemptions: 0 });

    // The CSV carries the same figures as the JSON.
    const csv = await app.inject({
      method: 'GET',
      url: `/api/v1/statistics/usage?${period()}&by=dataset`,
      headers: { accept: 'text/csv' },
    });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe('dataset_id,name_zh_tw,name_en,kind,count');
    const fromCsv = new Map(
      lines.slice(1).map((l) => {
        const cells = l.split(',');
        return [key(cells[0] as string, cells.at(-2) as string), Number(cells.at(-1))];
      }),
    );
    expect(fromCsv).toEqual(expected.byDataset);
  }, 120_000);
});

describe('Statistics equal the counter redemptions that happened', () => {
  const BANK = SERVICE_IDS.counterAccountOpening;
  const ID_CARD = DATASET_IDS.nationalIdCard;
  let platform: Platform;
  let dataDir: string;
  let closeAgencies: (() => Promise<void>) | undefined;
  let closeScratch: (() => Promise<void>) | undefined;
  const people: { nationalId: string; cookie: string; csrf: string }[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mydata-statistics-test-'));
    const scratch = process.env.DATABASE_URL
      ? await createScratchDatabase(process.env.DATABASE_URL)
      : undefined;
    closeScratch = scratch ? () => scratch.close() : undefined;
    platform = await startPlatform({
      config: loadConfig({
        PORT: '0',
        MYDATA_DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      }),
      catalogue: demoCatalogue,
    });
    const population = createPopulation({ seed: DEMO_SEED, size: 60 });
    const demo = await connectDemoAgencies(platform, population, ['moi-household']);
    closeAgencies = () => demo.close();
    // Two citizens and a bank clerk, each signed in.
    for (let i = 0; i < population.size && people.length < 3; i++) {
      const nationalId = population.citizen(i).nationalId;
      if (!population.record(ID_CARD, nationalId) || !population.record(HOUSEHOLD, nationalId)) continue;
      const at = new Date();
      const token = await platform.db.transaction().execute(async (tx) => {
        const { citizenId } = await platform.identity.repo.recordVerification(
          tx,
          nationalId,
          ['nhi-card'],
          at,
        );
        const session = await platform.identity.repo.createSession(tx, {
          citizenId,
          assurance: 'substantial',
          methods: ['nhi-card'],
          at,
        });
        return session.token;
      });
      people.push({ nationalId, cookie: `mydata-session=${token}`, csrf: csrfTokenFor(token) });
    }
    expect(people).toHaveLength(3);
    await platform.staff.add({
      organisationId: 'landbank',
      nationalId: (people[2] as (typeof people)[number]).nationalId,
      role: 'counter-clerk',
      label: 'Teller 1',
    });
  }, 120_000);
  afterAll(async () => {
    await platform?.stop();
    await closeAgencies?.();
    await closeScratch?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const call = (method: 'GET' | 'POST', url: string, who: (typeof people)[number] | null, payload?: object) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {},
      ...(payload ? { payload } : {}),
    });

  /** A counter case of the citizen for these datasets, and a code for it. */
  async function caseWithCode(who: (typeof people)[number], datasets: string[]) {
    const created = await call('POST', '/counter/cases', who, { serviceId: BANK, datasets });
    expect(created.statusCode, created.body).toBe(201);
    const code = await call('POST', `/counter/cases/${created.json().id}/codes`, who, {});
    expect(code.statusCode, code.body).toBe(201);
    return code.json().token as string;
  }

  it('counts each redemption once, and a refused or never-redeemed case nowhere', async () => {
    const [a, b, clerk] = people as [
      (typeof people)[number],
      (typeof people)[number],
      (typeof people)[number],
    ];
    const first = await caseWithCode(a, [ID_CARD, HOUSEHOLD]);
    expect(
      (await call('POST', '/counter/redemptions', clerk, { serviceId: BANK, token: first })).statusCode,
    ).toBe(200);
    const second = await caseWithCode(b, [ID_CARD]);
    expect(
      (await call('POST', '/counter/redemptions', clerk, { serviceId: BANK, token: second })).statusCode,
    ).toBe(200);
    // Did not happen: the same code again, and a case the citizen never showed at the counter.
    const again = await call('POST', '/counter/redemptions', clerk, { serviceId: BANK, token: first });
    expect(again.statusCode).toBeGreaterThanOrEqual(400);
    await caseWithCode(b, [ID_CARD]);

    const expected = { byMonth: new Map(), byDataset: new Map(), byService: new Map() };
    let total = 0;
    for (const who of [a, b]) {
      const { items } = await platform.usage.recorder.citizenView(who.nationalId, {
        events: ['counter-redemption'],
      });
      for (const { entry } of items) {
        if (entry.outcome !== 'success') continue;
        total++;
        bump(expected.byMonth, key(entry.occurredAt.slice(0, 7), entry.event));
        for (const d of entry.datasets) bump(expected.byDataset, key(d, entry.event));
        if (entry.serviceId) bump(expected.byService, key(entry.serviceId, entry.event));
      }
    }
    expect(total).toBe(2);
    const usage = async (by: string) => {
      const res = await call('GET', `/statistics/usage?${period()}&by=${by}&kind=counter-redemption`, null);
      expect(res.statusCode, res.body).toBe(200);
      const rows = res.json().rows as {
        month?: string;
        datasetId?: string;
        serviceId?: string;
        kind: string;
        count: number;
      }[];
      return new Map(
        rows.map((r) => [key((r.month ?? r.datasetId ?? r.serviceId) as string, r.kind), r.count]),
      );
    };
    expect(await usage('month')).toEqual(expected.byMonth);
    expect(await usage('dataset')).toEqual(expected.byDataset);
    expect(await usage('service')).toEqual(expected.byService);
    expect((await call('GET', '/statistics', null)).json()).toMatchObject({ counterRedemptions: 2 });
  }, 120_000);
});
