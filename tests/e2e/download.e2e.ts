import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { demoNhiPin } from '@mydata/demo';
import { unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal, tabTo } from './harness.ts';

const run = promisify(execFile);
const VERIFY = resolve('node_modules/.bin/mydata-verify-download');
const HOUSEHOLD = 'moi-household.household-registration';
const NHI = 'nhia.insurance-status';
const INCOME = 'mof-fia.income';
const LABOUR = 'bli.labour-insurance';

/**
 * Data download in a real browser: the citizen signs in, chooses datasets, confirms and saves the
 * zip, which the offline verifier then checks. Sign-in and the chosen datasets' agencies run as their
 * own servers over mutual TLS; the labour insurance bureau is not running, so asking it fails.
 */
describe('Downloading one’s own data on the portal', () => {
  let portal: Portal;
  let dir: string;

  beforeAll(async () => {
    portal = await startPortal({ agencies: ['nhia', 'moi-household'] });
    dir = mkdtempSync(join(tmpdir(), 'mydata-download-e2e-'));
  });
  afterAll(async () => {
    await portal?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(lang: 'zh-TW' | 'en' = 'zh-TW', width = 1280) {
    const context = await portal.browser.newContext({
      viewport: { width, height: 900 },
      locale: 'zh-TW',
      acceptDownloads: true,
    });
    await context.addInitScript(
      `try { localStorage.setItem('mydata.language', ${JSON.stringify(lang)}) } catch {}`,
    );
    return { context, page: await context.newPage() };
  }

  /** A citizen the running agencies hold both records of. */
  function citizen() {
    const p = portal.population;
    for (let i = 0; i < p.size; i++) {
      const c = p.citizen(i);
      if (p.record(HOUSEHOLD, c.nationalId) && p.record(NHI, c.nationalId)) {
        return {
          nationalId: c.nationalId,
          cardNumber: c.nhiCardNumber,
          householdNumber: c.household.number,
          pin: demoNhiPin(p.seed, c.nationalId),
          name: c.name,
        };
      }
    }
    throw new Error('nobody holds both records');
  }

  /** From the signed-out download page: sign in and come back. */
  async function signIn(page: Page, c: ReturnType<typeof citizen>) {
    await page.locator('main a[href="/sign-in?return=/download"]').click();
    await settled(page);
    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(c.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(c.cardNumber);
    await page.locator('#nhi-card-pin').fill(c.pin);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    // The first use needs a second method; a later one does not.
    const second = page.locator('#second-step');
    const back = page.locator('[data-download="choose"]');
    await second.or(back).first().waitFor();
    if (await second.isVisible()) {
      await page.locator('#method-two-documents').check();
      await page.locator('#two-documents-nationalId').fill(c.nationalId);
      await page.locator('#two-documents-cardNumber').fill(c.cardNumber);
      await page.locator('#two-documents-householdNumber').fill(c.householdNumber);
      await page.locator('form.sign-in-form button[type="submit"]').click();
    }
    await page.waitForURL('**/download');
    await page.locator('[data-download="choose"]').waitFor();
    await settled(page);
  }

  const box = (page: Page, id: string) => page.locator(`[data-dataset="${id}"] input[type="checkbox"]`);

  it('signs in, chooses, confirms and saves a zip the offline verifier accepts; readable in zh-TW and English', async () => {
    const { context, page } = await newPage();
    const c = citizen();
    await page.goto(`${portal.url}/download`);
    await settled(page);
    expect(await page.locator('main h1').textContent()).toBe('資料下載');
    expect(await page.locator('main h2').first().textContent()).toBe('這項功能需要先登入');
    expect(await axeViolations(page)).toEqual([]);
    await signIn(page, c);

    // Grouped by agency, each dataset with the identity check it needs.
    expect(await page.locator('.download-group legend h2').allTextContents()).toContain('內政部戶政司');
    expect(await page.locator(`[data-dataset="${INCOME}"]`).textContent()).toContain('最高強度驗證');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'download-choose.png'), fullPage: true });
    // Grouped by topic instead.
    await page.locator('input[name="group-by"][value="topic"]').check();
    expect(await page.locator('.download-group legend h2').allTextContents()).toContain('戶籍');
    await page.locator('input[name="group-by"][value="agency"]').check();

    // Nothing chosen: the page says so and focuses the message.
    await page.locator('[data-action="next"]').click();
    await expect.poll(() => page.evaluate('document.activeElement?.className')).toBe('error-summary');

    // Chosen with the keyboard; at 360 px nothing scrolls sideways.
    await box(page, HOUSEHOLD).focus();
    await page.keyboard.press('Space');
    await box(page, NHI).check();
    await page.setViewportSize({ width: 360, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot({ path: join(SCREENSHOTS, 'download-choose-360.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await tabTo(page, '[data-action="next"]');
    await page.keyboard.press('Enter');

    // The confirmation names each dataset and agency, and what the file holds; focus is on its title.
    const confirm = page.locator('[data-download="confirm"]');
    await confirm.waitFor();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('download-confirm-title');
    expect(await page.locator('.download-chosen li').count()).toBe(2);
    expect(await confirm.textContent()).toContain('衛生福利部中央健康保險署');
    expect(await axeViolations(page)).toEqual([]);

    // The same in English.
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('main h1').textContent()).toBe('Confirm the data to download');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'download-confirm-en.png'), fullPage: true });
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-TW');

    await page.locator('[data-action="confirm"]').click();
    const ready = page.locator('[data-download="ready"]');
    await ready.waitFor({ timeout: 30_000 });
    expect(await page.locator('main h1').textContent()).toBe('您的資料已備妥');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'download-ready.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('[data-action="save"]').click(),
    ]);
    const saved = join(dir, download.suggestedFilename());
    await download.saveAs(saved);
    expect(download.suggestedFilename()).toMatch(/^mydata-download-\d{4}-\d\d-\d\d-[0-9a-f]{8}\.zip$/);
    await page.getByText('已開始下載').waitFor();

    // The command verifies it, with the keys of the platform the package names.
    const { stdout } = await run(VERIFY, [saved], { timeout: 30_000 });
    expect(stdout).toContain('is intact and signed (2 datasets)');
    // Saved keys work offline too.
    const jwks = join(dir, 'jwks.json');
    const keys = join(dir, 'agency-keys.json');
    writeFileSync(jwks, await (await context.request.get(`${portal.url}/oauth/jwks`)).text());
    writeFileSync(
      keys,
      await (await context.request.get(`${portal.url}/api/v1/exchange/agency-keys`)).text(),
    );
    const offline = await run(VERIFY, [saved, '--jwks', jwks, '--agency-keys', keys], { timeout: 30_000 });
    expect(offline.stdout).toContain('is intact and signed');

    // The link works once.
    const again = await context.request.get(
      `${portal.url}${await page.locator('[data-action="save"]').getAttribute('href')}`,
    );
    expect(again.status()).toBe(410);

    // The printable page inside, opened as a file: no scripts, readable, clean for axe.
    const html = new TextDecoder().decode(unzipSync(readFileSync(saved))['index.html']);
    const print = await context.newPage();
    await print.setContent(html);
    expect(await print.locator('h1').textContent()).toContain('MyData 個人資料下載');
    expect(await print.locator('body').textContent()).toContain(c.name);
    expect(await axeViolations(print)).toEqual([]);
    await print.emulateMedia({ media: 'print' });
    await print.screenshot({ path: join(SCREENSHOTS, 'download-print.png'), fullPage: true });
    await context.close();
  });

  it('asks for a stronger identity check in place when a chosen dataset needs it', async () => {
    for (const lang of ['zh-TW', 'en'] as const) {
      const { context, page } = await newPage(lang, 360);
      await page.goto(`${portal.url}/download`);
      await settled(page);
      await signIn(page, citizen());
      await box(page, INCOME).check();
      await page.locator('[data-action="next"]').click();
      const stepUp = page.locator('[data-download="step-up"]');
      await stepUp.waitFor();
      expect(await stepUp.locator('h2').first().textContent()).toBe(
        lang === 'en' ? 'A stronger identity check is needed' : '需要更高強度的身分驗證',
      );
      // Only methods that reach high are offered, and nothing can be confirmed before.
      expect(await page.locator('#method-nhi-card').count()).toBe(0);
      expect(await page.locator('#method-citizen-certificate').count()).toBe(1);
      expect(await page.locator('[data-action="confirm"]').count()).toBe(0);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, `download-step-up-${lang}.png`), fullPage: true });
      await stepUp.locator('[data-action="back"]').click();
      await page.locator('[data-download="choose"]').waitFor();
      expect(await box(page, INCOME).isChecked()).toBe(true);
      await context.close();
    }
  });

  it('names the agency that fails, delivers nothing, and lets the citizen retry or change the choice', async () => {
    const { context, page } = await newPage();
    await page.goto(`${portal.url}/download`);
    await settled(page);
    await signIn(page, citizen());
    await box(page, HOUSEHOLD).check();
    await box(page, LABOUR).check();
    await page.locator('[data-action="next"]').click();
    await page.locator('[data-action="confirm"]').click();
    const failed = page.locator('[data-download="failed"]');
    await failed.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('download-failed-title');
    expect(await failed.locator('[data-agency="bli"]').textContent()).toBe(
      '無法從「勞動部勞工保險局」取得資料。',
    );
    expect(await failed.textContent()).toContain('沒有產生任何檔案');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'download-failed.png'), fullPage: true });
    await page.locator('[data-action="retry"]').click();
    await page.locator('[data-action="retry"]:not([disabled])').waitFor();
    expect(await failed.locator('[data-agency="bli"]').count()).toBe(1);
    // Leaving that agency's data out, the download goes through.
    await page.locator('[data-action="back"]').click();
    await box(page, LABOUR).uncheck();
    await page.locator('[data-action="next"]').click();
    await page.locator('[data-action="confirm"]').click();
    await page.locator('[data-download="ready"]').waitFor({ timeout: 30_000 });
    await context.close();
  });
});
