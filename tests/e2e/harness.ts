import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { demoCatalogue } from '@mydata/demo';
import { loadConfig, type Platform, startPlatform } from '@mydata/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { WEB_DIST } from '../../scripts/build-web.ts';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go, for a person to look at after a run. */
export const SCREENSHOTS = resolve(process.env.E2E_SCREENSHOTS ?? join(tmpdir(), 'mydata-e2e-screenshots'));

export interface Portal {
  platform: Platform;
  browser: Browser;
  url: string;
  close(): Promise<void>;
}

/** The real platform with the demo catalogue and the built portal, and a headless Chromium. */
export async function startPortal(): Promise<Portal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-e2e-'));
  const config = loadConfig({
    PORT: '0',
    MYDATA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    DATABASE_URL: process.env.DATABASE_URL,
  });
  const platform = await startPlatform({ config, catalogue: demoCatalogue, webRoot: WEB_DIST });
  // launch() gives every run a fresh, throw-away profile; no --user-data-dir to clean up.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      // Chromium's sandbox refuses to run as root, which CI containers are.
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    platform,
    browser,
    url: platform.url,
    async close() {
      await browser.close();
      await platform.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** WCAG 2.1 A and AA violations axe finds on the page, as readable lines (empty when none). */
export async function axeViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}

/** Waits until the page's content has loaded: its heading is there and nothing is still loading. */
export async function settled(page: Page): Promise<void> {
  await page.locator('main h1').first().waitFor();
  await page.locator('.loading').first().waitFor({ state: 'detached' });
}

/** Presses Tab until the focused element matches, as a keyboard user would; fails after `max` presses. */
export async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return;
  }
  throw new Error(`no focusable element matching ${selector} within ${max} Tab presses`);
}
