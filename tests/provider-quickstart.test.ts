import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spkiSha256 } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness } from './exchange-harness.ts';

/** The sample agency exactly as docs/provider-quickstart.md prints it. */
function sampleFromDocs(): string {
  const doc = readFileSync('docs/provider-quickstart.md', 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/provider-quickstart.md has no ts sample');
  return block;
}

describe('The provider quick start sample', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  // Inside the repository (git-ignored .mydata/) so the sample resolves @mydata/sdk like an installed package.
  const dir = resolve('.mydata', `quickstart-${randomUUID()}`);
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await createHarness({});
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is about 30 lines', () => {
    expect(sampleFromDocs().trim().split('\n').length).toBeLessThanOrEqual(35);
  });

  it('runs as printed and answers the platform over mutual TLS', async () => {
    mkdirSync(dir, { recursive: true });
    const cert = await h.certificate('mof-fia');
    writeFileSync(join(dir, 'agency.ts'), sampleFromDocs());
    writeFileSync(join(dir, 'agency.crt'), cert.cert);
    writeFileSync(join(dir, 'agency.key'), cert.key);
    writeFileSync(join(dir, 'platform-ca.crt'), h.ca.cert);
    writeFileSync(join(dir, 'platform-keys.json'), JSON.stringify({ keys: [h.platformKey.publicJwk] }));
    const proc = spawn(process.execPath, ['--import', 'tsx', join(dir, 'agency.ts')], {
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    proc.stdout.on('data', (d) => {
      output += d;
    });
    proc.stderr.on('data', (d) => {
      output += d;
    });
    const deadline = Date.now() + 15_000;
    while (!/listening on (https:\S+)/.test(output) && Date.now() < deadline && proc.exitCode === null) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const url = /listening on (https:\S+)/.exec(output)?.[1];
    const jwks = /public key to register: (\{.*\})/.exec(output)?.[1];
    expect(url, output).toBeDefined();
    await h.gateway.registry.register({
      agencyId: 'mof-fia',
      baseUrl: url as string,
      tlsSpkiSha256: [spkiSha256(cert.cert)],
      jwks: JSON.parse(jwks as string),
    });
    const purpose = 'https://w3id.org/dpv#ServiceProvision';
    const result = await h.gateway.fetch({
      consentId: 'quickstart',
      purpose,
      subject: { nationalId: 'A123456789' },
      datasets: ['mof-fia.income'],
    });
    expect(result.results[0]?.payload).toMatchObject({ name: '王小明', totalIncome: 620000 });
    const missing = await h.gateway
      .fetch({
        consentId: 'quickstart',
        purpose,
        subject: { nationalId: 'B223456789' },
        datasets: ['mof-fia.income'],
      })
      .catch((e: { code: string }) => e.code);
    expect(missing).toBe('exchange.no-such-person');
    const refused = await h.gateway
      .fetch({
        consentId: 'quickstart',
        purpose,
        subject: { nationalId: 'A123456789' },
        datasets: ['mof-fia.property'],
      })
      .catch((e: { code: string }) => e.code);
    expect(refused).toBe('exchange.not-permitted');
  });
});
