import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness, Device, type Harness, PUBLIC_URL } from './identity-harness.ts';
import { SoftwareAuthenticator } from './webauthn-software-authenticator.ts';

describe('Passkeys (mobile citizen certificate)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createIdentityHarness();
  });
  afterAll(() => h.close());

  /** A citizen signed in at high (certificate + two documents) on a device. */
  async function highSession(i: number) {
    const c = h.citizen(i);
    const d = new Device(h);
    await d.withCard(await h.card(c.nationalId));
    expect((await d.withDocuments(c)).json()).toMatchObject({ assurance: 'high' });
    return d;
  }

  async function enrol(d: Device, authenticator: SoftwareAuthenticator, overrides: { origin?: string } = {}) {
    const options = await d.post('/api/v1/identity/passkeys/options');
    expect(options.statusCode).toBe(201);
    const { challengeId, options: o } = options.json();
    return d.post('/api/v1/identity/passkeys', {
      challengeId,
      credential: authenticator.create(o, overrides),
    });
  }

  async function signIn(
    d: Device,
    authenticator: SoftwareAuthenticator,
    overrides: { origin?: string } = {},
  ) {
    const { challengeId, options } = (await d.post('/api/v1/identity/passkey-challenges')).json();
    return d.post('/api/v1/identity/verify/mobile-certificate', {
      challengeId,
      credential: authenticator.get(options, overrides),
    });
  }

  it('enrols only from a high session, then signs in at high with one method', async () => {
    const c = h.citizen(50);
    await highSession(50);
    const low = new Device(h);
    await low.withDocuments(c);
    const refused = await low.post('/api/v1/identity/passkeys/options');
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'identity.step-up-required' });
    expect(refused.json().detail).toContain('citizen-certificate');

    const high = await highSession(50);
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const enrolled = await enrol(high, authenticator);
    expect(enrolled.statusCode).toBe(201);
    expect((await high.get('/api/v1/identity/passkeys')).json().items).toHaveLength(1);
    const logged = (await h.log.listCitizenEntries(c.nationalId, {})).items.map((i) => i.entry);
    expect(
      logged.some((e) => e.event === 'method-enrolled' && e.details?.method === 'mobile-certificate'),
    ).toBe(true);

    const fresh = new Device(h);
    const res = await signIn(fresh, authenticator);
    expect(res.json()).toMatchObject({
      status: 'signed-in',
      assurance: 'high',
      methods: ['mobile-certificate'],
    });
    expect((await low.get('/api/v1/identity/step-up?required=high')).json().candidates).toEqual([
      'citizen-certificate',
      'mobile-certificate',
    ]);
  });

  it('refuses a wrong origin, a reused challenge and an unknown passkey', async () => {
    const high = await highSession(51);
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const badEnrol = await enrol(high, authenticator, { origin: 'https://evil.example' });
    expect(badEnrol.statusCode).toBe(401);
    expect(badEnrol.json().code).toBe('identity.passkey-rejected');
    expect((await enrol(high, authenticator)).statusCode).toBe(201);

    const d = new Device(h);
    expect((await signIn(d, authenticator, { origin: 'https://evil.example' })).json().code).toBe(
      'identity.passkey-rejected',
    );
    const { challengeId, options } = (await d.post('/api/v1/identity/passkey-challenges')).json();
    const body = { challengeId, credential: authenticator.get(options) };
    expect((await new Device(h).post('/api/v1/identity/verify/mobile-certificate', body)).statusCode).toBe(
      200,
    );
    const replay = await new Device(h).post('/api/v1/identity/verify/mobile-certificate', body);
    expect(replay.json().code).toBe('identity.challenge-invalid');

    const stranger = new SoftwareAuthenticator(PUBLIC_URL);
    stranger.create({ challenge: 'x', user: { id: 'eA' } });
    expect((await signIn(d, stranger)).json().code).toBe('identity.passkey-rejected');
  });

  it('removes a passkey, logs it, and refuses it afterwards', async () => {
    const c = h.citizen(52);
    const high = await highSession(52);
    const authenticator = new SoftwareAuthenticator(PUBLIC_URL);
    const { id } = (await enrol(high, authenticator)).json();
    const removed = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/identity/passkeys/${id}`,
      headers: high.headers(),
    });
    expect(removed.statusCode).toBe(204);
    expect((await signIn(new Device(h), authenticator)).json().code).toBe('identity.passkey-rejected');
    const events = (await h.log.listCitizenEntries(c.nationalId, {})).items.map((i) => i.entry.event);
    expect(events).toContain('method-removed');
    const low = new Device(h);
    await low.withDocuments(c);
    expect((await low.get('/api/v1/identity/step-up?required=high')).json().candidates).toEqual([
      'citizen-certificate',
    ]);
    const again = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/identity/passkeys/${id}`,
      headers: high.headers(),
    });
    expect(again.json().code).toBe('identity.passkey-not-found');
  });
});
