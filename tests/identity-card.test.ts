import { randomBytes } from 'node:crypto';
import { CardError, openCard, signInWithCard, writePkcs12 } from '@mydata/demo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityHarness } from './identity-harness.ts';

describe('The citizen-certificate card', () => {
  let h: Awaited<ReturnType<typeof createIdentityHarness>>;
  let url: string;
  beforeAll(async () => {
    h = await createIdentityHarness();
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => h.close());

  const cardFile = async (nationalId: string, pin: string) => {
    const issued = await h.ca.issue({ nationalId, commonName: '測試' });
    return writePkcs12({ cert: issued.cert, key: issued.key, password: pin });
  };

  it('opens only with its PIN', async () => {
    const file = await cardFile(h.citizen(40).nationalId, '246810');
    expect(() => openCard(file, '000000')).toThrow(CardError);
    expect(() => openCard(randomBytes(200), '246810')).toThrow(CardError);
    expect(openCard(file, '246810').certificate.length).toBeGreaterThan(100);
  });

  it('signs a citizen in over HTTP as the card tool does, and steps a session up', async () => {
    const c = h.citizen(41);
    const card = openCard(await cardFile(c.nationalId, '135790'), '135790');
    const first = await signInWithCard({ platformUrl: url, card });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'second-method-required' });
    const flow = first.cookies[0]?.split(';')[0] as string;
    const second = await fetch(`${url}/api/v1/identity/verify/nhi-card`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: flow },
      body: JSON.stringify({ nationalId: c.nationalId, cardNumber: c.nhiCardNumber, pin: c.pin }),
    });
    expect(second.status).toBe(200);
    const session = second.headers
      .getSetCookie()
      .find((s) => s.startsWith('mydata-session='))
      ?.split(';')[0] as string;
    const { csrfToken } = (await second.json()) as { csrfToken: string };
    const again = await signInWithCard({ platformUrl: url, card, cookie: session, csrfToken });
    expect(again.body).toMatchObject({ status: 'signed-in', assurance: 'high' });
    expect(again.cookies.some((s) => s.startsWith('mydata-session=') && !s.startsWith(`${session};`))).toBe(
      true,
    );
  });

  it('signs in known citizens at a measured rate', async () => {
    const c = h.citizen(42);
    const card = openCard(await cardFile(c.nationalId, '111111'), '111111');
    const flow = (await signInWithCard({ platformUrl: url, card })).cookies[0]?.split(';')[0] as string;
    await fetch(`${url}/api/v1/identity/verify/two-documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: flow },
      body: JSON.stringify({
        nationalId: c.nationalId,
        nhiCardNumber: c.nhiCardNumber,
        householdNumber: c.householdNumber,
      }),
    });
    const n = 40;
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await signInWithCard({ platformUrl: url, card });
      expect(r.body).toMatchObject({ status: 'signed-in' });
    }
    const perSecond = n / ((performance.now() - started) / 1000);
    console.log(
      `citizen-certificate sign-ins (challenge + verify, one client, sequential): ${perSecond.toFixed(0)}/s`,
    );
    expect(perSecond).toBeGreaterThan(1);
  });
});
