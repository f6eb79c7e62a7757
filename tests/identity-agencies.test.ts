import { IDENTITY_CHECKS } from '@mydata/core';
import { demoNhiPin } from '@mydata/demo';
import {
  buildApp,
  createExchangeIdentityChecks,
  createOutbox,
  createUsageLog,
  createUsageRecorder,
  generatePlatformKeys,
  loadConfig,
  openIdentity,
} from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './exchange-harness.ts';

describe('NHI card and two documents checked by the demo agencies over mutual TLS', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  beforeAll(async () => {
    h = await createHarness({ demoAgencies: ['nhia', 'moi-household'], populationSize: 60 });
    const keys = generatePlatformKeys();
    const log = createUsageLog({ db: h.database.db, keys, origin: 'identity-agencies.test/log' });
    const identity = openIdentity({
      db: h.database.db,
      keys,
      usageLog: log,
      recorder: createUsageRecorder({ log, outbox: createOutbox({ db: h.database.db, keys }) }),
      publicUrl: 'http://localhost:8080',
      timeouts: { idleSeconds: 900, absoluteSeconds: 3600 },
      checks: createExchangeIdentityChecks(h.gateway),
    });
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      db: h.database.db,
      usageLog: log,
      identity: identity.routes,
    });
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const post = (method: string, payload: object, cookie?: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/identity/verify/${method}`,
      payload,
      headers: cookie ? { cookie } : {},
    });

  it('signs a new citizen in with NHI card + PIN and then two documents', async () => {
    const c = h.population.citizen(3);
    const pin = demoNhiPin(h.population.seed, c.nationalId);
    const first = await post('nhi-card', { nationalId: c.nationalId, cardNumber: c.nhiCardNumber, pin });
    expect(first.json()).toMatchObject({ status: 'second-method-required' });
    const flow = first.cookies.find((k) => k.name === 'mydata-signin');
    const second = await post(
      'two-documents',
      { nationalId: c.nationalId, nhiCardNumber: c.nhiCardNumber, householdNumber: c.household.number },
      `mydata-signin=${flow?.value}`,
    );
    expect(second.json()).toMatchObject({ status: 'signed-in', assurance: 'substantial' });
  });

  it('refuses a wrong PIN, a wrong household number and an unknown person', async () => {
    const c = h.population.citizen(4);
    const pin = demoNhiPin(h.population.seed, c.nationalId);
    const wrongPin = await post('nhi-card', {
      nationalId: c.nationalId,
      cardNumber: c.nhiCardNumber,
      pin: pin === '000000' ? '000001' : '000000',
    });
    expect(wrongPin.statusCode).toBe(401);
    expect(wrongPin.json().code).toBe('identity.verification-failed');
    const wrongHousehold = await post('two-documents', {
      nationalId: c.nationalId,
      nhiCardNumber: c.nhiCardNumber,
      householdNumber: 'Z0000000',
    });
    expect(wrongHousehold.json().code).toBe('identity.verification-failed');
    const nobody = await post('two-documents', {
      nationalId: 'A123456789',
      nhiCardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
    });
    expect(nobody.json().code).toBe('identity.verification-failed');
  });

  it('keeps the checks in the message log without the PIN', async () => {
    const c = h.population.citizen(5);
    const pin = demoNhiPin(h.population.seed, c.nationalId);
    expect(
      await h.gateway.checkIdentity({
        agencyId: 'nhia',
        check: IDENTITY_CHECKS.nhiCardPin,
        nationalId: c.nationalId,
        claims: { cardNumber: c.nhiCardNumber, pin },
      }),
    ).toBe(true);
    const rows = await h.database.db.selectFrom('exchange_message_log').selectAll().execute();
    const checks = rows.filter((r) => String(r.dataset_id) === IDENTITY_CHECKS.nhiCardPin);
    expect(checks.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(`"${pin}"`);
    await expect(
      h.gateway.checkIdentity({
        agencyId: 'nhia',
        check: 'no-such-check',
        nationalId: c.nationalId,
        claims: {},
      }),
    ).rejects.toMatchObject({ code: 'exchange.not-permitted' });
  });
});
