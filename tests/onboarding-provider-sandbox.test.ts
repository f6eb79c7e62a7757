/**
 * The connection test of data-provider applications on the real platform (PGlite by default,
 * PostgreSQL with DATABASE_URL): an agency signs up, runs its endpoint with `@mydata/sdk`'s provider
 * (certificate from the platform's local CA), applies, and tests the endpoint with a test persona
 * before any review. Then every refusal: a real citizen's ID, a wrong pin, a record that breaks the
 * declared schema, a stranger, and the rate limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPopulation, DEMO_SEED, demoCatalogue } from '@mydata/demo';
import { createDataProvider, type DataProvider, generateSigningKey } from '@mydata/sdk';
import { createScratchDatabase, loadConfig, type Platform, spkiSha256, startPlatform } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../packages/server/src/identity/http.ts';
import { freePort } from './oauth-harness.ts';

const t = (zh: string, en: string) => ({ 'zh-TW': zh, en });
const ORG = 'new-city';
const PARKING = `${ORG}.resident-parking`;
const BROKEN = `${ORG}.broken-record`;
// Valid national IDs (with their check digit) from the demo population.
const population = createPopulation({ seed: DEMO_SEED, size: 10 });
const [ADMIN, STRANGER, PERSONA, REAL_CITIZEN] = [0, 1, 2, 3].map(
  (i) => population.citizen(i).nationalId,
) as [string, string, string, string];

interface Who {
  cookie: string;
  csrf: string;
}

const dataset = (id: string, payloadSchema: object) => ({
  id,
  agencyId: ORG,
  name: t('住戶停車證', 'Resident parking permit'),
  description: t('住戶停車證的號碼與有效期限。', 'Number and expiry of the resident parking permit.'),
  topic: 'transport',
  fields: [
    { name: 'permitNumber', label: t('證號', 'Permit number'), type: 'string' },
    { name: 'validUntil', label: t('有效期限', 'Valid until'), type: 'string' },
  ],
  payloadSchema,
  minAssurance: 'substantial',
  sensitivity: 'normal',
});

const SCHEMA = {
  type: 'object',
  required: ['permitNumber', 'validUntil'],
  properties: { permitNumber: { type: 'string' }, validUntil: { type: 'string' } },
};

describe('Connection test of a data-provider application', () => {
  let platform: Platform;
  let dataDir: string;
  let closeScratch: (() => Promise<void>) | undefined;
  let provider: DataProvider;
  let admin: Who;
  let stranger: Who;
  let appId = '';
  let wrongPinAppId = '';
  let pin = '';

  async function session(nationalId: string): Promise<Who> {
    const repo = platform.identity.repo;
    const at = new Date();
    const made = await platform.db.transaction().execute(async (tx) => {
      const { citizenId } = await repo.recordVerification(tx, nationalId, ['nhi-card'], at);
      return repo.createSession(tx, { citizenId, assurance: 'substantial', methods: ['nhi-card'], at });
    });
    return { cookie: `mydata-session=${made.token}`, csrf: csrfTokenFor(made.token) };
  }

  const call = (url: string, who: Who | null, payload?: unknown, lang = 'en') =>
    platform.app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url: `/api/v1${url}`,
      headers: { ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}), 'accept-language': lang },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  const testCall = (id: string, body: unknown, who: Who | null = admin, lang = 'en') =>
    call(`/onboarding/organisations/${ORG}/applications/${id}/test-call`, who, body, lang);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mydata-provider-sandbox-test-'));
    const scratch = process.env.DATABASE_URL
      ? await createScratchDatabase(process.env.DATABASE_URL)
      : undefined;
    closeScratch = scratch ? () => scratch.close() : undefined;
    const port = await freePort();
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      EXCHANGE_RETRIES: '0',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await startPlatform({
      config,
      catalogue: demoCatalogue,
      sandboxPersonas: [
        { nationalId: PERSONA, name: '測試人物', kind: 'young-parent', description: t('測試', 'Test') },
      ],
    });
    const issue = platform.exchange.issueLocalAgencyCertificate;
    if (!issue) throw new Error('no local CA');
    const cert = await issue(ORG);
    pin = spkiSha256(cert.cert);
    const signing = await generateSigningKey();
    provider = createDataProvider({
      agencyId: ORG,
      datasets: {
        [PARKING]: async (nationalId) =>
          nationalId === PERSONA ? { permitNumber: 'P-0001', validUntil: '2027-06-30' } : undefined,
        // Declared with a string permit number, answered with a number.
        [BROKEN]: async () => ({ permitNumber: 1, validUntil: '2027-06-30' }),
      },
      tls: { cert: cert.cert, key: cert.key, ca: platform.exchange.clientCa },
      signingKey: signing.privateJwk,
      platformKeys: platform.exchange.platformKeys,
    });
    const url = await provider.listen({ host: '127.0.0.1' });
    admin = await session(ADMIN);
    stranger = await session(STRANGER);
    const signedUp = await call('/onboarding/organisations', admin, {
      id: ORG,
      name: t('新市', 'New City'),
      sector: 'local-government',
      website: 'https://new-city.example',
      securityContact: { name: 'Security desk', email: 'security@new-city.example' },
    });
    expect(signedUp.statusCode, signedUp.body).toBe(201);
    const application = (tlsSpkiSha256: string[]) => ({
      kind: 'data-provider',
      datasets: [dataset(PARKING, SCHEMA), dataset(BROKEN, SCHEMA)],
      endpoint: { baseUrl: url, tlsSpkiSha256 },
      jwks: { keys: [signing.publicJwk] },
      securityContact: { name: 'Records desk', email: 'records@new-city.example' },
    });
    const filed = await call(`/onboarding/organisations/${ORG}/applications`, admin, application([pin]));
    expect(filed.statusCode, filed.body).toBe(201);
    appId = filed.json().id;
    const wrong = await call(
      `/onboarding/organisations/${ORG}/applications`,
      admin,
      application([`${'A'.repeat(43)}=`]),
    );
    expect(wrong.statusCode, wrong.body).toBe(201);
    wrongPinAppId = wrong.json().id;
  }, 120_000);

  afterAll(async () => {
    await provider?.close();
    await platform?.stop();
    await closeScratch?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('asks the endpoint for a test persona and answers the verified record, logged as a probe', async () => {
    const res = await testCall(appId, { datasetId: PARKING, nationalId: PERSONA.toLowerCase() });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      ok: true,
      datasetId: PARKING,
      nationalIdHint: `${PERSONA.slice(0, 2)}******${PERSONA.slice(-2)}`,
      payload: { permitNumber: 'P-0001', validUntil: '2027-06-30' },
    });
    expect(body.latencyMs).toBeGreaterThanOrEqual(0);
    expect(body.problem).toBeUndefined();
    const logged = await platform.db
      .selectFrom('exchange_message_log')
      .select(['consent_id', 'agency_id', 'dataset_id', 'outcome', 'request_jws'])
      .where('agency_id', '=', ORG)
      .execute();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ agency_id: ORG, dataset_id: PARKING, outcome: 'ok' });
    expect(logged[0]?.consent_id).toMatch(/^sandbox-probe:[0-9a-f-]{36}$/);
    expect(logged[0]?.request_jws).not.toBe('');
    // Still unreviewed: nothing is registered or published.
    expect(await platform.exchange.gateway.registry.get(ORG)).toBeUndefined();
    expect((await call(`/datasets/${PARKING}`, null)).statusCode).toBe(404);
  });

  it('refuses a national ID that is not a test persona, without calling the agency', async () => {
    const res = await testCall(appId, { datasetId: PARKING, nationalId: REAL_CITIZEN });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('onboarding.test-persona-only');
    const asked = await platform.db
      .selectFrom('exchange_message_log')
      .select('seq')
      .where('agency_id', '=', ORG)
      .execute();
    expect(asked).toHaveLength(1);
  });

  it('refuses a dataset the application does not declare', async () => {
    const res = await testCall(appId, { datasetId: `${ORG}.other`, nationalId: PERSONA });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('onboarding.dataset-not-found');
  });

  it('gives exchange.tls-failure when the pin does not match the certificate', async () => {
    const res = await testCall(wrongPinAppId, { datasetId: PARKING, nationalId: PERSONA });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ ok: false, problem: { code: 'exchange.tls-failure' } });
    expect(res.json().payload).toBeUndefined();
    const zh = await testCall(wrongPinAppId, { datasetId: PARKING, nationalId: PERSONA }, admin, 'zh-TW');
    expect(zh.json().problem.title).toBe('與資料提供機關的加密連線失敗');
    expect(zh.json().problem.detail).toContain('新市');
  });

  it('gives exchange.schema-violation when the record breaks the declared schema', async () => {
    const res = await testCall(appId, { datasetId: BROKEN, nationalId: PERSONA });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      ok: false,
      datasetId: BROKEN,
      problem: { code: 'exchange.schema-violation' },
    });
    expect(res.json().problem.detail).toContain('/payload/permitNumber');
  });

  it('refuses strangers and callers without a session', async () => {
    const res = await testCall(appId, { datasetId: PARKING, nationalId: PERSONA }, stranger);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('onboarding.forbidden');
    const anonymous = await testCall(appId, { datasetId: PARKING, nationalId: PERSONA }, null);
    expect(anonymous.statusCode).toBe(401);
    const otherApp = await testCall('00000000-0000-0000-0000-000000000000', {
      datasetId: PARKING,
      nationalId: PERSONA,
    });
    expect(otherApp.json().code).toBe('onboarding.application-not-found');
  });

  it('rate-limits test calls per organisation', async () => {
    let limited: Awaited<ReturnType<typeof testCall>> | undefined;
    let made = 0;
    for (let i = 0; i < 40 && !limited; i++) {
      const res = await testCall(appId, { datasetId: PARKING, nationalId: PERSONA });
      if (res.statusCode === 429) limited = res;
      else {
        expect(res.statusCode, res.body).toBe(200);
        made++;
      }
    }
    expect(limited?.json().code).toBe('onboarding.test-call-rate-limited');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThan(0);
    // 30 per window, 4 of them made by the tests above.
    expect(made).toBe(26);
  });
});
