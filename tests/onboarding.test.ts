/**
 * Onboarding and the operator console on the real platform (PGlite by default, PostgreSQL with
 * DATABASE_URL), with the household agency running as its own HTTPS server over mutual TLS. A new
 * organisation signs up, applies, tests in its sandbox with a test persona, is reviewed (changes
 * requested, resubmitted, approved) and then runs a real transfer with `@mydata/sdk`; then key
 * rotation, suspension and reinstatement, a data-provider application, and every refusal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_OPERATOR_ID, type ServiceApplicationBody } from '@mydata/core';
import { createPopulation, DATASET_IDS, DEMO_SEED, demoCatalogue } from '@mydata/demo';
import { createServiceClient, generateServiceKeys, type JWK, type ServiceKeys } from '@mydata/sdk';
import { createScratchDatabase, loadConfig, type Platform, startPlatform } from '@mydata/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csrfTokenFor } from '../packages/server/src/identity/http.ts';
import { connectDemoAgencies } from './exchange-harness.ts';
import { Browser, freePort } from './oauth-harness.ts';

const HOUSEHOLD = DATASET_IDS.householdRegistration;
const ID_CARD = DATASET_IDS.nationalIdCard;
const DPV = 'https://w3id.org/dpv#';
const t = (zh: string, en: string) => ({ 'zh-TW': zh, en });
const fieldsOf = (id: string) =>
  demoCatalogue.datasets.find((d) => d.id === id)?.fields.map((f) => f.name) ?? [];

interface Who {
  nationalId: string;
  citizenId: string;
  token: string;
  cookie: string;
  csrf: string;
}

/** A JWKS URL the test controls, as an applicant would publish its keys. */
async function jwksServer() {
  let body: unknown = { keys: [] };
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    publish(...sets: ServiceKeys[]) {
      body = { keys: sets.flatMap((s) => s.publicJwks.keys) };
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('Onboarding and the operator console', () => {
  let platform: Platform;
  let publicUrl: string;
  let dataDir: string;
  let closeAgencies: () => Promise<void>;
  let closeScratch: (() => Promise<void>) | undefined;
  let jwks: Awaited<ReturnType<typeof jwksServer>>;
  let admin: Who;
  let developer: Who;
  let outsider: Who;
  let operator: Who;
  let persona: Who;
  let citizen: Who;
  let keysA: ServiceKeys;
  let keysB: ServiceKeys;
  let appId = '';
  const ORG = 'acme-bank';
  const SERVICE = `${ORG}.account-check`;
  const SANDBOX = `${SERVICE}-sandbox`;
  const REDIRECT = 'http://127.0.0.1:9/callback';
  const ids: string[] = [];

  async function session(
    nationalId: string,
    assurance: 'low' | 'substantial' | 'high' = 'substantial',
  ): Promise<Who> {
    const repo = platform.identity.repo;
    const at = new Date();
    const made = await platform.db.transaction().execute(async (tx) => {
      const { citizenId } = await repo.recordVerification(tx, nationalId, ['nhi-card'], at);
      const s = await repo.createSession(tx, { citizenId, assurance, methods: ['nhi-card'], at });
      return { citizenId, token: s.token };
    });
    return { nationalId, ...made, cookie: `mydata-session=${made.token}`, csrf: csrfTokenFor(made.token) };
  }

  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: Who | null, payload?: unknown) =>
    platform.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        ...(who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {}),
        'accept-language': 'en',
      },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });

  const signUpBody = (id = ORG) => ({
    id,
    name: t('艾克米銀行', 'Acme Bank'),
    sector: 'financial',
    website: 'https://acme.example',
    securityContact: { name: 'Security desk', email: 'security@acme.example', phone: '+886 2 1234 5678' },
  });

  function serviceApplication(over: Partial<ServiceApplicationBody> = {}): ServiceApplicationBody {
    return {
      kind: 'service',
      service: {
        id: SERVICE,
        name: t('開戶身分核對', 'Account identity check'),
        description: t(
          '線上開戶時核對身分與戶籍。',
          'Checks identity and registration when you open an account online.',
        ),
        mode: 'online',
        purpose: {
          dpv: `${DPV}IdentityVerification`,
          description: t('核對開戶人身分', 'To verify who opens the account'),
        },
        retentionDays: 90,
        datasets: [
          {
            datasetId: ID_CARD,
            required: true,
            justification: t('核對身分證資料。', 'Checks the identity card.'),
            // One field left without a justification: the reviewer is told the whole dataset goes.
            fields: fieldsOf(ID_CARD)
              .slice(1)
              .map((name) => ({ name, justification: t(`需要 ${name}`, `Needs ${name}`) })),
          },
          {
            datasetId: HOUSEHOLD,
            required: true,
            justification: t('核對戶籍地址。', 'Checks the registered address.'),
            fields: fieldsOf(HOUSEHOLD).map((name) => ({
              name,
              justification: t(`需要 ${name}`, `Needs ${name}`),
            })),
          },
        ],
      },
      redirectUris: [REDIRECT],
      jwksUrl: jwks.url,
      webhookUrl: 'http://127.0.0.1:9/webhook',
      securityContact: { name: 'Security desk', email: 'security@acme.example' },
      ...over,
    };
  }

  /** One transfer through the SDK: the citizen's browser consents on the platform, the service gets the package. */
  async function transfer(
    who: Who,
    client: { clientId: string; signingKey: JWK; encryptionKey: JWK },
    hooks: { beforeAgree?: () => Promise<void> } = {},
  ) {
    const service = createServiceClient({ issuer: publicUrl, redirectUri: REDIRECT, ...client });
    const { url, pending } = await service.startTransfer({
      datasets: [ID_CARD, HOUSEHOLD],
      purpose: `${DPV}IdentityVerification`,
    });
    const b = new Browser(platform.app, publicUrl);
    b.jar.set('mydata-session', who.token);
    b.csrf = who.csrf;
    const consentPage = await b.follow(url, (u) => u.pathname.startsWith('/consent/'));
    const uid = consentPage.pathname.split('/')[2] as string;
    const screen = await b.api('GET', `/api/v1/oauth/interactions/${uid}`);
    if (screen.statusCode !== 200) return { refused: screen, uid, browser: b };
    await hooks.beforeAgree?.();
    const agreed = await b.api('POST', `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: [ID_CARD, HOUSEHOLD],
    });
    if (agreed.statusCode !== 200) return { refused: agreed, uid, browser: b };
    const callback = await b.follow(agreed.json().redirectTo, (u) => u.href.startsWith(REDIRECT));
    return { finish: () => service.finishTransfer(callback, pending), uid, browser: b };
  }

  async function transferOk(who: Who, client: { clientId: string; signingKey: JWK; encryptionKey: JWK }) {
    const started = await transfer(who, client);
    expect(started.refused?.body).toBeUndefined();
    const result = await started.finish?.();
    expect(result?.datasets.map((d) => d.datasetId)).toEqual([ID_CARD, HOUSEHOLD]);
    return result;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mydata-onboarding-test-'));
    const scratch = process.env.DATABASE_URL
      ? await createScratchDatabase(process.env.DATABASE_URL)
      : undefined;
    closeScratch = scratch ? () => scratch.close() : undefined;
    const population = createPopulation({ seed: DEMO_SEED, size: 80 });
    for (let i = 0; i < population.size && ids.length < 7; i++) {
      const c = population.citizen(i);
      if (population.record(ID_CARD, c.nationalId) && population.record(HOUSEHOLD, c.nationalId))
        ids.push(c.nationalId);
    }
    if (ids.length < 7) throw new Error('too few citizens with both records');
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      EXCHANGE_RETRIES: '0',
      OPERATOR_NATIONAL_IDS: ` ${ids[3]?.toLowerCase()} `,
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await startPlatform({
      config,
      catalogue: demoCatalogue,
      sandboxPersonas: [
        {
          nationalId: ids[4] as string,
          name: '測試人物',
          kind: 'young-parent',
          description: t('測試', 'Test'),
        },
      ],
    });
    const demo = await connectDemoAgencies(platform, population, ['moi-household']);
    closeAgencies = () => demo.close();
    jwks = await jwksServer();
    keysA = await generateServiceKeys();
    keysB = await generateServiceKeys();
    jwks.publish(keysA);
    admin = await session(ids[0] as string);
    developer = await session(ids[1] as string);
    outsider = await session(ids[2] as string);
    operator = await session(ids[3] as string);
    persona = await session(ids[4] as string);
    citizen = await session(ids[5] as string);
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await closeAgencies?.();
    await jwks?.close();
    await closeScratch?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('publishes the sandbox personas, and makes the configured operator a reviewer', async () => {
    const res = await call('GET', '/sandbox/personas', null);
    expect(res.statusCode).toBe(200);
    expect(res.json().personas).toEqual([
      { nationalId: ids[4], name: '測試人物', kind: 'young-parent', description: t('測試', 'Test') },
    ]);
    expect((await call('GET', '/onboarding/me', operator)).json()).toEqual({
      organisations: [],
      operator: true,
    });
    expect(await platform.staff.rolesOf(platform.usage.log.citizenRef(ids[3] as string))).toMatchObject([
      { organisationId: PLATFORM_OPERATOR_ID, role: 'operator' },
    ]);
    const openapi = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/onboarding/organisations/{orgId}/applications',
        '/api/v1/operator/decisions',
      ]),
    );
  });

  it('refuses a bad sign-up with a clear problem', async () => {
    const anonymous = await call('POST', '/onboarding/organisations', null, signUpBody());
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'identity.not-signed-in']);
    const noCsrf = await platform.app.inject({
      method: 'POST',
      url: '/api/v1/onboarding/organisations',
      headers: { cookie: admin.cookie },
      payload: signUpBody(),
    });
    expect(noCsrf.json().code).toBe('identity.csrf-rejected');
    const weak = await session(ids[0] as string, 'low');
    const stepUp = await call('POST', '/onboarding/organisations', weak, signUpBody());
    expect([stepUp.statusCode, stepUp.json().code]).toEqual([403, 'identity.step-up-required']);
    for (const [body, code] of [
      [{ ...signUpBody(), id: 'Not An Id' }, 'request.invalid'],
      [{ ...signUpBody(), sector: 'space' }, 'request.invalid'],
      [{ ...signUpBody(), securityContact: { name: 'x', email: 'not-mail' } }, 'request.invalid'],
      [{ ...signUpBody(), securityContact: undefined }, 'request.invalid'],
      [{ ...signUpBody(), extra: 1 }, 'request.invalid'],
      [signUpBody(PLATFORM_OPERATOR_ID), 'onboarding.organisation-id-unavailable'],
      [signUpBody('moi-household'), 'onboarding.organisation-id-unavailable'],
    ] as const) {
      const res = await call('POST', '/onboarding/organisations', admin, body);
      expect(res.json().code, JSON.stringify(body)).toBe(code);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('signs up an organisation that stays unlisted, with its creator as admin', async () => {
    const res = await call('POST', '/onboarding/organisations', admin, signUpBody());
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ id: ORG, listed: false, suspended: null });
    const again = await call('POST', '/onboarding/organisations', outsider, signUpBody());
    expect(again.json().code).toBe('onboarding.organisation-id-unavailable');
    expect((await call('GET', '/onboarding/me', admin)).json()).toEqual({
      organisations: [
        {
          id: ORG,
          name: signUpBody().name,
          sector: 'financial',
          listed: false,
          suspended: null,
          myRoles: ['admin'],
        },
      ],
      operator: false,
    });
    const publicList = (await call('GET', '/organisations', null)).json().items as { id: string }[];
    expect(publicList.some((o) => o.id === ORG)).toBe(false);
    expect((await call('GET', `/organisations/${ORG}`, null)).statusCode).toBe(404);
    // The security contact is a person: sealed in the table.
    const row = await platform.db
      .selectFrom('organisations')
      .select('security_contact_sealed')
      .where('id', '=', ORG)
      .executeTakeFirstOrThrow();
    expect(row.security_contact_sealed).not.toContain('acme.example');
    const detail = (await call('GET', `/onboarding/organisations/${ORG}`, admin)).json();
    expect(detail.organisation.securityContact.email).toBe('security@acme.example');
  });

  it('lets only admins manage staff, never removing the last admin', async () => {
    const outside = await call('GET', `/onboarding/organisations/${ORG}`, outsider);
    expect([outside.statusCode, outside.json().code]).toEqual([403, 'onboarding.forbidden']);
    const missing = await call('GET', '/onboarding/organisations/no-such-org', admin);
    expect(missing.json().code).toBe('onboarding.organisation-not-found');
    const added = await call('POST', `/onboarding/organisations/${ORG}/staff`, admin, {
      nationalId: developer.nationalId,
      role: 'developer',
      label: 'Dev',
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({
      role: 'developer',
      label: 'Dev',
      nationalIdHint: `${developer.nationalId.slice(0, 2)}******${developer.nationalId.slice(-2)}`,
    });
    const badId = await call('POST', `/onboarding/organisations/${ORG}/staff`, admin, {
      nationalId: 'A000000000',
      role: 'developer',
      label: 'x',
    });
    expect(badId.json().code).toBe('request.invalid');
    const badRole = await call('POST', `/onboarding/organisations/${ORG}/staff`, admin, {
      nationalId: outsider.nationalId,
      role: 'operator',
      label: 'x',
    });
    expect(badRole.json().code).toBe('request.invalid');
    const byDeveloper = await call('POST', `/onboarding/organisations/${ORG}/staff`, developer, {
      nationalId: outsider.nationalId,
      role: 'admin',
      label: 'x',
    });
    expect([byDeveloper.statusCode, byDeveloper.json().code]).toEqual([403, 'onboarding.forbidden']);
    expect(byDeveloper.json().detail).toContain('"admin"');
    const adminRef = platform.usage.log.citizenRef(admin.nationalId);
    const last = await call('DELETE', `/onboarding/organisations/${ORG}/staff/${adminRef}/admin`, admin);
    expect([last.statusCode, last.json().code]).toEqual([409, 'onboarding.last-admin']);
    const clerk = await call('POST', `/onboarding/organisations/${ORG}/staff`, admin, {
      nationalId: outsider.nationalId,
      role: 'counter-clerk',
      label: 'Desk',
    });
    const removed = await call(
      'DELETE',
      `/onboarding/organisations/${ORG}/staff/${clerk.json().citizenRef}/counter-clerk`,
      admin,
    );
    expect(removed.statusCode).toBe(204);
    const gone = await call(
      'DELETE',
      `/onboarding/organisations/${ORG}/staff/${clerk.json().citizenRef}/counter-clerk`,
      admin,
    );
    expect(gone.json().code).toBe('onboarding.staff-not-found');
    const staff = (await call('GET', `/onboarding/organisations/${ORG}`, developer)).json().staff;
    expect(staff.map((s: { role: string }) => s.role).sort()).toEqual(['admin', 'developer']);
    expect(JSON.stringify(staff)).not.toContain(developer.nationalId);
  });

  it('refuses every bad application with a clear problem', async () => {
    const submit = (body: unknown, who: Who = developer) =>
      call('POST', `/onboarding/organisations/${ORG}/applications`, who, body);
    const base = serviceApplication();
    const ds = (i: number, over: object) => ({
      ...base,
      service: {
        ...base.service,
        datasets: base.service.datasets.map((d, j) => (j === i ? { ...d, ...over } : d)),
      },
    });
    const cases: Array<[string, unknown, string, string?]> = [
      [
        'unknown dataset',
        ds(0, { datasetId: 'moi-household.no-such' }),
        'onboarding.dataset-not-found',
        '/service/datasets/0/datasetId',
      ],
      [
        'blank dataset justification',
        ds(1, { justification: t(' ', ' ') }),
        'onboarding.justification-missing',
        '/service/datasets/1/justification',
      ],
      [
        'blank field justification',
        ds(1, { fields: [{ name: fieldsOf(HOUSEHOLD)[0], justification: t('  ', 'x') }] }),
        'onboarding.justification-missing',
        '/service/datasets/1/fields/0/justification',
      ],
      [
        'unknown field',
        ds(1, { fields: [{ name: 'shoeSize', justification: t('鞋', 'Shoes') }] }),
        'onboarding.invalid-application',
        'shoeSize',
      ],
      [
        'blank purpose',
        {
          ...base,
          service: {
            ...base.service,
            purpose: { dpv: `${DPV}IdentityVerification`, description: t(' ', ' ') },
          },
        },
        'onboarding.justification-missing',
        '/service/purpose/description',
      ],
      ['missing justification object', ds(0, { justification: undefined }), 'request.invalid'],
      ['no redirect URIs', { ...base, redirectUris: [] }, 'onboarding.invalid-application', '/redirectUris'],
      ['no keys', { ...base, jwksUrl: undefined }, 'onboarding.invalid-application', '/jwksUrl'],
      ['both keys', { ...base, jwks: keysA.publicJwks }, 'onboarding.invalid-application', '/jwksUrl'],
      [
        'private key',
        { ...base, jwksUrl: undefined, jwks: { keys: [keysA.signingKey, keysA.encryptionKey] } },
        'onboarding.jwks-invalid',
        'private',
      ],
      [
        'no enc key',
        { ...base, jwksUrl: undefined, jwks: { keys: [keysA.publicJwks.keys[0]] } },
        'onboarding.jwks-invalid',
        'enc',
      ],
      [
        'unreachable JWKS',
        { ...base, jwksUrl: 'http://127.0.0.1:9/jwks.json' },
        'onboarding.jwks-unreachable',
        'http://127.0.0.1:9/jwks.json',
      ],
      [
        'plain-http JWKS elsewhere',
        { ...base, jwksUrl: 'http://keys.example/jwks.json' },
        'onboarding.jwks-unreachable',
        'https',
      ],
      [
        'bad redirect URI',
        { ...base, redirectUris: ['https://a.example/cb#frag'] },
        'onboarding.invalid-application',
        'fragment',
      ],
      [
        'outside the namespace',
        { ...base, service: { ...base.service, id: 'otherbank.loan' } },
        'onboarding.subject-taken',
      ],
      [
        'counter with keys',
        { ...base, service: { ...base.service, mode: 'counter' } },
        'onboarding.invalid-application',
        'counter',
      ],
      ['bad mode', { ...base, service: { ...base.service, mode: 'fax' } }, 'request.invalid'],
      ['unknown kind', { ...base, kind: 'other' }, 'request.invalid'],
    ];
    for (const [name, body, code, mention] of cases) {
      const res = await submit(body);
      expect(res.json().code, `${name}: ${res.body}`).toBe(code);
      expect(res.statusCode, name).toBeGreaterThanOrEqual(400);
      if (mention) expect(res.json().detail, name).toContain(mention);
    }
    const byOutsider = await submit(base, outsider);
    expect(byOutsider.json().code).toBe('onboarding.forbidden');
    // Nothing was filed.
    expect((await call('GET', `/onboarding/organisations/${ORG}`, admin)).json().applications).toEqual([]);
  });

  it('files an application with its flags and a sandbox that only test personas can use', async () => {
    const res = await call(
      'POST',
      `/onboarding/organisations/${ORG}/applications`,
      developer,
      serviceApplication(),
    );
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    appId = created.id;
    expect(created.status).toBe('submitted');
    expect(created.flags.map((f: { code: string }) => f.code)).toEqual([
      'field-without-justification',
      'http-redirect-uri',
    ]);
    expect(created.sandbox).toEqual({
      serviceId: SANDBOX,
      clientId: SANDBOX,
      issuer: publicUrl,
      personasUrl: `${publicUrl}/api/v1/sandbox/personas`,
    });
    // The sandbox is never in the public catalogue.
    expect((await call('GET', `/services/${SANDBOX}`, null)).statusCode).toBe(404);
    const services = (await call('GET', '/services?limit=100', null)).json().items as { id: string }[];
    expect(services.some((s) => s.id === SANDBOX)).toBe(false);

    const sandboxClient = {
      clientId: SANDBOX,
      signingKey: keysA.signingKey,
      encryptionKey: keysA.encryptionKey,
    };
    const real = await transfer(citizen, sandboxClient);
    expect(real.refused?.statusCode).toBe(403);
    expect(real.refused?.json().code).toBe('onboarding.sandbox-persona-only');
    const result = await transferOk(persona, sandboxClient);
    expect(result?.serviceId).toBe(SANDBOX);

    const detail = (await call('GET', `/onboarding/organisations/${ORG}`, developer)).json();
    expect(detail.clients).toEqual([
      {
        clientId: SANDBOX,
        environment: 'sandbox',
        redirectUris: [REDIRECT],
        webhookUrl: 'http://127.0.0.1:9/webhook',
        jwksUrl: jwks.url,
        keys: [
          { kid: keysA.signingKey.kid, use: 'sig', thumbprint: keysA.signingKey.kid },
          { kid: keysA.encryptionKey.kid, use: 'enc', thumbprint: keysA.encryptionKey.kid },
        ],
      },
    ]);
    expect(detail.applications).toMatchObject([
      { id: appId, kind: 'service', subject: SERVICE, status: 'submitted', flagCount: 2 },
    ]);
    // The application names a person (its security contact): sealed in the table.
    const row = await platform.db
      .selectFrom('integration_applications')
      .select('body_sealed')
      .where('id', '=', appId)
      .executeTakeFirstOrThrow();
    expect(row.body_sealed).not.toContain('security@acme.example');
  });

  it('lets the operator review: changes requested, resubmitted, approved; the first real transfer works at once', async () => {
    const notOperator = await call('GET', '/operator/applications', admin);
    expect([notOperator.statusCode, notOperator.json().code]).toEqual([403, 'operator.forbidden']);
    const weakOperator = await session(operator.nationalId, 'low');
    expect((await call('GET', '/operator/applications', weakOperator)).json().code).toBe(
      'identity.step-up-required',
    );

    const queue = (await call('GET', '/operator/applications?status=submitted', operator)).json()
      .applications;
    expect(queue).toMatchObject([
      { id: appId, organisationId: ORG, organisationName: signUpBody().name, status: 'submitted' },
    ]);
    expect((await call('GET', '/operator/applications?status=nonsense', operator)).json().code).toBe(
      'request.invalid',
    );
    const seen = (await call('GET', `/operator/applications/${appId}`, operator)).json();
    expect(seen.flags[0]).toMatchObject({
      code: 'field-without-justification',
      severity: 'warning',
      pointer: '/service/datasets/0/fields',
    });
    expect(seen.decisions.map((d: { action: string }) => d.action)).toEqual(['submit']);

    const early = await call(
      'PUT',
      `/onboarding/organisations/${ORG}/applications/${appId}`,
      developer,
      serviceApplication(),
    );
    expect([early.statusCode, early.json().code]).toEqual([409, 'onboarding.not-resubmittable']);
    const noReason = await call('POST', `/operator/applications/${appId}/decision`, operator, {
      decision: 'request-changes',
      reason: '  ',
    });
    expect([noReason.statusCode, noReason.json().code]).toEqual([400, 'operator.reason-required']);
    const badDecision = await call('POST', `/operator/applications/${appId}/decision`, operator, {
      decision: 'maybe',
      reason: 'x',
    });
    expect(badDecision.json().code).toBe('request.invalid');
    const changes = await call('POST', `/operator/applications/${appId}/decision`, operator, {
      decision: 'request-changes',
      reason: 'Justify every field of the identity card.',
    });
    expect(changes.statusCode, changes.body).toBe(200);
    expect(changes.json().status).toBe('changes-requested');
    const twice = await call('POST', `/operator/applications/${appId}/decision`, operator, {
      decision: 'approve',
      reason: '',
    });
    expect([twice.statusCode, twice.json().code]).toEqual([409, 'operator.already-decided']);

    // The applicant sees the reason, fixes the fields and resubmits.
    const mine = (
      await call('GET', `/onboarding/organisations/${ORG}/applications/${appId}`, developer)
    ).json();
    expect(mine.decisions.at(-1)).toMatchObject({
      action: 'request-changes',
      reason: 'Justify every field of the identity card.',
    });
    expect(mine.decisions.at(-1).actorLabel).toMatch(/\*{6}/);
    const fixed = serviceApplication();
    fixed.service.datasets[0] = {
      ...(fixed.service.datasets[0] as (typeof fixed.service.datasets)[0]),
      fields: fieldsOf(ID_CARD).map((name) => ({ name, justification: t(`需要 ${name}`, `Needs ${name}`) })),
    };
    const resubmitted = await call(
      'PUT',
      `/onboarding/organisations/${ORG}/applications/${appId}`,
      developer,
      fixed,
    );
    expect(resubmitted.statusCode, resubmitted.body).toBe(200);
    expect(resubmitted.json().flags.map((f: { code: string }) => f.code)).toEqual(['http-redirect-uri']);
    expect((await call('GET', `/operator/applications/${appId}`, operator)).json().status).toBe('submitted');

    // Before approval there is no real service to transfer to.
    const client = { clientId: SERVICE, signingKey: keysA.signingKey, encryptionKey: keysA.encryptionKey };
    await expect(
      createServiceClient({ issuer: publicUrl, redirectUri: REDIRECT, ...client }).startTransfer({
        datasets: [ID_CARD, HOUSEHOLD],
        purpose: `${DPV}IdentityVerification`,
      }),
    ).rejects.toThrow();

    const approved = await call('POST', `/operator/applications/${appId}/decision`, operator, {
      decision: 'approve',
      reason: '',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().decisions.map((d: { action: string }) => d.action)).toEqual([
      'submit',
      'request-changes',
      'resubmit',
      'approve',
    ]);
    expect((await call('GET', `/services/${SERVICE}`, null)).json()).toMatchObject({ id: SERVICE });
    expect((await call('GET', `/organisations/${ORG}`, null)).json()).toMatchObject({
      id: ORG,
      roles: ['service-provider'],
    });
    expect((await call('GET', '/onboarding/me', admin)).json().organisations[0].listed).toBe(true);

    // A real citizen, the real client id, the household agency over mutual TLS.
    const result = await transferOk(citizen, client);
    expect(result?.serviceId).toBe(SERVICE);
    expect(result?.subject).not.toContain(citizen.nationalId);
  });

  it('refuses to publish plain-http redirect URIs outside the sandbox', async () => {
    const other = serviceApplication({ redirectUris: ['http://shop.example/cb'] });
    other.service = { ...other.service, id: `${ORG}.shop` };
    const filed = await call('POST', `/onboarding/organisations/${ORG}/applications`, admin, other);
    expect(filed.statusCode, filed.body).toBe(201);
    const refused = await call('POST', `/operator/applications/${filed.json().id}/decision`, operator, {
      decision: 'approve',
      reason: '',
    });
    expect([refused.statusCode, refused.json().code]).toEqual([422, 'onboarding.redirect-not-https']);
    expect(refused.json().detail).toContain('http://shop.example/cb');
    expect((await call('GET', `/services/${ORG}.shop`, null)).statusCode).toBe(404);
    const rejected = await call('POST', `/operator/applications/${filed.json().id}/decision`, operator, {
      decision: 'reject',
      reason: 'No https.',
    });
    expect(rejected.json().status).toBe('rejected');
    const late = await call(
      'PUT',
      `/onboarding/organisations/${ORG}/applications/${filed.json().id}`,
      admin,
      other,
    );
    expect(late.json().code).toBe('onboarding.not-resubmittable');
  });

  it('rotates keys without a failed transfer', async () => {
    const a = { clientId: SERVICE, signingKey: keysA.signingKey, encryptionKey: keysA.encryptionKey };
    const b = { clientId: SERVICE, signingKey: keysB.signingKey, encryptionKey: keysB.encryptionKey };
    // 1. Old and new keys published; the old encryption key is listed first, so packages still use it.
    jwks.publish(keysA, keysB);
    const refreshed = await call('POST', `/onboarding/organisations/${ORG}/keys/refresh`, developer, {
      clientId: SERVICE,
    });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    expect(refreshed.json().keys.map((k: { kid: string }) => k.kid)).toEqual([
      keysA.signingKey.kid,
      keysA.encryptionKey.kid,
      keysB.signingKey.kid,
      keysB.encryptionKey.kid,
    ]);
    await transferOk(citizen, a);
    // A transfer in flight across the switch: signed with the new key, its package encrypted to the old one.
    const inFlight = await transfer(citizen, { ...b, encryptionKey: keysA.encryptionKey });
    // 2. The old keys dropped.
    jwks.publish(keysB);
    expect(
      (await call('POST', `/onboarding/organisations/${ORG}/keys/refresh`, admin, { clientId: SERVICE }))
        .statusCode,
    ).toBe(200);
    const finished = await inFlight.finish?.();
    expect(finished?.datasets).toHaveLength(2);
    await transferOk(citizen, b);
    // The old signing key no longer authenticates the service.
    await expect(transfer(citizen, a)).rejects.toThrow();
    const bad = await call('POST', `/onboarding/organisations/${ORG}/keys/refresh`, developer, {
      clientId: 'nope',
    });
    expect(bad.json().code).toBe('onboarding.client-not-found');
    const byOutsider = await call('POST', `/onboarding/organisations/${ORG}/keys/refresh`, outsider, {
      clientId: SERVICE,
    });
    expect(byOutsider.json().code).toBe('onboarding.forbidden');
    jwks.publish();
    const empty = await call('POST', `/onboarding/organisations/${ORG}/keys/refresh`, developer, {
      clientId: SERVICE,
    });
    expect(empty.json().code).toBe('onboarding.jwks-invalid');
    jwks.publish(keysB);
  });

  it('suspends at once: consent in progress refused cleanly, tokens revoked, package withheld; reinstatement restores', async () => {
    const b = { clientId: SERVICE, signingKey: keysB.signingKey, encryptionKey: keysB.encryptionKey };
    // A transfer consented but not yet fetched, and another on its consent screen.
    const consented = await transfer(citizen, b);
    expect(consented.finish).toBeDefined();
    const suspendNow = async () => {
      const res = await call('POST', `/operator/organisations/${ORG}/suspension`, operator, {
        reason: 'Leaked keys',
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().suspended.reason).toBe('Leaked keys');
    };
    const onScreen = await transfer(citizen, b, { beforeAgree: suspendNow });
    expect(onScreen.refused?.statusCode).toBe(403);
    expect(onScreen.refused?.json().code).toBe('consent.service-suspended');
    // The consent in progress was never recorded: nothing half-given; the citizen can still decline.
    const declined = await onScreen.browser.api(
      'POST',
      `/api/v1/oauth/interactions/${onScreen.uid}/decision`,
      { decision: 'decline' },
    );
    expect(declined.statusCode).toBe(200);
    // The service's tokens and codes are gone: the consented package cannot be fetched.
    await expect(consented.finish?.()).rejects.toThrow();
    const pending = await platform.db
      .selectFrom('consents')
      .select(['id', 'status'])
      .where('client_id', '=', SERVICE)
      .where('status', '=', 'active')
      .execute();
    expect(pending.length).toBeGreaterThan(0);
    // And the package endpoint itself withholds it while suspended.
    await expect(
      platform.consent.service.takePackage(pending[0]?.id as string, SERVICE),
    ).rejects.toMatchObject({
      code: 'consent.service-suspended',
    });
    // A new request is refused as soon as the service pushes it.
    await expect(transfer(citizen, b)).rejects.toMatchObject({
      code: 'invalid_authorization_details',
      message: expect.stringContaining('suspended'),
    });
    expect(
      (await call('GET', '/operator/organisations', operator))
        .json()
        .organisations.find((o: { id: string }) => o.id === ORG).suspended.reason,
    ).toBe('Leaked keys');
    expect(
      (await call('POST', `/operator/organisations/${ORG}/suspension`, operator, { reason: 'x' })).json()
        .code,
    ).toBe('operator.suspension-state');
    const reinstated = await call('POST', `/operator/organisations/${ORG}/reinstatement`, operator, {
      reason: 'Keys rotated',
    });
    expect(reinstated.statusCode, reinstated.body).toBe(200);
    expect(reinstated.json().suspended).toBeNull();
    await transferOk(citizen, b);
    const noReason = await call('POST', `/operator/organisations/${ORG}/suspension`, operator, {
      reason: '',
    });
    expect(noReason.json().code).toBe('request.invalid');
    expect(
      (await call('POST', `/operator/organisations/${ORG}/suspension`, admin, { reason: 'x' })).json().code,
    ).toBe('operator.forbidden');
  });

  it('makes the gateway refuse a suspended agency, naming it', async () => {
    const suspended = await call('POST', '/operator/organisations/moi-household/suspension', operator, {
      reason: 'Audit',
    });
    expect(suspended.statusCode, suspended.body).toBe(200);
    const b = { clientId: SERVICE, signingKey: keysB.signingKey, encryptionKey: keysB.encryptionKey };
    const started = await transfer(citizen, b);
    // Both datasets come from the suspended agency: each refused, the agency named.
    expect(started.refused?.json().code).toBe('exchange.failed');
    expect(started.refused?.json().detail).toContain('內政部戶政司');
    expect(started.refused?.body).toContain('exchange.agency-suspended');
    await expect(
      platform.exchange.gateway.fetch({
        consentId: 'suspension-check',
        purpose: `${DPV}IdentityVerification`,
        subject: { nationalId: citizen.nationalId },
        datasets: [HOUSEHOLD],
      }),
    ).rejects.toMatchObject({ code: 'exchange.agency-suspended', params: { agencyId: 'moi-household' } });
    await call('POST', '/operator/organisations/moi-household/reinstatement', operator, {
      reason: 'Audit done',
    });
    await transferOk(citizen, b);
  });

  it('publishes a data provider on approval and registers it with the exchange', async () => {
    const signUp = await call('POST', '/onboarding/organisations', admin, {
      ...signUpBody('acme-records'),
      sector: 'business',
    });
    expect(signUp.statusCode, signUp.body).toBe(201);
    const agencyKeys = await generateServiceKeys();
    const sigOnly = { keys: [agencyKeys.publicJwks.keys[0]] };
    const dataset = {
      id: 'acme-records.membership',
      agencyId: 'acme-records',
      name: t('會員資料', 'Membership'),
      description: t('會員等級與加入日期。', 'Membership level and date joined.'),
      topic: 'identity',
      fields: [{ name: 'level', label: t('等級', 'Level'), type: 'string' }],
      payloadSchema: { type: 'object' },
      minAssurance: 'substantial',
      sensitivity: 'normal',
    };
    const body = {
      kind: 'data-provider',
      datasets: [dataset],
      endpoint: { baseUrl: 'https://127.0.0.1:9443', tlsSpkiSha256: [`${'A'.repeat(43)}=`] },
      jwks: sigOnly,
      securityContact: { name: 'Records desk', email: 'records@acme.example' },
    };
    const submit = (b: unknown) =>
      call('POST', '/onboarding/organisations/acme-records/applications', admin, b);
    expect(
      (await submit({ ...body, datasets: [{ ...dataset, agencyId: 'moi-household' }] })).json().code,
    ).toBe('onboarding.invalid-application');
    expect(
      (await submit({ ...body, datasets: [{ ...dataset, id: 'moi-household.membership' }] })).json().code,
    ).toBe('onboarding.subject-taken');
    expect(
      (await submit({ ...body, endpoint: { ...body.endpoint, baseUrl: 'http://127.0.0.1:9443' } })).json()
        .code,
    ).toBe('request.invalid');
    expect((await submit({ ...body, jwks: { keys: [{ kty: 'EC', kid: 'x' }] } })).json().code).toBe(
      'onboarding.jwks-invalid',
    );
    const filed = await submit(body);
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.json().sandbox).toBeNull();
    expect((await call('GET', '/datasets/acme-records.membership', null)).statusCode).toBe(404);
    const approved = await call('POST', `/operator/applications/${filed.json().id}/decision`, operator, {
      decision: 'approve',
      reason: 'ok',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await call('GET', '/datasets/acme-records.membership', null)).json()).toMatchObject({
      agencyId: 'acme-records',
    });
    const registered = await platform.exchange.gateway.registry.get('acme-records');
    expect(registered).toMatchObject({
      baseUrl: 'https://127.0.0.1:9443',
      jwks: { keys: [{ kid: agencyKeys.signingKey.kid }] },
    });
  });

  it('takes a counter service without redirect URIs or keys', async () => {
    const base = serviceApplication();
    const counter = {
      kind: 'service',
      service: { ...base.service, id: `${ORG}.branch-check`, mode: 'counter' },
      securityContact: base.securityContact,
    };
    const filed = await call('POST', `/onboarding/organisations/${ORG}/applications`, developer, counter);
    expect(filed.statusCode, filed.body).toBe(201);
    expect(filed.json().sandbox.serviceId).toBe(`${ORG}.branch-check-sandbox`);
    const approved = await call('POST', `/operator/applications/${filed.json().id}/decision`, operator, {
      decision: 'approve',
      reason: '',
    });
    expect(approved.statusCode, approved.body).toBe(200);
    expect((await call('GET', `/services/${ORG}.branch-check`, null)).json()).toMatchObject({
      mode: 'counter',
    });
    expect(await platform.onboarding.gate.isSandbox(`${ORG}.branch-check-sandbox`)).toBe(true);
    await expect(
      platform.onboarding.gate.assertOpen(
        { id: `${ORG}.branch-check-sandbox`, providerId: ORG },
        citizen.nationalId,
      ),
    ).rejects.toMatchObject({ code: 'onboarding.sandbox-persona-only' });
    await platform.onboarding.gate.assertOpen(
      { id: `${ORG}.branch-check-sandbox`, providerId: ORG },
      persona.nationalId,
    );
  });

  it('keeps an audit trail whose hash chain shows tampering', async () => {
    const trail = (await call('GET', '/operator/decisions', operator)).json();
    expect(trail.chain).toEqual({ valid: true, checked: trail.entries.length });
    expect(trail.entries[0].seq).toBe(trail.entries.length);
    expect(trail.entries.map((e: { action: string }) => e.action)).toContain('suspend');
    expect((await call('GET', '/operator/decisions', admin)).json().code).toBe('operator.forbidden');
    // The platform refuses to change a row; someone with the database's keys goes around it.
    await expect(
      sql`update integration_decisions set reason = 'nothing to see' where seq = 3`.execute(platform.db),
    ).rejects.toThrow(/append-only/);
    await sql`alter table integration_decisions disable trigger integration_decisions_append_only`.execute(
      platform.db,
    );
    await sql`update integration_decisions set reason = 'nothing to see' where seq = 3`.execute(platform.db);
    const broken = (await call('GET', '/operator/decisions', operator)).json();
    expect(broken.chain).toEqual({ valid: false, checked: 2, brokenAt: 3 });
  });
});
