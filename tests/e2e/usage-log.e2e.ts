import { join } from 'node:path';
import { demoNhiPin, ORGANISATION_IDS, writePkcs12 } from '@mydata/demo';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal } from './harness.ts';

/**
 * The citizen's usage log, notification settings and mobile-number sign-in in a real browser: the
 * real platform, the demo NHI administration, household registration and telecom operator over
 * mutual TLS, the demo mailbox receiving the texts, and Debian's Chromium.
 */
describe('The usage log, notification settings and mobile-number sign-in on the portal', () => {
  let portal: Portal;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    portal = await startPortal({
      agencies: [ORGANISATION_IDS.healthInsurance, 'moi-household', ORGANISATION_IDS.telecom],
      mailbox: true,
    });
    context = await portal.browser.newContext({
      baseURL: portal.url,
      viewport: { width: 1280, height: 900 },
      locale: 'zh-TW',
    });
    await context.addInitScript(
      `if (!localStorage.getItem('mydata.language')) localStorage.setItem('mydata.language', 'zh-TW')`,
    );
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await portal?.close();
  });

  /** A citizen old enough to have a mobile number in the demo population. */
  const citizen = () => {
    for (let i = 10; i < portal.population.size; i++) {
      const c = portal.population.citizen(i);
      if (c.mobile)
        return {
          nationalId: c.nationalId,
          mobile: c.mobile,
          cardNumber: c.nhiCardNumber,
          pin: demoNhiPin(portal.population.seed, c.nationalId),
        };
    }
    throw new Error('no citizen with a mobile number');
  };

  /** The code of the newest text to a number, as it lands in the demo mailbox's SMS sink. */
  async function codeSentTo(mobile: string, after: number): Promise<string> {
    let code: string | undefined;
    await expect
      .poll(
        async () => {
          await portal.platform.usage.deliverNow();
          const texts = (portal.mailbox?.messages() ?? []).filter((m) => m.kind === 'sms' && m.to === mobile);
          code =
            texts.length > after ? /#(\d{6})$/.exec(texts[texts.length - 1]?.text ?? '')?.[1] : undefined;
          return code;
        },
        { timeout: 15_000 },
      )
      .toMatch(/^\d{6}$/);
    return code as string;
  }

  const smsCount = (mobile: string) =>
    (portal.mailbox?.messages() ?? []).filter((m) => m.kind === 'sms' && m.to === mobile).length;

  async function setLanguage(lang: 'zh-TW' | 'en') {
    await page.evaluate(`localStorage.setItem('mydata.language', ${JSON.stringify(lang)})`);
  }

  it('signs a new citizen in with the mobile number and the texted code, then the NHI card', async () => {
    const c = citizen();
    await page.goto('/sign-in');
    await settled(page);
    await page.locator('#method-mobile-number').check();
    const form = page.locator('form[data-step]');
    expect(await form.getAttribute('data-step')).toBe('details');
    expect(await axeViolations(page)).toEqual([]);

    // Nothing typed: every field is named in the summary, which takes focus.
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => page.evaluate('document.activeElement.className')).toBe('error-summary');
    expect(await page.locator('.error-summary a').count()).toBe(3);

    await page.locator('#mobile-number-nationalId').fill(c.nationalId);
    await page.locator('#mobile-number-mobileNumber').fill('0212345678');
    await page.locator('#mobile-number-cardNumber').fill(c.cardNumber);
    await form.locator('button[type="submit"]').click();
    await page.locator('#mobile-number-mobileNumber-error').waitFor();
    expect(await page.getAttribute('#mobile-number-mobileNumber', 'aria-invalid')).toBe('true');

    const before = smsCount(c.mobile);
    await page.locator('#mobile-number-mobileNumber').fill(c.mobile);
    await form.locator('button[type="submit"]').click();
    await page.locator('form[data-step="code"]').waitFor();
    // Focus goes to the code, described by where it was sent.
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('mobile-number-code');
    const code = page.locator('#mobile-number-code');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await page.locator('#mobile-number-sent').textContent()).toContain(`${c.mobile.slice(0, 4)}***`);
    // Resending waits a minute, and says how long.
    const resend = page.getByRole('button', { name: '重新傳送驗證碼' });
    expect(await resend.isDisabled()).toBe(true);
    expect(await page.locator('#mobile-number-wait').textContent()).toMatch(/\d+ 秒後可重新傳送驗證碼/);
    expect(await axeViolations(page)).toEqual([]);

    const texted = await codeSentTo(c.mobile, before);
    // A wrong code first: translated, tied to the field.
    await code.fill(texted === '000000' ? '000001' : '000000');
    await page.locator('form[data-step="code"] button[type="submit"]').click();
    await page.locator('.error-summary', { hasText: '簡訊驗證碼不正確' }).waitFor();
    expect(await page.locator('.error-summary').textContent()).toContain('identity.otp-incorrect');
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    expect(await code.getAttribute('aria-describedby')).toContain('mobile-number-problem');
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in-mobile-number-code.png'), fullPage: true });

    await code.fill(texted);
    await page.locator('form[data-step="code"] button[type="submit"]').click();
    await page.locator('#second-step').waitFor();
    expect(await page.locator('.step-done').textContent()).toContain('行動化驗證');

    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(c.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(c.cardNumber);
    await page.locator('#nhi-card-pin').fill(c.pin);
    await page.getByRole('button', { name: '驗證並登入' }).click();
    await page.waitForURL('**/account');
    await settled(page);
    const session = await (await page.request.get('/api/v1/identity/session')).json();
    expect(session.methods.sort()).toEqual(['mobile-number', 'nhi-card']);
  });

  it('sets the notification e-mail and mobile number, and tells the old address of a change', async () => {
    const c = citizen();
    await page.goto('/account');
    await settled(page);
    const email = page.locator('#contact-email');
    await email.waitFor();
    expect(await page.locator('.contact-settings').textContent()).toContain('您目前沒有設定任何通知方式');
    const save = page.getByRole('button', { name: '儲存通知設定' });

    await email.fill('not-an-address');
    await page.locator('#contact-mobile').fill('12345');
    await save.click();
    await expect.poll(() => page.evaluate('document.activeElement.className')).toBe('error-summary');
    expect(await page.locator('.contact-settings .error-summary a').count()).toBe(2);
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    await email.fill('citizen@example.org');
    await page.locator('#contact-mobile').fill(`${c.mobile.slice(0, 4)}-${c.mobile.slice(4)}`);
    await save.click();
    await page.getByText('已儲存通知設定。').waitFor();
    expect(await page.locator('#contact-mobile').inputValue()).toBe(c.mobile);

    await email.fill('new-address@example.org');
    await save.click();
    await expect
      .poll(async () => {
        await portal.platform.usage.deliverNow();
        return (portal.mailbox?.messages() ?? [])
          .filter((m) => m.kind === 'email' && m.to === 'citizen@example.org')
          .map((m) => m.subject);
      })
      .toContain('MyData 通知：通知聯絡方式已變更');
    expect((await (await page.request.get('/api/v1/identity/contact')).json()).email).toBe(
      'new-address@example.org',
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'account-contact.png'), fullPage: true });
  });

  for (const lang of ['zh-TW', 'en'] as const) {
    it(`shows the citizen's entries, each verified in the browser, and filters them, in ${lang}`, async () => {
      await portal.platform.usage.publishNow();
      await setLanguage(lang);
      await page.goto('/usage-log');
      await settled(page);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const entries = page.locator('.log-entry');
      await entries.first().waitFor();
      await expect.poll(() => page.locator('[data-verification="checking"]').count()).toBe(0);
      const events = await entries.evaluateAll((els) => els.map((e) => e.getAttribute('data-event')));
      expect(events).toEqual(expect.arrayContaining(['sign-in', 'sign-in-failed', 'contact-changed']));
      // Every entry in the signed checkpoint is proved; nothing fails.
      expect(await page.locator('[data-verification="failed"]').count()).toBe(0);
      expect(await page.locator('[data-verification="verified"]').count()).toBe(events.length);
      expect(await page.locator('[data-checkpoint]').getAttribute('data-checkpoint')).toBe('verified');
      const verified = lang === 'en' ? 'Verified' : '已驗證';
      expect(await entries.first().locator('.verification-label').textContent()).toBe(verified);
      const signIn = page.locator('.log-entry[data-event="sign-in"]').first();
      expect(await signIn.locator('h2').textContent()).toContain(lang === 'en' ? 'Sign-in' : '登入');
      expect(await signIn.textContent()).toContain(lang === 'en' ? 'Mobile number' : '行動化驗證');
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `usage-log-${lang}.png`), fullPage: true });

      // By event type.
      await page.locator('#log-event').selectOption('sign-in');
      await page.locator('.log-filters button[type="submit"]').click();
      await page.waitForURL(/event=sign-in/);
      await expect
        .poll(() => entries.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-event')))]))
        .toEqual(['sign-in']);
      await expect.poll(() => page.locator('[data-verification="verified"]').count()).toBeGreaterThan(0);
      expect(await axeViolations(page)).toEqual([]);

      // By date: nothing happened from tomorrow on.
      const tomorrow = new Date(Date.now() + 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
      await page.locator('#log-from').fill(tomorrow);
      await page.locator('.log-filters button[type="submit"]').click();
      await page.waitForURL(/from=/);
      await page
        .getByText(lang === 'en' ? 'No entries match these filters.' : '沒有符合條件的紀錄。')
        .waitFor();
      expect(await entries.count()).toBe(0);
      await page.getByRole('link', { name: lang === 'en' ? 'Clear filters' : '清除條件' }).click();
      await page.waitForURL(/\/usage-log$/);
      await entries.first().waitFor();
    });
  }

  it('fits a 360 px wide phone screen, and is reached from the notification link', async () => {
    await setLanguage('zh-TW');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.goto('/my/usage-log');
    await page.waitForURL(/\/usage-log$/);
    await settled(page);
    await page.locator('[data-verification="verified"]').first().waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'usage-log-360.png'), fullPage: true });
  });

  it('steps up to high with the citizen certificate card file, opened in the browser, and signs in with it', async () => {
    const c = citizen();
    const issued = await portal.platform.nationalCa.issue({ nationalId: c.nationalId });
    const card = {
      name: `${c.nationalId}.p12`,
      mimeType: 'application/x-pkcs12',
      buffer: writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }),
    };
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/account');
    await settled(page);
    const stepUp = page.locator('.step-up li[data-method="citizen-certificate"]');
    await stepUp.waitFor();
    await stepUp.locator('input[type="file"]').setInputFiles(card);
    await stepUp.locator('input[type="password"]').fill('000000');
    await stepUp.locator('button[type="submit"]').click();
    await stepUp.locator('.error-summary', { hasText: 'PIN 碼不正確' }).waitFor();
    await expect.poll(() => page.evaluate('document.activeElement.className')).toBe('error-summary');
    expect(await stepUp.locator('input[type="password"]').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);

    await stepUp.locator('input[type="password"]').fill('123456');
    await stepUp.locator('button[type="submit"]').click();
    await page.locator('[data-assurance="high"]').waitFor();
    await page.getByRole('button', { name: '登記新的通行金鑰' }).waitFor();
    expect((await (await page.request.get('/api/v1/identity/session')).json()).methods).toContain(
      'citizen-certificate',
    );

    // Signed out, the card alone signs this (no longer first-time) citizen in at high.
    await page.getByRole('button', { name: '登出', exact: true }).click();
    await page.getByText('您已登出。').waitFor();
    await page.goto('/sign-in');
    await settled(page);
    await page.locator('#method-citizen-certificate').check();
    await page.locator('.card-form input[type="file"]').setInputFiles(card);
    await page.locator('.card-form input[type="password"]').fill('123456');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: '以自然人憑證登入' }).click();
    await page.waitForURL('**/account');
    await settled(page);
    expect(await page.locator('[data-assurance]').getAttribute('data-assurance')).toBe('high');
  });

  it('asks a signed-out visitor to sign in first', async () => {
    const other = await portal.browser.newContext({ baseURL: portal.url, locale: 'zh-TW' });
    const p = await other.newPage();
    await p.goto('/usage-log');
    await settled(p);
    expect(await p.locator('main h2').textContent()).toBe('這項功能需要先登入');
    expect(await p.locator('main a[href="/sign-in?return=/usage-log"]').count()).toBe(1);
    expect(await axeViolations(p)).toEqual([]);
    await other.close();
  });
});
