import { RECEIPT_JWS_TYPE } from '@mydata/core';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { type App, buildApp } from '../http/app.ts';
import { consentRoutes } from './routes.ts';
import { agencyDown, createConsentFixture, INCOME, ISSUER, SERVICE_ID } from './testing.ts';

describe('The consent routes', () => {
  let f: Awaited<ReturnType<typeof createConsentFixture>>;
  let app: App;
  let who: Awaited<ReturnType<typeof f.signIn>>;

  beforeAll(async () => {
    f = await createConsentFixture();
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: ISSUER }),
      db: f.db,
      usageLog: f.log,
    });
    await app.register(consentRoutes, {
      prefix: '/api/v1',
      service: f.service,
      identity: f.identity.service,
      publicUrl: ISSUER,
    });
    who = await f.signIn();
  });
  afterAll(async () => {
    await app.close();
    await f.close();
  });

  const get = (url: string, cookie = who.cookie, lang = 'en') =>
    app.inject({ method: 'GET', url, headers: { cookie, 'accept-language': lang } });
  const post = (
    url: string,
    headers: Record<string, string> = { cookie: who.cookie, 'x-csrf-token': who.csrf },
  ) => app.inject({ method: 'POST', url, headers: { 'accept-language': 'en', ...headers } });

  it('needs a session', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/consents' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('identity.not-signed-in');
  });

  it('lists, shows and gives out the receipt of the citizen’s consents', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId: who.citizenId });
    const list = await get('/api/v1/consents');
    expect(list.statusCode).toBe(200);
    expect(list.headers['cache-control']).toBe('no-store');
    expect(list.json().items[0]).toMatchObject({
      id: consent.id,
      status: 'active',
      service: { id: SERVICE_ID, name: { en: expect.any(String) } },
      provider: { id: 'firstbank' },
      datasets: [{ id: INCOME, agency: { id: 'mof-fia' } }],
    });
    expect((await get('/api/v1/consents?status=used')).json().items).toEqual([]);
    expect((await get('/api/v1/consents?status=nonsense')).json().code).toBe('request.invalid');

    const one = await get(`/api/v1/consents/${consent.id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id: consent.id, receipt: { receiptId: consent.id, oneTime: true } });

    const receipt = await get(`/api/v1/consents/${consent.id}/receipt`);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/jose');
    expect(receipt.headers['content-disposition']).toBe(`attachment; filename="consent-${consent.id}.jws"`);
    expect(decodeProtectedHeader(receipt.body).typ).toBe(RECEIPT_JWS_TYPE);

    const verified = await app.inject({
      method: 'POST',
      url: '/api/v1/consents/verify-receipt',
      payload: { receipt: receipt.body },
    });
    expect(verified.json()).toMatchObject({ valid: true, receipt: { receiptId: consent.id } });
    const broken = await app.inject({
      method: 'POST',
      url: '/api/v1/consents/verify-receipt',
      payload: { receipt: `${receipt.body.slice(0, -4)}AAAA` },
    });
    expect(broken.json()).toMatchObject({ valid: false, reason: expect.any(String) });
  });

  it('shows why a pending consent failed, as a problem in the citizen’s language', async () => {
    f.gateway.state.failNext.push(agencyDown());
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId: who.citizenId });
    const item = (await get('/api/v1/consents?status=pending', who.cookie, 'zh-TW')).json().items[0];
    expect(item.id).toBe(consent.id);
    expect(item.problem).toMatchObject({
      type: `${ISSUER}/problems/exchange.agency-unreachable`,
      status: 502,
      code: 'exchange.agency-unreachable',
      detail: expect.stringContaining('財政部財政資訊中心'),
    });
  });

  it('withdraws with the CSRF token, and answers 409 once the consent has ended', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId: who.citizenId });
    const url = `/api/v1/consents/${consent.id}/withdraw`;
    const noCsrf = await post(url, { cookie: who.cookie });
    expect([noCsrf.statusCode, noCsrf.json().code]).toEqual([403, 'identity.csrf-rejected']);

    const ok = await post(url);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id: consent.id, status: 'withdrawn' });

    const again = await post(url);
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json()).toMatchObject({ code: 'consent.not-withdrawable', status: 409 });
  });

  it('answers 404 for a consent that is not the citizen’s', async () => {
    const other = await f.signIn('B223456780');
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId: who.citizenId });
    for (const res of [
      await get(`/api/v1/consents/${consent.id}`, other.cookie),
      await get(`/api/v1/consents/${consent.id}/receipt`, other.cookie),
      await post(`/api/v1/consents/${consent.id}/withdraw`, {
        cookie: other.cookie,
        'x-csrf-token': other.csrf,
      }),
      await get('/api/v1/consents/no-such-id'),
    ]) {
      expect([res.statusCode, res.json().code]).toEqual([404, 'consent.not-found']);
    }
  });

  it('documents every route in OpenAPI', async () => {
    const paths = Object.keys((await app.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/consents',
        '/api/v1/consents/{id}',
        '/api/v1/consents/{id}/receipt',
        '/api/v1/consents/{id}/withdraw',
        '/api/v1/consents/verify-receipt',
      ]),
    );
  });
});
