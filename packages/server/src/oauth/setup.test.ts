import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateRegistration } from './clients.ts';
import { loadCookieKeys } from './provider.ts';
import { isProviderPath } from './setup.ts';

describe('Mounting the provider', () => {
  it('hands only its own addresses to oidc-provider', () => {
    for (const url of [
      '/.well-known/openid-configuration',
      '/oauth/par',
      '/oauth/token',
      '/oauth/jwks',
      '/oauth/authorize?client_id=x&request_uri=y',
      '/oauth/authorize/abc123',
    ]) {
      expect(isProviderPath(url), url).toBe(true);
    }
    for (const url of [
      '/api/v1/oauth/interactions/abc',
      '/api/v1/transfer/package',
      '/oauth',
      '/oauth/tokens',
      '/consent/abc',
      '/.well-known/other',
    ]) {
      expect(isProviderPath(url), url).toBe(false);
    }
  });
});

describe('The cookie secrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mydata-oauth-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are generated once into a file only the platform can read, then reused', () => {
    const file = join(dir, 'keys', 'oauth-cookie-keys.json');
    const first = loadCookieKeys(file);
    expect(first[0]?.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadCookieKeys(file)).toEqual(first);
  });

  it('live in memory only when no file is given', () => {
    expect(loadCookieKeys(undefined)).not.toEqual(loadCookieKeys(undefined));
  });
});

describe('A client registration', () => {
  const sig = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 's1', use: 'sig' };
  const enc = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'e1', use: 'enc' };
  const input = { clientId: 'svc.a', jwks: { keys: [sig, enc] }, redirectUris: ['https://svc.example/cb'] };

  it('allows http only on this machine', () => {
    for (const uri of ['http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://[::1]:8/cb']) {
      expect(validateRegistration({ ...input, redirectUris: [uri] }).redirectUris).toEqual([uri]);
    }
    expect(() => validateRegistration({ ...input, redirectUris: ['http://svc.example/cb'] })).toThrow(
      /https/,
    );
    expect(() => validateRegistration({ ...input, webhookUrl: 'ftp://svc.example/hook' })).toThrow(/https/);
  });

  it('refuses keys that repeat a kid, lack a use, or are not P-256', () => {
    expect(() => validateRegistration({ ...input, jwks: { keys: [sig, { ...enc, kid: 's1' }] } })).toThrow(
      /twice/,
    );
    expect(() =>
      validateRegistration({ ...input, jwks: { keys: [sig, { ...enc, use: undefined }] } }),
    ).toThrow(/use/);
    expect(() => validateRegistration({ ...input, jwks: { keys: [{ ...sig, crv: 'P-384' }, enc] } })).toThrow(
      /sig/,
    );
  });
});
