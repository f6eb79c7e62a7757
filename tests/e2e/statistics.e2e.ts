import { join } from 'node:path';
import { DATASET_IDS, SERVICE_IDS } from '@mydata/demo';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, type Portal, SCREENSHOTS, settled, startPortal } from './harness.ts';

/** The guide's pages checked in the browser: the index and the new getting-started docs. */
const GUIDE = [
  '/developers',
  '/developers/getting-started-service',
  '/developers/getting-started-data-provider',
  '/developers/webhooks',
  '/developers/test-personas',
  '/developers/protocol',
];

describe('Statistics and the developer guide in a real browser', () => {
  let portal: Portal;

  beforeAll(async () => {
    portal = await startPortal();
    // Uses as the features count them, so that every table has rows.
    const at = new Date();
    const stats = portal.platform.statistics;
    await stats.recordUse({
      kind: 'transfer',
      serviceId: SERVICE_IDS.loanApplication,
      datasetIds: [DATASET_IDS.householdRegistration, DATASET_IDS.income],
      at,
    });
    await stats.recordUse({ kind: 'download', datasetIds: [DATASET_IDS.vehicleRegistration], at });
  });
  afterAll(async () => {
    await portal?.close();
  });

  async function newPage(options: { width?: number; lang?: 'zh-TW' | 'en' } = {}): Promise<{
    context: BrowserContext;
    page: Page;
    blocked: string[];
  }> {
    const context = await portal.browser.newContext({
      baseURL: portal.url,
      viewport: { width: options.width ?? 1280, height: 900 },
      locale: options.lang ?? 'zh-TW',
    });
    if (options.lang) {
      await context.addInitScript(`localStorage.setItem('mydata.language', ${JSON.stringify(options.lang)})`);
    }
    const page = await context.newPage();
    // A script or style the Content-Security-Policy blocks would be a broken page in production.
    const blocked: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) blocked.push(message.text());
    });
    return { context, page, blocked };
  }

  const overflows = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth > document.documentElement.clientWidth');

  for (const lang of ['zh-TW', 'en'] as const) {
    for (const width of [1280, 360]) {
      it(`shows the statistics page with its tables and CSV links, axe-clean, in ${lang} at ${width} px`, async () => {
        const { context, page, blocked } = await newPage({ lang, width });
        await page.goto('/statistics');
        await settled(page);
        await page.locator('#usage-service-title ~ .table-scroll table tbody tr').first().waitFor();
        expect(await page.getAttribute('html', 'lang')).toBe(lang);
        const tables = page.locator('#usage-title ~ section table');
        expect(await tables.count()).toBe(3);
        const byService = page.locator('section[aria-labelledby="usage-service-title"] tbody tr');
        await expect.poll(() => byService.count()).toBe(1);
        const csv = page.locator('a[href*="format=csv"]');
        expect(await csv.count()).toBe(3);
        expect(await axeViolations(page)).toEqual([]);
        expect(await overflows(page)).toBe(false);
        expect(blocked).toEqual([]);
        await page.screenshot({ path: join(SCREENSHOTS, `statistics-${lang}-${width}.png`), fullPage: true });
        await context.close();
      });
    }
  }

  it('filters by kind and period, downloads the CSV and says what is wrong with a bad period', async () => {
    const { context, page } = await newPage({ lang: 'en' });
    await page.goto('/statistics');
    await settled(page);
    await page.locator('#usage-month-title ~ .table-scroll').waitFor();
    await page.getByLabel('Kind of use').selectOption('download');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('#usage-month-title ~ .table-scroll th[scope="col"]').nth(1).waitFor();
    const headers = await page.locator('#usage-month-title ~ .table-scroll thead th').allTextContents();
    expect(headers).toEqual(['Month', 'Data downloads']);
    const href = (await page
      .locator('section[aria-labelledby="usage-dataset-title"] a[href*="format=csv"]')
      .getAttribute('href')) as string;
    expect(href).toContain('kind=download');
    const file = await page.request.get(href);
    expect(file.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const text = await file.text();
    expect(text.startsWith('\uFEFFdataset_id,')).toBe(true);
    expect(text).toContain(`${DATASET_IDS.vehicleRegistration},`);

    await page.getByLabel('From month').fill('2026-05');
    await page.getByLabel('To month').fill('2026-04');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => page.locator('[role="alert"]').first().textContent())
      .toContain('The start month is after the end month');
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  for (const lang of ['zh-TW', 'en'] as const) {
    it(`serves the developer guide without scripts, axe-clean, in ${lang}, at 360 px too`, async () => {
      for (const width of [1280, 360]) {
        const { context, page, blocked } = await newPage({ width });
        const found: Record<string, string[]> = {};
        for (const path of GUIDE) {
          const res = await page.goto(`${path}?lang=${lang}`);
          expect(res?.status(), path).toBe(200);
          expect(await page.getAttribute('html', 'lang')).toBe(lang);
          expect(await page.evaluate<number>('document.scripts.length')).toBe(0);
          const violations = await axeViolations(page);
          if (violations.length) found[path] = violations;
          expect(await overflows(page), `${path} at ${width}`).toBe(false);
        }
        expect(found).toEqual({});
        expect(blocked).toEqual([]);
        await page.screenshot({ path: join(SCREENSHOTS, `developers-${lang}-${width}.png`), fullPage: true });
        await context.close();
      }
    });
  }

  it('links the guide from the portal, and the guide back to the portal', async () => {
    const { context, page } = await newPage({ lang: 'en' });
    await page.goto('/statistics');
    await settled(page);
    await page.locator('footer').getByRole('link', { name: 'Developer guide' }).click();
    await page.waitForURL('**/developers?lang=en');
    await page
      .getByRole('link', { name: /Getting started: an online service/ })
      .first()
      .click();
    await page.waitForURL('**/developers/getting-started-service?lang=en');
    await page.locator('article a[href="/developers/webhooks"]').first().click();
    await page.waitForURL('**/developers/webhooks');
    expect(await page.locator('h1').first().textContent()).toContain('Webhook');
    await page.getByRole('link', { name: 'Back to the portal' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await settled(page);
    await context.close();
  });
});
