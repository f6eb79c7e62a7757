/**
 * A demo online service against the real platform, end to end over HTTP as `npm start` runs them:
 * the service pushes its request, the citizen signs in with a citizen-certificate card and agrees on
 * the consent screen's API, the platform collects the data from the demo agencies over mutual TLS,
 * and the service shows the data with every agency signature verified. Also a decline, and a
 * withdrawal that reaches the service as a signed webhook.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  demoNhiPin,
  findTestPersonas,
  openCard,
  SERVICE_IDS,
  signInWithCard,
} from '@mydata/demo';
import { createServiceClient, MyDataProblem } from '@mydata/sdk';
import { createScratchDatabase, type ScratchDatabase } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const POPULATION = 2000;
const SERVICE = SERVICE_IDS.passportRenewal;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One browser: a cookie jar for everything on localhost (cookies ignore ports), redirects followed by hand. */
class Browser {
  jar = new Map<string, string>();
  csrf: string | undefined;
  get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  keep(res: Response) {
    this.keepCookies(res.headers.getSetCookie());
    return res;
  }
  keepCookies(setCookies: string[]) {
    for (const c of setCookies) {
      const [pair = '', ...attrs] = c.split(';');
      const i = pair.indexOf('=');
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (!value || gone) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  async fetch(url: string, init: RequestInit = {}) {
    const headers = {
      ...(this.jar.size ? { cookie: this.cookie } : {}),
      ...((init.headers as Record<string, string>) ?? {}),
    };
    return this.keep(await fetch(url, { ...init, headers, redirect: 'manual' }));
  }
  /** Follows redirects until one leaves for `stopAt` (not fetched) or a page answers. */
  async follow(url: string, stopAt: string): Promise<string> {
    let next = url;
    for (let i = 0; i < 10; i++) {
      if (next.startsWith(stopAt)) return next;
      const res = await this.fetch(next);
      const location = res.headers.get('location');
      if (res.status < 300 || res.status >= 400 || !location)
        throw new Error(`${next} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      next = new URL(location, next).href;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

describe('A demo service and the real platform, end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-transfer-'));
  let child: ChildProcess | undefined;
  // On PostgreSQL (DATABASE_URL set) the platform gets a throw-away database of its own.
  let scratch: ScratchDatabase | undefined;
  let output = '';
  let issuer = '';
  let serviceUrl = '';
  let persona = { nationalId: '', nhiCardNumber: '', pin: '' };
  let subject = '';
  const population = createPopulation({ seed: DEMO_SEED, size: POPULATION });

  beforeAll(async () => {
    if (process.env.DATABASE_URL)
      scratch = await createScratchDatabase(process.env.DATABASE_URL, {
        prefix: 'mydata_transfer',
        poolSize: 1,
      });
    const port = await freePort();
    issuer = `http://localhost:${port}`;
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        PUBLIC_URL: issuer,
        MYDATA_DATA_DIR: dataDir,
        DEMO_POPULATION: String(POPULATION),
        LOG_LEVEL: 'warn',
        ...(scratch ? { DATABASE_URL: scratch.url } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 90_000;
    while (!output.includes('Press Ctrl+C') && Date.now() < deadline && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 100));
    const url = new RegExp(`${SERVICE.replace('.', '\\.')}\\s+(http://\\S+)`).exec(output)?.[1];
    if (!url) throw new Error(`the platform did not start with the demo services:\n${output}`);
    serviceUrl = url;
    // A test persona who has all the records passport renewal asks for (cards exist for personas).
    const service = demoCatalogue.services.find((s) => s.id === SERVICE);
    const found = findTestPersonas(population, POPULATION).find((p) =>
      service?.datasets.every((d) => population.record(d.datasetId, p.citizen.nationalId) !== undefined),
    );
    if (!found) throw new Error('no persona with passport, registration and entry-exit records');
    const { nationalId, nhiCardNumber } = found.citizen;
    persona = { nationalId, nhiCardNumber, pin: demoNhiPin(population.seed, nationalId) };
  }, 120_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    await scratch?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The service's landing page → its form → the platform's authorization endpoint → the consent screen's uid. */
  async function apply(b: Browser) {
    const landing = await (await b.fetch(serviceUrl)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(landing)?.[1] ?? '';
    const start = await b.fetch(`${serviceUrl}/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf }).toString(),
    });
    const authorize = start.headers.get('location') ?? '';
    expect(authorize.startsWith(`${issuer}/`), `${start.status} ${authorize}`).toBe(true);
    const consentPage = await b.follow(authorize, `${issuer}/consent/`);
    return /\/consent\/([^/?#]+)/.exec(consentPage)?.[1] as string;
  }

  /** Card sign-in; a citizen's first use also needs a second method, here the NHI card and PIN. */
  async function signIn(b: Browser) {
    const card = openCard(readFileSync(join(dataDir, 'cards', `${persona.nationalId}.p12`)), '123456');
    const signed = await signInWithCard({ platformUrl: issuer, card, cookie: b.cookie });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    b.keepCookies(signed.cookies);
    let body = signed.body as { status?: string; csrfToken?: string };
    if (body.status === 'second-method-required') {
      const res = await b.fetch(`${issuer}/api/v1/identity/verify/nhi-card`, {
        method: 'POST',
        headers: { origin: issuer, 'content-type': 'application/json' },
        body: JSON.stringify({
          nationalId: persona.nationalId,
          cardNumber: persona.nhiCardNumber,
          pin: persona.pin,
        }),
      });
      body = (await res.json()) as typeof body;
      expect(res.status, JSON.stringify(body)).toBe(200);
    }
    b.csrf = body.csrfToken;
    expect(b.csrf).toBeDefined();
  }

  const api = (b: Browser, path: string, body?: unknown) =>
    b.fetch(`${issuer}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        origin: issuer,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(b.csrf ? { 'x-csrf-token': b.csrf } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('delivers the citizen’s data to the service, each record verified against its agency', async () => {
    const b = new Browser();
    const uid = await apply(b);
    expect((await api(b, `/api/v1/oauth/interactions/${uid}`)).status).toBe(401);
    await signIn(b);
    const interaction = (await (await api(b, `/api/v1/oauth/interactions/${uid}`)).json()) as {
      service: { id: string };
      datasets: { id: string }[];
    };
    expect(interaction.service.id).toBe(SERVICE);
    const decision = await api(b, `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: interaction.datasets.map((d) => d.id),
    });
    const answer = (await decision.json()) as { status: string; redirectTo: string };
    expect(decision.status, JSON.stringify(answer)).toBe(200);
    const callback = await b.follow(new URL(answer.redirectTo, issuer).href, `${serviceUrl}/callback`);
    expect(new URL(callback).searchParams.get('iss')).toBe(issuer);
    const back = await b.fetch(callback);
    expect(back.headers.get('location')).toBe('/application');
    const page = await (await b.fetch(`${serviceUrl}/application`)).text();
    expect(page.match(/機關簽章已驗證/g)).toHaveLength(interaction.datasets.length);
    expect(page).toContain('內政部戶政司');
    expect(page).toContain('外交部領事事務局');
    const passport = population.record('boca.passport', persona.nationalId) as { passportNumber: string };
    expect(page).toContain(passport.passportNumber);
    // The service knows the citizen by a pairwise pseudonym, stable across transfers, never the national ID.
    subject = /您在本服務的代號[\s\S]*?<code>([^<]+)<\/code>/.exec(page)?.[1] ?? '';
    expect(subject).toMatch(/^[\w-]{20,}$/);
    expect(subject).not.toContain(persona.nationalId);

    // The receipt the citizen downloads is the one the package names.
    const consentId = /同意編號[\s\S]*?<code>([^<]+)<\/code>/.exec(page)?.[1];
    const receiptHash = /同意收據雜湊[\s\S]*?<code>([^<]+)<\/code>/.exec(page)?.[1];
    const receipt = await api(b, `/api/v1/consents/${consentId}/receipt`);
    expect(receipt.status).toBe(200);
    expect(
      createHash('sha256')
        .update(await receipt.text())
        .digest('base64url'),
    ).toBe(receiptHash);
    const consent = (await (await api(b, `/api/v1/consents/${consentId}`)).json()) as { status: string };
    expect(consent.status).toBe('used');
  });

  it('tells the applicant what happened when they decline', async () => {
    const b = new Browser();
    const uid = await apply(b);
    await signIn(b);
    const decision = await api(b, `/api/v1/oauth/interactions/${uid}/decision`, { decision: 'decline' });
    const answer = (await decision.json()) as { redirectTo: string };
    expect(decision.status, JSON.stringify(answer)).toBe(200);
    const callback = await b.follow(new URL(answer.redirectTo, issuer).href, `${serviceUrl}/callback`);
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const back = await b.fetch(callback);
    expect(back.headers.get('location')).toBe('/problem');
    const page = await (await b.fetch(`${serviceUrl}/problem`)).text();
    expect(page).toContain('未提供資料');
    expect(page).toContain('transfer.declined');
  });

  it('gives the same pseudonym on the next transfer and refuses a replayed callback', async () => {
    const b = new Browser();
    const uid = await apply(b);
    await signIn(b);
    const interaction = (await (await api(b, `/api/v1/oauth/interactions/${uid}`)).json()) as {
      datasets: { id: string }[];
    };
    const decision = await api(b, `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: interaction.datasets.map((d) => d.id),
    });
    const { redirectTo } = (await decision.json()) as { redirectTo: string };
    const callback = await b.follow(new URL(redirectTo, issuer).href, `${serviceUrl}/callback`);
    expect((await b.fetch(callback)).headers.get('location')).toBe('/application');
    const page = await (await b.fetch(`${serviceUrl}/application`)).text();
    expect(/您在本服務的代號[\s\S]*?<code>([^<]+)<\/code>/.exec(page)?.[1]).toBe(subject);
    expect((await b.fetch(callback)).headers.get('location')).toBe('/problem');
  });

  it('sends the service a signed webhook when the citizen withdraws before the data is used', async () => {
    const b = new Browser();
    const uid = await apply(b);
    await signIn(b);
    const interaction = (await (await api(b, `/api/v1/oauth/interactions/${uid}`)).json()) as {
      datasets: { id: string }[];
    };
    const decision = await api(b, `/api/v1/oauth/interactions/${uid}/decision`, {
      decision: 'accept',
      datasets: interaction.datasets.map((d) => d.id),
    });
    expect(decision.status).toBe(200);
    // The citizen withdraws from "My consents" before going back to the service.
    const active = (await (await api(b, '/api/v1/consents?status=active')).json()) as {
      items: { id: string }[];
    };
    const consentId = active.items[0]?.id as string;
    expect((await api(b, `/api/v1/consents/${consentId}/withdraw`, {})).status).toBe(200);
    const deadline = Date.now() + 15_000;
    let status = '';
    while (Date.now() < deadline) {
      status = await (await fetch(`${serviceUrl}/status`)).text();
      if (status.includes(consentId)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toContain('consent.withdrawn');
    expect(status).toContain(consentId);
  });

  it('passes on the platform’s refusal of a request the catalogue does not allow', async () => {
    const keys = JSON.parse(readFileSync(join(dataDir, 'services', SERVICE, 'keys.json'), 'utf8'));
    const client = createServiceClient({
      issuer,
      clientId: SERVICE,
      ...keys,
      redirectUri: `${serviceUrl}/callback`,
    });
    const refused = await client
      .startTransfer({ datasets: ['mof-fia.income'], purpose: 'https://w3id.org/dpv#ServiceProvision' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MyDataProblem);
    expect(refused).toMatchObject({ code: 'invalid_authorization_details', status: 400 });
    expect((refused as MyDataProblem).detail).toMatch(/mof-fia\.income/);
  });
});
