/**
 * Interoperability: an independent, certified OAuth client library (openid-client) as a service
 * provider would use it, against the real platform over HTTP: discovery, PAR with private_key_jwt,
 * PKCE S256 and DPoP carrying the `mydata` authorization detail, the citizen's consent through the
 * portal's API with a real session, the code with `iss`, the DPoP-bound token, and the package.
 */

import { compactDecrypt, createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConsent } from '../packages/server/src/consent/setup.ts';
import { citizenWith, createHarness } from './exchange-harness.ts';
import { createOAuthHarness, type OAuthHarness } from './oauth-harness.ts';

const SERVICE = 'boca.passport-renewal';
const DETAIL = {
  type: 'mydata',
  datasets: ['moi-household.household-registration', 'nia.entry-exit-dates', 'boca.passport'],
  purpose: 'https://w3id.org/dpv#ServiceProvision',
  mode: 'online',
};

/** The service's whole journey; answers the token response and the package as fetched. */
async function journey(
  h: OAuthHarness,
  svc: Awaited<ReturnType<OAuthHarness['registerService']>>,
  config: client.Configuration,
  citizen: { nationalId: string; nhiCardNumber: string; householdNumber: string },
  options: { fetchPackage?: boolean; browser?: ReturnType<OAuthHarness['browser']> } = {},
) {
  const DPoP = client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const authorizationUrl = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: svc.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      authorization_details: JSON.stringify([DETAIL]),
    },
    { DPoP },
  );
  expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);

  const browser = options.browser ?? h.browser();
  const consentPage = await browser.follow(authorizationUrl.href, (u: URL) =>
    u.pathname.startsWith('/consent/'),
  );
  const uid = consentPage.pathname.split('/')[2] as string;
  if (!options.browser) {
    expect((await browser.api('GET', `/api/v1/oauth/interactions/${uid}`)).statusCode).toBe(401);
    await browser.signInHigh(await h.card(citizen.nationalId), citizen);
  }
  const view = await browser.api('GET', `/api/v1/oauth/interactions/${uid}`);
  expect(view.statusCode).toBe(200);
  expect(view.json()).toMatchObject({
    uid,
    service: { id: SERVICE },
    oneTime: true,
    assurance: { current: 'high', required: 'substantial', sufficient: true },
    pendingConsent: null,
  });
  const decision = await browser.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
    decision: 'accept',
    datasets: DETAIL.datasets,
  });
  expect(decision.statusCode, decision.body).toBe(200);
  const { redirectTo } = decision.json() as { redirectTo: string };
  const callback = await browser.follow(redirectTo, (u: URL) => u.href.startsWith(svc.redirectUri));
  expect(callback.searchParams.get('iss')).toBe(h.publicUrl);
  expect(callback.searchParams.get('state')).toBe(state);

  const tokens = await client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state },
    undefined,
    { DPoP },
  );
  expect(tokens.token_type.toLowerCase()).toBe('dpop');
  expect(tokens.refresh_token).toBeUndefined();
  const details = tokens.authorization_details as unknown as { consentId: string; datasets: string[] }[];
  expect(details).toHaveLength(1);
  expect(details[0]).toMatchObject({ ...DETAIL, consentId: expect.any(String) });
  const claims = tokens.claims();
  expect(claims?.acr).toBe('http://eidas.europa.eu/LoA/high');
  expect(claims?.amr).toEqual(expect.arrayContaining(['citizen-certificate', 'two-documents']));
  expect(claims?.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const consentId = details[0]?.consentId as string;
  if (options.fetchPackage === false)
    return { tokens, consentId, sub: claims?.sub as string, body: '', DPoP, browser };
  const packageUrl = new URL('/api/v1/transfer/package', h.publicUrl);
  const first = await client.fetchProtectedResource(
    config,
    tokens.access_token,
    packageUrl,
    'GET',
    undefined,
    undefined,
    {
      DPoP,
    },
  );
  expect(first.status).toBe(200);
  expect(first.headers.get('content-type')).toBe('application/jose');
  const body = await first.text();

  const second = await client
    .fetchProtectedResource(config, tokens.access_token, packageUrl, 'GET', undefined, undefined, { DPoP })
    .then(
      () => undefined,
      (e: client.WWWAuthenticateChallengeError) => e,
    );
  expect(second?.response.status).toBe(401);
  expect(second?.cause[0]).toMatchObject({ scheme: 'dpop', parameters: { error: 'invalid_token' } });
  expect(await second?.response.json()).toMatchObject({ code: 'transfer.invalid-token' });
  return { tokens, consentId, sub: claims?.sub as string, body, DPoP, browser };
}

async function discover(h: OAuthHarness, svc: Awaited<ReturnType<OAuthHarness['registerService']>>) {
  return client.discovery(
    new URL(h.publicUrl),
    SERVICE,
    { redirect_uris: [svc.redirectUri], id_token_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt({ key: svc.sig.privateKey, kid: svc.sig.publicJwk.kid }),
    { execute: [client.allowInsecureRequests] },
  );
}

describe('An openid-client service provider', () => {
  let h: OAuthHarness;
  let svc: Awaited<ReturnType<OAuthHarness['registerService']>>;
  let config: client.Configuration;
  beforeAll(async () => {
    h = await createOAuthHarness();
    svc = await h.registerService(SERVICE);
    config = await discover(h, svc);
  });
  afterAll(() => h?.close());

  it('discovers a FAPI 2.0 authorization server', () => {
    const m = config.serverMetadata();
    expect(m.issuer).toBe(h.publicUrl);
    expect(m.require_pushed_authorization_requests).toBe(true);
    expect(m.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
    expect(m.token_endpoint_auth_signing_alg_values_supported).toEqual(['ES256']);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.dpop_signing_alg_values_supported).toEqual(['ES256', 'EdDSA']);
    expect(m.authorization_response_iss_parameter_supported).toBe(true);
    expect(m.authorization_details_types_supported).toEqual(['mydata']);
    expect(m.subject_types_supported).toEqual(['pairwise']);
    expect(m.grant_types_supported).toEqual(['authorization_code']);
    expect(m.jwks_uri).toBe(`${h.publicUrl}/oauth/jwks`);
    expect(m.userinfo_endpoint).toBeUndefined();
    expect(m.introspection_endpoint).toBeUndefined();
  });

  it('publishes only the public half of the platform key', async () => {
    const jwks = (await (await fetch(`${h.publicUrl}/oauth/jwks`)).json()) as {
      keys: Record<string, string>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('runs PAR → consent → code → DPoP token → package, once (stand-in consent service)', async () => {
    const { consentId, body } = await journey(h, svc, config, h.citizen(3));
    expect(body).toBe(`package-of-${consentId}`);
  });
});

describe('An openid-client service provider with the real consent service and demo agencies', () => {
  let ex: Awaited<ReturnType<typeof createHarness>>;
  let h: OAuthHarness;
  let svc: Awaited<ReturnType<OAuthHarness['registerService']>>;
  let config: client.Configuration;
  beforeAll(async () => {
    ex = await createHarness({ demoAgencies: ['moi-household', 'nia', 'boca'], populationSize: 2000 });
    h = await createOAuthHarness({
      database: ex.database,
      population: ex.population,
      consent: (c) =>
        openConsent({
          db: c.db,
          gateway: ex.gateway,
          recorder: c.recorder,
          outbox: c.outbox,
          identityRepo: c.identity.repo,
          identity: c.identity.service,
          signingKey: c.signingKey,
          publicUrl: c.issuer,
          pairwiseKey: c.pairwiseKey,
          clients: { get: (id) => c.clients.directory(id) },
        }),
    });
    svc = await h.registerService(SERVICE);
    config = await discover(h, svc);
  });
  afterAll(async () => {
    await h?.close();
    await ex?.close();
  });

  it('delivers the package, encrypted to the service and signed by the platform, about the same pairwise subject', async () => {
    const nationalId = citizenWith(ex.population, DETAIL.datasets);
    const p = ex.population.citizen(
      [...Array(ex.population.size).keys()].find(
        (i) => ex.population.citizen(i).nationalId === nationalId,
      ) as number,
    );
    const citizen = { nationalId, nhiCardNumber: p.nhiCardNumber, householdNumber: p.household.number };
    const { consentId, sub, body, browser } = await journey(h, svc, config, citizen);
    const { plaintext, protectedHeader } = await compactDecrypt(body, svc.enc.privateKey);
    expect(protectedHeader).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      kid: svc.enc.publicJwk.kid,
    });
    const { payload } = await jwtVerify(
      new TextDecoder().decode(plaintext),
      createRemoteJWKSet(new URL('/oauth/jwks', h.publicUrl)),
      { issuer: h.publicUrl, audience: SERVICE, typ: 'mydata-package+jwt' },
    );
    expect(payload.sub).toBe(sub);
    expect(payload).toMatchObject({ consent: { id: consentId }, service: SERVICE, mode: 'online' });
    const datasets = payload.datasets as { datasetId: string; data: unknown }[];
    expect(datasets.map((d) => d.datasetId).sort()).toEqual([...DETAIL.datasets].sort());
    for (const d of datasets) expect(d.data).toEqual(ex.population.record(d.datasetId, nationalId));

    // Again; this time the citizen withdraws before the service fetches: the token dies with the consent.
    const second = await journey(h, svc, config, citizen, { fetchPackage: false, browser });
    expect(second.consentId).not.toBe(consentId);
    const withdrawn = await browser.api('POST', `/api/v1/consents/${second.consentId}/withdraw`, {});
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(withdrawn.json()).toMatchObject({ status: 'withdrawn' });
    const refused = await client
      .fetchProtectedResource(
        config,
        second.tokens.access_token,
        new URL('/api/v1/transfer/package', h.publicUrl),
        'GET',
        undefined,
        undefined,
        { DPoP: second.DPoP },
      )
      .then(
        () => undefined,
        (e: client.WWWAuthenticateChallengeError) => e,
      );
    expect(refused?.response.status).toBe(401);
    expect(await refused?.response.json()).toMatchObject({ code: 'transfer.invalid-token' });
  });
});
