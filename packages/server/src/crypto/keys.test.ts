import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePlatformKeys, loadPlatformKeys, rotateAtRestKey } from './keys.ts';

describe('The OAuth signing key of the platform key ring', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mydata-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is an ES256 key whose kid is its RFC 7638 thumbprint', async () => {
    const { oauthSigning } = generatePlatformKeys();
    expect(oauthSigning).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const { d: _d, ...publicJwk } = oauthSigning;
    expect(oauthSigning.kid).toBe(await calculateJwkThumbprint(publicJwk));
    const jws = await new CompactSign(new TextEncoder().encode('x'))
      .setProtectedHeader({ alg: 'ES256' })
      .sign(await importJWK(oauthSigning, 'ES256'));
    await expect(compactVerify(jws, await importJWK(publicJwk, 'ES256'))).resolves.toBeDefined();
  });

  it('is created with the key file and read back the same', () => {
    const file = join(dir, 'new', 'keys.json');
    const first = loadPlatformKeys({ file, createIfMissing: true });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadPlatformKeys({ file, createIfMissing: false }).oauthSigning).toEqual(first.oauthSigning);
  });

  it('is added to a key file written before it existed, keeping the other keys', () => {
    const file = join(dir, 'old.json');
    loadPlatformKeys({ file, createIfMissing: true });
    const { oauthSigningKey: _added, ...old } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(old), { mode: 0o600 });
    const keys = loadPlatformKeys({ file, createIfMissing: false });
    expect(keys.oauthSigning.kid).toBeTruthy();
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored.oauthSigningKey).toEqual(keys.oauthSigning);
    expect(stored.citizenRefKey).toBe(old.citizenRefKey);
    expect(stored.logSigningKey).toBe(old.logSigningKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    rotateAtRestKey(file);
    expect(loadPlatformKeys({ file, createIfMissing: false }).oauthSigning).toEqual(keys.oauthSigning);
  });
});
