import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import {
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  type Mailbox,
  type Population,
  type RunningDemoService,
  startDemoServices,
  startMailbox,
} from '@mydata/demo';
import { createScratchDatabase, loadConfig, type Platform, startPlatform } from '@mydata/server';
import { type Browser, chromium, type Page } from 'playwright-core';
import { WEB_DIST } from '../../scripts/build-web.ts';
import { connectDemoAgencies } from '../exchange-harness.ts';

/** Debian's Chromium (`apt-get install chromium`); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots go, for a person to look at after a run. */
export const SCREENSHOTS = resolve(process.env.E2E_SCREENSHOTS ?? join(tmpdir(), 'mydata-e2e-screenshots'));

export interface Portal {
  platform: Platform;
  browser: Browser;
  url: string;
  /** The demo population the demo agencies answer for (identity checks, records). */
  population: Population;
  /** The demo online services, registered as OAuth clients (with `services: true`). */
  services: RunningDemoService[];
  /** The demo mailbox the platform sends e-mail and SMS to (with `mailbox: true`). */
  mailbox: Mailbox | undefined;
  close(): Promise<void>;
}

/** A port free right now on the loopback address, so PUBLIC_URL can name it before listening. */
async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The real platform with the demo catalogue and the built portal, and a headless Chromium. With
 * `agencies`, those demo agencies run as their own HTTPS servers over mutual TLS (as `npm start` runs
 * them), and the platform's public URL is `http://localhost:<port>`: the identity API checks the
 * browser's Origin against it, and WebAuthn needs a host name, not an IP address, as its RP ID.
 */
export async function startPortal(
  options: {
    agencies?: string[];
    services?: boolean;
    mailbox?: boolean;
    /** Indexes into the demo population of the citizens published as sandbox test personas. */
    personas?: number[];
  } = {},
): Promise<Portal> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-e2e-'));
  const port = options.agencies ? await freePort() : 0;
  // As `npm start` runs it: the platform's e-mail and text messages land in the demo mailbox.
  const mailbox = options.mailbox ? await startMailbox() : undefined;
  const scratch = process.env.DATABASE_URL
    ? await createScratchDatabase(process.env.DATABASE_URL)
    : undefined;
  const config = loadConfig({
    ...(mailbox ? { SMTP_URL: mailbox.smtpUrl, SMS_GATEWAY_URL: mailbox.smsUrl } : {}),
    PORT: String(port),
    ...(options.agencies ? { PUBLIC_URL: `http://localhost:${port}` } : {}),
    MYDATA_DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // Each portal gets a database of its own on a PostgreSQL server, so no run sees another's data.
    ...(scratch ? { DATABASE_URL: scratch.url } : {}),
  });
  const population = createPopulation({ seed: DEMO_SEED, size: 60 });
  const platform = await startPlatform({
    config,
    catalogue: demoCatalogue,
    webRoot: WEB_DIST,
    ...(options.personas
      ? {
          sandboxPersonas: options.personas.map((i) => ({
            nationalId: population.citizen(i).nationalId,
            name: `測試人物 ${i}`,
            kind: 'test',
            description: { 'zh-TW': '端對端測試用', en: 'For end-to-end tests' },
          })),
        }
      : {}),
  });
  const demo = options.agencies
    ? await connectDemoAgencies(platform, population, options.agencies)
    : undefined;
  // The demo online services, as `npm start` runs them: each its own web app, registered as a client.
  const services = options.services
    ? await startDemoServices({ platformUrl: config.publicUrl, dataDir, catalogue: demoCatalogue })
    : [];
  for (const s of services) {
    await platform.oauth.registerClient({
      clientId: s.serviceId,
      jwks: s.publicJwks,
      redirectUris: [s.redirectUri],
      webhookUrl: s.webhookUrl,
    });
  }
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
    url: options.agencies ? config.publicUrl : platform.url,
    population,
    services,
    mailbox,
    async close() {
      await browser.close();
      await Promise.all(services.map((s) => s.stop()));
      await platform.stop();
      await scratch?.close();
      await demo?.close();
      await mailbox?.close();
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
