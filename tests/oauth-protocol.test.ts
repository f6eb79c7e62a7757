/**
 * The protocol's refusals, each on its own: what FAPI 2.0, PKCE, private_key_jwt, DPoP and the
 * `mydata` authorization detail rule out, from the service's side (openid-client) and the
 * citizen's (the consent screen API).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@mydata/core';
import { Validator } from '@seriousme/openapi-schema-validator';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';
import * as client from 'openid-client';

type CryptoKeyPair = client.CryptoKeyPair;

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Browser, createOAuthHarness, type OAuthHarness, serviceKey } from './oauth-harness.ts';

const SERVICE = 'boca.passport-renewal';
const DETAIL = {
  type: 'mydata',
  datasets: ['moi-household.household-registration', 'nia.entry-exit-dates', 'boca.passport'],
  purpose: 'https://w3id.org/dpv#ServiceProvision',
  mode: 'online',
};

let h: OAuthHarness;
let svc: Awaited<ReturnType<OAuthHarness['registerService']>>;
let config: client.Configuration;
let citizenIndex = 10;

beforeAll(async () => {
  h = await createOAuthHarness();
  svc = await h.registerService(SERVICE);
  config = await client.discovery(
    new URL(h.publicUrl),
    SERVICE,
    { redirect_uris: [svc.redirectUri], id_token_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt({ key: svc.sig.privateKey, kid: svc.sig.publicJwk.kid }),
    { execute: [client.allowInsecureRequests] },
  );
});
afterAll(() => h?.close());
afterEach(() => {
  vi.useRealTimers();
});

/** What a failed call to openid-client answered: the OAuth error and its description. */
async function oauthError(promise: Promise<unknown>) {
  const e = (await promise.then(
    () => undefined,
    (error: unknown) => error,
  )) as client.ResponseBodyError | undefined;
  expect(e, 'the request should have been refused').toBeDefined();
  return { error: e?.error ?? (e as Error | undefined)?.message, description: e?.error_description ?? '' };
}

interface Flow {
  DPoP?: client.DPoPHandle;
  dpopKeys?: CryptoKeyPair;
  verifier: string;
  state: string;
}

async function newFlow(withDpop = true): Promise<Flow> {
  const dpopKeys = await client.randomDPoPKeyPair('ES256');
  return {
    ...(withDpop ? { DPoP: client.getDPoPHandle(config, dpopKeys), dpopKeys } : {}),
    verifier: client.randomPKCECodeVerifier(),
    state: client.randomState(),
  };
}

async function par(flow: Flow, detail: unknown = [DETAIL]) {
  return client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: svc.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      ...(detail === null ? {} : { authorization_details: JSON.stringify(detail) }),
    },
    flow.DPoP ? { DPoP: flow.DPoP } : {},
  );
}

/** The reason behind the next invalid_grant, which the token endpoint does not tell the client. */
function grantError(): Promise<string> {
  return new Promise((resolve) => {
    h.oauth.provider.once('grant.error', (_ctx, error: { error_detail?: string; message: string }) =>
      resolve(error.error_detail ?? error.message),
    );
  });
}

/** A citizen signed in (first use: certificate and two documents, high), at the consent screen. */
async function atConsentScreen(url: URL, level: 'high' | 'low' = 'high') {
  const browser = h.browser();
  const page = await browser.follow(url.href, (u) => u.pathname.startsWith('/consent/'));
  const uid = page.pathname.split('/')[2] as string;
  const c = h.citizen(citizenIndex++);
  if (level === 'high') await browser.signInHigh(await h.card(c.nationalId), c);
  else {
    // An earlier first use, then today's sign-in with two documents only.
    const earlier = h.browser();
    await earlier.signInHigh(await h.card(c.nationalId), c);
    await browser.signInLow(c);
  }
  return { browser, uid, citizen: c };
}

async function accept(browser: Browser, uid: string, datasets = DETAIL.datasets) {
  return browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, { decision: 'accept', datasets });
}

/** PAR, consent and the redirect back: the callback address with the code. */
async function authorized(flow: Flow) {
  const { browser, uid, citizen } = await atConsentScreen(await par(flow));
  const decided = await accept(browser, uid);
  expect(decided.statusCode).toBe(200);
  const callback = await browser.follow(decided.json().redirectTo, (u) => u.href.startsWith(svc.redirectUri));
  return { callback, browser, citizen };
}

const tokenFor = (flow: Flow, callback: URL) =>
  client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state },
    undefined,
    flow.DPoP ? { DPoP: flow.DPoP } : {},
  );

const packageUrl = () => `${h.publicUrl}/api/v1/transfer/package`;

async function dpopProof(keys: CryptoKeyPair, accessToken: string, over: Record<string, unknown> = {}) {
  const jwk = await exportJWK(keys.publicKey);
  const ath = Buffer.from(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)),
  ).toString('base64url');
  return new SignJWT({
    htm: 'GET',
    htu: packageUrl(),
    ath,
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    ...over,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
    .sign(keys.privateKey);
}

async function fetchPackage(accessToken: string, proof?: string) {
  const res = await fetch(packageUrl(), {
    headers: { authorization: `DPoP ${accessToken}`, ...(proof ? { dpop: proof } : {}) },
  });
  const text = await res.text();
  return {
    status: res.status,
    challenge: res.headers.get('www-authenticate'),
    text,
    body: () => JSON.parse(text),
  };
}

/** A client assertion for private_key_jwt, made by hand so a test can sign it with any key or send it twice. */
async function clientAssertion(key: CryptoKey, kid: string, jti = randomUUID()) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ jti })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(SERVICE)
    .setSubject(SERVICE)
    .setAudience(h.publicUrl)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 60)
    .sign(key);
}

async function rawPar(assertion: string) {
  const res = await fetch(`${h.publicUrl}/oauth/par`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: SERVICE,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
      response_type: 'code',
      redirect_uri: svc.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      authorization_details: JSON.stringify([DETAIL]),
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: string; request_uri?: string } };
}

describe('The authorization endpoint', () => {
  it('refuses a request that was not pushed (PAR is required)', async () => {
    const flow = await newFlow();
    const url = new URL(`${h.publicUrl}/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: SERVICE,
      response_type: 'code',
      redirect_uri: svc.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      authorization_details: JSON.stringify([DETAIL]),
    }).toString();
    const res = await h.browser().navigate(url.href);
    const location = new URL(res.headers.get('location') ?? 'about:blank');
    expect(location.href.startsWith(svc.redirectUri)).toBe(true);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toContain('Pushed Authorization Request');
    expect(location.searchParams.get('iss')).toBe(h.publicUrl);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('shows a bilingual error page when it cannot send the browser back to a client', async () => {
    const res = await h
      .browser()
      .navigate(`${h.publicUrl}/oauth/authorize?client_id=no.such-service&request_uri=x`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('無法處理授權請求');
    expect(page).toContain('<code>invalid_client</code>');
  });
});

describe('Pushed authorization requests', () => {
  it.each([
    [
      'a dataset the service is not approved for',
      [{ ...DETAIL, datasets: [...DETAIL.datasets, 'mof-fia.income'] }],
      'mof-fia.income',
    ],
    ['another purpose', [{ ...DETAIL, purpose: 'https://w3id.org/dpv#Marketing' }], 'Marketing'],
    [
      'a required dataset left out',
      [{ ...DETAIL, datasets: DETAIL.datasets.slice(1) }],
      'moi-household.household-registration',
    ],
    ['the counter mode', [{ ...DETAIL, mode: 'counter' }], 'counter'],
    ['two details', [DETAIL, DETAIL], 'exactly one'],
    ['another detail type', [{ type: 'payment_initiation' }], 'type'],
    ['no authorization_details', null, 'authorization_details'],
  ])('refuses %s with invalid_authorization_details', async (_label, detail, mention) => {
    const { error, description } = await oauthError(par(await newFlow(), detail));
    expect(error).toBe('invalid_authorization_details');
    expect(description).toContain(mention);
  });

  it('refuses a client assertion signed by a key the service did not register', async () => {
    const other = await serviceKey('sig');
    const res = await rawPar(await clientAssertion(other.privateKey, svc.sig.publicJwk.kid));
    expect(res).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('accepts a client assertion once and refuses it replayed', async () => {
    const assertion = await clientAssertion(svc.sig.privateKey, svc.sig.publicJwk.kid);
    expect((await rawPar(assertion)).status).toBe(201);
    expect(await rawPar(assertion)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('accepts a client assertion sent twice at the same moment only once', async () => {
    const assertion = await clientAssertion(svc.sig.privateKey, svc.sig.publicJwk.kid);
    const answers = await Promise.all([rawPar(assertion), rawPar(assertion), rawPar(assertion)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 401, 401]);
  });

  it('refuses an unknown client', async () => {
    const res = await fetch(`${h.publicUrl}/oauth/par`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'no.such-service', response_type: 'code' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });
});

describe('The token endpoint', () => {
  it('refuses a wrong PKCE verifier', async () => {
    const flow = await newFlow();
    const { callback } = await authorized(flow);
    const { error } = await oauthError(
      tokenFor({ ...flow, verifier: client.randomPKCECodeVerifier() }, callback),
    );
    expect(error).toBe('invalid_grant');
  });

  it('refuses a code used twice, and the second use revokes the first token', async () => {
    const flow = await newFlow();
    const { callback } = await authorized(flow);
    const tokens = await tokenFor(flow, callback);
    expect((await oauthError(tokenFor(flow, callback))).error).toBe('invalid_grant');
    const res = await fetchPackage(
      tokens.access_token,
      await dpopProof(flow.dpopKeys as CryptoKeyPair, tokens.access_token),
    );
    expect(res.status).toBe(401);
  });

  it('refuses a code older than 60 seconds', async () => {
    const flow = await newFlow();
    const { callback } = await authorized(flow);
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.now() + 61_000);
    const refused = grantError();
    expect((await oauthError(tokenFor(flow, callback))).error).toBe('invalid_grant');
    expect(await refused).toMatch(/not found|expired/);
  });

  it('refuses a token request without a DPoP proof', async () => {
    const flow = await newFlow(false);
    const { callback } = await authorized(flow);
    const refused = grantError();
    const { error } = await oauthError(tokenFor(flow, callback));
    const detail = await refused;
    expect(error).toBe('invalid_grant');
    expect(detail).toContain('DPoP');
  });

  it('refuses a DPoP proof from another key than the one the request was pushed with', async () => {
    const flow = await newFlow();
    const { callback } = await authorized(flow);
    const other = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
    const refused = grantError();
    const { error } = await oauthError(tokenFor({ ...flow, DPoP: other }, callback));
    expect(error).toBe('invalid_grant');
    expect(await refused).toMatch(/DPoP|dpop_jkt/);
  });
});

describe('The package endpoint', () => {
  async function tokenAndKeys() {
    const flow = await newFlow();
    const { callback, citizen } = await authorized(flow);
    const tokens = await tokenFor(flow, callback);
    const consentId = (tokens.authorization_details as unknown as { consentId: string }[])[0]
      ?.consentId as string;
    return { tokens, keys: flow.dpopKeys as CryptoKeyPair, consentId, citizen };
  }

  it('refuses a request without an access token, or with an unknown one', async () => {
    const plain = await fetch(packageUrl());
    expect(plain.status).toBe(401);
    expect(plain.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(plain.headers.get('content-type')).toContain('application/problem+json');
    const keys = await client.randomDPoPKeyPair('ES256');
    const res = await fetchPackage('not-a-token', await dpopProof(keys, 'not-a-token'));
    expect(res.status).toBe(401);
    expect(res.body()).toMatchObject({ code: 'transfer.invalid-token' });
  });

  it('refuses a missing DPoP proof', async () => {
    const { tokens } = await tokenAndKeys();
    const res = await fetchPackage(tokens.access_token);
    expect(res.status).toBe(401);
    expect(res.challenge).toContain('error="invalid_dpop_proof"');
    expect(res.body()).toMatchObject({ code: 'transfer.invalid-dpop-proof' });
  });

  it('refuses a proof signed by another key, for another address, method or token, or stale', async () => {
    const { tokens, keys } = await tokenAndKeys();
    const at = tokens.access_token;
    const other = await client.randomDPoPKeyPair('ES256');
    for (const proof of [
      await dpopProof(other, at),
      await dpopProof(keys, at, { htu: `${h.publicUrl}/api/v1/other` }),
      await dpopProof(keys, at, { htm: 'POST' }),
      await dpopProof(keys, 'another-token'),
      await dpopProof(keys, at, { iat: Math.floor(Date.now() / 1000) - 600 }),
    ]) {
      const res = await fetchPackage(at, proof);
      expect(res.status).toBe(401);
      expect(res.body()).toMatchObject({ code: 'transfer.invalid-dpop-proof' });
    }
    // None of those used the package up.
    expect((await fetchPackage(at, await dpopProof(keys, at))).status).toBe(200);
  });

  it('refuses a replayed proof', async () => {
    const { tokens, keys, consentId } = await tokenAndKeys();
    const at = tokens.access_token;
    const proof = await dpopProof(keys, at);
    // The first use passes the proof check but finds the package still being collected.
    const consent = h.standIn.consents.get(consentId);
    if (consent) consent.status = 'pending';
    const first = await fetchPackage(at, proof);
    expect(first.status).toBe(425);
    expect(first.body()).toMatchObject({ code: 'transfer.package-not-ready' });
    if (consent) consent.status = 'active';
    const replay = await fetchPackage(at, proof);
    expect(replay.status).toBe(401);
    expect(replay.body().detail).toContain('replay');
    expect((await fetchPackage(at, await dpopProof(keys, at))).status).toBe(200);
  });

  it('answers the package once; the token is revoked after it', async () => {
    const { tokens, keys } = await tokenAndKeys();
    const at = tokens.access_token;
    expect((await fetchPackage(at, await dpopProof(keys, at))).status).toBe(200);
    const again = await fetchPackage(at, await dpopProof(keys, at));
    expect(again.status).toBe(401);
    expect(again.body()).toMatchObject({ code: 'transfer.invalid-token' });
  });

  it('stops the token when the citizen withdraws the consent', async () => {
    const { tokens, keys, consentId } = await tokenAndKeys();
    const consent = h.standIn.consents.get(consentId);
    await h.consent.withdraw(consentId, consent?.citizenId as string, 'withdrawn');
    const res = await fetchPackage(tokens.access_token, await dpopProof(keys, tokens.access_token));
    expect(res.status).toBe(401);
    expect(res.body()).toMatchObject({ code: 'transfer.invalid-token' });
  });

  it('stops the code when the consent is withdrawn before the token request', async () => {
    const flow = await newFlow();
    const { callback } = await authorized(flow);
    const consent = [...h.standIn.consents.values()].at(-1);
    await h.consent.withdraw(consent?.id as string, consent?.citizenId as string, 'withdrawn');
    expect((await oauthError(tokenFor(flow, callback))).error).toBe('invalid_grant');
  });
});

describe('The consent screen', () => {
  it('answers 404 for an unknown interaction', async () => {
    const res = await h.browser().api('GET', '/api/v1/oauth/interactions/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'consent.interaction-not-found' });
  });

  it('sends the service access_denied when the citizen declines', async () => {
    const flow = await newFlow();
    const { browser, uid } = await atConsentScreen(await par(flow));
    const res = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'decline',
    });
    expect(res.statusCode).toBe(200);
    const callback = await browser.follow(res.json().redirectTo, (u) => u.href.startsWith(svc.redirectUri));
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('code')).toBeNull();
    expect(callback.searchParams.get('iss')).toBe(h.publicUrl);
    expect((await browser.api('GET', `/api/v1/oauth/interactions/${uid}`)).statusCode).toBe(404);
  });

  it('asks for a step-up when the session is below the datasets’ assurance', async () => {
    const { browser, uid } = await atConsentScreen(await par(await newFlow()), 'low');
    const view = await browser.api('GET', `/api/v1/oauth/interactions/${uid}`);
    expect(view.json().assurance).toMatchObject({
      current: 'low',
      required: 'substantial',
      sufficient: false,
    });
    expect(view.json().assurance.candidates.length).toBeGreaterThan(0);
    const res = await accept(browser, uid);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'identity.step-up-required' });
  });

  it('refuses a dataset the service did not ask for, and requires CSRF', async () => {
    const { browser, uid } = await atConsentScreen(await par(await newFlow()));
    const res = await accept(browser, uid, [...DETAIL.datasets, 'mof-fia.income']);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'consent.dataset-not-requested' });
    const csrf = browser.csrf;
    browser.csrf = undefined;
    expect((await accept(browser, uid)).json()).toMatchObject({ code: 'identity.csrf-rejected' });
    browser.csrf = csrf;
  });

  it('shows an agency failure with the consent to retry, then continues on retry', async () => {
    const flow = await newFlow();
    const { browser, uid } = await atConsentScreen(await par(flow));
    h.standIn.state.failNext = new AppError('exchange.agency-unreachable', {
      agency: '移民署',
      agencyId: 'nia',
      reason: 'down',
    });
    const failed = await accept(browser, uid);
    expect(failed.statusCode).toBe(502);
    const consentId = failed.json().consentId as string;
    expect(failed.json()).toMatchObject({
      code: 'exchange.agency-unreachable',
      consentId: expect.any(String),
    });
    const view = await browser.api('GET', `/api/v1/oauth/interactions/${uid}`);
    expect(view.json().pendingConsent).toMatchObject({
      id: consentId,
      problem: { code: 'exchange.agency-unreachable' },
    });
    const retried = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/retry`, { consentId });
    expect(retried.statusCode).toBe(200);
    const callback = await browser.follow(retried.json().redirectTo, (u) =>
      u.href.startsWith(svc.redirectUri),
    );
    const tokens = await tokenFor(flow, callback);
    expect((tokens.authorization_details as unknown as { consentId: string }[])[0]?.consentId).toBe(
      consentId,
    );
  });

  it('makes one consent of a double click', async () => {
    const { browser, uid } = await atConsentScreen(await par(await newFlow()));
    const before = h.standIn.consents.size;
    const answers = await Promise.all([accept(browser, uid), accept(browser, uid)]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 404]);
    expect(h.standIn.consents.size).toBe(before + 1);
  });

  it('keeps an interaction to the citizen who started answering it', async () => {
    const { browser, uid } = await atConsentScreen(await par(await newFlow()));
    h.standIn.state.failNext = new AppError('exchange.agency-unreachable', {
      agency: '移民署',
      agencyId: 'nia',
      reason: 'down',
    });
    expect((await accept(browser, uid)).statusCode).toBe(502);
    const other = h.browser();
    const c = h.citizen(citizenIndex++);
    await other.signInHigh(await h.card(c.nationalId), c);
    expect((await other.api('GET', `/api/v1/oauth/interactions/${uid}`)).statusCode).toBe(404);
  });
});

describe('The API description', () => {
  it('documents the consent screen and package routes in a valid OpenAPI document', async () => {
    const res = await h.app.inject('/openapi.json');
    const spec = res.json() as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/oauth/interactions/{uid}',
        '/api/v1/oauth/interactions/{uid}/decision',
        '/api/v1/oauth/interactions/{uid}/retry',
        '/api/v1/transfer/package',
      ]),
    );
    const result = await new Validator().validate(spec as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });
});

describe('Client registration', () => {
  const valid = async () => ({
    clientId: 'firstbank.personal-loan',
    jwks: { keys: [(await serviceKey('sig')).publicJwk, (await serviceKey('enc')).publicJwk] },
    redirectUris: ['https://bank.example/callback'],
  });
  it.each([
    ['an unknown service', (v: Awaited<ReturnType<typeof valid>>) => ({ ...v, clientId: 'no.such-service' })],
    [
      'a counter service',
      (v: Awaited<ReturnType<typeof valid>>) => ({ ...v, clientId: 'landbank.counter-account-opening' }),
    ],
    [
      'no enc key',
      (v: Awaited<ReturnType<typeof valid>>) => ({
        ...v,
        jwks: { keys: v.jwks.keys.filter((k) => k.use === 'sig') },
      }),
    ],
    [
      'no sig key',
      (v: Awaited<ReturnType<typeof valid>>) => ({
        ...v,
        jwks: { keys: v.jwks.keys.filter((k) => k.use === 'enc') },
      }),
    ],
    [
      'a private key',
      (v: Awaited<ReturnType<typeof valid>>) => ({
        ...v,
        jwks: { keys: v.jwks.keys.map((k) => ({ ...k, d: 'secret' })) },
      }),
    ],
    [
      'an http redirect URI',
      (v: Awaited<ReturnType<typeof valid>>) => ({ ...v, redirectUris: ['http://bank.example/cb'] }),
    ],
    [
      'a redirect URI with a fragment',
      (v: Awaited<ReturnType<typeof valid>>) => ({ ...v, redirectUris: ['https://bank.example/cb#x'] }),
    ],
  ])('refuses %s', async (_label, change) => {
    const input = change(await valid());
    const error = await h.oauth.registerClient(input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe('oauth-client.invalid-registration');
  });

  it('registers a valid client, and a new registration replaces the keys', async () => {
    const v = await valid();
    await h.oauth.registerClient(v);
    const again = {
      ...v,
      jwks: { keys: [(await serviceKey('sig')).publicJwk, (await serviceKey('enc')).publicJwk] },
    };
    await h.oauth.registerClient(again);
    const enc = again.jwks.keys[1] as { kid: string };
    expect((await h.oauth.clients.directory(v.clientId))?.encryptionKey.kid).toBe(enc.kid);
    expect(await calculateJwkThumbprint(again.jwks.keys[0] as never)).toBe(
      (again.jwks.keys[0] as { kid: string }).kid,
    );
  });
});
