import { X509Certificate } from 'node:crypto';
import { createCertificateAuthority, openNationalCa } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieOf, createIdentityHarness, Device, type Harness, ORIGIN } from './identity-harness.ts';

describe('Citizen identity', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createIdentityHarness();
  });
  afterAll(() => h.close());

  const events = async (nationalId: string): Promise<Record<string, unknown>[]> =>
    (await h.log.listCitizenEntries(nationalId, {})).items.map((i) => ({
      event: i.entry.event,
      ...i.entry.details,
    }));

  /** Signs a new citizen in with certificate + two documents; returns the device. */
  async function enrolled(i: number, address?: string) {
    const c = h.citizen(i);
    const d = new Device(h, address);
    expect((await d.withCard(await h.card(c.nationalId))).json().status).toBe('second-method-required');
    const res = await d.withDocuments(c);
    expect(res.json()).toMatchObject({ status: 'signed-in', assurance: 'high' });
    return d;
  }

  it('lists its methods with their assurance', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/identity/methods' });
    expect(res.json().items).toEqual([
      { method: 'citizen-certificate', assurance: 'high' },
      { method: 'mobile-certificate', assurance: 'high' },
      { method: 'nhi-card', assurance: 'substantial' },
      { method: 'two-documents', assurance: 'low' },
      { method: 'mobile-number', assurance: 'low' },
    ]);
  });

  describe('first use', () => {
    it('needs a second, different method before any session exists', async () => {
      const c = h.citizen(1);
      const d = new Device(h);
      const first = await d.withCard(await h.card(c.nationalId));
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({
        status: 'second-method-required',
        verified: ['citizen-certificate'],
        candidates: ['nhi-card', 'two-documents', 'mobile-number'],
      });
      expect(cookieOf(first, 'mydata-session')).toBeUndefined();
      expect((await d.get('/api/v1/identity/session')).statusCode).toBe(401);

      const again = await d.withCard(await h.card(c.nationalId));
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('identity.second-method-must-differ');

      const second = await d.withNhiCard(c);
      expect(second.statusCode).toBe(200);
      expect(second.json()).toMatchObject({
        status: 'signed-in',
        assurance: 'high',
        methods: ['citizen-certificate', 'nhi-card'],
      });
      const session = cookieOf(second, 'mydata-session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
      expect(session?.secure).toBeFalsy();
      const me = await d.get('/api/v1/identity/session');
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ assurance: 'high', methods: ['citizen-certificate', 'nhi-card'] });
      const logged = await events(c.nationalId);
      expect(logged).toHaveLength(3);
      expect(logged).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            event: 'sign-in',
            methods: 'citizen-certificate,nhi-card',
            firstUse: true,
          }),
          { event: 'method-enrolled', method: 'citizen-certificate' },
          { event: 'method-enrolled', method: 'nhi-card' },
        ]),
      );
    });

    it('refuses a second method that identifies someone else', async () => {
      const d = new Device(h);
      await d.withCard(await h.card(h.citizen(2).nationalId));
      const res = await d.withDocuments(h.citizen(3));
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('identity.different-person');
      expect((await d.withDocuments(h.citizen(2))).json().code).toBe('identity.flow-expired');
    });

    it('lets a known citizen in with one method afterwards', async () => {
      await enrolled(4);
      const d = new Device(h);
      const res = await d.withDocuments(h.citizen(4));
      expect(res.json()).toMatchObject({ status: 'signed-in', assurance: 'low', methods: ['two-documents'] });
    });

    it('stores the national ID only sealed, under the usage log citizen reference', async () => {
      await enrolled(5);
      const id = h.citizen(5).nationalId;
      const rows = await h.db.selectFrom('identity_citizens').selectAll().execute();
      expect(JSON.stringify(rows)).not.toContain(id);
      const row = rows.find((r) => r.citizen_ref === h.log.citizenRef(id));
      expect(row).toBeDefined();
      expect(await h.identity.repo.nationalIdOf(row?.id as string)).toBe(id);
      const sessions = await h.db.selectFrom('identity_sessions').select('token_hash').execute();
      expect(sessions.every((s) => s.token_hash.length === 32)).toBe(true);
    });
  });

  describe('citizen certificate', () => {
    it('refuses an expired, a revoked, a foreign and a non-signing certificate', async () => {
      const id = h.citizen(6).nationalId;
      const d = new Device(h);
      const day = 86_400_000;
      const expired = await h.card(id, {
        notBefore: new Date(h.clock.now.getTime() - 10 * day),
        notAfter: new Date(h.clock.now.getTime() - day),
      });
      let res = await d.withCard(expired);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'identity.certificate-rejected' });
      expect(res.json().detail).toContain('expired');

      const revoked = await h.card(id);
      expect((await d.withCard(revoked)).statusCode).toBe(200);
      await h.ca.revoke(revoked.serialNumber);
      res = await new Device(h).withCard(revoked);
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toContain('revoked');

      const other = await openNationalCa({
        ca: await createCertificateAuthority('Rogue CA'),
        now: () => h.clock.now,
      });
      const issued = await other.issue({ nationalId: id });
      const { openCard, writePkcs12 } = await import('@mydata/demo');
      const foreign = openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '1234' }), '1234');
      res = await new Device(h).withCard(foreign);
      expect(res.json().detail).toContain('not issued by the national certificate authority');

      const encipherOnly = await h.card(id, { keyUsage: 4 /* keyEncipherment */ });
      res = await new Device(h).withCard(encipherOnly);
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toContain('key usage');
      const failures = (await events(id)).filter((e) => e.event === 'sign-in-failed');
      expect(failures.length).toBe(3);
    });

    it('refuses a signature over another text, a reused challenge and a stale one', async () => {
      const card = await h.card(h.citizen(7).nationalId);
      const d = new Device(h);
      let res = await d.withCard(card, (c) => `${c.toBeSigned}x`);
      expect(res.json().detail).toContain('signature does not match');

      const c = await d.challenge();
      const body = {
        challengeId: c.challengeId,
        certificate: card.certificate,
        signature: card.sign(c.toBeSigned),
      };
      expect((await new Device(h).post('/api/v1/identity/verify/citizen-certificate', body)).statusCode).toBe(
        200,
      );
      res = await new Device(h).post('/api/v1/identity/verify/citizen-certificate', body);
      expect(res.json()).toMatchObject({ code: 'identity.challenge-invalid' });
      expect(res.json().detail).toContain('already been used');

      const stale = await d.challenge();
      h.clock.now = new Date(h.clock.now.getTime() + 121_000);
      res = await d.post('/api/v1/identity/verify/citizen-certificate', {
        challengeId: stale.challengeId,
        certificate: card.certificate,
        signature: card.sign(stale.toBeSigned),
      });
      expect(res.json().detail).toContain('expired');
    });

    it('publishes its CA certificate and a CRL signed by it', async () => {
      const crl = await h.app.inject({ method: 'GET', url: '/api/v1/identity/ca/crl' });
      expect(crl.headers['content-type']).toBe('application/pkix-crl');
      const x509 = await import('@peculiar/x509');
      const ca = await h.app.inject({ method: 'GET', url: '/api/v1/identity/ca/certificate' });
      expect(new X509Certificate(ca.body).subject).toContain('national test CA');
      expect(
        await new x509.X509Crl(crl.rawPayload).verify({ publicKey: new x509.X509Certificate(ca.body) }),
      ).toBe(true);
    });
  });

  describe('NHI card and two documents', () => {
    it('refuses a wrong PIN and wrong document numbers, and logs it', async () => {
      const c = h.citizen(8);
      const d = new Device(h);
      let res = await d.withNhiCard({ ...c, pin: c.pin === '000000' ? '000001' : '000000' });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('identity.verification-failed');
      res = await d.withDocuments({ ...c, householdNumber: 'Z0000000' });
      expect(res.json().code).toBe('identity.verification-failed');
      expect((await events(c.nationalId)).map((e) => e.event)).toEqual(['sign-in-failed', 'sign-in-failed']);
      expect((await d.withNhiCard(c)).json().status).toBe('second-method-required');
    });

    it('locks two documents after three failures, tells the citizen, and lifts it on a stronger sign-in', async () => {
      const c = h.citizen(9);
      await enrolled(9);
      const account = await h.identity.repo.findCitizenByNationalId(c.nationalId);
      await h.identity.repo.setContact(account?.id as string, { email: 'citizen9@example.org' });
      const d = new Device(h, '10.0.0.9');
      const wrong = { ...c, householdNumber: 'Z0000000' };
      expect((await d.withDocuments(wrong)).statusCode).toBe(401);
      expect((await d.withDocuments(wrong)).statusCode).toBe(401);
      const third = await d.withDocuments(wrong);
      expect(third.statusCode).toBe(429);
      expect(third.json().code).toBe('identity.locked-out');
      const right = await d.withDocuments(c);
      expect(right.statusCode).toBe(429);
      expect(right.json().code).toBe('identity.locked-out');
      const locks = await h.db
        .selectFrom('identity_attempts')
        .selectAll()
        .where('key', 'like', 'lock:%')
        .execute();
      expect(locks.some((l) => l.locked_until !== null)).toBe(true);

      const lockEntry = (await h.log.listCitizenEntries(c.nationalId, {})).items.find(
        (i) => i.entry.event === 'lockout',
      );
      expect(lockEntry?.entry.details).toMatchObject({ method: 'two-documents', action: 'locked' });
      const deliveries = await h.outbox.deliveries([lockEntry?.id as string]);
      expect(deliveries.get(lockEntry?.id as string)?.[0]).toMatchObject({ channel: 'email' });

      expect((await d.withCard(await h.card(c.nationalId))).json().status).toBe('signed-in');
      const reset = (await events(c.nationalId)).filter((e) => e.event === 'lockout');
      expect(reset.map((e) => String(e.action)).sort()).toEqual(['locked', 'reset']);
      expect((await new Device(h, '10.0.0.19').withDocuments(c)).json().status).toBe('signed-in');
    });

    it('rate-limits two-documents attempts per client address', async () => {
      const d = new Device(h, '10.0.0.77');
      const codes: string[] = [];
      for (let i = 0; i < 11; i++) {
        const c = h.citizen(20 + i);
        codes.push((await d.withDocuments({ ...c, householdNumber: 'Z0000000' })).json().code);
      }
      expect(codes.slice(0, 10).every((code) => code === 'identity.verification-failed')).toBe(true);
      expect(codes[10]).toBe('identity.rate-limited');
    });
  });

  describe('sessions', () => {
    it('step up from low to high keeps the session and rotates its token', async () => {
      const c = h.citizen(10);
      await enrolled(10);
      const d = new Device(h);
      await d.withDocuments(c);
      const before = d.jar.get('mydata-session') as string;
      const rowsBefore = await h.db.selectFrom('identity_sessions').select(['id', 'created_at']).execute();
      const need = await d.get('/api/v1/identity/step-up?required=high');
      expect(need.json()).toEqual({
        required: 'high',
        current: 'low',
        satisfied: false,
        candidates: ['citizen-certificate'],
      });

      const withoutCsrf = new Device(h);
      withoutCsrf.jar = new Map(d.jar);
      const c2 = await d.challenge();
      const card = await h.card(c.nationalId);
      const refused = await withoutCsrf.post('/api/v1/identity/verify/citizen-certificate', {
        challengeId: c2.challengeId,
        certificate: card.certificate,
        signature: card.sign(c2.toBeSigned),
      });
      expect(refused.json().code).toBe('identity.csrf-rejected');

      const res = await d.withCard(card);
      expect(res.json()).toMatchObject({
        status: 'signed-in',
        assurance: 'high',
        methods: ['two-documents', 'citizen-certificate'],
      });
      const after = d.jar.get('mydata-session') as string;
      expect(after).not.toBe(before);
      const rowsAfter = await h.db.selectFrom('identity_sessions').select(['id', 'created_at']).execute();
      expect(rowsAfter).toEqual(rowsBefore);
      const old = new Device(h);
      old.jar.set('mydata-session', before);
      expect((await old.get('/api/v1/identity/session')).statusCode).toBe(401);
      expect((await d.get('/api/v1/identity/step-up?required=high')).json()).toMatchObject({
        satisfied: true,
        candidates: [],
      });
    });

    it('refuses state changes without the CSRF token or from another origin', async () => {
      const d = await enrolled(11);
      const noToken = await h.app.inject({
        method: 'POST',
        url: '/api/v1/identity/sign-out',
        headers: { cookie: d.cookie, origin: ORIGIN },
        payload: {},
      });
      expect(noToken.statusCode).toBe(403);
      expect(noToken.json().code).toBe('identity.csrf-rejected');
      const foreign = await d.post('/api/v1/identity/sign-out', {}, { origin: 'https://evil.example' });
      expect(foreign.json().code).toBe('identity.csrf-rejected');
      const login = await new Device(h).post(
        '/api/v1/identity/challenges',
        {},
        { origin: 'https://evil.example' },
      );
      expect(login.statusCode).toBe(403);
      const ok = await d.post('/api/v1/identity/sign-out');
      expect(ok.statusCode).toBe(204);
      expect((await d.get('/api/v1/identity/session')).statusCode).toBe(401);
    });

    it('end after the idle timeout and after the absolute timeout', async () => {
      const d = await enrolled(12);
      h.clock.now = new Date(h.clock.now.getTime() + 899_000);
      expect((await d.get('/api/v1/identity/session')).statusCode).toBe(200);
      h.clock.now = new Date(h.clock.now.getTime() + 900_000);
      const idle = await d.get('/api/v1/identity/session');
      expect(idle.statusCode).toBe(401);
      expect(idle.json().code).toBe('identity.not-signed-in');

      const e = new Device(h);
      await e.withDocuments(h.citizen(12));
      // 51 × 14 min = 11 h 54 min: never idle, still inside the 12 h; the next step passes 12 h.
      for (let i = 0; i < 51; i++) {
        h.clock.now = new Date(h.clock.now.getTime() + 14 * 60_000);
        expect((await e.get('/api/v1/identity/session')).statusCode).toBe(200);
      }
      h.clock.now = new Date(h.clock.now.getTime() + 14 * 60_000);
      expect((await e.get('/api/v1/identity/session')).statusCode).toBe(401);
    });

    it('purges dead challenges, flows and sessions but keeps live ones', async () => {
      const live = await enrolled(15);
      const gone = await enrolled(16);
      await gone.post('/api/v1/identity/sign-out');
      await new Device(h).challenge();
      await new Device(h).withCard(await h.card(h.citizen(17).nationalId));
      h.clock.now = new Date(h.clock.now.getTime() + 601_000);
      expect((await live.get('/api/v1/identity/session')).statusCode).toBe(200);
      const purged = await h.identity.service.purge();
      expect(purged.challenges).toBeGreaterThan(0);
      expect(purged.flows).toBeGreaterThan(0);
      expect(purged.sessions).toBeGreaterThan(0);
      expect((await live.get('/api/v1/identity/session')).statusCode).toBe(200);
      const left = await h.db.selectFrom('identity_sessions').select('ended_at').execute();
      expect(left.every((r) => r.ended_at === null)).toBe(true);
    });

    it('sign out everywhere ends the sessions on every device', async () => {
      const a = await enrolled(13);
      const b = new Device(h);
      await b.withDocuments(h.citizen(13));
      const other = await enrolled(14);
      const res = await a.post('/api/v1/identity/sign-out-everywhere');
      expect(res.json()).toEqual({ ended: 2 });
      expect((await a.get('/api/v1/identity/session')).statusCode).toBe(401);
      expect((await b.get('/api/v1/identity/session')).statusCode).toBe(401);
      expect((await other.get('/api/v1/identity/session')).statusCode).toBe(200);
    });
  });
});
