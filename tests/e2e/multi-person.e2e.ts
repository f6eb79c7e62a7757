import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  findTestPersonas,
  openCard,
  SERVICE_IDS,
  startDemoServices,
  startMailbox,
  writePkcs12,
} from '@mydata/demo';
import { createScratchDatabase, loadConfig, startPlatform } from '@mydata/server';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../scripts/build-web.ts';
import { connectDemoAgencies } from '../exchange-harness.ts';
import { axeViolations, CHROMIUM, SCREENSHOTS, settled } from './harness.ts';

/**
 * A multi-person application in real browsers: the disabled parking permit needs the applicant's
 * disability certificate and the vehicle and licence of the family member who drives. The applicant
 * applies at the demo service and names the family member; the invitation lands in the demo
 * mailbox; the family member signs in in a browser of their own and consents (or declines); the
 * service waits and then shows everyone's data. Also: an invitation that expires.
 */
const POPULATION = 200;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('A multi-person application (disabled parking permit)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-e2e-multi-'));
  const population = createPopulation({ seed: DEMO_SEED, size: POPULATION });
  const persona = findTestPersonas(population, POPULATION).find((p) => p.kind === 'disabled-without-car');
  if (!persona?.related) throw new Error('no disabled-without-car persona with a driving household member');
  const applicant = persona.citizen;
  const owner = persona.related;
  let url = '';
  let serviceUrl = '';
  let close: () => Promise<void> = async () => {};
  let platform: Awaited<ReturnType<typeof startPlatform>>;
  let mailbox: Awaited<ReturnType<typeof startMailbox>>;
  let browser: Awaited<ReturnType<typeof chromium.launch>>;

  beforeAll(async () => {
    const port = await freePort();
    mailbox = await startMailbox();
    const scratch = process.env.DATABASE_URL
      ? await createScratchDatabase(process.env.DATABASE_URL)
      : undefined;
    const config = loadConfig({
      SMTP_URL: mailbox.smtpUrl,
      SMS_GATEWAY_URL: mailbox.smsUrl,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      ...(scratch ? { DATABASE_URL: scratch.url } : {}),
    });
    platform = await startPlatform({ config, catalogue: demoCatalogue, webRoot: WEB_DIST });
    url = config.publicUrl;
    const demo = await connectDemoAgencies(platform, population, ['nhia', 'moi-household', 'sfaa', 'mvdis']);
    const services = await startDemoServices({ platformUrl: url, dataDir, catalogue: demoCatalogue });
    for (const s of services) {
      await platform.oauth.registerClient({
        clientId: s.serviceId,
        jwks: s.publicJwks,
        redirectUris: [s.redirectUri],
        webhookUrl: s.webhookUrl,
      });
    }
    const parking = services.find((s) => s.serviceId === SERVICE_IDS.disabledParkingPermit);
    if (!parking) throw new Error('the demo services do not include the parking permit');
    serviceUrl = parking.url;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
    });
    mkdirSync(SCREENSHOTS, { recursive: true });
    close = async () => {
      await browser.close();
      await Promise.all(services.map((s) => s.stop()));
      await platform.stop();
      await scratch?.close();
      await demo.close();
      await mailbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    };
  });
  afterAll(async () => {
    await close();
  });

  async function newContext(
    lang: 'zh-TW' | 'en' = 'zh-TW',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-TW' });
    await context.addInitScript(
      `try { localStorage.setItem('mydata.language', ${JSON.stringify(lang)}) } catch {}`,
    );
    return { context, page: await context.newPage() };
  }

  /** A high session (citizen certificate, then two documents on first use), as the card tool signs in. */
  async function signInHigh(context: BrowserContext, c: typeof applicant) {
    const origin = { origin: url };
    const issued = await platform.nationalCa.issue({ nationalId: c.nationalId });
    const card = openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456');
    const challenge = await context.request.post(`${url}/api/v1/identity/challenges`, {
      headers: origin,
      data: {},
    });
    const { challengeId, toBeSigned } = (await challenge.json()) as {
      challengeId: string;
      toBeSigned: string;
    };
    const first = await context.request.post(`${url}/api/v1/identity/verify/citizen-certificate`, {
      headers: origin,
      data: { challengeId, certificate: card.certificate, signature: card.sign(toBeSigned) },
    });
    let answer = (await first.json()) as { status: string; assurance?: string };
    if (answer.status === 'second-method-required') {
      const second = await context.request.post(`${url}/api/v1/identity/verify/two-documents`, {
        headers: origin,
        data: {
          nationalId: c.nationalId,
          nhiCardNumber: c.nhiCardNumber,
          householdNumber: c.household.number,
        },
      });
      answer = (await second.json()) as typeof answer;
    }
    expect(answer).toMatchObject({ status: 'signed-in', assurance: 'high' });
  }

  /** The applicant applies at the service, names the vehicle owner and agrees; back at the service. */
  async function apply(page: Page, context: BrowserContext, email: string, checks = false) {
    await signInHigh(context, applicant);
    await page.goto(serviceUrl);
    await page.locator('form[action="/start"] button').click();
    await page.waitForURL(`${url}/consent/**`);
    await page.locator('[data-consent="decide"]').waitFor();
    await settled(page);
    // Only the applicant's own dataset is on the screen; the vehicle owner's are named in the party card.
    expect(await page.locator('.consent-dataset').count()).toBe(1);
    const party = page.locator('[data-party="vehicle-owner"]');
    expect(await party.textContent()).toContain('車籍資料');
    await page.locator('#party-vehicle-owner-id').fill(owner.nationalId);
    await page.locator('#party-vehicle-owner-contact').fill(email);
    if (checks) {
      expect(await axeViolations(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'multi-person-consent-zh-TW.png'), fullPage: true });
      await page.setViewportSize({ width: 360, height: 800 });
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.locator('header .language-switch').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
      expect(await party.textContent()).toContain('Vehicle owner');
      expect(await axeViolations(page)).toEqual([]);
      await page.locator('header .language-switch').click();
      await expect.poll(() => page.getAttribute('html', 'lang')).toBe('zh-TW');
    }
    await page.locator('[data-decision="accept"]').click();
    await page.waitForURL((u) => u.href.startsWith(serviceUrl), { timeout: 30_000 });
    await page.waitForLoadState('load');
    expect(await page.locator('h1').textContent()).toContain('等待車主');
    expect(await page.locator('[data-party="vehicle-owner"]').getAttribute('data-status')).toBe('waiting');
  }

  /** The invitation link in the e-mail the demo mailbox received for `email`. */
  async function invitationLink(email: string): Promise<string> {
    let link: string | undefined;
    await expect
      .poll(
        async () => {
          await platform.usage.deliverNow();
          const mail = mailbox.messages().find((m) => m.kind === 'email' && m.to === email);
          link = /http:\/\/\S+\/invitations\/[0-9a-f-]+/.exec(mail?.text ?? '')?.[0];
          return link;
        },
        { timeout: 20_000 },
      )
      .toBeTruthy();
    const mail = mailbox.messages().find((m) => m.kind === 'email' && m.to === email);
    // The invitation never names the applicant: only the service and the link.
    expect(mail?.text).not.toContain(applicant.name);
    expect(mail?.text).not.toContain(applicant.nationalId);
    return link as string;
  }

  /** Reloads the service's application page until its heading says `text`. */
  async function serviceShows(page: Page, text: string) {
    await expect
      .poll(
        async () => {
          await platform.usage.deliverNow();
          await page.goto(`${serviceUrl}/application`);
          return (await page.locator('h1').textContent()) ?? '';
        },
        { timeout: 30_000 },
      )
      .toContain(text);
  }

  it('applicant → invitation in the mailbox → the family member consents in a browser of their own → the service shows both', async () => {
    const a = await newContext();
    const email = 'owner-consents@example.org';
    await apply(a.page, a.context, email, true);
    const link = await invitationLink(email);

    // Someone else signed in (here the applicant) is told only that there is no such invitation.
    await a.page.goto(link);
    await a.page.locator('[data-invitation="not-found"]').waitFor();

    const o = await newContext();
    await signInHigh(o.context, owner);
    await o.page.goto(link);
    await o.page.locator('[data-invitation="waiting"]').waitFor();
    await settled(o.page);
    const text = (await o.page.locator('main').textContent()) ?? '';
    expect(text).toContain(applicant.name);
    expect(text).toContain(`${applicant.nationalId.slice(0, 3)}*****${applicant.nationalId.slice(-2)}`);
    expect(text).not.toContain(applicant.nationalId);
    expect(text).toContain('身心障礙者專用停車位識別證申請');
    expect(await o.page.locator('.consent-dataset').count()).toBe(2);
    expect(await axeViolations(o.page)).toEqual([]);
    await o.page.screenshot({ path: join(SCREENSHOTS, 'multi-person-invitation-zh-TW.png'), fullPage: true });
    await o.page.setViewportSize({ width: 360, height: 800 });
    expect(await o.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await o.page.setViewportSize({ width: 1280, height: 900 });
    await o.page.locator('header .language-switch').click();
    await expect.poll(() => o.page.getAttribute('html', 'lang')).toBe('en');
    expect(await o.page.locator('main h1').textContent()).toContain('you are asked to share data');
    expect(await axeViolations(o.page)).toEqual([]);
    await o.page.locator('[data-decision="consent"]').click();
    await o.page.locator('[data-invitation="consented"]').waitFor({ timeout: 30_000 });
    expect(await axeViolations(o.page)).toEqual([]);
    // The vehicle owner's "My consents" lists the invitation with their own receipt, which verifies.
    await o.page.goto(`${new URL(link).origin}/consents`);
    const listed = o.page.locator('[data-kind="invitations"] [data-status="consented"]').first();
    await listed.waitFor();
    await listed.locator('[data-action="verify"]').click();
    await listed.locator('.receipt-check[data-valid="true"]').waitFor();
    expect(await axeViolations(o.page)).toEqual([]);

    // The service learns from the webhooks and fetches every party's data.
    await serviceShows(a.page, '已收到您的資料');
    const shown = (await a.page.locator('main').textContent()) ?? '';
    const plate = population.record('mvdis.vehicle-registration', owner.nationalId) as {
      vehicles: { plateNumber: string }[];
    };
    expect(shown).toContain(plate.vehicles[0]?.plateNumber);
    expect(shown).toContain('身心障礙證明');
    expect(shown).toContain('駕照');
    await a.page.screenshot({ path: join(SCREENSHOTS, 'multi-person-service-received.png'), fullPage: true });
    await a.context.close();
    await o.context.close();
  });

  it('ends the application for everyone when the family member declines', async () => {
    const a = await newContext();
    const email = 'owner-declines@example.org';
    await apply(a.page, a.context, email);
    const link = await invitationLink(email);
    const o = await newContext('en');
    await signInHigh(o.context, owner);
    await o.page.goto(link);
    await o.page.locator('[data-invitation="waiting"]').waitFor();
    await o.page.locator('[data-decision="decline"]').click();
    await o.page.locator('[data-invitation="declined"]').waitFor({ timeout: 30_000 });
    expect(await axeViolations(o.page)).toEqual([]);
    await serviceShows(a.page, '共同申請已結束');
    // The family member was told too, at the address the applicant gave.
    await expect
      .poll(async () => {
        await platform.usage.deliverNow();
        return mailbox.messages().filter((m) => m.to === email && /已結束|ended/.test(m.subject ?? ''))
          .length;
      })
      .toBeGreaterThan(0);
    await a.context.close();
    await o.context.close();
  });

  it('ends the application when the invitation expires', async () => {
    const a = await newContext();
    const email = 'owner-never-answers@example.org';
    await apply(a.page, a.context, email);
    const link = await invitationLink(email);
    // The periodic sweep as it runs 72 hours later.
    expect(await platform.consent.parties?.expireDue(new Date(Date.now() + 73 * 3600_000))).toBe(1);
    await serviceShows(a.page, '共同申請已結束');
    const o = await newContext();
    await signInHigh(o.context, owner);
    await o.page.goto(link);
    await o.page.locator('[data-invitation="expired"]').waitFor();
    expect(await axeViolations(o.page)).toEqual([]);
    await a.context.close();
    await o.context.close();
  });
});
