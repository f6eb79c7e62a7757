import { join } from 'node:path';
import { demoCatalogue } from '@mydata/demo';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal, tabTo } from './harness.ts';

const passport = demoCatalogue.datasets.find((d) => d.name.en.includes('Passport'));
const passportRenewal = demoCatalogue.services.find((s) => s.id.includes('passport'));
if (!passport || !passportRenewal) throw new Error('the demo catalogue has no passport dataset or service');

/** Every page of the portal today, by address. */
const PAGES = [
  '/',
  '/datasets',
  `/datasets/${passport.id}`,
  '/services',
  `/services/${passportRenewal.id}`,
  '/statistics',
  '/sign-in',
  '/account',
  '/download',
  '/consents',
  '/usage-log',
  '/counter',
  '/no-such-page',
  '/datasets/no.such-dataset',
];

describe('The citizen portal in a real browser', () => {
  let portal: Portal;

  beforeAll(async () => {
    portal = await startPortal();
  });
  afterAll(async () => {
    await portal?.close();
  });

  /** A fresh browser profile per scenario, so a language chosen in one never leaks into another. */
  async function newPage(options: { width?: number; lang?: 'zh-TW' | 'en' } = {}): Promise<{
    context: BrowserContext;
    page: Page;
  }> {
    const context = await portal.browser.newContext({
      baseURL: portal.url,
      viewport: { width: options.width ?? 1280, height: 900 },
      locale: 'zh-TW',
    });
    if (options.lang) {
      await context.addInitScript(`localStorage.setItem('mydata.language', ${JSON.stringify(options.lang)})`);
    }
    return { context, page: await context.newPage() };
  }

  for (const lang of ['zh-TW', 'en'] as const) {
    it(`has no WCAG 2.1 AA violations on any page in ${lang}, and marks the language`, async () => {
      const { context, page } = await newPage({ lang });
      const found: Record<string, string[]> = {};
      // A script or style the Content-Security-Policy blocks would be a broken page in production.
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) blocked.push(message.text());
      });
      for (const path of PAGES) {
        await page.goto(path);
        await settled(page);
        expect(await page.getAttribute('html', 'lang'), path).toBe(lang);
        const violations = await axeViolations(page);
        if (violations.length) found[path] = violations;
      }
      await context.close();
      expect(found).toEqual({});
      expect(blocked).toEqual([]);
    });
  }

  it('shows each dataset with its agency and the identity check it needs, in plain words', async () => {
    const { context, page } = await newPage();
    await page.goto('/datasets');
    await settled(page);
    const cards = page.locator('.results > li');
    expect(await cards.count()).toBe(demoCatalogue.datasets.length);
    const card = cards.filter({ hasText: passport.name['zh-TW'] });
    const agency = demoCatalogue.organisations.find((o) => o.id === passport.agencyId);
    await expect.poll(() => card.textContent()).toContain(agency?.name['zh-TW']);
    await expect.poll(() => card.textContent()).toContain('驗證');
    await context.close();
  });

  it('reaches a dataset by keyboard alone: skip link, menu, search, result', async () => {
    const { context, page } = await newPage();
    await page.goto('/');
    await settled(page);

    await page.keyboard.press('Tab');
    const skip = page.locator('a.skip-link');
    expect(await skip.textContent()).toBe('跳到主要內容');
    expect(await page.evaluate('document.activeElement.className')).toBe('skip-link');
    // The skip link is visible while focused, and focus is drawn where a sighted user can see it.
    const box = await skip.boundingBox();
    expect(box && box.y >= 0 && box.height > 0).toBe(true);
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await page.evaluate('document.activeElement.id')).toBe('main');

    await page.keyboard.press('Shift+Tab');
    await tabTo(page, 'nav a[href="/datasets"]');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/datasets');
    await page.locator('h1', { hasText: '資料目錄' }).waitFor();

    await tabTo(page, 'input#q');
    await page.keyboard.type('護照');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=/);
    // The search narrows the list (waited for, as the old list shows until the new one arrives).
    await expect
      .poll(() => page.locator('.results > li').count())
      .toBeLessThan(demoCatalogue.datasets.length);
    await page.locator(`.results a[href="/datasets/${passport.id}"]`).waitFor();

    await tabTo(page, `.results a[href="/datasets/${passport.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/datasets/${passport.id}`);
    await page.locator('h1', { hasText: passport.name['zh-TW'] }).waitFor();
    // After a navigation focus moves to the new content, not left on a link that is gone.
    expect(await page.evaluate('document.activeElement.id')).toBe('main');
    await context.close();
  });

  it('fits a 360 px wide phone without scrolling sideways', async () => {
    const { context, page } = await newPage({ width: 360 });
    const tooWide: string[] = [];
    for (const lang of ['zh-TW', 'en'] as const) {
      await page.evaluate(`localStorage.setItem('mydata.language', '${lang}')`).catch(() => undefined);
      for (const path of PAGES) {
        await page.goto(path);
        await settled(page);
        const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
        if (width > 360) tooWide.push(`${lang} ${path}: ${width}px`);
      }
    }
    await context.close();
    expect(tooWide).toEqual([]);
  });

  it('takes screenshots of the catalogue on a phone and a desktop, for people to look at', async () => {
    for (const lang of ['zh-TW', 'en'] as const) {
      for (const [name, width] of [
        ['360', 360],
        ['desktop', 1280],
      ] as const) {
        const { context, page } = await newPage({ width, lang });
        await page.goto('/datasets');
        await settled(page);
        await page.screenshot({ path: join(SCREENSHOTS, `catalogue-${name}-${lang}.png`) });
        await page.screenshot({
          path: join(SCREENSHOTS, `catalogue-${name}-${lang}-full.png`),
          fullPage: true,
        });
        await page
          .locator('.results > li')
          .first()
          .screenshot({ path: join(SCREENSHOTS, `catalogue-${name}-${lang}-card.png`) });
        await context.close();
      }
    }
  });

  it('switches language with a visible button and remembers the choice', async () => {
    const { context, page } = await newPage();
    await page.goto('/datasets');
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('資料目錄');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Data catalogue');
    expect(await page.locator('.results').textContent()).toContain(passport.name.en);

    await page.reload();
    await settled(page);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('h1').textContent()).toBe('Data catalogue');

    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-TW');
    expect(await page.locator('h1').textContent()).toBe('資料目錄');
    await context.close();
  });

  it('says when a page or a dataset does not exist, and what to do', async () => {
    const { context, page } = await newPage();
    await page.goto('/no-such-page');
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('找不到這個頁面');
    expect(await page.getByRole('link', { name: '回到首頁' }).count()).toBe(1);

    await page.goto('/datasets/no.such-dataset');
    await settled(page);
    expect(await page.locator('h1').textContent()).toBe('找不到這項資料');
    expect(await page.locator('main').textContent()).toContain('catalogue.dataset-not-found');
    // Asking again cannot make a missing dataset appear, so no "try again" is offered.
    expect(await page.getByRole('button', { name: '再試一次' }).count()).toBe(0);

    // Unknown API addresses stay problem+json even for a browser that asks for HTML.
    const api = await page.request.get('/api/v1/no-such-thing', { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect(api.headers()['content-type']).toContain('application/problem+json');
    await context.close();
  });

  it('translates a problem from an agency by its code', async () => {
    const { context, page } = await newPage({ lang: 'en' });
    await context.route('**/api/v1/services?*', (route) =>
      route.fulfill({
        status: 502,
        contentType: 'application/problem+json',
        body: JSON.stringify({ status: 502, code: 'exchange.agency-unreachable', requestId: 'req-e2e-1' }),
      }),
    );
    await page.goto('/services');
    await page.locator('.error-panel').waitFor();
    const text = await page.locator('.error-panel').textContent();
    expect(text).toContain('The agency that provides the data cannot be reached');
    expect(text).toContain('req-e2e-1');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  // Last: it stops the platform.
  it('says the platform cannot be reached when it is down, and offers to try again', async () => {
    const { context, page } = await newPage();
    await page.goto('/');
    await settled(page);
    await portal.platform.stop();
    await page.getByRole('link', { name: '統計' }).click();
    const panel = page.locator('.error-panel');
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.textContent()).toContain('目前無法連線到 MyData 平臺');
    expect(await page.getByRole('button', { name: '再試一次' }).count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
