/**
 * Counter verification on the real platform (PGlite by default, PostgreSQL with DATABASE_URL): the
 * household agency runs as its own HTTPS server over mutual TLS; the social-assistance agency does
 * not run, so asking it fails. Every refusal a clerk can meet is checked through the HTTP API.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCounterToken, parseCounterToken } from '@mydata/core';
import {
  createPopulation,
  DATASET_IDS,
  DEMO_SEED,
  demoCatalogue,
  type Population,
  SERVICE_IDS,
} from '@mydata/demo';
import { createScratchDatabase, loadConfig, type Platform, startPlatform } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../packages/server/src/identity/http.ts';
import { connectDemoAgencies } from './exchange-harness.ts';

const BANK = SERVICE_IDS.counterAccountOpening;
const DAAN = SERVICE_IDS.counterLowIncomeVerification;
const ID_CARD = DATASET_IDS.nationalIdCard;
const HOUSEHOLD = DATASET_IDS.householdRegistration;
const LOW_INCOME = DATASET_IDS.lowIncomeStatus;

interface Who {
  citizenId: string;
  cookie: string;
  csrf: string;
}

describe('Counter verification', () => {
  let platform: Platform;
  let population: Population;
  let closeAgencies: () => Promise<void>;
  let closeScratch: (() => Promise<void>) | undefined;
  let dataDir: string;
  let citizen: Who;
  let citizenNationalId: string;
  let bankClerk: Who;
  let daanClerk: Who;
  let nobody: Who;

  async function session(nationalId: string, assurance: 'low' | 'substantial' | 'high' = 'substantial') {
    const made = await createSession(nationalId, assurance, new Date());
    await platform.identity.repo.setContact(made.citizenId, {
      email: `${nationalId.toLowerCase()}@example.org`,
      mobile: '0912345678',
    });
    return made;
  }

  async function createSession(
    nationalId: string,
    assurance: 'low' | 'substantial' | 'high',
    at: Date,
  ): Promise<Who> {
    const repo = platform.identity.repo;
    const db = platform.db;
    const { citizenId, token } = await db.transaction().execute(async (tx) => {
      const { citizenId } = await repo.recordVerification(tx, nationalId, ['nhi-card'], at);
      const s = await repo.createSession(tx, { citizenId, assurance, methods: ['nhi-card'], at });
      return { citizenId, token: s.token };
    });
    return { citizenId, cookie: `mydata-session=${token}`, csrf: csrfTokenFor(token) };
  }

  const call = (method: 'GET' | 'POST', url: string, who: Who | null, payload?: unknown) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}),
        'accept-language': 'en',
      },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  async function newCase(who: Who = citizen, serviceId = BANK, datasets = [ID_CARD, HOUSEHOLD]) {
    const res = await call('POST', '/counter/cases', who, { serviceId, datasets });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; status: string; codeSeconds: number };
  }
  async function newCode(caseId: string, who: Who = citizen) {
    const res = await call('POST', `/counter/cases/${caseId}/codes`, who, {});
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { token: string; shortCode: string; expiresAt: string; seconds: number };
  }
  const redeem = (who: Who, body: { serviceId: string; token?: string; code?: string }) =>
    call('POST', '/counter/redemptions', who, body);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mydata-counter-test-'));
    const scratch = process.env.DATABASE_URL
      ? await createScratchDatabase(process.env.DATABASE_URL)
      : undefined;
    closeScratch = scratch ? () => scratch.close() : undefined;
    const config = loadConfig({
      PORT: '0',
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      EXCHANGE_RETRIES: '0',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await startPlatform({ config, catalogue: demoCatalogue });
    population = createPopulation({ seed: DEMO_SEED, size: 60 });
    const demo = await connectDemoAgencies(platform, population, ['moi-household']);
    closeAgencies = () => demo.close();
    const ids: string[] = [];
    for (let i = 0; i < population.size; i++) {
      const c = population.citizen(i);
      if (population.record(ID_CARD, c.nationalId) && population.record(HOUSEHOLD, c.nationalId)) {
        ids.push(c.nationalId);
      }
    }
    if (ids.length < 4) throw new Error('too few citizens with both records');
    citizenNationalId = ids[0] as string;
    citizen = await session(citizenNationalId);
    bankClerk = await session(ids[1] as string);
    daanClerk = await session(ids[2] as string);
    nobody = await session(ids[3] as string);
    await platform.staff.add({
      organisationId: 'landbank',
      nationalId: ids[1] as string,
      role: 'counter-clerk',
      label: 'Teller 1',
    });
    await platform.staff.add({
      organisationId: 'taipei-daan-district',
      nationalId: ids[2] as string,
      role: 'counter-clerk',
      label: 'Daan desk',
    });
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await closeAgencies?.();
    await closeScratch?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the review of a counter service, and refuses an online service', async () => {
    const res = await call('GET', `/counter/services/${BANK}`, null);
    expect(res.statusCode).toBe(200);
    const screen = res.json();
    expect(screen.service.provider.id).toBe('landbank');
    expect(screen.datasets.map((d: { id: string; required: boolean }) => [d.id, d.required])).toEqual([
      [ID_CARD, true],
      [HOUSEHOLD, false],
    ]);
    const online = await call('GET', `/counter/services/${SERVICE_IDS.loanApplication}`, null);
    expect(online.statusCode).toBe(404);
    expect(online.json().code).toBe('counter.service-not-found');
  });

  it('is described in the OpenAPI document', async () => {
    const res = await platform.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/api/v1/counter/cases',
      '/api/v1/counter/cases/{id}/codes',
      '/api/v1/counter/redemptions',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('needs a signed-in citizen, the required datasets and a strong enough sign-in', async () => {
    const anonymous = await call('POST', '/counter/cases', null, { serviceId: BANK, datasets: [ID_CARD] });
    expect(anonymous.json().code).toBe('identity.not-signed-in');
    const missing = await call('POST', '/counter/cases', citizen, { serviceId: BANK, datasets: [HOUSEHOLD] });
    expect(missing.json().code).toBe('consent.required-dataset-missing');
    const weak = await session(citizenNationalId, 'low');
    const stepUp = await call('POST', '/counter/cases', weak, { serviceId: BANK, datasets: [ID_CARD] });
    expect(stepUp.statusCode).toBe(403);
    expect(stepUp.json().code).toBe('identity.step-up-required');
  });

  it('collects all or nothing: a failing agency is named and nothing is kept', async () => {
    const before = (await call('GET', '/counter/cases', citizen)).json().items.length;
    const res = await call('POST', '/counter/cases', citizen, {
      serviceId: DAAN,
      datasets: [LOW_INCOME, HOUSEHOLD],
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(res.json().code).toMatch(/^exchange\./);
    expect(res.json().agencyIds).toEqual(['mohw-social-assistance']);
    expect((await call('GET', '/counter/cases', citizen)).json().items.length).toBe(before);
  });

  it('consents, shows a code, and the clerk scans it once: data, receipt, usage log, notification, statistics', async () => {
    const stats0 = (await call('GET', '/statistics', null)).json();
    const c = await newCase();
    expect(c.status).toBe('ready');
    // The receipt is a consent receipt of the platform.
    const receipt = await call('GET', `/counter/cases/${c.id}/receipt`, citizen);
    const verified = await call('POST', '/consents/verify-receipt', null, { receipt: receipt.body });
    expect(verified.json().valid, verified.body).toBe(true);
    expect(verified.json().receipt.mode).toBe('counter');
    // Nothing personal in the QR: the case id, an expiry, a nonce and a MAC.
    const code = await newCode(c.id);
    expect(code.token.split('.')).toHaveLength(4);
    expect(code.token).not.toContain(citizenNationalId);
    expect(code.shortCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);

    const res = await redeem(bankClerk, { serviceId: BANK, token: code.token });
    expect(res.statusCode, res.body).toBe(200);
    const view = res.json();
    expect(view.datasets.map((d: { id: string }) => d.id)).toEqual([ID_CARD, HOUSEHOLD]);
    const idCard = view.datasets[0];
    expect(idCard.signatureVerified).toBe(true);
    expect(idCard.fields.find((f: { name: string }) => f.name === 'nationalId').value).toBe(
      citizenNationalId,
    );
    expect(new Date(view.viewExpiresAt).getTime() - new Date(view.redeemedAt).getTime()).toBe(600_000);
    expect((await call('GET', `/counter/cases/${c.id}`, citizen)).json().status).toBe('redeemed');

    const log = await platform.usage.recorder.citizenView(citizenNationalId, {
      events: ['counter-redemption'],
    });
    const entry = log.items.find((i) => i.entry.consentId === c.id && i.entry.outcome === 'success');
    expect(entry?.entry.clerkId).toBe('Teller 1');
    expect(entry?.entry.serviceId).toBe(BANK);
    expect(entry?.notifications.length).toBe(2);
    const stats1 = (await call('GET', '/statistics', null)).json();
    expect(stats1.counterRedemptions).toBe(stats0.counterRedemptions + 1);

    // Reused: the same QR, or the same short code, again.
    const again = await redeem(bankClerk, { serviceId: BANK, token: code.token });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('counter.code-used');
    const typed = await redeem(bankClerk, { serviceId: BANK, code: code.shortCode });
    expect(typed.json().code).toBe('counter.code-used');
    // And the case gives no new code.
    const closed = await call('POST', `/counter/cases/${c.id}/codes`, citizen, {});
    expect(closed.json().code).toBe('counter.case-closed');
  });

  it('redeems a typed short code, in any case and with or without the hyphen', async () => {
    const c = await newCase(citizen, BANK, [ID_CARD]);
    const code = await newCode(c.id);
    const res = await redeem(bankClerk, {
      serviceId: BANK,
      code: code.shortCode.replace('-', ' ').toLowerCase(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().datasets).toHaveLength(1);
  });

  it('refuses an expired code, and an older code once a newer one was shown', async () => {
    const c = await newCase();
    const older = await newCode(c.id);
    const newer = await newCode(c.id);
    const res = await redeem(bankClerk, { serviceId: BANK, token: older.token });
    expect(res.statusCode).toBe(410);
    expect(res.json().code).toBe('counter.code-expired');
    const typedOld = await redeem(bankClerk, { serviceId: BANK, code: older.shortCode });
    expect(typedOld.json().code).toBe('counter.code-expired');

    const settings = platform.counter.service.settings;
    const saved = settings.codeSeconds;
    settings.codeSeconds = 1;
    try {
      const short = await newCode(c.id);
      await new Promise((r) => setTimeout(r, 1200));
      const late = await redeem(bankClerk, { serviceId: BANK, token: short.token });
      expect(late.json().code).toBe('counter.code-expired');
    } finally {
      settings.codeSeconds = saved;
    }
    // `newer` died when `short` was shown; a fresh one still works.
    expect((await redeem(bankClerk, { serviceId: BANK, token: newer.token })).json().code).toBe(
      'counter.code-expired',
    );
    const fresh = await newCode(c.id);
    expect((await redeem(bankClerk, { serviceId: BANK, token: fresh.token })).statusCode).toBe(200);
  });

  it('refuses a forged code: wrong MAC, a changed expiry, or not a code at all', async () => {
    const c = await newCase();
    const code = await newCode(c.id);
    const t = parseCounterToken(code.token);
    if (!t) throw new Error('unparsable token');
    const flipped = `${t.mac[0] === 'A' ? 'B' : 'A'}${t.mac.slice(1)}`;
    for (const token of [
      formatCounterToken({ ...t, mac: flipped }),
      formatCounterToken({ ...t, expiresAt: t.expiresAt + 3600 }),
      'https://example.org/not-a-code',
    ]) {
      const res = await redeem(bankClerk, { serviceId: BANK, token });
      expect(res.statusCode, token).toBe(400);
      expect(res.json().code).toBe('counter.code-forged');
    }
    // The genuine one still works.
    expect((await redeem(bankClerk, { serviceId: BANK, token: code.token })).statusCode).toBe(200);
  });

  it("refuses another service's code, a clerk of another organisation, and someone who is no clerk", async () => {
    const c = await newCase();
    const code = await newCode(c.id);
    // A clerk of the district office at its own desk, shown the bank's code.
    const other = await redeem(daanClerk, { serviceId: DAAN, token: code.token });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('counter.wrong-service');
    expect(other.json().detail).toContain('Counter account opening');
    // The same clerk claiming the bank's desk.
    const claim = await redeem(daanClerk, { serviceId: BANK, token: code.token });
    expect(claim.json().code).toBe('counter.other-organisation');
    expect(claim.json().detail).toContain('Land Bank');
    // A citizen with no staff role.
    const plain = await redeem(nobody, { serviceId: BANK, token: code.token });
    expect(plain.json().code).toBe('counter.not-a-clerk');
    expect((await call('GET', '/counter/desk', nobody)).json().code).toBe('counter.not-a-clerk');
    // The desk of the bank's clerk lists the bank's counter service only.
    const desk = (await call('GET', '/counter/desk', bankClerk)).json();
    expect(desk.services.map((s: { id: string }) => s.id)).toEqual([BANK]);
    // None of that spent the code, and the refusals left a trace for the citizen.
    expect((await redeem(bankClerk, { serviceId: BANK, token: code.token })).statusCode).toBe(200);
    const log = await platform.usage.recorder.citizenView(citizenNationalId, {
      events: ['counter-redemption'],
    });
    expect(log.items.some((i) => i.entry.consentId === c.id && i.entry.outcome === 'denied')).toBe(true);
  });

  it('refuses consents and redemptions while the provider is suspended', async () => {
    const c = await newCase();
    const code = await newCode(c.id);
    const db = platform.db;
    await db
      .updateTable('organisations')
      .set({ suspended_at: new Date(), suspension_reason: 'test' })
      .where('id', '=', 'landbank')
      .execute();
    platform.suspensions.clear();
    try {
      const res = await redeem(bankClerk, { serviceId: BANK, token: code.token });
      expect(res.statusCode).toBe(403);
      expect(res.json().code).toBe('counter.provider-suspended');
      const create = await call('POST', '/counter/cases', citizen, { serviceId: BANK, datasets: [ID_CARD] });
      expect(create.json().code).toBe('counter.provider-suspended');
    } finally {
      await db
        .updateTable('organisations')
        .set({ suspended_at: null, suspension_reason: null })
        .where('id', '=', 'landbank')
        .execute();
      platform.suspensions.clear();
    }
    expect((await redeem(bankClerk, { serviceId: BANK, token: code.token })).statusCode).toBe(200);
  });

  it('pauses a clerk after 10 wrong typed codes, even for a right one', async () => {
    const c = await newCase();
    const code = await newCode(c.id);
    for (let i = 0; i < 10; i++) {
      const res = await redeem(daanClerk, { serviceId: DAAN, code: 'ZZZZ-ZZZZ' });
      expect(res.json().code).toBe('counter.code-unknown');
    }
    const res = await redeem(daanClerk, { serviceId: DAAN, code: code.shortCode });
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('counter.rate-limited');
    // Another clerk is not affected.
    expect((await redeem(bankClerk, { serviceId: BANK, code: code.shortCode })).statusCode).toBe(200);
  });

  it('lets the citizen cancel a case, after which no code works, and drops unredeemed data when it expires', async () => {
    const c = await newCase();
    const code = await newCode(c.id);
    const cancelled = await call('POST', `/counter/cases/${c.id}/cancellation`, citizen, {});
    expect(cancelled.json().status).toBe('cancelled');
    expect((await redeem(bankClerk, { serviceId: BANK, token: code.token })).json().code).toBe(
      'counter.code-expired',
    );
    const d = await newCase();
    const swept = await platform.counter.service.expireDue(new Date(Date.now() + 31 * 60_000));
    expect(swept).toBeGreaterThanOrEqual(1);
    expect((await call('GET', `/counter/cases/${d.id}`, citizen)).json().status).toBe('expired');
    // Another citizen cannot see the case at all.
    expect((await call('GET', `/counter/cases/${d.id}`, nobody)).json().code).toBe('counter.case-not-found');
  });
});
