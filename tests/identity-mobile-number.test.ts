import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDENTITY_CHECKS } from '@mydata/core';
import { type Mailbox, ORGANISATION_IDS, startMailbox } from '@mydata/demo';
import {
  buildApp,
  createExchangeIdentityChecks,
  loadConfig,
  openIdentity,
  openUsageLog,
  type PlatformUsageLog,
} from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './exchange-harness.ts';

const PUBLIC_URL = 'http://localhost:8080';

/** The whole path: the demo telecom operator and NHI over mutual TLS, the code by SMS into the demo mailbox. */
describe('Mobile number sign-in against the demo agencies and the demo mailbox', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  let mailbox: Mailbox;
  let usage: PlatformUsageLog;
  let app: Awaited<ReturnType<typeof buildApp>>;
  const dir = mkdtempSync(join(tmpdir(), 'mydata-mobile-number-'));

  beforeAll(async () => {
    h = await createHarness({
      demoAgencies: [ORGANISATION_IDS.healthInsurance, ORGANISATION_IDS.telecom],
      populationSize: 60,
    });
    mailbox = await startMailbox();
    const config = loadConfig({
      PUBLIC_URL,
      LOG_LEVEL: 'silent',
      MYDATA_DATA_DIR: dir,
      SMTP_URL: mailbox.smtpUrl,
      SMS_GATEWAY_URL: mailbox.smsUrl,
    });
    usage = openUsageLog({ config, db: h.database.db });
    const identity = openIdentity({
      db: h.database.db,
      keys: usage.keys,
      usageLog: usage.log,
      recorder: usage.recorder,
      publicUrl: PUBLIC_URL,
      timeouts: { idleSeconds: 900, absoluteSeconds: 3600 },
      checks: createExchangeIdentityChecks(h.gateway),
    });
    app = await buildApp({ config, db: h.database.db, usageLog: usage.log, identity: identity.routes });
  });
  afterAll(async () => {
    await app.close();
    await usage.stop();
    await mailbox.close();
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (url: string, payload: object, cookie?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload,
      headers: { origin: PUBLIC_URL, ...(cookie ? { cookie } : {}) },
    });
  const citizens = () =>
    Array.from({ length: h.population.size }, (_, i) => h.population.citizen(i)).filter((c) => c.mobile);

  it('runs the telecom operator as a demo agency that answers only whether a number is the citizen’s', async () => {
    expect(h.demo.agencies.find((a) => a.agencyId === ORGANISATION_IDS.telecom)?.datasetIds).toEqual([]);
    const [c, other] = citizens();
    const ask = (nationalId: string, mobileNumber: string) =>
      h.gateway.checkIdentity({
        agencyId: ORGANISATION_IDS.telecom,
        check: IDENTITY_CHECKS.mobileNumber,
        nationalId,
        claims: { mobileNumber },
      });
    expect(await ask(c?.nationalId as string, c?.mobile as string)).toBe(true);
    expect(await ask(c?.nationalId as string, other?.mobile as string)).toBe(false);
    const child = Array.from({ length: h.population.size }, (_, i) => h.population.citizen(i)).find(
      (x) => x.mobile === null,
    );
    if (child) expect(await ask(child.nationalId, '0912345678')).toBe(false);
  });

  it('texts the code to the mailbox’s SMS sink and signs in with it', async () => {
    const c = citizens()[2];
    if (!c?.mobile) throw new Error('no citizen with a mobile number');
    const sent = await post('/api/v1/identity/mobile-number/codes', {
      nationalId: c.nationalId,
      mobileNumber: c.mobile,
      nhiCardNumber: c.nhiCardNumber,
    });
    expect(sent.statusCode).toBe(201);
    expect(await usage.deliverNow()).toMatchObject({ sent: 1 });
    const sms = mailbox.messages().find((m) => m.kind === 'sms' && m.to === c.mobile);
    const code = /#(\d{6})$/.exec(sms?.text ?? '')?.[1];
    expect(sms?.text).toContain('【MyData】您的登入驗證碼為');
    expect(code).toMatch(/^\d{6}$/);
    const res = await post('/api/v1/identity/verify/mobile-number', { codeId: sent.json().codeId, code });
    expect(res.json()).toMatchObject({ status: 'second-method-required', verified: ['mobile-number'] });

    // The message log keeps each check, but neither the number nor the code.
    const rows = await h.database.db.selectFrom('exchange_message_log').selectAll().execute();
    expect(rows.some((r) => String(r.dataset_id) === IDENTITY_CHECKS.mobileNumber)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(c.mobile);
  });

  it('refuses a number that is someone else’s, or a card number that is not the citizen’s', async () => {
    const [c, other] = citizens().slice(4);
    if (!c?.mobile || !other?.mobile) throw new Error('no citizens with mobile numbers');
    const before = mailbox.messages().length;
    for (const body of [
      { nationalId: c.nationalId, mobileNumber: other.mobile, nhiCardNumber: c.nhiCardNumber },
      { nationalId: c.nationalId, mobileNumber: c.mobile, nhiCardNumber: other.nhiCardNumber },
    ]) {
      const res = await post('/api/v1/identity/mobile-number/codes', body);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('identity.verification-failed');
    }
    await usage.deliverNow();
    expect(mailbox.messages().length).toBe(before);
  });
});
