import { join } from 'node:path';
import { demoNhiPin, openCard, writePkcs12 } from '@mydata/demo';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal } from './harness.ts';

/**
 * Citizen sign-in in a real browser: the real platform, the demo NHI administration and household
 * registration over mutual TLS, and Debian's Chromium.
 */
describe('Signing in on the portal', () => {
  let portal: Portal;

  beforeAll(async () => {
    portal = await startPortal({ agencies: ['nhia', 'moi-household'] });
  });
  afterAll(async () => {
    await portal?.close();
  });

  async function newPage(lang: 'zh-TW' | 'en' = 'zh-TW'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await portal.browser.newContext({
      baseURL: portal.url,
      viewport: { width: 1280, height: 900 },
      locale: 'zh-TW',
    });
    await context.addInitScript(`localStorage.setItem('mydata.language', ${JSON.stringify(lang)})`);
    return { context, page: await context.newPage() };
  }

  const citizen = (i: number) => {
    const c = portal.population.citizen(i);
    return {
      nationalId: c.nationalId,
      cardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
      pin: demoNhiPin(portal.population.seed, c.nationalId),
    };
  };

  /** The session as the platform sees it, with the browser's cookies. */
  async function sessionOf(page: Page): Promise<{ status: number; assurance?: string; methods?: string[] }> {
    const res = await page.request.get('/api/v1/identity/session');
    return { status: res.status(), ...(res.ok() ? await res.json() : {}) };
  }

  async function fillNhiCard(page: Page, c: { nationalId: string; cardNumber: string }, pin: string) {
    await page.locator('#nhi-card-nationalId').fill(c.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(c.cardNumber);
    await page.locator('#nhi-card-pin').fill(pin);
  }

  for (const lang of ['zh-TW', 'en'] as const) {
    it(`explains the methods and the first-use rule, with no WCAG 2.1 AA violations, in ${lang}`, async () => {
      const { context, page } = await newPage(lang);
      await page.goto('/sign-in');
      await settled(page);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const text = await page.locator('main').textContent();
      expect(text).toContain(lang === 'en' ? 'two different ways' : '首次使用須以兩種不同方式驗證身分');
      expect(await axeViolations(page)).toEqual([]);
      // Each form, and the card tool explanation, as shown when chosen.
      for (const method of ['nhi-card', 'two-documents', 'citizen-certificate', 'mobile-certificate']) {
        await page.locator(`#method-${method}`).check();
        expect(await axeViolations(page), method).toEqual([]);
      }
      expect(await page.locator('main pre').count()).toBe(0);
      await page.locator('#method-citizen-certificate').check();
      expect(await page.locator('main pre').textContent()).toContain('packages/demo/src/card/cli.ts sign-in');
      await context.close();
    });
  }

  it('signs a new citizen in with NHI card + PIN, then two documents, and signs out', async () => {
    const { context, page } = await newPage();
    const c = citizen(5);
    await page.goto('/sign-in');
    await settled(page);

    // Keyboard only: the method is a radio button; the form follows it.
    await page.locator('#method-nhi-card').focus();
    await page.keyboard.press('Space');
    await page.locator('#nhi-card-nationalId').waitFor();
    // From the chosen method, Tab goes on to the form's first field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('nhi-card-nationalId');
    await page.keyboard.type(c.nationalId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(c.cardNumber);
    await page.keyboard.press('Tab');
    await page.keyboard.type(c.pin);
    await page.keyboard.press('Enter');

    // First use: the first check passed, a second, different method is asked for.
    const step = page.locator('#second-step');
    await step.waitFor();
    expect(await step.textContent()).toBe('第一次驗證成功');
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('second-step');
    expect(await page.locator('.step-done').textContent()).toContain('健保卡');
    expect(await page.locator('#method-nhi-card').count()).toBe(0);
    expect(await page.locator('#method-two-documents').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    expect((await sessionOf(page)).status).toBe(401);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-second-method.png'), fullPage: true });

    await page.locator('#method-two-documents').check();
    await page.locator('#two-documents-nationalId').fill(c.nationalId);
    await page.locator('#two-documents-cardNumber').fill(c.cardNumber);
    await page.locator('#two-documents-householdNumber').fill(c.householdNumber);
    await page.getByRole('button', { name: '驗證並登入' }).click();

    await page.waitForURL('**/account');
    await settled(page);
    const session = await sessionOf(page);
    expect(session).toMatchObject({ status: 200, assurance: 'substantial' });
    expect(session.methods?.sort()).toEqual(['nhi-card', 'two-documents']);
    expect(await page.locator('[data-assurance]').getAttribute('data-assurance')).toBe(session.assurance);
    expect(await page.locator('[data-assurance]').textContent()).toBe('加強驗證');
    expect(await page.locator('header nav a[href="/account"]').textContent()).toContain('已登入');
    // Not high: enrolling a passkey is explained as a step-up, naming the citizen certificate.
    await page.locator('.step-up li[data-method="citizen-certificate"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'account.png'), fullPage: true });

    // A signed-in page that needs no second check: the counter page offers its services at once.
    await page.goto('/counter');
    await settled(page);
    await page.locator('[data-counter="choose"]').waitFor();

    await page.goto('/account');
    await settled(page);
    await page.getByRole('button', { name: '登出', exact: true }).click();
    await page.getByText('您已登出。').waitFor();
    expect((await sessionOf(page)).status).toBe(401);
    await page.locator('header nav a[href="/sign-in"]').waitFor();
    await context.close();
  });

  it('shows a wrong PIN as a translated error tied to the fields, with focus on the summary', async () => {
    for (const lang of ['zh-TW', 'en'] as const) {
      const { context, page } = await newPage(lang);
      const c = citizen(6);
      await page.goto('/sign-in');
      await settled(page);
      await page.locator('#method-nhi-card').check();

      // Nothing typed: the summary lists the fields, each linked, and each field says what is missing.
      await page.locator('form.sign-in-form button[type="submit"]').click();
      await expect.poll(() => page.evaluate('document.activeElement.className')).toBe('error-summary');
      expect(await page.locator('.error-summary a[href="#nhi-card-pin"]').count()).toBe(1);
      expect(await page.getAttribute('#nhi-card-pin', 'aria-describedby')).toContain('nhi-card-pin-error');

      await fillNhiCard(page, c, c.pin === '000000' ? '000001' : '000000');
      await page.locator('form.sign-in-form button[type="submit"]').click();
      const title = lang === 'en' ? 'Your identity was not verified' : '身分驗證沒有通過';
      await page.locator('.error-summary', { hasText: title }).waitFor();
      await expect.poll(() => page.evaluate('document.activeElement.className')).toBe('error-summary');
      expect(await page.locator('.error-summary').textContent()).toContain('identity.verification-failed');
      const pin = page.locator('#nhi-card-pin');
      expect(await pin.getAttribute('aria-invalid')).toBe('true');
      const described = (await pin.getAttribute('aria-describedby'))?.split(' ') ?? [];
      const texts = await Promise.all(
        described.map((id) => page.evaluate(`document.getElementById(${JSON.stringify(id)})?.textContent`)),
      );
      expect(texts.join(' ')).toContain(title);
      expect(await axeViolations(page)).toEqual([]);
      expect((await sessionOf(page)).status).toBe(401);
      await context.close();
    }
  });

  it('shows the lockout of two documents after repeated wrong details, translated', async () => {
    const { context, page } = await newPage();
    const c = citizen(8);
    await page.goto('/sign-in');
    await settled(page);
    await page.locator('#method-two-documents').check();
    await page.locator('#two-documents-nationalId').fill(c.nationalId);
    await page.locator('#two-documents-cardNumber').fill(c.cardNumber);
    await page.locator('#two-documents-householdNumber').fill('Z0000000');
    const summary = page.locator('.error-summary');
    for (let attempt = 1; attempt <= 4; attempt++) {
      await page.locator('form.sign-in-form button[type="submit"]').click();
      await summary.locator('.meta').waitFor();
      await expect.poll(() => summary.textContent()).toMatch(/identity\.(verification-failed|locked-out)/);
      if ((await summary.textContent())?.includes('identity.locked-out')) break;
    }
    expect(await summary.textContent()).toContain('這種驗證方式已暫時鎖定');
    // Even the right household number is refused while locked.
    await page.locator('#two-documents-householdNumber').fill(c.householdNumber);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    await expect.poll(() => summary.textContent()).toContain('identity.locked-out');
    expect(await page.getAttribute('#two-documents-householdNumber', 'aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('enrols a passkey from a high session and signs in with it (virtual authenticator)', async () => {
    const { context, page } = await newPage();
    const c = citizen(7);
    // A high session: the citizen certificate through the API, as the card tool does, then (first
    // use) two documents; the cookies land in the browser context.
    const origin = { origin: portal.url };
    const issued = await portal.platform.nationalCa.issue({ nationalId: c.nationalId });
    const card = openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456');
    const challenge = await context.request.post('/api/v1/identity/challenges', {
      headers: origin,
      data: {},
    });
    expect(challenge.status()).toBe(201);
    const { challengeId, toBeSigned } = (await challenge.json()) as {
      challengeId: string;
      toBeSigned: string;
    };
    const first = await context.request.post('/api/v1/identity/verify/citizen-certificate', {
      headers: origin,
      data: { challengeId, certificate: card.certificate, signature: card.sign(toBeSigned) },
    });
    expect(await first.json()).toMatchObject({ status: 'second-method-required' });
    const second = await context.request.post('/api/v1/identity/verify/two-documents', {
      headers: origin,
      data: { nationalId: c.nationalId, nhiCardNumber: c.cardNumber, householdNumber: c.householdNumber },
    });
    expect(await second.json()).toMatchObject({ status: 'signed-in', assurance: 'high' });

    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    await page.goto('/account');
    await settled(page);
    expect(await page.locator('[data-assurance]').getAttribute('data-assurance')).toBe('high');
    await page.getByText('您還沒有登記通行金鑰。').waitFor();
    await page.getByRole('button', { name: '登記新的通行金鑰' }).click();
    await page.getByText('已登記通行金鑰，下次可以用它登入。').waitFor();
    await page.locator('.passkey-list li').first().waitFor();
    expect(await page.locator('.passkey-list li').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: '登出', exact: true }).click();
    await page.getByText('您已登出。').waitFor();

    await page.goto('/sign-in');
    await settled(page);
    await page.locator('#method-mobile-certificate').check();
    await page.getByRole('button', { name: '使用通行金鑰登入' }).click();
    await page.waitForURL('**/account');
    await settled(page);
    expect(await sessionOf(page)).toMatchObject({
      status: 200,
      assurance: 'high',
      methods: ['mobile-certificate'],
    });

    // Removing the passkey leaves none.
    await page.locator('.passkey-list li').first().waitFor();
    await page.locator('.passkey-list button').first().click();
    await page.getByText('已移除通行金鑰。').waitFor();
    await page.getByText('您還沒有登記通行金鑰。').waitFor();

    // Sign out everywhere ends the session here too.
    await page.getByRole('button', { name: '在所有裝置登出' }).click();
    await page.getByText('已結束您在所有裝置上的 1 個登入。').waitFor();
    expect((await sessionOf(page)).status).toBe(401);
    await context.close();
  });
});
