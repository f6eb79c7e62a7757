import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DATASET_IDS, demoNhiPin } from '@mydata/demo';
import { createServiceClient, generateServiceKeys, type ServiceKeys, serviceJwksOf } from '@mydata/sdk';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal, tabTo } from './harness.ts';

const ORG = 'e2e-lending';
const SERVICE = `${ORG}.loan-check`;
const DATASET = DATASET_IDS.householdRegistration;
const PURPOSE = 'https://w3id.org/dpv#ServiceProvision';
// The service's own site: never reached, the browser's visit to it is caught in the test.
const REDIRECT = 'https://lending.example/callback';

/**
 * An organisation joins the platform through the portal: its admin signs it up and applies for an
 * online service, the sandbox answers at once, the operator sends the application back for changes
 * and approves the resubmission, and the first real transfer to the service works through the SDK
 * with the citizen consenting in the browser. A suspension stops new consents at once with a clear
 * message; reinstating lets them through again. Every page is checked with axe in both languages.
 */
describe('Onboarding an organisation and the operator console', () => {
  let portal: Portal;
  let keys: ServiceKeys;
  let jwksServer: Server;
  let jwksUrl = '';

  beforeAll(async () => {
    // Sign-in (NHI card, then household registration as the second method) and the dataset asked for.
    portal = await startPortal({ agencies: ['nhia', 'moi-household'], personas: [2] });
    keys = await generateServiceKeys();
    // The service publishes its public keys itself; the platform reads them from this address.
    jwksServer = createServer((req, res) => {
      if (req.url !== '/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(serviceJwksOf(keys)));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://localhost:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    // The reviewer: a citizen the platform knows as operator (npm start uses OPERATOR_NATIONAL_IDS).
    await portal.platform.staff.add({
      organisationId: 'platform-operator',
      nationalId: person(4).nationalId,
      role: 'operator',
      label: '審查員 E2E',
    });
  });
  afterAll(async () => {
    await portal?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  function person(i: number) {
    const c = portal.population.citizen(i);
    return {
      nationalId: c.nationalId,
      cardNumber: c.nhiCardNumber,
      householdNumber: c.household.number,
      pin: demoNhiPin(portal.population.seed, c.nationalId),
    };
  }
  const admin = () => person(3);
  const operator = () => person(4);
  const citizen = () => person(1);

  async function newPage(lang: 'zh-TW' | 'en' = 'zh-TW'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await portal.browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'zh-TW',
    });
    await context.addInitScript(
      `try { localStorage.setItem('mydata.language', ${JSON.stringify(lang)}) } catch {}`,
    );
    const page = await context.newPage();
    // A script error in the portal fails loudly here rather than as a missing heading later.
    page.on('pageerror', (error) => console.error(`portal error: ${error.message}`));
    return { context, page };
  }

  /** NHI card, and on first use the two documents as the second method. */
  async function signIn(page: Page, p: ReturnType<typeof person>, done: string) {
    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(p.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(p.cardNumber);
    await page.locator('#nhi-card-pin').fill(p.pin);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    const second = page.locator('#second-step');
    const finished = page.locator(done);
    await second.or(finished).first().waitFor();
    if (await second.isVisible()) {
      await page.locator('#method-two-documents').check();
      await page.locator('#two-documents-nationalId').fill(p.nationalId);
      await page.locator('#two-documents-cardNumber').fill(p.cardNumber);
      await page.locator('#two-documents-householdNumber').fill(p.householdNumber);
      await page.locator('form.sign-in-form button[type="submit"]').click();
    }
    await finished.first().waitFor();
    await settled(page);
  }

  /** Axe in zh-TW, then in English, then back: the page must pass in both languages. */
  async function axeBoth(page: Page, name: string) {
    expect(await page.getAttribute('html', 'lang')).toBe('zh-TW');
    expect(await axeViolations(page), `${name} zh-TW`).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `onboarding-${name}-zh-TW.png`), fullPage: true });
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await axeViolations(page), `${name} en`).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, `onboarding-${name}-en.png`), fullPage: true });
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-TW');
  }

  /** At 360 px nothing needs sideways scrolling. */
  async function fitsNarrow(page: Page) {
    await page.setViewportSize({ width: 360, height: 800 });
    const wide = await page.evaluate(`[...document.querySelectorAll('main *')]
      .filter((e) => e.getBoundingClientRect().right > 361)
      .slice(0, 5)
      .map((e) => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))`);
    expect(await page.evaluate('document.documentElement.scrollWidth'), String(wide)).toBeLessThanOrEqual(
      360,
    );
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** The SDK starts a transfer; the browser follows it to the consent page. */
  async function startTransfer(page: Page) {
    const client = createServiceClient({
      issuer: portal.url,
      clientId: SERVICE,
      signingKey: keys.signingKey,
      encryptionKey: keys.encryptionKey,
      redirectUri: REDIRECT,
    });
    const { url, pending } = await client.startTransfer({ datasets: [DATASET], purpose: PURPOSE });
    let callback: string | undefined;
    await page.route('https://lending.example/**', async (route) => {
      callback = route.request().url();
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Lending</title><p>ok</p>' });
    });
    await page.goto(url);
    await page.waitForURL(`${portal.url}/consent/**`);
    await settled(page);
    return { client, pending, callback: () => callback };
  }

  /** The id (without language) of the field reason the applicant left blank at first. */
  let lastField = '';
  let adminPage: Page;
  let adminContext: BrowserContext;
  let operatorPage: Page;
  let operatorContext: BrowserContext;

  it('signs up an organisation and applies for an online service; the sandbox answers at once', async () => {
    ({ context: adminContext, page: adminPage } = await newPage());
    const page = adminPage;
    await page.goto(`${portal.url}/organisations`);
    await settled(page);
    // Signed out: the page says so and links to sign-in coming back here.
    expect(await page.locator('main h1').textContent()).toBe('組織與串接申請');
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('main a[href="/sign-in?return=%2Forganisations"]').click();
    await settled(page);
    await signIn(page, admin(), 'form[data-form="sign-up"]');
    expect(new URL(page.url()).pathname).toBe('/organisations');
    expect(await page.locator('main').textContent()).toContain('您目前不屬於任何組織');
    await axeBoth(page, 'organisations');
    await fitsNarrow(page);

    // The sign-up form checks what it can before sending, and says so beside each field.
    await page.locator('[data-action="sign-up"]').click();
    await page.locator('.error-summary').waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('error-summary');
    expect(await page.locator('#org-id').getAttribute('aria-invalid')).toBe('true');
    expect(await axeViolations(page)).toEqual([]);
    await page.locator('#org-id').fill(ORG);
    await page.locator('#org-name-zh').fill('端對端貸款公司');
    await page.locator('#org-name-en').fill('End-to-end Lending');
    await page.locator('#org-sector').selectOption('financial');
    await page.locator('#org-contact-name').fill('資安窗口');
    await page.locator('#org-contact-email').fill('security@lending.example');
    await page.locator('[data-action="sign-up"]').click();
    await page.waitForURL(`**/organisations/${ORG}`);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('端對端貸款公司');
    expect(await page.locator('.staff-table [data-role="admin"]').count()).toBe(1);
    await axeBoth(page, 'organisation');

    // Staff: a developer is added by national ID and removed again; the last admin cannot be removed.
    await page.locator('#staff-national-id').fill(person(7).nationalId);
    await page.locator('#staff-role').selectOption('developer');
    await page.locator('#staff-label').fill('開發者 陳');
    await page.locator('[data-action="add-staff"]').click();
    const developer = page.locator('.staff-table tr[data-staff="開發者 陳"]');
    await developer.waitFor();
    expect(await page.locator('.staff > .status').textContent()).toBe('已加入 開發者 陳（開發人員）。');
    await developer.locator('[data-action="remove-staff"]').click();
    await developer.locator('[data-action="confirm-remove"]').click();
    await developer.waitFor({ state: 'detached' });
    const adminRow = page.locator('.staff-table tr[data-role="admin"]');
    await adminRow.locator('[data-action="remove-staff"]').click();
    await adminRow.locator('[data-action="confirm-remove"]').click();
    await page.locator('.staff [data-problem="onboarding.last-admin"]').waitFor();
    expect(await page.locator('.staff .error-summary').textContent()).toContain('不能移除最後一位管理者');
    expect(await axeViolations(page)).toEqual([]);

    // The application: an online service asking for the household registration.
    await page.locator('[data-action="new-application"]').click();
    const form = page.locator('form[data-form="application"]');
    await form.waitFor();
    await page.locator('#app-service-id').fill(SERVICE);
    await page.locator('#app-name-zh').fill('貸款資格檢核');
    await page.locator('#app-name-en').fill('Loan eligibility check');
    await page.locator('#app-description-zh').fill('線上申請貸款時核對戶籍。');
    await page.locator('#app-description-en').fill('Checks the household registration for an online loan.');
    await page.locator('#app-purpose-zh').fill('核對申請人的戶籍地址與戶內人數。');
    await page
      .locator('#app-purpose-en')
      .fill('Checks the applicant’s registered address and household size.');
    await page.locator('#app-retention').fill('30');
    await page.locator('#app-add-dataset').selectOption(DATASET);
    await page.locator('[data-action="add-dataset"]').click();
    // Focus goes to the reason of the dataset just added.
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('app-ds-0-just-zh');
    await page.locator('#app-ds-0-just-zh').fill('確認申請人的戶籍地址。');
    await page.locator('#app-ds-0-just-en').fill('To confirm the applicant’s registered address.');
    // Every field but the last gets its reason: the last is left for the reviewer to flag.
    const reasons = page.locator('[id^="app-ds-0-f-"][id$="-zh"]');
    const fieldCount = await reasons.count();
    expect(fieldCount).toBeGreaterThan(1);
    for (let i = 0; i < fieldCount - 1; i++) {
      const id = (await reasons.nth(i).getAttribute('id')) ?? '';
      await page.locator(`#${id}`).fill(`欄位用途 ${i + 1}：核對地址。`);
      await page.locator(`#${id.replace(/-zh$/, '-en')}`).fill(`Field use ${i + 1}: address check.`);
    }
    lastField = ((await reasons.nth(fieldCount - 1).getAttribute('id')) ?? '').replace(/-zh$/, '');
    await page.locator('#app-redirects').fill(REDIRECT);
    await page.locator('#app-jwks-url').fill(jwksUrl);
    expect(await page.locator('#app-contact-email').inputValue()).toBe('security@lending.example');
    expect(await axeViolations(page)).toEqual([]);
    await fitsNarrow(page);
    await page.locator('[data-action="submit-application"]').click();

    // Sent: in review, with sandbox credentials and the personas link shown at once.
    await page.locator('[data-sent]').waitFor({ timeout: 30_000 });
    const card = page.locator('.application-card').filter({ hasText: SERVICE });
    await card.locator('[data-sandbox]').waitFor();
    expect(await card.getAttribute('data-status')).toBe('submitted');
    expect(await card.locator('[data-sandbox-client]').textContent()).toBe(`${SERVICE}-sandbox`);
    expect(await card.locator('[data-sandbox] a').getAttribute('href')).toContain('/sandbox/personas');
    // The applicant sees the same flags the reviewer will.
    expect(await card.locator('.flag').count()).toBeGreaterThan(0);
    // The sandbox client's keys, read from the JWKS address, with thumbprints.
    const sandboxClient = page.locator(`.client-card[data-client="${SERVICE}-sandbox"]`);
    await sandboxClient.waitFor();
    expect(await sandboxClient.locator('tbody tr').count()).toBe(2);
    await sandboxClient.locator('[data-action="refresh-keys"]').click();
    await sandboxClient.locator('.status').getByText('已重新讀取').waitFor();
    await axeBoth(page, 'application-sent');
    await fitsNarrow(page);

    // The other kind of application: datasets a data provider offers, with its endpoint and keys.
    await page.locator('[data-action="new-application"]').click();
    await page.locator('#app-kind-data-provider').check();
    await page.locator('#app-pd-0-id').waitFor();
    expect(await page.locator('#app-pd-0-id').inputValue()).toBe(`${ORG}.dataset-1`);
    await axeBoth(page, 'provider-form');
    await fitsNarrow(page);
    await page.locator('#app-pd-0-id').fill(`${ORG}.credit-score`);
    await page.locator('#app-pd-0-name-zh').fill('信用評分');
    await page.locator('#app-pd-0-name-en').fill('Credit score');
    await page.locator('#app-pd-0-desc-zh').fill('本公司對申請人的信用評分。');
    await page.locator('#app-pd-0-desc-en').fill('Our credit score of the applicant.');
    await page.locator('#app-pd-0-topic').selectOption('income');
    await page.locator('#app-pd-0-f-0-name').fill('score');
    await page.locator('#app-pd-0-f-0-type').selectOption('integer');
    await page.locator('#app-pd-0-f-0-label-zh').fill('評分');
    await page.locator('#app-pd-0-f-0-label-en').fill('Score');
    await page.locator('#app-base-url').fill('https://credit.lending.example:8443');
    await page.locator('#app-pins').fill('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    await page.locator('#app-jwks-url').fill(jwksUrl);
    await page.locator('[data-action="submit-application"]').click();
    await page.locator('.application-card[data-application]').nth(1).waitFor({ timeout: 30_000 });
    const provider = page.locator('.application-card').filter({ hasText: `${ORG}.credit-score` });
    expect(await provider.getAttribute('data-status')).toBe('submitted');
    // Only a service gets a sandbox.
    expect(await provider.locator('[data-sandbox]').count()).toBe(0);
    // A data provider gets a connection test instead: one real query for a test persona, by keyboard.
    const test = provider.locator('[data-connection-test]');
    await test.locator('select[name="nationalId"]').waitFor();
    await test.locator('select[name="datasetId"]').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.dataset?.action')).toBe('test-call');
    await page.keyboard.press('Enter');
    // The endpoint of this application does not exist: the failure is told with its exchange code.
    await test.locator('[data-test-result="failed"]').waitFor({ timeout: 30_000 });
    expect(await test.locator('[data-test-result]').getAttribute('data-problem')).toMatch(/^exchange\./);
    await axeBoth(page, 'connection-test');
  });

  it('lets the operator see the flags beside the fields and request changes; the applicant resubmits', async () => {
    ({ context: operatorContext, page: operatorPage } = await newPage());
    const page = operatorPage;
    await page.goto(`${portal.url}/sign-in?return=/operator`);
    await settled(page);
    await signIn(page, operator(), '#queue-title');
    expect(new URL(page.url()).pathname).toBe('/operator');
    const row = page.locator('.queue-table tbody tr').filter({ hasText: SERVICE });
    await row.waitFor();
    await axeBoth(page, 'operator');
    await fitsNarrow(page);
    await row.locator('a').click();
    await page.locator('form[data-form="decision"]').waitFor();
    await settled(page);
    // The field left without a reason is flagged beside it, and the summary links down to it.
    expect(await page.locator('.flag-summary').count()).toBe(1);
    expect(await page.locator('tr[data-justified="false"]').count()).toBeGreaterThan(0);
    expect(await page.locator('.application-view .flags .flag').count()).toBeGreaterThan(0);
    await axeBoth(page, 'review');
    await fitsNarrow(page);

    // Request changes without a reason: refused in the form, with the reason asked for.
    await page.locator('#decision-request-changes').check();
    await page.locator('[data-action="decide"]').click();
    await page.locator('#decision-reason[aria-invalid="true"]').waitFor();
    await page.locator('#decision-reason').fill('請說明每個欄位的用途，特別是未填寫的欄位。');
    await page.locator('[data-action="decide"]').click();
    await page.locator('[data-done="request-changes"], .error-summary').first().waitFor();
    expect(
      await page.locator('.error-summary').count(),
      (await page.locator('main').textContent()) ?? '',
    ).toBe(0);

    // The applicant sees the decision and its reason, changes the application and resubmits.
    const admin = adminPage;
    await admin.reload();
    await settled(admin);
    const card = admin.locator('.application-card').filter({ hasText: SERVICE });
    await expect.poll(() => card.getAttribute('data-status')).toBe('changes-requested');
    expect(await card.textContent()).toContain('請說明每個欄位的用途');
    await axeBoth(admin, 'changes-requested');
    await card.locator('[data-action="change-application"]').click();
    await admin.locator(`#${lastField}-zh`).fill('核對戶內人數。');
    await admin.locator(`#${lastField}-en`).fill('To check the household size.');
    await card.locator('[data-action="submit-application"]').click();
    await admin.locator('[data-sent]').waitFor({ timeout: 30_000 });
    await expect
      .poll(() => admin.locator('.application-card').filter({ hasText: SERVICE }).getAttribute('data-status'))
      .toBe('submitted');
  });

  it('approves the resubmission; the first real transfer to the service works through the SDK', async () => {
    const page = operatorPage;
    await page.goto(`${portal.url}/operator`);
    await settled(page);
    await page.locator('.queue-table tbody tr').filter({ hasText: SERVICE }).locator('a').click();
    await page.locator('form[data-form="decision"]').waitFor();
    // The history shows the earlier request for changes and the resubmission.
    expect(await page.locator('.decision-history [data-action="request-changes"]').count()).toBe(1);
    await page.locator('#decision-approve').check();
    await page.locator('#decision-reason').fill('欄位用途已補齊。');
    await page.locator('[data-action="decide"]').click();
    try {
      await page.locator('[data-done="approve"], .error-summary').first().waitFor({ timeout: 20_000 });
    } catch (e) {
      const probe = await page
        .context()
        .request.get(`${portal.url}/api/v1/statistics`, { timeout: 5000 })
        .then(
          (r) => `statistics ${r.status()}`,
          (err) => `statistics failed ${err}`,
        );
      throw new Error(`approval did not answer; ${probe}`, { cause: e });
    }
    expect(
      await page.locator('.error-summary').count(),
      (await page.locator('main').textContent()) ?? '',
    ).toBe(0);

    // A citizen uses the service: the SDK starts, the browser consents, the SDK finishes.
    const { context, page: browser } = await newPage();
    const transfer = await startTransfer(browser);
    await signIn(browser, citizen(), '[data-consent="decide"]');
    expect(await browser.locator('main h1').textContent()).toBe('貸款資格檢核請求使用您的資料');
    await browser.locator('[data-decision="accept"]').click();
    await expect.poll(() => transfer.callback(), { timeout: 30_000 }).toBeDefined();
    const result = await transfer.client.finishTransfer(transfer.callback() as string, transfer.pending);
    expect(result.serviceId).toBe(SERVICE);
    expect(result.datasets.map((d) => d.datasetId)).toEqual([DATASET]);
    await context.close();
  });

  it('suspends the organisation: consents are refused with a clear message; reinstating lets them through', async () => {
    // A citizen is on the consent screen of the service when the operator suspends it.
    const inProgress = await newPage();
    await startTransfer(inProgress.page);
    await signIn(inProgress.page, citizen(), '[data-consent="decide"]');

    const page = operatorPage;
    await page.goto(`${portal.url}/operator`);
    await settled(page);
    const org = page.locator(`.org-row[data-organisation="${ORG}"]`);
    // Keyboard only: Tab to the organisation's suspend button and press Enter; focus goes to the confirmation.
    await page.evaluate(`(() => {
      const title = document.getElementById('operator-organisations-title');
      title.setAttribute('tabindex', '-1');
      title.focus();
    })()`);
    await tabTo(page, `.org-row[data-organisation="${ORG}"] [data-action="suspend"]`);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('confirm');
    await axeBoth(page, 'suspend-confirm');
    // A reason is required; the form says so.
    await org.locator('[data-action="confirm-suspend"]').click();
    await org.locator('textarea[aria-invalid="true"]').waitFor();
    await org.locator('textarea').fill('資安事件調查中。');
    await org.locator('[data-action="confirm-suspend"]').click();
    await expect.poll(() => org.getAttribute('data-suspended')).toBe('true');
    expect(await org.textContent()).toContain('資安事件調查中。');
    expect(await page.locator('.operator-organisations > .status').textContent()).toContain('已停權');

    // Agreeing now fails cleanly: the citizen is told the service is suspended, nothing is sent.
    const browser = inProgress.page;
    await browser.locator('[data-decision="accept"]').click();
    const refusal = browser.locator('.error-summary, [data-consent="failed"]').first();
    await refusal.waitFor({ timeout: 30_000 });
    expect(await refusal.textContent()).toContain('這項服務已暫停');
    expect(await axeViolations(browser)).toEqual([]);
    await browser.screenshot({ path: join(SCREENSHOTS, 'onboarding-suspended-consent.png'), fullPage: true });
    await inProgress.context.close();

    // A new request of the service is refused by the platform at once, when the service pushes it.
    const fresh = await newPage();
    await expect(startTransfer(fresh.page)).rejects.toMatchObject({
      name: 'MyDataProblem',
      message: expect.stringContaining('suspended'),
    });
    await fresh.context.close();

    // The audit trail records the suspension, and its hash chain holds.
    const audit = page.locator('.audit-table [data-action="suspend"]');
    await page.reload();
    await settled(page);
    await audit.first().waitFor();
    expect(await page.locator('[data-chain="true"]').count()).toBe(1);

    // Reinstate: new consents reach the consent screen again.
    await org.locator('[data-action="reinstate"]').click();
    await org.locator('textarea').fill('調查結束。');
    await org.locator('[data-action="confirm-reinstate"]').click();
    await expect.poll(() => org.getAttribute('data-suspended')).toBe('false');
    const again = await newPage();
    const transfer = await startTransfer(again.page);
    await signIn(again.page, citizen(), '[data-consent="decide"]');
    await again.page.locator('[data-decision="accept"]').click();
    await expect.poll(() => transfer.callback(), { timeout: 30_000 }).toBeDefined();
    const result = await transfer.client.finishTransfer(transfer.callback() as string, transfer.pending);
    expect(result.datasets.map((d) => d.datasetId)).toEqual([DATASET]);
    await again.context.close();
    await adminContext.close();
    await operatorContext.close();
  });
});
