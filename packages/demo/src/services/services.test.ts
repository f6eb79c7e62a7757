import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPackageFixture,
  type FixtureDataset,
  type PackageFixture,
  startFakePlatform,
} from '../../../sdk/src/service/testing.ts';
import { demoCatalogue, SERVICE_IDS } from '../catalogue.ts';
import type { RunningDemoService } from './app.ts';
import { loadOrCreateServiceKeys, startDemoServices } from './services.ts';
import { DEMO_SERVICE_SPECS } from './specs.ts';

const HOUSEHOLD: FixtureDataset = {
  datasetId: 'moi-household.household-registration',
  agencyId: 'moi-household',
  payload: {
    nationalId: 'A123456789',
    name: '王小明',
    gender: 'male',
    birthDate: '1990-05-01',
    householdNumber: 'F1234567',
    relationshipToHead: 'head',
    county: '臺北市',
    district: '大安區',
    address: '臺北市大安區和平東路一段1號',
    moveInDate: '2015-03-01',
    members: [
      {
        nationalId: 'A123456789',
        name: '王小明',
        relationshipToHead: 'head',
        gender: 'male',
        birthDate: '1990-05-01',
      },
    ],
  },
};
const INCOME: FixtureDataset = {
  datasetId: 'mof-fia.income',
  agencyId: 'mof-fia',
  payload: {
    nationalId: 'A123456789',
    name: '王小明',
    taxYear: 2025,
    totalIncome: 620000,
    items: [
      { category: 'salary', payerName: '範例股份有限公司', payerBusinessNumber: '12345675', amount: 620000 },
    ],
  },
};

/** A browser for one demo service: keeps its cookie, follows nothing on its own. */
function browser() {
  let cookie = '';
  return async (url: string, init: RequestInit = {}) => {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(cookie ? { cookie } : {}), ...(init.headers as Record<string, string>) },
    });
    const set = res.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0] ?? '';
    return res;
  };
}

describe('The demo services', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-services-'));
  let platform: Awaited<ReturnType<typeof startFakePlatform>>;
  let f: PackageFixture;
  let services: RunningDemoService[];
  let bank: RunningDemoService;
  beforeAll(async () => {
    platform = await startFakePlatform(() => f, {
      purpose: 'https://w3id.org/dpv#CreditChecking',
      datasets: [INCOME, HOUSEHOLD],
    });
    services = await startDemoServices({ platformUrl: platform.issuer, dataDir, catalogue: demoCatalogue });
    bank = services.find((s) => s.serviceId === SERVICE_IDS.loanApplication) as RunningDemoService;
    f = await createPackageFixture({
      issuer: platform.issuer,
      clientId: SERVICE_IDS.loanApplication,
      agencyIds: ['mof-fia', 'moi-household'],
      service: await loadOrCreateServiceKeys(join(dataDir, 'services', SERVICE_IDS.loanApplication)),
    });
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await platform.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the five online services on their own ports, with keys in the data directory only', () => {
    expect(services.map((s) => s.serviceId).sort()).toEqual(
      [
        SERVICE_IDS.loanApplication,
        SERVICE_IDS.childcareSubsidy,
        SERVICE_IDS.passportRenewal,
        SERVICE_IDS.socialHousing,
        SERVICE_IDS.disabledParkingPermit,
      ].sort(),
    );
    expect(new Set(services.map((s) => s.url)).size).toBe(DEMO_SERVICE_SPECS.length);
    for (const s of services) {
      expect(s.redirectUri).toBe(`${s.url}/callback`);
      expect(s.webhookUrl).toBe(`${s.url}/webhook`);
      expect(s.publicJwks.keys.map((k) => [k.use, k.crv, 'd' in k])).toEqual([
        ['sig', 'P-256', false],
        ['enc', 'P-256', false],
      ]);
      const file = join(dataDir, 'services', s.serviceId, 'keys.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('keeps the same keys across restarts', async () => {
    const again = await loadOrCreateServiceKeys(join(dataDir, 'services', SERVICE_IDS.loanApplication));
    expect(again.publicJwks).toEqual(bank.publicJwks);
  });

  it('shows a bilingual, accessible landing page that says what it asks for and why', async () => {
    const res = await fetch(bank.url);
    const page = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page).toContain('<html lang="zh-Hant-TW">');
    expect(page).toContain('以 MyData 帶入資料');
    expect(page).toContain('<span lang="en" class="en">Fill in with MyData</span>');
    expect(page).toContain('個人所得');
    expect(page).toContain('Your annual income shows whether you can repay.');
    expect(page).toMatch(/<a class="skip" href="#main">/);
    expect(page.match(/<h1>/g)).toHaveLength(1);
  });

  it('takes the applicant through MyData and shows the verified data', async () => {
    const go = browser();
    const landing = await (await go(bank.url)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(landing)?.[1] ?? '';
    const start = await go(`${bank.url}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    expect(start.status).toBe(303);
    const authorize = start.headers.get('location') ?? '';
    expect(authorize.startsWith(platform.issuer)).toBe(true);
    const callback = await go(platform.authorize(authorize));
    expect(callback.headers.get('location')).toBe('/application');
    const page = await (await go(`${bank.url}/application`)).text();
    expect(page.match(/機關簽章已驗證/g)).toHaveLength(2);
    expect(page).toContain('Agency signature verified');
    expect(page).toContain('財政部財政資訊中心');
    expect(page).toContain('NT$620,000');
    expect(page).toContain('範例股份有限公司');
    expect(page).toContain('consent-1');
    // The callback cannot be replayed with a reload.
    const replay = await go(platform.authorize(authorize));
    expect(replay.headers.get('location')).toBe('/problem');
    expect(await (await go(`${bank.url}/problem`)).text()).toContain('此連結已失效');
  });

  it('explains a decline and offers to start again', async () => {
    const go = browser();
    const landing = await (await go(bank.url)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(landing)?.[1] ?? '';
    const start = await go(`${bank.url}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    const callback = await go(platform.authorize(start.headers.get('location') ?? '', 'decline'));
    expect(callback.headers.get('location')).toBe('/problem');
    const page = await (await go(`${bank.url}/problem`)).text();
    expect(page).toContain('未提供資料');
    expect(page).toContain('No data was shared');
    expect(page).toContain('role="alert"');
    expect(page).toContain('transfer.declined');
  });

  it('refuses a start without the form token', async () => {
    const res = await fetch(`${bank.url}/start`, { method: 'POST', redirect: 'manual', body: 'csrf=x' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
  });

  it('records verified webhooks on the status page and refuses forged ones', async () => {
    const body = await f.webhook({
      event: 'consent.withdrawn',
      consentId: 'consent-1',
      sub: 'pairwise-subject-1',
    });
    const post = (b: string) =>
      fetch(bank.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/jwt' }, body: b });
    expect((await post(body)).status).toBe(204);
    expect((await post(body)).status).toBe(204);
    expect(bank.events()).toHaveLength(1);
    const forged = await f.webhook(
      { event: 'consent.withdrawn', consentId: 'consent-1' },
      { foreignKey: true },
    );
    expect((await post(forged)).status).toBe(401);
    const status = await (await fetch(`${bank.url}/status`)).text();
    expect(status).toContain('consent.withdrawn');
    expect(status).toContain('同意已撤回');
  });
});
