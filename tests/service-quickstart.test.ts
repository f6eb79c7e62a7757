import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JWK } from '@mydata/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPackageFixture,
  type FixtureDataset,
  type PackageFixture,
  startFakePlatform,
} from '../packages/sdk/src/service/testing.ts';

/** The sample service exactly as docs/service-quickstart.md prints it. */
function sampleFromDocs(): string {
  const doc = readFileSync('docs/service-quickstart.md', 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/service-quickstart.md has no ts sample');
  return block;
}

const INCOME: FixtureDataset = {
  datasetId: 'mof-fia.income',
  agencyId: 'mof-fia',
  payload: { nationalId: 'A123456789', name: '王小明', taxYear: 2025, totalIncome: 620000, items: [] },
};

/** Starts the sample as its own process and reads its URL and registration from its output. */
async function runSample(file: string, issuer: string) {
  const proc = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, PORT: '0', MYDATA_ISSUER: issuer },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (d) => {
    output += d;
  });
  proc.stderr.on('data', (d) => {
    output += d;
  });
  const deadline = Date.now() + 15_000;
  while (!/register: (\{.*\})/.test(output) && Date.now() < deadline && proc.exitCode === null) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const url = /listening on (http:\S+);/.exec(output)?.[1];
  const registration = /register: (\{.*\})/.exec(output)?.[1];
  if (!url || !registration) throw new Error(`the sample did not start:\n${output}`);
  return {
    proc,
    url,
    registration: JSON.parse(registration) as {
      redirectUri: string;
      webhookUrl: string;
      jwks: { keys: JWK[] };
    },
  };
}

describe('The service quick start sample', () => {
  // Inside the repository (git-ignored .mydata/) so the sample resolves @mydata/sdk like an installed package.
  const dir = resolve('.mydata', `service-quickstart-${randomUUID()}`);
  let child: ChildProcess | undefined;
  let platform: Awaited<ReturnType<typeof startFakePlatform>>;
  let f: PackageFixture;
  beforeAll(async () => {
    platform = await startFakePlatform(() => f, {
      purpose: 'https://w3id.org/dpv#CreditChecking',
      datasets: [INCOME],
    });
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is about 30 lines', () => {
    expect(sampleFromDocs().trim().split('\n').length).toBeLessThanOrEqual(35);
  });

  it('runs as printed: applies through MyData, gets verified data, refuses forged webhooks', async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'service.ts'), sampleFromDocs());
    const sample = await runSample(join(dir, 'service.ts'), platform.issuer);
    child = sample.proc;
    const [sig, enc] = sample.registration.jwks.keys as [JWK, JWK];
    expect([sig.use, enc.use, 'd' in sig, 'd' in enc]).toEqual(['sig', 'enc', false, false]);
    // The stand-in platform only needs the public keys: it encrypts to `enc` and checks assertions with `sig`.
    f = await createPackageFixture({
      issuer: platform.issuer,
      clientId: 'firstbank.personal-loan',
      agencyIds: ['mof-fia'],
      service: { signingKey: sig, encryptionKey: enc, publicJwks: sample.registration.jwks },
    });

    const apply = await fetch(`${sample.url}/apply`, { redirect: 'manual' });
    expect(apply.status).toBe(303);
    const cookie = (apply.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const callback = platform.authorize(apply.headers.get('location') ?? '');
    expect(callback.startsWith(sample.registration.redirectUri)).toBe(true);
    const res = await fetch(callback, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { datasetId: INCOME.datasetId, agency: 'mof-fia', data: INCOME.payload },
    ]);

    // A declined application comes back as a clear error, not data.
    const again = await fetch(`${sample.url}/apply`, { redirect: 'manual', headers: { cookie } });
    const declined = await fetch(platform.authorize(again.headers.get('location') ?? '', 'decline'), {
      headers: { cookie },
    });
    expect(declined.status).toBe(403);

    const webhook = (body: string) => fetch(sample.registration.webhookUrl, { method: 'POST', body });
    expect(
      (await webhook(await f.webhook({ event: 'consent.expired', consentId: 'consent-1' }))).status,
    ).toBe(204);
    const forged = await f.webhook(
      { event: 'consent.expired', consentId: 'consent-1' },
      { foreignKey: true },
    );
    expect((await webhook(forged)).status).toBe(401);
  });
});
