import { nationalIdCheckDigit } from '@mydata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from '../http/app.ts';
import { createUsageRecorder } from '../log/record.ts';
import { createUsageLog, type UsageLog } from '../log/repository.ts';
import { createOutbox, createOutboxWorker, type OutboxWorker } from '../notify/outbox.ts';
import type { OutgoingMessage } from '../notify/senders.ts';
import type { IdentityChecks } from './documents.ts';
import { maskMobile } from './mobile-number.ts';
import { openIdentity, type PlatformIdentity } from './setup.ts';

const PUBLIC_URL = 'http://localhost:8080';
const START = new Date('2026-11-24T10:00:00Z');
const nationalId = (first9: string) => `${first9}${nationalIdCheckDigit(first9)}`;

interface Person {
  nationalId: string;
  mobileNumber: string;
  nhiCardNumber: string;
  householdNumber: string;
}
const person = (i: number): Person => ({
  nationalId: nationalId(`A1${String(2000000 + i).padStart(7, '0')}`),
  mobileNumber: `0912${String(100000 + i).padStart(6, '0')}`,
  nhiCardNumber: String(100000000000 + i),
  householdNumber: `F${String(1000000 + i).padStart(7, '0')}`,
});

/** The agencies' answers for a handful of people, as the telecom operator and NHI would give them. */
function fakeChecks(people: Person[]): IdentityChecks {
  const find = (id: string) => people.find((p) => p.nationalId === id);
  return {
    nhiCard: async () => false,
    twoDocuments: async (q) =>
      find(q.nationalId)?.nhiCardNumber === q.nhiCardNumber &&
      find(q.nationalId)?.householdNumber === q.householdNumber,
    mobileNumber: async (q) =>
      find(q.nationalId)?.mobileNumber === q.mobileNumber &&
      find(q.nationalId)?.nhiCardNumber === q.nhiCardNumber,
  };
}

describe('Mobile number sign-in (行動化驗證) with an SMS one-time code', () => {
  let t: TestDatabase;
  let app: App;
  let log: UsageLog;
  let identity: PlatformIdentity;
  let worker: OutboxWorker;
  const clock = { now: new Date(START) };
  const now = () => new Date(clock.now);
  const texts: OutgoingMessage[] = [];
  const people = Array.from({ length: 20 }, (_, i) => person(i));

  beforeAll(async () => {
    t = await createTestDatabase();
    const keys = generatePlatformKeys();
    log = createUsageLog({ db: t.db, keys, origin: 'mobile-number.test/log' });
    const outbox = createOutbox({ db: t.db, keys, now });
    identity = openIdentity({
      db: t.db,
      keys,
      usageLog: log,
      recorder: createUsageRecorder({ log, outbox }),
      publicUrl: PUBLIC_URL,
      timeouts: { idleSeconds: 900, absoluteSeconds: 12 * 3600 },
      checks: fakeChecks(people),
      now,
    });
    worker = createOutboxWorker({
      outbox,
      senders: { sms: { send: async (m) => void texts.push(m) } },
      usageLogUrl: `${PUBLIC_URL}/my/usage-log`,
      now,
    });
    app = await buildApp({
      config: loadConfig({ PUBLIC_URL, LOG_LEVEL: 'silent' }),
      db: t.db,
      usageLog: log,
      identity: identity.routes,
    });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const later = (seconds: number) => {
    clock.now = new Date(clock.now.getTime() + seconds * 1000);
  };

  let devices = 0;
  /** One browser, from an address of its own unless told: keeps its cookies and CSRF token. */
  function device(address = `10.9.${devices >> 8}.${devices++ & 255}`) {
    const jar = new Map<string, string>();
    let csrf: string | undefined;
    return {
      jar,
      async post(url: string, payload: object) {
        const res = await app.inject({
          method: 'POST',
          url,
          payload,
          remoteAddress: address,
          headers: {
            origin: PUBLIC_URL,
            ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
            ...(csrf ? { 'x-csrf-token': csrf } : {}),
          },
        });
        for (const c of res.cookies) {
          if (c.value === '' || c.maxAge === 0) jar.delete(c.name);
          else jar.set(c.name, c.value);
        }
        if (res.statusCode === 200 && res.json().csrfToken) csrf = res.json().csrfToken;
        return res;
      },
      sendCode(p: Person, extra: Partial<Person> = {}) {
        const { householdNumber: _h, ...body } = { ...p, ...extra };
        return this.post('/api/v1/identity/mobile-number/codes', body);
      },
      verify(codeId: string, code: string) {
        return this.post('/api/v1/identity/verify/mobile-number', { codeId, code });
      },
    };
  }

  /** Delivers the queued texts and returns the code sent to a number. */
  async function codeSentTo(mobileNumber: string): Promise<string> {
    await worker.runOnce();
    const text = texts.filter((m) => m.to === mobileNumber).at(-1)?.text ?? '';
    const code = /#(\d{6})$/.exec(text)?.[1];
    if (!code) throw new Error(`no code was texted to ${mobileNumber}`);
    return code;
  }

  const events = async (id: string) => (await log.listCitizenEntries(id, {})).items.map((i) => i.entry);
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('is offered, at assurance low', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/identity/methods' });
    expect(res.json().items).toContainEqual({ method: 'mobile-number', assurance: 'low' });
  });

  it('signs a first-time citizen in with mobile number and two documents, then with mobile number alone', async () => {
    const p = people[0] as Person;
    const d = device();
    const sent = await d.sendCode(p);
    expect(sent.statusCode).toBe(201);
    expect(sent.headers['cache-control']).toBe('no-store');
    expect(sent.json()).toMatchObject({
      expiresAt: new Date(START.getTime() + 300_000).toISOString(),
      resendAfter: new Date(clock.now.getTime() + 60_000).toISOString(),
      maxTries: 5,
      sentTo: maskMobile(p.mobileNumber),
    });
    const code = await codeSentTo(p.mobileNumber);
    const text = texts.filter((m) => m.to === p.mobileNumber).at(-1)?.text ?? '';
    expect(text).toContain(`您的登入驗證碼為 ${code}，5 分鐘內有效`);
    expect(text.endsWith(`@localhost #${code}`)).toBe(true);

    const first = await d.verify(sent.json().codeId, code);
    expect(first.json()).toEqual({
      status: 'second-method-required',
      verified: ['mobile-number'],
      candidates: ['nhi-card', 'two-documents'],
    });
    // The first use needs a different method: a second code is refused before any text is sent.
    const again = await d.sendCode(p);
    expect(again.json().code).toBe('identity.second-method-must-differ');

    const second = await d.post('/api/v1/identity/verify/two-documents', {
      nationalId: p.nationalId,
      nhiCardNumber: p.nhiCardNumber,
      householdNumber: p.householdNumber,
    });
    expect(second.json()).toMatchObject({
      status: 'signed-in',
      assurance: 'low',
      methods: ['mobile-number', 'two-documents'],
    });
    const signIn = (await events(p.nationalId)).find((e) => e.event === 'sign-in');
    expect(signIn?.details).toMatchObject({ methods: 'mobile-number,two-documents', firstUse: true });

    // Known now: one method is enough; the code is used once.
    later(61);
    const next = device();
    const resent = await next.sendCode(p);
    expect(resent.statusCode).toBe(201);
    const code2 = await codeSentTo(p.mobileNumber);
    const res = await next.verify(resent.json().codeId, code2);
    expect(res.json()).toMatchObject({ status: 'signed-in', assurance: 'low', methods: ['mobile-number'] });
    const replay = await device().verify(resent.json().codeId, code2);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ code: 'identity.otp-expired' });
    expect(replay.json().detail).toContain('already used');
  });

  it('never keeps the code or the number in plain text, and drops them from the outbox once sent', async () => {
    const p = people[1] as Person;
    const d = device();
    const sent = await d.sendCode(p);
    const queued = await t.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('status', '=', 'pending')
      .execute();
    expect(queued).toHaveLength(1);
    expect(JSON.stringify(queued)).not.toContain(p.mobileNumber);
    const code = await codeSentTo(p.mobileNumber);
    const rows = await t.db.selectFrom('identity_otp_codes').selectAll().execute();
    const outbox = await t.db.selectFrom('notification_outbox').selectAll().execute();
    const entries = await t.db.selectFrom('usage_log_entries').selectAll().execute();
    const attempts = await t.db.selectFrom('identity_attempts').selectAll().execute();
    for (const table of [rows, outbox, entries, attempts]) {
      const dump = JSON.stringify(table, (_k, v) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
      );
      expect(dump).not.toContain(p.mobileNumber);
      expect(dump).not.toContain(`"${code}"`);
      expect(dump).not.toContain(p.nationalId);
    }
    expect(outbox.every((r) => r.status !== 'sent' || r.sealed === null)).toBe(true);
    expect((await d.verify(sent.json().codeId, code)).json().status).toBe('second-method-required');
  });

  it('refuses a wrong code, says how many tries are left, and logs the failure', async () => {
    const p = people[2] as Person;
    const d = device();
    const sent = await d.sendCode(p);
    const code = await codeSentTo(p.mobileNumber);
    const res = await d.verify(sent.json().codeId, wrong(code));
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'identity.otp-incorrect' });
    expect(res.json().detail).toContain('還可再試 4 次');
    const failed = (await events(p.nationalId)).filter((e) => e.event === 'sign-in-failed');
    expect(failed.map((e) => e.details)).toEqual([
      { method: 'mobile-number', code: 'identity.otp-incorrect' },
    ]);
    // The right code still works within its tries.
    expect((await d.verify(sent.json().codeId, code)).json().status).toBe('second-method-required');
  });

  it('refuses an expired code', async () => {
    const p = people[3] as Person;
    const d = device();
    const sent = await d.sendCode(p);
    const code = await codeSentTo(p.mobileNumber);
    later(301);
    const res = await d.verify(sent.json().codeId, code);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.otp-expired');
    expect(res.json().detail).toContain('expired at');
    const failed = (await events(p.nationalId)).filter((e) => e.event === 'sign-in-failed');
    expect(failed.at(-1)?.details).toEqual({ method: 'mobile-number', code: 'identity.otp-expired' });
  });

  it('does not text a code that expired before it could be sent', async () => {
    const p = people[4] as Person;
    await device().sendCode(p);
    later(301);
    const before = texts.length;
    expect(await worker.runOnce()).toEqual({ sent: 0, retried: 0, dead: 1 });
    expect(texts.length).toBe(before);
  });

  it('allows 5 tries per code, the right one included', async () => {
    const p = people[5] as Person;
    const d = device();
    const sent = await d.sendCode(p);
    const code = await codeSentTo(p.mobileNumber);
    const left: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await d.verify(sent.json().codeId, wrong(code));
      expect(res.json().code).toBe('identity.otp-incorrect');
      left.push(/再試 (\d) 次/.exec(res.json().detail)?.[1] ?? '?');
    }
    expect(left).toEqual(['4', '3', '2', '1', '0']);
    const res = await d.verify(sent.json().codeId, code);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('identity.otp-exhausted');
    // Parallel guesses at a fresh code all count: at most 5 are tried.
    const q = people[15] as Person;
    const fresh = await d.sendCode(q);
    const freshCode = await codeSentTo(q.mobileNumber);
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        device(`10.0.5.${i}`).verify(fresh.json().codeId, wrong(freshCode)),
      ),
    );
    expect(burst.filter((r) => r.json().code === 'identity.otp-incorrect')).toHaveLength(5);
    expect(burst.filter((r) => r.json().code === 'identity.otp-exhausted')).toHaveLength(3);
  });

  it('refuses a number not registered to the citizen, sends nothing and logs the failure', async () => {
    const p = people[6] as Person;
    const other = people[7] as Person;
    await worker.runOnce();
    const before = texts.length;
    const res = await device().sendCode(p, { mobileNumber: other.mobileNumber });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.verification-failed');
    const wrongCard = await device().sendCode(p, { nhiCardNumber: other.nhiCardNumber });
    expect(wrongCard.json().code).toBe('identity.verification-failed');
    await worker.runOnce();
    expect(texts.length).toBe(before);
    const failed = (await events(p.nationalId)).filter((e) => e.event === 'sign-in-failed');
    expect(failed.map((e) => e.details)).toEqual([
      { method: 'mobile-number', code: 'identity.verification-failed' },
      { method: 'mobile-number', code: 'identity.verification-failed' },
    ]);
    expect(JSON.stringify(await events(p.nationalId))).not.toContain(other.mobileNumber);
  });

  it('sends a new code at most once a minute and five times an hour, each replacing the last', async () => {
    const p = people[8] as Person;
    const d = device();
    const first = await d.sendCode(p);
    const firstCode = await codeSentTo(p.mobileNumber);
    const tooSoon = await d.sendCode(p);
    expect(tooSoon.statusCode).toBe(429);
    expect(tooSoon.json().code).toBe('identity.otp-resend-limited');
    expect(tooSoon.headers['retry-after']).toBe('60');
    later(30);
    expect((await d.sendCode(p)).headers['retry-after']).toBe('30');
    later(30);
    const second = await d.sendCode(p);
    expect(second.statusCode).toBe(201);
    const replaced = await d.verify(first.json().codeId, firstCode);
    expect(replaced.json().code).toBe('identity.otp-expired');
    expect(replaced.json().detail).toContain('replaced by a newer code');
    for (let i = 0; i < 3; i++) {
      later(60);
      expect((await d.sendCode(p)).statusCode).toBe(201);
    }
    // Five in the hour that began at the first: the sixth waits for that hour to end.
    later(60);
    const sixth = await d.sendCode(p);
    expect(sixth.json().code).toBe('identity.otp-resend-limited');
    expect(Number(sixth.headers['retry-after'])).toBe(3600 - 4 * 60 - 60);
    later(3600 - 5 * 60);
    expect((await d.sendCode(p)).statusCode).toBe(201);
    // The limit is per citizen: someone else is not held up.
    expect((await d.sendCode(people[9] as Person)).statusCode).toBe(201);
  });

  it('rate-limits sending per client address, like two documents', async () => {
    const d = device('10.0.0.7');
    for (let i = 0; i < 10; i++) {
      const res = await d.sendCode(people[10 + (i % 2)] as Person, {
        mobileNumber: `0999${String(i).padStart(6, '0')}`,
      });
      expect(res.json().code).toBe('identity.verification-failed');
    }
    const res = await d.sendCode(people[11] as Person);
    expect(res.statusCode).toBe(429);
    expect(res.json().code).toBe('identity.rate-limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect((await device('10.0.0.8').sendCode(people[11] as Person)).statusCode).toBe(201);
  });

  it('locks the method for a citizen after 10 failures, logs the lock, and lifts it an hour later', async () => {
    const p = people[12] as Person;
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await device(`10.0.1.${i}`).sendCode(p, { mobileNumber: '0900000000' });
      codes.push(res.statusCode);
    }
    expect(codes.slice(0, 9).every((c) => c === 401)).toBe(true);
    expect(codes[9]).toBe(429);
    const locked = await device('10.0.2.1').sendCode(p);
    expect(locked.json().code).toBe('identity.locked-out');
    const lockout = (await events(p.nationalId)).find((e) => e.event === 'lockout');
    expect(lockout?.details).toMatchObject({ method: 'mobile-number', action: 'locked' });
    later(3601);
    expect((await device('10.0.2.2').sendCode(p)).statusCode).toBe(201);
  });

  it('texts in English when asked, and verifies within a session with its CSRF token', async () => {
    const p = people[16] as Person;
    const d = device();
    const first = await d.post('/api/v1/identity/verify/two-documents', {
      nationalId: p.nationalId,
      nhiCardNumber: p.nhiCardNumber,
      householdNumber: p.householdNumber,
    });
    expect(first.json().status).toBe('second-method-required');
    const body = { nationalId: p.nationalId, mobileNumber: p.mobileNumber, nhiCardNumber: p.nhiCardNumber };
    const sent = await d.post('/api/v1/identity/mobile-number/codes', { ...body, lang: 'en' });
    const code = await codeSentTo(p.mobileNumber);
    expect(texts.filter((m) => m.to === p.mobileNumber).at(-1)?.text).toMatch(
      /^\[MyData\] Your sign-in code is \d{6}, valid for 5 minutes\./,
    );
    expect((await d.verify(sent.json().codeId, code)).json()).toMatchObject({
      status: 'signed-in',
      methods: ['two-documents', 'mobile-number'],
    });

    later(61);
    const stolen = await app.inject({
      method: 'POST',
      url: '/api/v1/identity/mobile-number/codes',
      payload: body,
      headers: { origin: PUBLIC_URL, cookie: `mydata-session=${d.jar.get('mydata-session')}` },
    });
    expect(stolen.json().code).toBe('identity.csrf-rejected');
    const crossSite = await app.inject({
      method: 'POST',
      url: '/api/v1/identity/mobile-number/codes',
      payload: body,
      headers: { origin: 'https://evil.example' },
    });
    expect(crossSite.json().code).toBe('identity.csrf-rejected');
    const again = await d.post('/api/v1/identity/mobile-number/codes', body);
    expect(again.statusCode).toBe(201);
    const before = d.jar.get('mydata-session');
    const res = await d.verify(again.json().codeId, await codeSentTo(p.mobileNumber));
    expect(res.json()).toMatchObject({ status: 'signed-in', assurance: 'low' });
    expect(d.jar.get('mydata-session')).not.toBe(before);
    const signIns = (await events(p.nationalId)).filter((e) => e.event === 'sign-in');
    expect(signIns.map((e) => e.details?.stepUp ?? false).sort()).toEqual([false, true]);
  });

  it('answers an unknown code without naming anyone', async () => {
    const res = await device().verify('00000000-0000-4000-8000-000000000000', '123456');
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.otp-expired');
    const bad = await device().verify('not-a-uuid', '12345');
    expect(bad.json().code).toBe('request.invalid');
  });

  it('purges codes past their lifetime', async () => {
    await device().sendCode(people[13] as Person);
    later(301);
    const before = await t.db.selectFrom('identity_otp_codes').select('id').execute();
    expect(before.length).toBeGreaterThan(0);
    identity.start(20);
    let left = before;
    for (let i = 0; i < 100 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      left = await t.db.selectFrom('identity_otp_codes').select('id').execute();
    }
    identity.stop();
    expect(left).toEqual([]);
  });
});
