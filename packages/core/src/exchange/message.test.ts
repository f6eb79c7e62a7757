import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  canonicalFlatJson,
  checkRequestClaims,
  checkResponseClaims,
  encodeQuery,
  MESSAGE_LOG_GENESIS,
  messageLogEntryHash,
  parseRequestClaims,
  parseResponseClaims,
  type RequestClaims,
  requestHash,
  sha256Base64url,
} from './message.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../../../docs/exchange-test-vectors.json', import.meta.url), 'utf8'),
) as {
  platformPublicJwk: object;
  agencyPublicJwk: object;
  body: string;
  bodySha256: string;
  requestJws: string;
  requestHash: string;
  responseBody: string;
  responseBodySha256: string;
  responseJws: string;
  logEntryCanonical: string;
  logEntryHash: string;
};

/** Verifies a compact ES256 JWS with node:crypto alone, as an agency without a JOSE library would. */
function verifyEs256(jws: string, jwk: object): Record<string, unknown> {
  const [header = '', payload = '', signature = ''] = jws.split('.');
  const key = createPublicKey({ key: jwk as never, format: 'jwk' });
  const ok = verify(
    'sha256',
    Buffer.from(`${header}.${payload}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) throw new Error('signature does not verify');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}

describe('The exchange message format (docs/exchange.md test vectors)', () => {
  it('encodes the request body byte for byte and hashes it', () => {
    const body = encodeQuery({
      subject: { nationalId: 'A123456789' },
      datasetId: 'moi-household.household-registration',
    });
    expect(body).toBe(vectors.body);
    expect(sha256Base64url(body)).toBe(vectors.bodySha256);
  });

  it('has a request JWS that verifies with the platform key and carries the documented claims', () => {
    const claims = verifyEs256(vectors.requestJws, vectors.platformPublicJwk);
    expect(parseRequestClaims(claims)).toBeDefined();
    expect(claims).toMatchObject({
      iss: 'mydata-platform',
      aud: 'moi-household',
      method: 'POST',
      path: '/mydata/v1/query',
      bodySha256: vectors.bodySha256,
    });
    const header = JSON.parse(Buffer.from(vectors.requestJws.split('.')[0] ?? '', 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ES256', typ: 'mydata-exchange-request+jwt' });
  });

  it('binds the response to the request by the SHA-256 of the request JWS', () => {
    expect(requestHash(vectors.requestJws)).toBe(vectors.requestHash);
    const claims = verifyEs256(vectors.responseJws, vectors.agencyPublicJwk);
    const parsed = parseResponseClaims(claims);
    expect(parsed).toBeDefined();
    expect(
      checkResponseClaims(parsed!, {
        platformId: 'mydata-platform',
        agencyId: 'moi-household',
        requestJws: vectors.requestJws,
        bodySha256: sha256Base64url(vectors.responseBody),
        status: 404,
        nowSeconds: (parsed?.iat ?? 0) + 5,
      }),
    ).toBeUndefined();
  });

  it('hashes a message-log entry over the previous hash and its canonical JSON', () => {
    expect(messageLogEntryHash(MESSAGE_LOG_GENESIS, vectors.logEntryCanonical)).toBe(vectors.logEntryHash);
    const parsed = JSON.parse(vectors.logEntryCanonical);
    expect(canonicalFlatJson(parsed)).toBe(vectors.logEntryCanonical);
  });
});

describe('The claim checks', () => {
  const claims: RequestClaims = {
    iss: 'mydata-platform',
    aud: 'mof-fia',
    iat: 1000,
    jti: 'request-0001',
    method: 'POST',
    path: '/mydata/v1/query',
    bodySha256: sha256Base64url('{}'),
    consentId: 'c1',
    purpose: 'https://w3id.org/dpv#ServiceProvision',
    datasetId: 'mof-fia.income',
  };
  const expected = {
    platformId: 'mydata-platform',
    agencyId: 'mof-fia',
    method: 'POST',
    path: '/mydata/v1/query',
    bodySha256: sha256Base64url('{}'),
    nowSeconds: 1000,
  };

  it('accepts a request for this agency, method, path and body within the clock window', () => {
    expect(checkRequestClaims(claims, expected)).toBeUndefined();
    expect(checkRequestClaims(claims, { ...expected, nowSeconds: 1060 })).toBeUndefined();
  });

  it('names what is wrong with a request', () => {
    expect(checkRequestClaims(claims, { ...expected, agencyId: 'bli' })?.kind).toBe('wrong-audience');
    expect(checkRequestClaims(claims, { ...expected, platformId: 'x' })?.kind).toBe('wrong-issuer');
    expect(checkRequestClaims(claims, { ...expected, path: '/other' })?.kind).toBe('wrong-path');
    expect(checkRequestClaims(claims, { ...expected, method: 'GET' })?.kind).toBe('wrong-method');
    expect(checkRequestClaims(claims, { ...expected, bodySha256: sha256Base64url('[]') })?.kind).toBe(
      'wrong-body',
    );
    expect(checkRequestClaims(claims, { ...expected, nowSeconds: 1061 })).toEqual({
      kind: 'stale',
      ageSeconds: 61,
    });
    expect(checkRequestClaims(claims, { ...expected, nowSeconds: 900 })?.kind).toBe('stale');
  });

  it('refuses claims with a missing or mistyped field', () => {
    const { jti: _jti, ...noJti } = claims;
    expect(parseRequestClaims(noJti)).toBeUndefined();
    expect(parseRequestClaims({ ...claims, iat: '1000' })).toBeUndefined();
    expect(
      parseResponseClaims({ iss: 'a', aud: 'b', iat: 1, requestHash: 'short', bodySha256: 'x', status: 200 }),
    ).toBeUndefined();
  });

  it('rejects nested or fractional values in canonical entries', () => {
    expect(() => canonicalFlatJson({ a: 1.5 })).toThrow();
    expect(canonicalFlatJson({ b: 'é', a: null, c: 2 })).toBe('{"a":null,"b":"é","c":2}');
  });
});
