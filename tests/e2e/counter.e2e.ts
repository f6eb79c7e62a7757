import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATASET_IDS, demoNhiPin, SERVICE_IDS } from '@mydata/demo';
import jsQRModule from 'jsqr';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, CHROMIUM, type Portal, SCREENSHOTS, settled, startPortal } from './harness.ts';

// A CommonJS module: Node hands over module.exports, which carries the decoder as `default` too.
const jsQR = jsQRModule.default;
const BANK = SERVICE_IDS.counterAccountOpening;
/** Width and height of the QR image as the tests read it back from the page. */
const QR_PIXELS = 400;

/**
 * A still camera picture for Chromium's fake capture device: the RGBA pixels of the QR image in the
 * middle of a white 640×480 frame, as YUV4MPEG2 (grey: the luma plane, neutral chroma).
 */
function y4mOf(rgba: number[], side: number): Buffer {
  const w = 640;
  const h = 480;
  const luma = Buffer.alloc(w * h, 235);
  const left = (w - side) / 2;
  const top = (h - side) / 2;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) luma[(top + y) * w + left + x] = rgba[(y * side + x) * 4] ?? 255;
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]);
}
const ID_CARD = DATASET_IDS.nationalIdCard;
const HOUSEHOLD = DATASET_IDS.householdRegistration;
const NHI = DATASET_IDS.nhiStatus;

interface Person {
  nationalId: string;
  cardNumber: string;
  householdNumber: string;
  pin: string;
  name: string;
}

/**
 * Counter verification in a real browser, with two browser contexts: the citizen consents on
 * /counter and shows the QR and short code; the clerk, signed in as themselves on /clerk, types the
 * code and sees the data once. The rendered QR code is decoded and must carry the same code.
 */
describe('Counter verification on the portal', () => {
  let portal: Portal;
  let people: Person[];

  beforeAll(async () => {
    portal = await startPortal({ agencies: ['nhia', 'moi-household'] });
    const p = portal.population;
    people = [];
    for (let i = 0; i < p.size && people.length < 3; i++) {
      const c = p.citizen(i);
      if (
        p.record(HOUSEHOLD, c.nationalId) &&
        p.record(NHI, c.nationalId) &&
        p.record(ID_CARD, c.nationalId)
      ) {
        people.push({
          nationalId: c.nationalId,
          cardNumber: c.nhiCardNumber,
          householdNumber: c.household.number,
          pin: demoNhiPin(p.seed, c.nationalId),
          name: c.name,
        });
      }
    }
    if (people.length < 3) throw new Error('too few citizens with the records needed');
    const [, clerk, other] = people as [Person, Person, Person];
    await portal.platform.staff.add({
      organisationId: 'landbank',
      nationalId: clerk.nationalId,
      role: 'counter-clerk',
      label: 'Teller 7',
    });
    await portal.platform.staff.add({
      organisationId: 'taipei-daan-district',
      nationalId: other.nationalId,
      role: 'counter-clerk',
      label: 'Daan desk',
    });
  });
  afterAll(async () => {
    await portal?.close();
  });

  async function newPage(lang: 'zh-TW' | 'en' = 'zh-TW', width = 1280) {
    const context = await portal.browser.newContext({ viewport: { width, height: 900 }, locale: 'zh-TW' });
    await context.addInitScript(
      `try { localStorage.setItem('mydata.language', ${JSON.stringify(lang)}) } catch {}`,
    );
    return { context, page: await context.newPage() };
  }

  /** From a signed-out page of the feature: sign in with the NHI card (and two documents the first time) and come back. */
  async function signIn(page: Page, who: Person, path: '/counter' | '/clerk') {
    await page.goto(`${portal.url}${path}`);
    await settled(page);
    await page.locator(`main a[href="/sign-in?return=${path}"]`).click();
    await settled(page);
    await page.locator('#method-nhi-card').check();
    await page.locator('#nhi-card-nationalId').fill(who.nationalId);
    await page.locator('#nhi-card-cardNumber').fill(who.cardNumber);
    await page.locator('#nhi-card-pin').fill(who.pin);
    await page.locator('form.sign-in-form button[type="submit"]').click();
    const second = page.locator('#second-step');
    const back = page.locator(`main [data-${path.slice(1)}]`);
    await second.or(back).first().waitFor();
    if (await second.isVisible()) {
      await page.locator('#method-two-documents').check();
      await page.locator('#two-documents-nationalId').fill(who.nationalId);
      await page.locator('#two-documents-cardNumber').fill(who.cardNumber);
      await page.locator('#two-documents-householdNumber').fill(who.householdNumber);
      await page.locator('form.sign-in-form button[type="submit"]').click();
    }
    await page.waitForURL(`**${path}`);
    await settled(page);
  }

  /** The citizen picks the bank's counter service, keeps the optional dataset, agrees, and sees the code. */
  async function consent(page: Page) {
    await page.locator(`[data-service="${BANK}"] [data-action="pick"]`).click();
    await page.locator('[data-counter="review"]').waitFor();
    await settled(page);
    await page.locator('[data-action="agree"]').click();
    await page.locator('[data-counter="show"] [data-short-code]').waitFor({ timeout: 30_000 });
  }

  /** The RGBA pixels of the QR image as the page renders it, on white. */
  async function renderedQr(page: Page): Promise<number[]> {
    const size = QR_PIXELS;
    return (await page.evaluate(`(async () => {
      const img = document.querySelector('img.counter-qr');
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = ${size};
      canvas.height = ${size};
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, ${size}, ${size});
      ctx.drawImage(img, 0, 0, ${size}, ${size});
      return Array.from(ctx.getImageData(0, 0, ${size}, ${size}).data);
    })()`)) as number[];
  }

  /** The rendered QR image, decoded the way the clerk's page decodes a camera frame. */
  async function decodeQr(page: Page): Promise<string | undefined> {
    return jsQR(Uint8ClampedArray.from(await renderedQr(page)), QR_PIXELS, QR_PIXELS)?.data;
  }

  async function clerkTypes(page: Page, code: string) {
    await page.locator('[data-field="code"]').fill(code);
    await page.locator('[data-action="verify"]').click();
  }

  async function switchLanguage(page: Page, to: 'zh-TW' | 'en') {
    await page.locator('header .language-switch').click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe(to);
  }

  it('citizen shows a QR code, the clerk types its short code and sees the data once; reuse is refused', async () => {
    const [citizen, clerk] = people as [Person, Person];
    const c = await newPage();
    const k = await newPage();
    const contexts: BrowserContext[] = [c.context, k.context];
    try {
      // Signed out: both pages say what the feature is and ask for sign-in.
      await c.page.goto(`${portal.url}/counter`);
      await settled(c.page);
      expect(await c.page.locator('main h1').textContent()).toBe('臨櫃核驗');
      expect(await axeViolations(c.page)).toEqual([]);
      await signIn(c.page, citizen, '/counter');
      await c.page.locator('[data-counter="choose"]').waitFor();
      expect(await c.page.locator('[data-service]').count()).toBe(2);
      expect(await axeViolations(c.page)).toEqual([]);

      await c.page.locator(`[data-service="${BANK}"] [data-action="pick"]`).click();
      const review = c.page.locator('[data-counter="review"]');
      await review.waitFor();
      await settled(c.page);
      await expect.poll(() => c.page.evaluate('document.activeElement?.id')).toBe('counter-review-title');
      expect(await review.textContent()).toContain('臺灣土地銀行');
      expect(await review.textContent()).toContain('核對身分證記載事項與最新領補換紀錄。');
      expect(await c.page.locator(`[data-dataset="${HOUSEHOLD}"]`).getAttribute('data-required')).toBe(
        'false',
      );
      expect(await axeViolations(c.page)).toEqual([]);
      await switchLanguage(c.page, 'en');
      expect(await c.page.locator('main h1').textContent()).toContain('confirm the data to share');
      expect(await axeViolations(c.page)).toEqual([]);
      await c.page.screenshot({ path: join(SCREENSHOTS, 'counter-review-en.png'), fullPage: true });
      await switchLanguage(c.page, 'zh-TW');

      await c.page.locator('[data-action="agree"]').click();
      const shown = c.page.locator('[data-counter="show"] [data-short-code]');
      await shown.waitFor({ timeout: 30_000 });
      const shortCode = (await shown.textContent()) ?? '';
      expect(shortCode).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      // The QR image decodes to the same code the page was given, and it names no person.
      const token = await c.page.locator('img.counter-qr').getAttribute('data-token');
      const decoded = await decodeQr(c.page);
      expect(decoded).toBe(token);
      expect(decoded?.split('.')).toHaveLength(4);
      expect(decoded).not.toContain(citizen.nationalId);
      expect(await axeViolations(c.page)).toEqual([]);
      await c.page.setViewportSize({ width: 360, height: 800 });
      expect(await c.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await c.page.screenshot({ path: join(SCREENSHOTS, 'counter-show-360.png'), fullPage: true });
      await switchLanguage(c.page, 'en');
      expect(await axeViolations(c.page)).toEqual([]);
      await switchLanguage(c.page, 'zh-TW');

      // The clerk, in a browser of their own.
      await k.page.goto(`${portal.url}/clerk`);
      await settled(k.page);
      expect(await axeViolations(k.page)).toEqual([]);
      await signIn(k.page, clerk, '/clerk');
      await k.page.locator('[data-clerk="console"]').waitFor();
      expect(await k.page.locator('input[name="clerk-service"]').count()).toBe(1);
      expect(await axeViolations(k.page)).toEqual([]);
      await switchLanguage(k.page, 'en');
      expect(await k.page.locator('main h1').textContent()).toBe('Counter clerk verification');
      expect(await axeViolations(k.page)).toEqual([]);
      await switchLanguage(k.page, 'zh-TW');

      // The code shown now (the page has changed it every minute meanwhile), typed in lower case.
      const current = (await shown.textContent()) ?? '';
      await clerkTypes(k.page, current.toLowerCase());
      const data = k.page.locator('[data-clerk="data"]');
      await data.waitFor();
      expect(await data.locator('[data-field="nationalId"]').first().textContent()).toBe(citizen.nationalId);
      expect(await data.locator('[data-verified]').count()).toBe(2);
      expect(await data.locator('[data-countdown]').textContent()).toMatch(/10:00|9:5\d/);
      expect(await axeViolations(k.page)).toEqual([]);
      await k.page.setViewportSize({ width: 360, height: 800 });
      expect(await k.page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await k.page.screenshot({ path: join(SCREENSHOTS, 'clerk-data-360.png'), fullPage: true });
      await switchLanguage(k.page, 'en');
      expect(await axeViolations(k.page)).toEqual([]);
      await switchLanguage(k.page, 'zh-TW');
      await k.page.setViewportSize({ width: 1280, height: 900 });

      // The citizen's page learns that the counter has verified it.
      await c.page.locator('[data-counter="redeemed"]').waitFor({ timeout: 15_000 });
      expect(await axeViolations(c.page)).toEqual([]);
      // "My consents" lists the verified case with its receipt, which verifies.
      await c.page.goto(`${portal.url}/consents`);
      const listed = c.page.locator('[data-kind="counter"] [data-status="redeemed"]').first();
      await listed.waitFor();
      await listed.locator('[data-action="verify"]').click();
      await listed.locator('.receipt-check[data-valid="true"]').waitFor();
      expect(await axeViolations(c.page)).toEqual([]);

      // Cleared, the data cannot be opened again, and the same code is refused.
      await k.page.locator('[data-action="clear"]').click();
      await k.page.locator('[data-clerk="cleared"]').waitFor();
      await k.page.locator('[data-action="next"]').click();
      await clerkTypes(k.page, current);
      const refused = k.page.locator('[data-clerk="refused"]');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('這次同意已經核驗過');
      expect(await axeViolations(k.page)).toEqual([]);
    } finally {
      for (const x of contexts) await x.close();
    }
  });

  it('refuses an old code once the page shows a new one, and a clerk of another organisation', async () => {
    const [citizen, clerk, other] = people as [Person, Person, Person];
    const settings = portal.platform.counter.service.settings;
    const saved = settings.codeSeconds;
    settings.codeSeconds = 3;
    const c = await newPage();
    const k = await newPage();
    const o = await newPage('en');
    try {
      await signIn(c.page, citizen, '/counter');
      await consent(c.page);
      const shown = c.page.locator('[data-counter="show"] [data-short-code]');
      const first = (await shown.textContent()) ?? '';
      // A new code each period: the page replaces it on its own, and the old one dies.
      await expect.poll(async () => shown.textContent(), { timeout: 10_000 }).not.toBe(first);
      await signIn(k.page, clerk, '/clerk');
      await clerkTypes(k.page, first);
      const refused = k.page.locator('[data-clerk="refused"]');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('條碼已過期');
      expect(await axeViolations(k.page)).toEqual([]);

      // A clerk of the district office, at their own desk, is shown the bank's current code.
      settings.codeSeconds = 60;
      await signIn(o.page, other, '/clerk');
      await o.page.locator('[data-clerk="console"]').waitFor();
      // The next code the page asks for is issued under the longer period.
      await c.page.waitForTimeout(4000);
      const current = (await shown.textContent()) ?? '';
      await clerkTypes(o.page, current);
      const otherRefused = o.page.locator('[data-clerk="refused"]');
      await otherRefused.waitFor();
      expect(await otherRefused.textContent()).toContain('This code is for another service');
      expect(await axeViolations(o.page)).toEqual([]);
      // Nothing was spent: the bank's clerk can still verify it.
      await clerkTypes(k.page, (await shown.textContent()) ?? '');
      await k.page.locator('[data-clerk="data"]').waitFor();

      // The citizen, who is no clerk, is told so on the clerk page.
      await c.page.goto(`${portal.url}/clerk`);
      await c.page.locator('[data-clerk="not-a-clerk"]').waitFor();
      expect(await axeViolations(c.page)).toEqual([]);
    } finally {
      settings.codeSeconds = saved;
      await c.context.close();
      await k.context.close();
      await o.context.close();
    }
  });
  it('the clerk scans the QR code with the camera', async () => {
    const [citizen, clerk] = people as [Person, Person];
    const dir = mkdtempSync(join(tmpdir(), 'mydata-counter-camera-'));
    const video = join(dir, 'qr.y4m');
    const c = await newPage();
    // The clerk's browser films a still picture: Chromium's fake camera, reading the file when the camera starts.
    const camera = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    try {
      await signIn(c.page, citizen, '/counter');
      await consent(c.page);
      const context = await camera.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-TW' });
      const k = await context.newPage();
      await signIn(k, clerk, '/clerk');
      await k.locator('[data-clerk="console"]').waitFor();
      // The code on the citizen's screen now, filmed.
      writeFileSync(video, y4mOf(await renderedQr(c.page), QR_PIXELS));
      await k.locator('[data-action="camera"]').click();
      const data = k.locator('[data-clerk="data"]');
      await data.waitFor({ timeout: 20_000 });
      expect(await data.locator('[data-field="nationalId"]').first().textContent()).toBe(citizen.nationalId);
      await c.page.locator('[data-counter="redeemed"]').waitFor({ timeout: 15_000 });
    } finally {
      await c.context.close();
      await camera.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
