import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from '../http/app.ts';
import { createSessionGuard, csrfTokenFor } from '../identity/http.ts';
import { openIdentity, type PlatformIdentity } from '../identity/setup.ts';
import { createOutbox, createOutboxWorker, type Outbox } from '../notify/outbox.ts';
import type { OutgoingMessage } from '../notify/senders.ts';
import { createUsageRecorder, type UsageRecorder } from './record.ts';
import { canonicalEntry, createUsageLog, type UsageLog } from './repository.ts';

const PUBLIC_URL = 'http://localhost:8080';
const ME = 'A123456789';
const SOMEONE_ELSE = 'B223456789';

/** RFC 9162 §2.1.3.2, iteratively, as a client does it: independent of the tree code under test. */
function rootFromInclusion(leaf: Buffer, index: number, size: number, path: Buffer[]): Buffer {
  const h = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
  let fn = index;
  let sn = size - 1;
  let r = h(Buffer.from([0]), leaf);
  for (const p of path) {
    if (fn % 2 === 1 || fn === sn) {
      r = h(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else r = h(Buffer.from([1]), r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return r;
}

describe("The citizen's own usage log and contact details", () => {
  let t: TestDatabase;
  let app: App;
  let log: UsageLog;
  let outbox: Outbox;
  let recorder: UsageRecorder;
  let identity: PlatformIdentity;
  let me: { citizenId: string; cookie: string; csrf: string };

  async function signIn(nationalId: string) {
    const at = new Date();
    const { citizenId, token } = await t.db.transaction().execute(async (tx) => {
      const { citizenId } = await identity.repo.recordVerification(tx, nationalId, ['nhi-card'], at);
      const s = await identity.repo.createSession(tx, {
        citizenId,
        assurance: 'substantial',
        methods: ['nhi-card'],
        at,
      });
      return { citizenId, token: s.token };
    });
    return { citizenId, cookie: `mydata-session=${token}`, csrf: csrfTokenFor(token) };
  }

  beforeAll(async () => {
    t = await createTestDatabase();
    const keys = generatePlatformKeys();
    log = createUsageLog({ db: t.db, keys, origin: 'localhost/mydata-usage-log' });
    outbox = createOutbox({ db: t.db, keys });
    recorder = createUsageRecorder({ log, outbox });
    identity = openIdentity({
      db: t.db,
      keys,
      usageLog: log,
      recorder,
      publicUrl: PUBLIC_URL,
      timeouts: { idleSeconds: 900, absoluteSeconds: 3600 },
    });
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL }),
      db: t.db,
      usageLog: log,
      identity: identity.routes,
      citizenLog: {
        recorder,
        verifierKey: log.verifierKey,
        requireSession: createSessionGuard({ service: identity.service, publicUrl: PUBLIC_URL }),
        nationalIdOf: (id) => identity.repo.nationalIdOf(id),
      },
    });
    me = await signIn(ME);
    const day = (d: string) => new Date(`${d}T10:00:00+08:00`);
    await recorder.record({
      citizenId: ME,
      event: 'download',
      datasets: ['moi.household'],
      occurredAt: day('2026-11-01'),
    });
    await recorder.record({ citizenId: ME, event: 'sign-in', occurredAt: day('2026-11-02') });
    await recorder.record({ citizenId: SOMEONE_ELSE, event: 'download', occurredAt: day('2026-11-02') });
    await recorder.record(
      { citizenId: ME, event: 'transfer', serviceId: 'firstbank.loan', occurredAt: day('2026-11-03') },
      { notify: { email: 'me@example.org' } },
    );
    await recorder.record({
      citizenId: ME,
      event: 'sign-in-failed',
      outcome: 'failure',
      occurredAt: day('2026-11-04'),
    });
    await log.sequenceAll();
    await log.publishCheckpoint();
    // One more after the checkpoint: listed, but not provable yet.
    await recorder.record({ citizenId: ME, event: 'sign-in', occurredAt: day('2026-11-05') });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  const mine = (query = '', cookie = me.cookie) =>
    app.inject({ method: 'GET', url: `/api/v1/log/mine${query}`, headers: { cookie } });

  it('needs a signed-in citizen', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/log/mine' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.not-signed-in');
  });

  it("lists only the citizen's entries, newest first, each provable against the signed checkpoint", async () => {
    const res = await mine();
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body.verifierKey).toBe(log.verifierKey);
    expect(body.checkpoint.size).toBe(5);
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((i: { entry: { event: string } }) => i.entry.event)).toEqual([
      'sign-in',
      'sign-in-failed',
      'transfer',
      'sign-in',
      'download',
    ]);
    const [pending, ...proved] = body.items;
    expect(pending.inclusion).toBeNull();
    for (const item of proved) {
      const commitment = createHash('sha256')
        .update(Buffer.from(item.salt, 'base64'))
        .update(canonicalEntry(item.entry))
        .digest();
      expect(commitment.toString('base64')).toBe(item.commitment);
      expect(item.commitmentValid).toBe(true);
      const root = rootFromInclusion(
        commitment,
        item.index,
        item.inclusion.treeSize,
        item.inclusion.hashes.map((h: string) => Buffer.from(h, 'base64')),
      );
      expect(root.toString('base64')).toBe(body.checkpoint.root);
    }
    // The notification's status is shown; its address and errors are not.
    const transfer = proved.find((i: { entry: { event: string } }) => i.entry.event === 'transfer');
    expect(transfer.notifications).toEqual([
      { channel: 'email', status: 'pending', attempts: 0, sentAt: null },
    ]);
    expect(JSON.stringify(body)).not.toContain('me@example.org');
    expect(JSON.stringify(body)).not.toContain(ME);
  });

  it('filters by event type and by day (Taiwan time), and pages with a cursor', async () => {
    const events = async (q: string) =>
      (await mine(q)).json().items.map((i: { entry: { event: string } }) => i.entry.event);
    expect(await events('?event=sign-in')).toEqual(['sign-in', 'sign-in']);
    expect(await events('?event=sign-in-failed&event=download')).toEqual(['sign-in-failed', 'download']);
    expect(await events('?from=2026-11-02&to=2026-11-03')).toEqual(['transfer', 'sign-in']);
    expect(await events('?to=2026-11-01')).toEqual(['download']);
    const first = (await mine('?limit=2')).json();
    expect(first.items).toHaveLength(2);
    const second = (await mine(`?limit=2&cursor=${first.nextCursor}`)).json();
    const third = (await mine(`?limit=2&cursor=${second.nextCursor}`)).json();
    expect(third.nextCursor).toBeNull();
    const ids = [...first.items, ...second.items, ...third.items].map((i: { id: string }) => i.id);
    expect(new Set(ids).size).toBe(5);
    expect((await mine('?event=nothing')).statusCode).toBe(400);
    expect((await mine('?from=yesterday')).statusCode).toBe(400);
    expect((await mine('?cursor=bm90LWEtY3Vyc29y')).statusCode).toBe(400);
  });

  describe('contact details', () => {
    const put = (payload: object, headers: Record<string, string> = {}) =>
      app.inject({
        method: 'PUT',
        url: '/api/v1/identity/contact',
        payload,
        headers: { cookie: me.cookie, origin: PUBLIC_URL, 'x-csrf-token': me.csrf, ...headers },
      });
    const contactEvents = async () => (await recorder.citizenView(ME, { events: ['contact-changed'] })).items;

    it('start empty and need a session and the CSRF token', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/identity/contact',
        headers: { cookie: me.cookie },
      });
      expect(res.json()).toEqual({ email: null, mobile: null });
      expect((await app.inject({ method: 'GET', url: '/api/v1/identity/contact' })).statusCode).toBe(401);
      const noToken = await put({ email: 'a@example.org', mobile: null }, { 'x-csrf-token': '' });
      expect(noToken.statusCode).toBe(403);
      expect(noToken.json().code).toBe('identity.csrf-rejected');
      const crossSite = await put(
        { email: 'a@example.org', mobile: null },
        { origin: 'https://evil.example' },
      );
      expect(crossSite.json().code).toBe('identity.csrf-rejected');
    });

    it('refuses a malformed e-mail address or a number that is not a Taiwan mobile', async () => {
      for (const body of [
        { email: 'not an address', mobile: null },
        { email: null, mobile: '0212345678' },
        { email: null, mobile: '091234567' },
        { email: null, mobile: '+886912345678' },
        { email: null },
      ]) {
        const res = await put(body);
        expect(res.statusCode, JSON.stringify(body)).toBe(400);
        expect(res.json().code).toBe('request.invalid');
      }
      expect(await contactEvents()).toHaveLength(0);
    });

    it('stores them sealed, where notifications are read from, and logs each change', async () => {
      const first = await put({ email: 'old@example.org', mobile: '0912345678' });
      expect(first.json()).toEqual({ email: 'old@example.org', mobile: '0912345678', changed: true });
      expect(await identity.repo.contactOf(me.citizenId)).toEqual({
        email: 'old@example.org',
        mobile: '0912345678',
      });
      const row = await t.db
        .selectFrom('identity_citizens')
        .select('contact_sealed')
        .where('id', '=', me.citizenId)
        .executeTakeFirstOrThrow();
      expect(row.contact_sealed).not.toContain('old@example.org');
      // The first details: logged, but there was no old address to tell.
      let logged = await contactEvents();
      expect(logged).toHaveLength(1);
      expect(logged[0]?.entry.details).toEqual({ email: 'added', mobile: 'added' });
      expect(logged[0]?.notifications).toEqual([]);

      // The same again changes nothing and logs nothing.
      expect((await put({ email: 'old@example.org', mobile: '0912345678' })).json().changed).toBe(false);
      expect(await contactEvents()).toHaveLength(1);

      const second = await put({ email: 'new@example.org', mobile: null, lang: 'en' });
      expect(second.json()).toEqual({ email: 'new@example.org', mobile: null, changed: true });
      logged = await contactEvents();
      expect(logged).toHaveLength(2);
      expect(logged[0]?.entry.details).toEqual({ email: 'changed', mobile: 'removed' });
      expect(JSON.stringify(logged[0]?.entry)).not.toContain('example.org');
      // Told to the old e-mail address and the old number, not the new ones.
      expect(logged[0]?.notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
      const queued = await t.db
        .selectFrom('notification_outbox')
        .select(['id', 'channel', 'template'])
        .where('log_entry_id', '=', logged[0]?.id as string)
        .execute();
      expect(queued.map((q) => q.template)).toEqual(['contact-changed', 'contact-changed']);
      const sent: { to: string; text: string }[] = [];
      const sender = { send: async (m: OutgoingMessage) => void sent.push({ to: m.to, text: m.text }) };
      await createOutboxWorker({
        outbox,
        senders: { email: sender, sms: sender },
        usageLogUrl: `${PUBLIC_URL}/usage-log`,
      }).runOnce();
      // The transfer's notice went out too; the rest are the change's.
      const told = sent.filter((m) => m.to !== 'me@example.org');
      expect(told.map((m) => m.to).sort()).toEqual(['0912345678', 'old@example.org']);
      expect(told.find((m) => m.to === 'old@example.org')?.text).toContain(
        'for notifications of your MyData account was changed',
      );
      expect(await identity.repo.contactOf(me.citizenId)).toEqual({ email: 'new@example.org', mobile: null });
    });
  });
});
