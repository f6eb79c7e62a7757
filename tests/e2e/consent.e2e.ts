import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoNhiPin, openCard, SERVICE_IDS, writePkcs12 } from '@mydata/demo';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal, tabTo } from './harness.ts';

/**
 * Consent and online transfer in a real browser: a demo service sends the citizen to the platform,
 * the citizen signs in and decides on the consent screen, and the service receives (or is refused)
 * the data. The agencies of the passport renewal service run as their own servers over mutual TLS.
 */
describe('Consenting to an online service on the portal', () => {
  let portal: Portal;
  let passportService: { serviceId: string; url: string };

  beforeAll(async () => {
    portal = await startPortal({
      // Sign-in (NHI, household registration), the passport renewal (immigration, consular affairs),
      // and the childcare subsidy (fiscal information, labour insurance, social assistance).
      agencies: ['nhia', 'moi-household', 'nia', 'boca', 'mof-fia', 'bli', 'mohw-social-assistance'],
      services: true,
    });
    const found = portal.services.find((s) => s.serviceId === SERVICE_IDS.passportRenewal);
    if (!found) throw new Error('the demo services do not include the passport renewal');
    passportService = found;
  });
  afterAll(async () => {
    await portal?.close();
  });

  async function newPage(
    options: { lang?: 'zh-TW' | 'en'; width?: number } = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await portal.browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      locale: 'zh-TW',
    });
    // Only the portal reads this; the demo services choose their own language.
    await context.addInitScript(
      `try { localStorage.setItem('mydata.language', ${JSON.stringify(options.lang ?? 'zh-TW')}) } catch {}`,
    );
    return { context, page: await context.newPage() };
  }

  const citizen = (i: number) => {
    const c = portal.population.citizen(i);
    return {
      facts: c.facts,
      name: c.name,
      nationalId: c.nationalId,
      cardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
      pin: demoNhiPin(portal.population.seed, c.nationalId),
    };
  };
  // Citizens of the seeded population: one who holds a passport and is in Taiwan, one with no
  // passport at all (the consular affairs bureau holds no record of them, so collection fails).
  const traveller = () => citizen(1);
  const noPassport = () => citizen(0);

  /** Starts an application at the service and follows it to the platform's consent page. */
  async function applyAtService(page: Page) {
    await page.goto(passportService.url);
    await startApplication(page);
    await page.waitForURL(`${portal.url}/consent/**`);
    await settled(page);
  }

  /** Signs in on the consent page: NHI card, and on first use two documents as the second method. */
  async function signIn(page: Page, c: ReturnType<typeof citizen>) {
    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(c.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(c.cardNumber);
    await page.locator('#nhi-card-pin').fill(c.pin);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    const second = page.locator('#second-step');
    const decided = page.locator('[data-consent]');
    await second.or(decided).first().waitFor();
    if (await second.isVisible()) {
      await page.locator('#method-two-documents').check();
      await page.locator('#two-documents-nationalId').fill(c.nationalId);
      await page.locator('#two-documents-cardNumber').fill(c.cardNumber);
      await page.locator('#two-documents-householdNumber').fill(c.householdNumber);
      await page.locator('form.sign-in-form button[type="submit"]').click();
    }
    await decided.first().waitFor();
    await settled(page);
  }

  /** A high session in the browser context: the citizen certificate through the API, as the card tool signs in. */
  async function signInHigh(context: BrowserContext, c: ReturnType<typeof citizen>) {
    const origin = { origin: portal.url };
    const issued = await portal.platform.nationalCa.issue({ nationalId: c.nationalId });
    const card = openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456');
    const challenge = await context.request.post(`${portal.url}/api/v1/identity/challenges`, {
      headers: origin,
      data: {},
    });
    const { challengeId, toBeSigned } = (await challenge.json()) as {
      challengeId: string;
      toBeSigned: string;
    };
    const first = await context.request.post(`${portal.url}/api/v1/identity/verify/citizen-certificate`, {
      headers: origin,
      data: { challengeId, certificate: card.certificate, signature: card.sign(toBeSigned) },
    });
    let answer = (await first.json()) as { status: string; assurance?: string };
    if (answer.status === 'second-method-required') {
      const second = await context.request.post(`${portal.url}/api/v1/identity/verify/two-documents`, {
        headers: origin,
        data: { nationalId: c.nationalId, nhiCardNumber: c.cardNumber, householdNumber: c.householdNumber },
      });
      answer = (await second.json()) as typeof answer;
    }
    expect(answer).toMatchObject({ status: 'signed-in', assurance: 'high' });
  }

  it('goes from the service to the consent screen and back with the data, readable in zh-TW and English', async () => {
    const { context, page } = await newPage();
    const c = traveller();
    await applyAtService(page);

    // Not signed in: the page says why and offers sign-in in place, keeping the request.
    expect(await page.locator('main h1').textContent()).toBe('登入後確認資料傳送');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-TW');
    expect(await axeViolations(page)).toEqual([]);
    const consentUrl = page.url();
    await signIn(page, c);
    expect(page.url()).toBe(consentUrl);

    // The screen: who asks, why, which data from which agency, one-time, retention, two equal answers.
    const screen = page.locator('[data-consent="decide"]');
    await screen.waitFor();
    expect(await page.locator('main h1').textContent()).toBe('護照線上換發請求使用您的資料');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('外交部領事事務局');
    expect(text).toContain('已在 MyData 平臺登記並經審核的服務提供者（中央機關）');
    expect(text).toContain('核對身分與戶籍、確認人在國內，據以換發護照。');
    expect(text).toContain('一次性傳送');
    expect(text).toContain('表示收到資料後會保存 3650 天');
    const datasets = page.locator('.consent-dataset');
    expect(await datasets.count()).toBe(3);
    for (const agency of ['內政部戶政司', '內政部移民署', '外交部領事事務局']) {
      expect(await page.locator('.consent-dataset [data-agency]').allTextContents()).toContainEqual(
        expect.stringContaining(agency.slice(0, 4)),
      );
    }
    // Every dataset here is required: it cannot be unticked, and says why.
    const required = page.locator('.consent-dataset[data-required="true"] input[type="checkbox"]');
    expect(await required.count()).toBe(3);
    // Playwright will not click an aria-disabled control; a keyboard user can still press Space on it.
    await required.first().focus();
    await page.keyboard.press('Space');
    await required.first().click({ force: true });
    expect(await required.first().isChecked()).toBe(true);
    expect(await required.first().getAttribute('aria-disabled')).toBe('true');
    expect(await page.locator('.consent-dataset .need.required').first().textContent()).toContain(
      '無法取消勾選',
    );
    expect(await page.locator('.consent-dataset .field-list li').count()).toBeGreaterThan(3);
    const agree = page.locator('[data-decision="accept"]');
    const decline = page.locator('[data-decision="decline"]');
    expect(await agree.textContent()).toBe('同意並傳送');
    expect(await decline.textContent()).toBe('不同意');
    const [a, d] = [await agree.boundingBox(), await decline.boundingBox()];
    expect(a && d && { w: a.width, h: a.height }).toEqual(d && { w: d.width, h: d.height });
    const weight = (selector: string) =>
      page.evaluate(`getComputedStyle(document.querySelector('${selector}')).fontWeight`);
    expect(await weight('[data-decision="accept"]')).toBe(await weight('[data-decision="decline"]'));
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-zh-TW.png'), fullPage: true });

    // At 360 px nothing needs sideways scrolling.
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-360.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // The same screen in English.
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('main h1').textContent()).toBe('Online passport renewal asks for your data');
    expect(await page.locator('main').textContent()).toContain('keeps the data for 3650 days');
    expect(await agree.textContent()).toBe('Agree and send');
    expect(await decline.textContent()).toBe('Decline');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-en.png'), fullPage: true });

    // Keyboard only: Tab to "Agree and send" and press Enter; the browser goes back to the service.
    await page.locator('#consent-title').focus();
    await tabTo(page, '[data-decision="accept"]');
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.href.startsWith(passportService.url), { timeout: 30_000 });
    await page.waitForLoadState('load');
    await expectServiceShowsData(page, c);
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-service-received.png'), fullPage: true });

    // My consents (in zh-TW again: every page load here starts in the language set for the context):
    // the used consent; its receipt downloads and verifies.
    await page.goto(`${portal.url}/consents`);
    await settled(page);
    const used = page.locator('[data-status="used"].consent-card');
    await used.first().waitFor();
    expect(await used.count()).toBe(1);
    expect(await used.first().textContent()).toContain('護照線上換發');
    await used.first().locator('[data-action="verify"]').click();
    await used.first().locator('.receipt-check[data-valid="true"]').waitFor();
    expect(await used.first().locator('.receipt-check').textContent()).toContain('收據有效');
    expect(await used.first().locator('[data-action="withdraw"]').count()).toBe(0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      used.first().locator('a[download]').click(),
    ]);
    const saved = await download.path();
    const receipt = readFileSync(saved, 'utf8').trim();
    expect(receipt.split('.')).toHaveLength(3);
    const check = await context.request.post(`${portal.url}/api/v1/consents/verify-receipt`, {
      headers: { origin: portal.url },
      data: { receipt },
    });
    expect(await check.json()).toMatchObject({ valid: true });
    // The same file, checked in the page.
    await page.locator('.check-receipt input[type="file"]').setInputFiles(saved);
    await page.locator('.check-receipt .receipt-check[data-valid="true"]').waitFor();
    // A receipt changed by one character is refused.
    const [h, p, s] = receipt.split('.');
    const tampered = `${h}.${p}.${s?.startsWith('A') ? `B${s.slice(1)}` : `A${s?.slice(1)}`}`;
    await page.locator('.check-receipt input[type="file"]').setInputFiles({
      name: 'tampered.jws',
      mimeType: 'application/jose',
      buffer: Buffer.from(tampered),
    });
    await page.locator('.check-receipt .receipt-check[data-valid="false"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'my-consents.png'), fullPage: true });
    await context.close();
  });

  it('tells the service when the citizen declines, and sends nothing', async () => {
    const { context, page } = await newPage();
    await applyAtService(page);
    await signIn(page, traveller());
    await page.locator('[data-decision="decline"]').click();
    await page.waitForURL((url) => url.href.startsWith(passportService.url), { timeout: 30_000 });
    await page.waitForLoadState('load');
    await expectServiceShowsDecline(page);
    const consents = await context.request.get(`${portal.url}/api/v1/consents`);
    const items = ((await consents.json()) as { items: { status: string }[] }).items;
    // The decline created no consent: only the one of the first scenario, already used.
    expect(items.map((i) => i.status)).toEqual(['used']);
    await context.close();
  });

  it('names the agency when collection fails, lets the citizen retry, withdraw or cancel', async () => {
    const { context, page } = await newPage();
    await applyAtService(page);
    await signIn(page, noPassport());
    await page.locator('[data-decision="accept"]').click();

    // The consular affairs bureau holds no passport for this citizen: the consent stays pending.
    const failed = page.locator('[data-consent="failed"]');
    await failed.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('consent-failed-title');
    const consentId = await failed.getAttribute('data-consent-id');
    expect(consentId).toBeTruthy();
    expect(await failed.textContent()).toMatch(/外交部領事事務局|內政部移民署/);
    expect(await page.locator('[data-decision="retry"]').textContent()).toBe('再試一次');
    expect(await page.locator('[data-decision="cancel"]').textContent()).toBe('取消並回到服務');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'consent-failed.png'), fullPage: true });

    // Retry asks the agencies again; it fails the same way, still naming the agency.
    await page.locator('[data-decision="retry"]').click();
    await page.locator('[data-decision="retry"]:not([disabled])').waitFor();
    expect(await failed.getAttribute('data-consent-id')).toBe(consentId);

    // A reload shows the same failure: the interaction remembers the pending consent.
    await page.reload();
    await page.locator('[data-consent="failed"]').waitFor();

    // My consents lists it as pending; withdrawing takes one step and a confirmation.
    const consentPage = page.url();
    await page.goto(`${portal.url}/consents`);
    await settled(page);
    const card = page.locator(`.consent-card[data-consent-id="${consentId}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-status')).toBe('pending');
    // It says what went wrong and which agency.
    expect(await card.textContent()).toMatch(/發生的問題.*(外交部領事事務局|內政部移民署)/);
    await card.locator('[data-action="withdraw"]').click();
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('confirm');
    expect(await axeViolations(page)).toEqual([]);
    await card.locator('[data-action="confirm-withdraw"]').click();
    await page.getByText('已撤回對「護照線上換發」的同意。').waitFor();
    await expect
      .poll(async () =>
        page.locator(`.consent-card[data-consent-id="${consentId}"]`).getAttribute('data-status'),
      )
      .toBe('withdrawn');
    expect(await page.locator('#status-withdrawn .consent-card [data-action="withdraw"]').count()).toBe(0);

    // Back on the consent page, Cancel goes back to the service, which is told the citizen declined.
    await page.goto(consentPage);
    await settled(page);
    await page.locator('[data-decision="cancel"], [data-decision="decline"]').first().click();
    await page.waitForURL((url) => url.href.startsWith(passportService.url), { timeout: 30_000 });
    await page.waitForLoadState('load');
    await expectServiceShowsDecline(page);
    await context.close();
  });

  it('asks for a stronger identity check in place when required data needs it; declining still works', async () => {
    const childcare = portal.services.find((s) => s.serviceId === SERVICE_IDS.childcareSubsidy);
    if (!childcare) throw new Error('the demo services do not include the childcare subsidy');
    for (const lang of ['zh-TW', 'en'] as const) {
      const { context, page } = await newPage({ lang, width: 360 });
      await page.goto(childcare.url);
      await startApplication(page);
      await page.waitForURL(`${portal.url}/consent/**`);
      await settled(page);
      // NHI card: a substantial session; the income data (required) needs high.
      await signIn(page, traveller());
      const stepUp = page.locator('[data-consent="step-up"]');
      await stepUp.waitFor();
      expect(await page.locator('main h1').textContent()).toBe(
        lang === 'en' ? 'A stronger identity check is needed' : '需要更高強度的身分驗證',
      );
      expect(await stepUp.textContent()).toContain(lang === 'en' ? 'Strongest check' : '最高強度驗證');
      // Only methods that reach high are offered; the first-use text is not repeated.
      expect(await page.locator('#method-nhi-card').count()).toBe(0);
      expect(await page.locator('#method-citizen-certificate').count()).toBe(1);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `consent-step-up-${lang}.png`), fullPage: true });
      await stepUp.locator('[data-decision="decline"]').click();
      await page.waitForURL((url) => url.href.startsWith(childcare.url), { timeout: 30_000 });
      await page.waitForLoadState('load');
      await expectServiceShowsDecline(page);
      await context.close();
    }
  });

  it('lets the citizen leave out optional data; the service receives only what was chosen', async () => {
    const childcare = portal.services.find((s) => s.serviceId === SERVICE_IDS.childcareSubsidy);
    if (!childcare) throw new Error('the demo services do not include the childcare subsidy');
    const { context, page } = await newPage();
    const c = traveller();
    await signInHigh(context, c);
    await page.goto(childcare.url);
    await startApplication(page);
    await page.waitForURL(`${portal.url}/consent/**`);
    await settled(page);
    await page.locator('[data-consent="decide"]').waitFor();

    // Two optional datasets, ticked at first; unticked with the keyboard. The required ones stay.
    const optional = page.locator('.consent-dataset[data-required="false"] input[type="checkbox"]');
    expect(await optional.count()).toBe(2);
    for (const box of await optional.all()) {
      expect(await box.isChecked()).toBe(true);
      await box.focus();
      await page.keyboard.press('Space');
      expect(await box.isChecked()).toBe(false);
    }
    expect(await page.locator('.consent-dataset .need.optional').first().textContent()).toContain(
      '可選擇不提供',
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('[data-decision="accept"]').click();
    await page.waitForURL((url) => url.href.startsWith(childcare.url), { timeout: 30_000 });
    await page.getByText('已收到您的資料').first().waitFor();
    expect(await page.locator('.verified').count()).toBe(2);
    await context.close();
  });

  it('explains an expired or unknown request: go back to the service and start again', async () => {
    for (const lang of ['zh-TW', 'en'] as const) {
      const { context, page } = await newPage({ lang });
      await page.goto(`${portal.url}/consent/no-such-interaction`);
      await settled(page);
      await page.locator('[data-consent="expired"]').waitFor();
      expect(await page.locator('main h1').textContent()).toBe(
        lang === 'en' ? 'This data request is no longer valid' : '這個資料請求已經失效',
      );
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      expect(await axeViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it('asks a signed-out citizen on my consents to sign in, and comes back there', async () => {
    const { context, page } = await newPage({ lang: 'en' });
    await page.goto(`${portal.url}/consents`);
    await settled(page);
    expect(await page.locator('main h2').first().textContent()).toBe('Sign in to use this');
    expect(await axeViolations(page)).toEqual([]);
    // A citizen who never consented: sign in (first use, two methods), back on my consents, nothing listed.
    await page.locator('main a[href="/sign-in?return=/consents"]').click();
    await settled(page);
    const c = citizen(2);
    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(c.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(c.cardNumber);
    await page.locator('#nhi-card-pin').fill(c.pin);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    await page.locator('#second-step').waitFor();
    await page.locator('#method-two-documents').check();
    await page.locator('#two-documents-nationalId').fill(c.nationalId);
    await page.locator('#two-documents-cardNumber').fill(c.cardNumber);
    await page.locator('#two-documents-householdNumber').fill(c.householdNumber);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    await page.waitForURL('**/consents');
    await page.getByText('You have not agreed to any data transfer yet.').waitFor();
    expect(await page.locator('.consent-card').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});

/** Starts an application on a demo service's page: its button goes to the platform. */
async function startApplication(page: Page) {
  await page.locator('form[action="/start"] button[type="submit"]').click();
}

/** The service's page after a transfer: the applicant's data, each dataset's agency signature verified. */
async function expectServiceShowsData(page: Page, c: { facts: { passport: { number: string } | null } }) {
  await page.getByText('已收到您的資料').first().waitFor();
  expect(await page.locator('.verified').count()).toBe(3);
  const text = (await page.locator('body').textContent()) ?? '';
  expect(text).toContain(c.facts.passport?.number);
}

/** The service's page after the citizen declined or cancelled: it says so, and shows no data. */
async function expectServiceShowsDecline(page: Page) {
  await page.getByText('未提供資料').first().waitFor();
  expect(await page.locator('.verified').count()).toBe(0);
}
