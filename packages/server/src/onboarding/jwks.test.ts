import { createServer, type Server } from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A service's key pair as an applicant makes it: private JWK and the public half with kid and use. */
async function key(alg: 'ES256' | 'ECDH-ES+A256KW', use: 'sig' | 'enc') {
  const pair = await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    privateJwk: { ...(await exportJWK(pair.privateKey)), kid, use, alg } as JWK,
    publicJwk: { ...publicJwk, kid, use, alg },
  };
}

async function generateServiceKeys() {
  const sig = await key('ES256', 'sig');
  const enc = await key('ECDH-ES+A256KW', 'enc');
  return {
    signingKey: sig.privateJwk as JWK & { kid: string },
    encryptionKey: enc.privateJwk as JWK & { kid: string },
    publicJwks: { keys: [sig.publicJwk, enc.publicJwk] },
  };
}

import { checkAgencyJwks, checkServiceJwks, describeKeys, fetchJwks, JWKS_MAX_BYTES } from './jwks.ts';

describe('Applicant keys', () => {
  let server: Server;
  let base = '';
  let keys: Awaited<ReturnType<typeof generateServiceKeys>>;
  beforeAll(async () => {
    keys = await generateServiceKeys();
    server = createServer((req, res) => {
      if (req.url === '/ok') return res.end(JSON.stringify(keys.publicJwks));
      if (req.url === '/big') return res.end(`{"keys":[],"pad":"${'x'.repeat(JWKS_MAX_BYTES)}"}`);
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/ok' });
        return res.end();
      }
      if (req.url === '/html') return res.end('<html>');
      if (req.url === '/slow') return setTimeout(() => res.end('{}'), 1000);
      res.writeHead(500);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('fetches a key set and describes its keys by thumbprint', async () => {
    const jwks = checkServiceJwks(await fetchJwks(`${base}/ok`));
    expect(await describeKeys(jwks)).toEqual([
      { kid: keys.signingKey.kid, use: 'sig', thumbprint: keys.signingKey.kid },
      { kid: keys.encryptionKey.kid, use: 'enc', thumbprint: keys.encryptionKey.kid },
    ]);
  });

  it.each([
    ['/big', 'larger than'],
    ['/redirect', 'redirects'],
    ['/missing', 'HTTP 500'],
    ['/slow', 'no answer within'],
  ])('refuses %s as unreachable, naming the URL and reason', async (path, reason) => {
    const error = await fetchJwks(`${base}${path}`, 200).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'onboarding.jwks-unreachable', params: { url: `${base}${path}` } });
    expect(String((error as { params: { reason: string } }).params.reason)).toContain(reason);
  });

  it('refuses plain http off this machine, and non-JSON answers', async () => {
    await expect(fetchJwks('http://keys.example/jwks.json')).rejects.toMatchObject({
      code: 'onboarding.jwks-unreachable',
    });
    await expect(fetchJwks('ftp://keys.example/jwks.json')).rejects.toMatchObject({
      code: 'onboarding.jwks-unreachable',
    });
    await expect(fetchJwks(`${base}/html`)).rejects.toMatchObject({ code: 'onboarding.jwks-invalid' });
  });

  it('checks service and agency key sets', () => {
    const [sig, enc] = keys.publicJwks.keys;
    expect(() => checkServiceJwks({ keys: [sig] })).toThrow(/enc/);
    expect(() => checkServiceJwks({ keys: [sig, { ...enc, kid: sig?.kid }] })).toThrow(/twice/);
    expect(() => checkServiceJwks({ keys: [keys.signingKey, enc] })).toThrow(/private/);
    expect(() => checkServiceJwks([])).toThrow(/keys/);
    expect(checkAgencyJwks({ keys: [sig, enc] }).keys).toEqual([
      { kty: 'EC', crv: 'P-256', x: sig?.x, y: sig?.y, kid: sig?.kid, alg: 'ES256', use: 'sig' },
    ]);
    expect(() => checkAgencyJwks({ keys: [enc] })).toThrow(/signing keys/);
  });
});
