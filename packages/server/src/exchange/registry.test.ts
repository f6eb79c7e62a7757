import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@mydata/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureCatalogue } from '../catalogue/fixtures.ts';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { ensureLocalPki, spkiSha256 } from './pki.ts';
import { createAgencyRegistry } from './registry.ts';
import { loadOrCreateSigningKey } from './setup.ts';

const jwk = {
  kty: 'EC' as const,
  crv: 'P-256' as const,
  x: 'eKPEFlG-AkAlr9oUVYiJ7aVoX4HgzWlRnbsDfmICNaY',
  y: 'Klfq54fLuVGP84lKWcIDcgmd0i83FzutHfTbr7slm8E',
};
const registration = {
  agencyId: 'mof-fia',
  baseUrl: 'https://localhost:9443',
  tlsSpkiSha256: ['skoxznk0MpVGI4vUmMT4krMl1cHwKK76GMxEtPICiYU='],
  jwks: { keys: [jwk] },
};

describe('The agency registry', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await createCatalogueRepo(t.db).importCatalogue(fixtureCatalogue());
  });
  afterAll(() => t.close());

  it('stores a registration with default timeout and concurrency, and bumps its version on change', async () => {
    const registry = createAgencyRegistry(t.db);
    const first = await registry.register(registration);
    expect(first).toMatchObject({ timeoutMs: 5000, maxConcurrency: 16, version: 1 });
    const second = await registry.register({ ...first, timeoutMs: 800 });
    expect(second).toMatchObject({ timeoutMs: 800, version: 2 });
    expect(await registry.get('mof-fia')).toEqual(second);
    expect((await registry.list()).map((r) => r.agencyId)).toEqual(['mof-fia']);
  });

  it('keeps every key an agency registered, after it rotates them out', async () => {
    const registry = createAgencyRegistry(t.db);
    const rotated = {
      ...jwk,
      x: 'IYe-3iC6zeGK4peNYZQ8-SKqaA_XsIBGfA-8PpKYBhI',
      y: 'opONNOxXn-qOpa4H3sdRtuwinuo4_rFlw6t9HGhyv3c',
    };
    await registry.register(registration);
    await registry.register({ ...registration, jwks: { keys: [rotated] } });
    const history = await registry.keyHistory('mof-fia');
    expect(history.map((k) => k.jwk.x).sort()).toEqual([jwk.x, rotated.x].sort());
    expect((await registry.get('mof-fia'))?.jwks.keys).toEqual([rotated]);
  });

  it('refuses a private key, a plain-HTTP address, and an agency not in the catalogue', async () => {
    const registry = createAgencyRegistry(t.db);
    const refused = async (input: object) => {
      const e = await registry.register(input as never).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    };
    expect((await refused({ ...registration, jwks: { keys: [{ ...jwk, d: 'secret' }] } })).code).toBe(
      'request.invalid',
    );
    expect((await refused({ ...registration, baseUrl: 'http://localhost:1' })).code).toBe('request.invalid');
    expect((await refused({ ...registration, agencyId: 'nobody' })).code).toBe(
      'catalogue.organisation-not-found',
    );
  });
});

describe('The local PKI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mydata-pki-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the CA and certificates once, private keys mode 0600, and loads them the next time', async () => {
    const first = await ensureLocalPki({ dataDir: dir, platformId: 'mydata-platform', agencyIds: ['bli'] });
    for (const f of ['ca.key', 'platform-client.key', 'agencies/bli.key']) {
      expect(statSync(join(dir, 'pki', f)).mode & 0o777).toBe(0o600);
    }
    const again = await ensureLocalPki({ dataDir: dir, platformId: 'mydata-platform', agencyIds: ['bli'] });
    expect(again.ca.cert).toBe(first.ca.cert);
    expect(spkiSha256(again.agencies.get('bli')!.cert)).toBe(spkiSha256(first.agencies.get('bli')!.cert));
    expect(spkiSha256(first.agencies.get('bli')!.cert)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('creates the platform signing key once, mode 0600', async () => {
    const path = join(dir, 'pki', 'platform-signing.jwk.json');
    const key = await loadOrCreateSigningKey(path);
    expect(existsSync(path) && statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateSigningKey(path)).toEqual(key);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });
});
