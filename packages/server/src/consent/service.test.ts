import { createHash } from 'node:crypto';
import {
  AppError,
  PACKAGE_JWS_TYPE,
  pairwiseSubject,
  RECEIPT_JWS_TYPE,
  WEBHOOK_JWS_TYPE,
} from '@mydata/core';
import {
  CompactSign,
  compactDecrypt,
  createLocalJWKSet,
  decodeProtectedHeader,
  importJWK,
  jwtVerify,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../notify/outbox.ts';
import { createWebhookSender } from '../notify/senders.ts';
import {
  agencyDown,
  createConsentFixture,
  HOUSEHOLD,
  INCOME,
  ISSUER,
  NATIONAL_ID,
  PURPOSE,
  SERVICE_ID,
  WEBHOOK_URL,
} from './testing.ts';

type Fixture = Awaited<ReturnType<typeof createConsentFixture>>;

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

/** Sends the queued webhooks through the real sender over a fetch stand-in; returns what was posted. */
async function deliverWebhooks(f: Fixture) {
  const posted: { url: string; contentType: string; body: string; idempotencyKey: string }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    const headers = init.headers as Record<string, string>;
    posted.push({
      url,
      contentType: headers['content-type'] ?? '',
      body: String(init.body),
      idempotencyKey: headers['idempotency-key'] ?? '',
    });
    return new Response(null, { status: 204 });
  }) as unknown as typeof fetch;
  const worker = createOutboxWorker({
    outbox: f.outbox,
    senders: { webhook: createWebhookSender({ fetchImpl }) },
    usageLogUrl: `${ISSUER}/usage-log`,
  });
  await worker.runOnce();
  return posted;
}

async function webhookClaims(f: Fixture, body: string) {
  const jwks = createLocalJWKSet({ keys: [f.service.publicJwk] });
  const { payload, protectedHeader } = await jwtVerify(body, jwks, {
    issuer: ISSUER,
    audience: SERVICE_ID,
    typ: WEBHOOK_JWS_TYPE,
  });
  expect(protectedHeader.kid).toBe(f.keys.oauthSigning.kid);
  return payload as { event: string; consentId: string; sub: string };
}

async function entries(f: Fixture) {
  return (await f.recorder.citizenView(NATIONAL_ID)).items;
}

describe('The consent service', () => {
  let f: Fixture;
  let citizenId: string;
  const subject = () => pairwiseSubject(f.pairwiseKey, f.identity.repo.citizenRef(NATIONAL_ID), SERVICE_ID);

  beforeAll(async () => {
    f = await createConsentFixture();
    ({ citizenId } = await f.signIn());
  });
  afterAll(() => f.close());

  it('describes a request as the consent screen shows it', async () => {
    const screen = await f.service.describeRequest(f.request().detail, SERVICE_ID);
    expect(screen.service).toMatchObject({ id: SERVICE_ID, mode: 'online', provider: { id: 'firstbank' } });
    expect(screen.purpose.dpv).toBe(PURPOSE);
    expect(screen.oneTime).toBe(true);
    expect(screen.datasets.map((d) => [d.id, d.required, d.agency.id, d.minAssurance])).toEqual([
      [INCOME, true, 'mof-fia', 'high'],
      [HOUSEHOLD, false, 'moi-household', 'substantial'],
    ]);
    expect(screen.datasets[0]?.fields.map((f) => f.name)).toEqual(['total']);
  });

  it('refuses requests the catalogue does not approve, with the consent codes', async () => {
    const detail = f.request().detail;
    const codes = await Promise.all(
      [
        { ...detail, datasets: [INCOME, 'moi-household.other'] },
        { ...detail, datasets: [HOUSEHOLD] },
        { ...detail, purpose: 'https://w3id.org/dpv#Marketing' },
        { ...detail, mode: 'counter' },
        { ...detail, datasets: [] },
        { ...detail, type: 'other' },
      ].map(async (d) => (await rejection(f.service.describeRequest(d as never, SERVICE_ID))).code),
    );
    expect(codes).toEqual([
      'consent.dataset-not-approved',
      'consent.required-dataset-missing',
      'consent.purpose-not-approved',
      'consent.mode-not-supported',
      'consent.invalid-authorization-details',
      'consent.invalid-authorization-details',
    ]);
  });

  it('refuses a choice that leaves out a required dataset or adds one not requested', async () => {
    const missing = await rejection(f.service.accept({ ...f.request([HOUSEHOLD]), citizenId }));
    expect([missing.code, missing.params.datasetId]).toEqual(['consent.required-dataset-missing', INCOME]);
    const extra = await rejection(f.service.accept({ ...f.request([INCOME, 'mof-fia.other']), citizenId }));
    expect(extra.code).toBe('consent.dataset-not-requested');
  });

  it('accepts, collects, seals a package for the service, and hands it over once', async () => {
    const result = await f.service.accept({ ...f.request(), citizenId });
    expect(result.ready).toBe(true);
    const { consent } = result;
    expect(consent).toMatchObject({
      status: 'active',
      service: { id: SERVICE_ID },
      provider: { id: 'firstbank' },
      purpose: { dpv: PURPOSE },
    });
    expect(consent.datasets.map((d) => d.id)).toEqual([INCOME, HOUSEHOLD]);
    expect(f.gateway.state.calls.at(-1)).toEqual({
      consentId: consent.id,
      purpose: PURPOSE,
      subject: { nationalId: NATIONAL_ID },
      datasets: [INCOME, HOUSEHOLD],
    });

    // The consent row holds no national ID.
    const row = await f.db
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', consent.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(NATIONAL_ID);

    // The receipt verifies and names the pairwise subject.
    const receiptJws = await f.service.receipt(consent.id, citizenId);
    expect(decodeProtectedHeader(receiptJws)).toMatchObject({ alg: 'ES256', typ: RECEIPT_JWS_TYPE });
    const verified = await f.service.verifyReceipt(receiptJws);
    expect(verified.valid).toBe(true);
    if (!verified.valid) return;
    expect(verified.receipt).toMatchObject({
      receiptId: consent.id,
      jurisdiction: 'TW',
      subject: subject(),
      controller: { id: 'firstbank' },
      service: { id: SERVICE_ID },
      purposes: [{ dpv: PURPOSE }],
      oneTime: true,
      status: 'given',
      collectionMethod: 'platform-consent-screen',
      assurance: { level: 'substantial', methods: ['nhi-card'] },
    });
    expect(verified.receipt.datasets).toEqual([
      { id: INCOME, agencyId: 'mof-fia', fields: ['total'], required: true },
      { id: HOUSEHOLD, agencyId: 'moi-household', fields: ['name', 'address'], required: false },
    ]);
    expect(JSON.stringify(verified.receipt)).not.toContain(NATIONAL_ID);

    const jwe = await f.service.takePackage(consent.id, SERVICE_ID);
    expect(decodeProtectedHeader(jwe)).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: PACKAGE_JWS_TYPE,
      kid: f.enc.publicJwk.kid,
    });
    const { plaintext } = await compactDecrypt(jwe, f.enc.privateKey);
    const { payload, protectedHeader } = await jwtVerify(
      new TextDecoder().decode(plaintext),
      createLocalJWKSet({ keys: [f.service.publicJwk] }),
      { issuer: ISSUER, audience: SERVICE_ID, typ: PACKAGE_JWS_TYPE },
    );
    expect(protectedHeader.kid).toBe(f.keys.oauthSigning.kid);
    expect(payload).toMatchObject({
      sub: subject(),
      service: SERVICE_ID,
      purpose: PURPOSE,
      mode: 'online',
      consent: {
        id: consent.id,
        receiptSha256: createHash('sha256').update(receiptJws).digest('base64url'),
      },
    });
    expect(payload.exp).toBe(Math.floor(Date.parse(consent.expiresAt) / 1000));
    const datasets = payload.datasets as {
      datasetId: string;
      data: unknown;
      agency: { responseBody: string };
    }[];
    expect(datasets.map((d) => d.datasetId)).toEqual([INCOME, HOUSEHOLD]);
    expect(datasets[0]?.data).toEqual({ total: 1_234_567 });
    expect(JSON.parse(datasets[0]?.agency.responseBody ?? '')).toEqual({
      datasetId: INCOME,
      payload: { total: 1_234_567 },
    });

    expect((await f.service.get(consent.id, citizenId)).status).toBe('used');
    expect(await f.db.selectFrom('consent_packages').selectAll().execute()).toEqual([]);
    const second = await rejection(f.service.takePackage(consent.id, SERVICE_ID));
    expect([second.code, second.status, second.params.status]).toEqual([
      'transfer.package-gone',
      410,
      'used',
    ]);

    const logged = (await entries(f)).filter((e) => e.entry.consentId === consent.id);
    const given = logged.find((e) => e.entry.event === 'consent-given');
    const transfer = logged.find((e) => e.entry.event === 'transfer');
    expect(given?.entry).toMatchObject({ serviceId: SERVICE_ID, purpose: PURPOSE, outcome: 'success' });
    expect(transfer?.entry).toMatchObject({
      outcome: 'success',
      serviceId: SERVICE_ID,
      agencyIds: ['mof-fia', 'moi-household'],
      datasets: [INCOME, HOUSEHOLD].sort(),
    });
    expect(transfer?.notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);

    // The public statistics count the one transfer, once as a whole and once per dataset it carried.
    const counted = await f.db
      .selectFrom('usage_counters')
      .select(['dataset_id', 'service_id', 'count'])
      .where('kind', '=', 'transfer')
      .orderBy('dataset_id')
      .execute();
    expect(counted).toEqual(
      ['*', HOUSEHOLD, INCOME].sort().map((d) => ({ dataset_id: d, service_id: SERVICE_ID, count: 1 })),
    );
  });

  it('lets exactly one of two concurrent takes have the package', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    const outcomes = await Promise.allSettled([
      f.service.takePackage(consent.id, SERVICE_ID),
      f.service.takePackage(consent.id, SERVICE_ID),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect((failed.reason as AppError).code).toBe('transfer.package-gone');
    const transfers = (await entries(f)).filter(
      (e) => e.entry.consentId === consent.id && e.entry.event === 'transfer',
    );
    expect(transfers).toHaveLength(1);
  });

  it('refuses a package to another client', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    expect((await rejection(f.service.takePackage(consent.id, 'other.service'))).code).toBe(
      'transfer.invalid-token',
    );
    expect((await rejection(f.service.takePackage('no-such-consent', SERVICE_ID))).code).toBe(
      'transfer.invalid-token',
    );
  });

  it('keeps a consent pending with the agency named when collection fails, and a retry succeeds', async () => {
    await deliverWebhooks(f);
    f.gateway.state.failNext.push(agencyDown());
    const failed = await f.service.accept({ ...f.request(), citizenId });
    expect(failed.ready).toBe(false);
    if (failed.ready) return;
    expect(failed.error.code).toBe('exchange.agency-unreachable');
    expect(failed.error.params.agencyId).toBe('mof-fia');
    expect(failed.consent.status).toBe('pending');
    expect(failed.consent.problem).toMatchObject({
      code: 'exchange.agency-unreachable',
      params: { agencyId: 'mof-fia' },
    });
    const id = failed.consent.id;
    expect((await f.service.list(citizenId, 'pending')).map((c) => c.id)).toContain(id);

    const notReady = await rejection(f.service.takePackage(id, SERVICE_ID));
    expect([notReady.code, notReady.status]).toEqual(['transfer.package-not-ready', 425]);

    const failure = (await entries(f)).find((e) => e.entry.consentId === id && e.entry.event === 'transfer');
    expect(failure?.entry).toMatchObject({
      outcome: 'failure',
      agencyIds: ['mof-fia'],
      details: { code: 'exchange.agency-unreachable', agency: '財政部財政資訊中心' },
    });
    // A failed collection is not news to the citizen, who sees it on screen: no notification.
    expect(failure?.notifications).toEqual([]);

    const posted = await deliverWebhooks(f);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ url: WEBHOOK_URL, contentType: 'application/jwt' });
    expect(await webhookClaims(f, posted[0]?.body ?? '')).toMatchObject({
      event: 'transfer.failed',
      consentId: id,
      sub: subject(),
    });

    const retried = await f.service.retry(id, citizenId);
    expect(retried.ready).toBe(true);
    expect(retried.consent.status).toBe('active');
    expect(retried.consent.problem).toBeUndefined();
    expect(typeof (await f.service.takePackage(id, SERVICE_ID))).toBe('string');
    expect((await rejection(f.service.retry(id, citizenId))).code).toBe('consent.not-withdrawable');
  });

  it('withdraws: package deleted, logged and notified, webhook queued, grant listeners told', async () => {
    await deliverWebhooks(f);
    const told: unknown[] = [];
    f.service.onWithdrawn(async (c) => {
      told.push(c);
    });
    const { consent } = await f.service.accept({ ...f.request(), citizenId });
    await f.service.attachGrant(consent.id, 'grant-1');
    const view = await f.service.withdraw(consent.id, citizenId, 'withdrawn');
    expect(view.status).toBe('withdrawn');
    expect(told).toEqual([{ id: consent.id, clientId: SERVICE_ID, grantId: 'grant-1' }]);
    expect(
      await f.db.selectFrom('consent_packages').selectAll().where('consent_id', '=', consent.id).execute(),
    ).toEqual([]);
    const gone = await rejection(f.service.takePackage(consent.id, SERVICE_ID));
    expect([gone.code, gone.params.status]).toEqual(['transfer.package-gone', 'withdrawn']);

    const withdrawn = (await entries(f)).find(
      (e) => e.entry.consentId === consent.id && e.entry.event === 'consent-withdrawn',
    );
    expect(withdrawn?.entry.details).toEqual({ reason: 'withdrawn', previousStatus: 'active' });
    expect(withdrawn?.notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);

    const posted = await deliverWebhooks(f);
    expect(posted).toHaveLength(1);
    expect(await webhookClaims(f, posted[0]?.body ?? '')).toMatchObject({
      event: 'consent.withdrawn',
      consentId: consent.id,
    });

    const again = await rejection(f.service.withdraw(consent.id, citizenId));
    expect([again.code, again.status, again.params.status]).toEqual([
      'consent.not-withdrawable',
      409,
      'withdrawn',
    ]);
  });

  it('refuses to withdraw a used consent, and hides consents of other citizens', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    await f.service.takePackage(consent.id, SERVICE_ID);
    const used = await rejection(f.service.withdraw(consent.id, citizenId));
    expect([used.code, used.status, used.params.status]).toEqual(['consent.not-withdrawable', 409, 'used']);

    const other = await f.signIn('B223456780');
    expect((await rejection(f.service.get(consent.id, other.citizenId))).code).toBe('consent.not-found');
    expect((await rejection(f.service.withdraw(consent.id, other.citizenId))).code).toBe('consent.not-found');
    expect(await f.service.list(other.citizenId)).toEqual([]);
  });

  it('drops the data of a consent withdrawn while the agencies answer', async () => {
    let release = () => {};
    f.gateway.state.hold = new Promise<void>((r) => {
      release = r;
    });
    const accepting = f.service.accept({ ...f.request([INCOME]), citizenId });
    let pending: string | undefined;
    for (let i = 0; i < 100 && !pending; i += 1) {
      await new Promise((r) => setTimeout(r, 10));
      pending = (await f.service.list(citizenId, 'pending'))[0]?.id;
    }
    expect(pending).toBeDefined();
    await f.service.withdraw(pending as string, citizenId, 'cancelled');
    f.gateway.state.hold = undefined;
    release();
    const result = await accepting;
    expect(result.ready).toBe(false);
    expect(result.consent.status).toBe('withdrawn');
    expect(
      await f.db
        .selectFrom('consent_packages')
        .selectAll()
        .where('consent_id', '=', pending as string)
        .execute(),
    ).toEqual([]);
  });

  it('lists the citizen’s consents newest first, filtered by status', async () => {
    const all = await f.service.list(citizenId);
    expect(all.length).toBeGreaterThan(4);
    const times = all.map((c) => c.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await f.service.list(citizenId, 'used')).every((c) => c.status === 'used')).toBe(true);
  });

  it('tells a tampered, foreign or non-canonical receipt from a valid one', async () => {
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    const jws = await f.service.receipt(consent.id, citizenId);
    const [header, payload, signature] = jws.split('.') as [string, string, string];
    const record = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));

    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...record, retentionDays: 1 })).toString('base64url')}.${signature}`;
    expect(await f.service.verifyReceipt(tampered)).toMatchObject({ valid: false });
    expect(await f.service.verifyReceipt('not.a.jws')).toMatchObject({ valid: false });

    const key = await importJWK(f.keys.oauthSigning as never, 'ES256');
    const sign = (text: string, typ: string) =>
      new CompactSign(new TextEncoder().encode(text))
        .setProtectedHeader({ alg: 'ES256', typ, kid: f.keys.oauthSigning.kid })
        .sign(key);
    const canonical = Buffer.from(payload, 'base64url').toString('utf8');
    expect(await f.service.verifyReceipt(await sign(canonical, RECEIPT_JWS_TYPE))).toMatchObject({
      valid: true,
    });
    const wrongTyp = await f.service.verifyReceipt(await sign(canonical, PACKAGE_JWS_TYPE));
    expect(wrongTyp).toMatchObject({
      valid: false,
      reason: expect.stringContaining('not a consent receipt'),
    });
    const pretty = await f.service.verifyReceipt(
      await sign(JSON.stringify(record, null, 2), RECEIPT_JWS_TYPE),
    );
    expect(pretty).toMatchObject({ valid: false, reason: expect.stringContaining('canonical') });

    const otherKey = await createConsentFixture();
    try {
      const { citizenId: c2 } = await otherKey.signIn();
      const { consent: foreign } = await otherKey.service.accept({
        ...otherKey.request([INCOME]),
        citizenId: c2,
      });
      const foreignJws = await otherKey.service.receipt(foreign.id, c2);
      expect(await f.service.verifyReceipt(foreignJws)).toMatchObject({ valid: false });
    } finally {
      await otherKey.close();
    }
  });
});

describe('Consent expiry', () => {
  const clock = { now: new Date('2026-03-01T09:00:00Z') };
  let f: Fixture;
  let citizenId: string;

  beforeAll(async () => {
    f = await createConsentFixture({ clock, packageTtlSeconds: 600 });
    ({ citizenId } = await f.signIn());
  });
  afterAll(() => f.close());

  it('expires pending and active consents after the package lifetime and tells the service', async () => {
    const active = await f.service.accept({ ...f.request([INCOME]), citizenId });
    f.gateway.state.failNext.push(agencyDown());
    const pending = await f.service.accept({ ...f.request([INCOME]), citizenId });
    expect([active.consent.status, pending.consent.status]).toEqual(['active', 'pending']);
    expect(active.consent.expiresAt).toBe('2026-03-01T09:10:00.000Z');

    clock.now = new Date('2026-03-01T09:09:59Z');
    expect(await f.service.expireDue()).toBe(0);
    clock.now = new Date('2026-03-01T09:10:00Z');
    expect(await f.service.expireDue()).toBe(2);
    expect(await f.service.expireDue()).toBe(0);

    expect((await f.service.get(active.consent.id, citizenId)).status).toBe('expired');
    expect(await f.db.selectFrom('consent_packages').selectAll().execute()).toEqual([]);
    const gone = await rejection(f.service.takePackage(active.consent.id, SERVICE_ID));
    expect([gone.code, gone.params.status]).toEqual(['transfer.package-gone', 'expired']);
    expect((await rejection(f.service.retry(pending.consent.id, citizenId))).code).toBe(
      'consent.not-withdrawable',
    );
    expect((await rejection(f.service.withdraw(pending.consent.id, citizenId))).code).toBe(
      'consent.not-withdrawable',
    );

    const posted = await deliverWebhooks(f);
    const events = await Promise.all(posted.map((p) => webhookClaims(f, p.body)));
    expect(
      events
        .filter((e) => e.event === 'consent.expired')
        .map((e) => e.consentId)
        .sort(),
    ).toEqual([active.consent.id, pending.consent.id].sort());
  });

  it('refuses an overdue package even before the sweeper has run', async () => {
    clock.now = new Date('2026-03-01T10:00:00Z');
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    clock.now = new Date('2026-03-01T10:10:01Z');
    const gone = await rejection(f.service.takePackage(consent.id, SERVICE_ID));
    expect([gone.code, gone.params.status]).toEqual(['transfer.package-gone', 'expired']);
    expect((await f.service.get(consent.id, citizenId)).status).toBe('expired');
  });

  it('ends an overdue pending consent when the citizen retries it', async () => {
    clock.now = new Date('2026-03-01T11:00:00Z');
    f.gateway.state.failNext.push(agencyDown());
    const { consent } = await f.service.accept({ ...f.request([INCOME]), citizenId });
    clock.now = new Date('2026-03-01T11:10:00Z');
    const late = await rejection(f.service.retry(consent.id, citizenId));
    expect([late.code, late.params.status]).toEqual(['consent.not-withdrawable', 'expired']);
    expect((await f.service.get(consent.id, citizenId)).status).toBe('expired');
  });
});
