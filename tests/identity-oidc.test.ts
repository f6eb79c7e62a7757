/**
 * Federation with an OpenID Connect identity provider (method `oidc`), against a real provider
 * (tests/oidc-idp.ts) on a local port: the whole redirect, code exchange and ID token validation.
 */
import { OIDC_CALLBACK_PATH } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, Device, type Harness, PUBLIC_URL } from './identity-harness.ts';
import { IdpBrowser, startTestIdp, type TestIdp } from './oidc-idp.ts';

const NAME = { 'zh-TW': '測試身分提供者', en: 'Test identity provider' };

/** A browser at the platform: navigations (GET, no JSON) keep the cookies they are given. */
async function navigate(d: Device, h: Harness, url: string, headers: Record<string, string> = {}) {
  const { origin: _origin, ...rest } = d.headers();
  const res = await h.app.inject({ method: 'GET', url, headers: { ...rest, ...headers } });
  for (const c of res.cookies) {
    if (c.value === '' || c.maxAge === 0) d.jar.delete(c.name);
    else d.jar.set(c.name, c.value);
  }
  return res;
}

/** Starts a federated sign-in, lets `account` sign in at the provider, and answers the callback URL. */
async function atProvider(
  d: Device,
  h: Harness,
  account: string,
  opts: { returnTo?: string; tamperAuthorization?: (u: URL) => void } = {},
) {
  const start = await navigate(
    d,
    h,
    `/api/v1/identity/oidc/start?return=${encodeURIComponent(opts.returnTo ?? '/account')}`,
  );
  expect(start.statusCode).toBe(303);
  const authorization = new URL(String(start.headers.location));
  opts.tamperAuthorization?.(authorization);
  const back = await new IdpBrowser().signIn(authorization.href, account);
  expect(back.href.startsWith(`${PUBLIC_URL}${OIDC_CALLBACK_PATH}?`)).toBe(true);
  return { callback: `${back.pathname}${back.search}`, flowCookie: d.jar.get('mydata-signin-oidc') };
}

describe('Sign-in through an OpenID Connect identity provider', () => {
  let idp: TestIdp;
  let h: Harness;
  beforeAll(async () => {
    idp = await startTestIdp({ redirectUri: `${PUBLIC_URL}${OIDC_CALLBACK_PATH}` });
    h = await createIdentityHarness({
      oidc: {
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        assurance: 'substantial',
        nationalIdClaim: 'national_id',
        name: NAME,
      },
    });
    for (const i of [1, 2, 3, 4, 5, 6, 7, 8])
      idp.accounts.set(`acct-${i}`, { nationalId: h.citizen(i).nationalId });
    idp.accounts.set('no-id', {});
  });
  afterAll(async () => {
    await h.close();
    await idp.close();
  });

  const events = async (nationalId: string) =>
    (await h.log.listCitizenEntries(nationalId, {})).items.map((i) => ({
      event: i.entry.event,
      ...i.entry.details,
    }));

  it('is listed with its name and the configured assurance, and has no verify endpoint', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/identity/methods' });
    expect(res.json().items).toContainEqual({ method: 'oidc', assurance: 'substantial', name: NAME });
    const d = new Device(h);
    const forged = await d.post('/api/v1/identity/verify/oidc', { nationalId: h.citizen(1).nationalId });
    expect(forged.statusCode).toBe(404);
  });

  it('first use: the provider, then a second method; afterwards the provider alone', async () => {
    const c = h.citizen(1);
    const d = new Device(h);
    const { callback } = await atProvider(d, h, 'acct-1', { returnTo: '/consents' });
    const first = await navigate(d, h, callback);
    expect(first.statusCode).toBe(303);
    const to = new URL(String(first.headers.location), PUBLIC_URL);
    expect(to.pathname).toBe('/sign-in');
    expect(Object.fromEntries(to.searchParams)).toMatchObject({ return: '/consents', verified: 'oidc' });
    expect(to.searchParams.get('candidates')?.split(',')).toContain('two-documents');
    expect(d.jar.has('mydata-session')).toBe(false);
    expect(d.jar.has('mydata-signin')).toBe(true);

    const second = await d.withDocuments(c);
    expect(second.json()).toMatchObject({
      status: 'signed-in',
      assurance: 'substantial',
      methods: ['oidc', 'two-documents'],
    });

    const later = new Device(h);
    const again = await navigate(later, h, (await atProvider(later, h, 'acct-1')).callback);
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/account');
    const session = await later.get('/api/v1/identity/session');
    expect(session.json()).toMatchObject({ assurance: 'substantial', methods: ['oidc'] });
    const log = await events(c.nationalId);
    expect(log).toContainEqual(expect.objectContaining({ event: 'method-enrolled', method: 'oidc' }));
    expect(log).toContainEqual(
      expect.objectContaining({ event: 'sign-in', methods: 'oidc', assurance: 'substantial' }),
    );
  });

  it('refuses a callback whose state is not the flow’s, and the flow is spent', async () => {
    const d = new Device(h);
    const { callback } = await atProvider(d, h, 'acct-2');
    const wrong = new URL(callback, PUBLIC_URL);
    wrong.searchParams.set('state', 'forged-state');
    const res = await navigate(d, h, `${wrong.pathname}${wrong.search}`);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'identity.oidc-rejected' });
    expect(res.json().detail).toContain(NAME.en);
    // The real answer no longer works either: the flow was single use.
    const real = await navigate(d, h, callback);
    expect(real.json()).toMatchObject({ code: 'identity.oidc-rejected' });
  });

  it('refuses a replayed callback, and one from a browser that did not start the flow', async () => {
    const d = new Device(h);
    const { callback, flowCookie } = await atProvider(d, h, 'acct-3');
    expect((await navigate(d, h, callback)).statusCode).toBe(303);
    const replay = await h.app.inject({
      method: 'GET',
      url: callback,
      headers: { cookie: `mydata-signin-oidc=${flowCookie}` },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'identity.oidc-rejected' });
    expect(replay.json().detail).toContain('already used');

    const victim = new Device(h);
    const attacker = new Device(h);
    const stolen = await atProvider(attacker, h, 'acct-3');
    const injected = await navigate(victim, h, stolen.callback);
    expect(injected.statusCode).toBe(401);
    expect(victim.jar.has('mydata-session')).toBe(false);
  });

  it('answers a browser with the sign-in page and the error code', async () => {
    const d = new Device(h);
    const res = await navigate(d, h, `${OIDC_CALLBACK_PATH}?code=x&state=y`, { accept: 'text/html' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/sign-in?error=identity.oidc-rejected');
  });

  it('refuses an ID token with another nonce, and an answer naming another issuer', async () => {
    const d = new Device(h);
    const { callback } = await atProvider(d, h, 'acct-4', {
      tamperAuthorization: (u) => u.searchParams.set('nonce', 'not-the-flows-nonce'),
    });
    const res = await navigate(d, h, callback);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ code: 'identity.oidc-rejected' });
    expect(res.json().detail).toMatch(/nonce/);

    const e = new Device(h);
    const other = await atProvider(e, h, 'acct-4');
    const wrongIss = new URL(other.callback, PUBLIC_URL);
    wrongIss.searchParams.set('iss', 'https://impostor.example');
    const res2 = await navigate(e, h, `${wrongIss.pathname}${wrongIss.search}`);
    expect(res2.statusCode).toBe(401);
    expect(res2.json()).toMatchObject({ code: 'identity.oidc-rejected' });
    expect(res2.json().detail).toMatch(/iss/);
  });

  it('refuses an ID token without the national ID claim', async () => {
    const d = new Device(h);
    const res = await navigate(d, h, (await atProvider(d, h, 'no-id')).callback);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.oidc-rejected');
    expect(res.json().detail).toContain('"national_id"');
  });

  it('the configured assurance is what the session gets: step-up to high needs another method', async () => {
    const c = h.citizen(5);
    // Known citizen, signed in low with two documents.
    const setup = new Device(h);
    expect((await setup.withCard(await h.card(c.nationalId))).json().status).toBe('second-method-required');
    expect((await setup.withDocuments(c)).json().status).toBe('signed-in');

    const d = new Device(h);
    expect((await d.withDocuments(c)).json()).toMatchObject({ assurance: 'low' });
    const toSubstantial = await d.get('/api/v1/identity/step-up?required=substantial');
    expect(toSubstantial.json().candidates).toContain('oidc');
    const before = d.jar.get('mydata-session');

    const res = await navigate(d, h, (await atProvider(d, h, 'acct-5', { returnTo: '/downloads' })).callback);
    expect(res.headers.location).toBe('/downloads');
    expect(d.jar.get('mydata-session')).not.toBe(before);
    const session = await d.get('/api/v1/identity/session');
    expect(session.json()).toMatchObject({ assurance: 'substantial', methods: ['two-documents', 'oidc'] });

    const toHigh = await d.get('/api/v1/identity/step-up?required=high');
    expect(toHigh.json()).toMatchObject({ satisfied: false, current: 'substantial' });
    expect(toHigh.json().candidates).not.toContain('oidc');
    expect(toHigh.json().candidates).toContain('citizen-certificate');
  });

  it('a step-up through the provider must name the same citizen', async () => {
    const d = new Device(h);
    const c = h.citizen(5);
    expect((await d.withDocuments(c)).json().status).toBe('signed-in');
    const res = await navigate(d, h, (await atProvider(d, h, 'acct-6')).callback);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('identity.different-person');
  });
});

describe('An identity provider that cannot be reached', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createIdentityHarness({
      oidc: {
        issuer: 'http://127.0.0.1:9/idp',
        clientId: 'mydata-platform',
        clientSecret: 'secret',
        assurance: 'substantial',
        nationalIdClaim: 'national_id',
        name: NAME,
      },
    });
  });
  afterAll(() => h.close());

  it('answers a clear problem naming the provider, or the sign-in page with the error', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/identity/oidc/start?return=/account' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'identity.oidc-unavailable' });
    expect(res.json().detail).toContain(NAME.en);
    expect(res.json().detail).toContain('http://127.0.0.1:9/idp');

    const page = await h.app.inject({
      method: 'GET',
      url: '/api/v1/identity/oidc/start?return=/account',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/sign-in?return=%2Faccount&error=identity.oidc-unavailable');
  });
});
