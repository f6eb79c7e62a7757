/**
 * docs/package-test-vectors.json: one receipt, one data package and one webhook as a service receives
 * them. The check below is what a service does, with `jose` and `node:crypto` only. The vectors are
 * written by the platform's own code: `WRITE_PACKAGE_VECTORS=1 npx vitest run <this file>`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  EXCHANGE_ALGORITHM,
  EXCHANGE_QUERY_PATH,
  encodeQuery,
  REQUEST_JWS_TYPE,
  RESPONSE_JWS_TYPE,
  requestHash,
  sha256Base64url,
} from '@mydata/core';
import {
  compactDecrypt,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { createOutboxWorker } from '../notify/outbox.ts';
import { createWebhookSender } from '../notify/senders.ts';
import { createConsentFixture, INCOME, ISSUER, SERVICE_ID } from './testing.ts';

const FILE = new URL('../../../../docs/package-test-vectors.json', import.meta.url);
const AT = new Date('2026-11-24T08:00:00Z');
const PLATFORM_ID = 'mydata-platform';

interface Vectors {
  description: string;
  at: string;
  issuer: string;
  clientId: string;
  platformJwks: { keys: JWK[] };
  servicePrivateEncryptionJwk: JWK;
  agencyKeys: { items: { agencyId: string; jwks: { keys: JWK[] } }[] };
  receiptJws: string;
  receipt: Record<string, unknown>;
  packageJwe: string;
  packageJws: string;
  packageClaims: Record<string, unknown>;
  webhookJws: string;
  webhookClaims: Record<string, unknown>;
}

async function writeVectors(): Promise<void> {
  const exchangeKey = await generateKeyPair(EXCHANGE_ALGORITHM, { extractable: true });
  const agencyKey = await generateKeyPair(EXCHANGE_ALGORITHM, { extractable: true });
  const agencyJwk = {
    ...(await exportJWK(agencyKey.publicKey)),
    kid: 'mof-fia-2026',
    alg: 'ES256',
    use: 'sig',
  };
  // A gateway that answers the way docs/exchange.md describes, signed by a stand-in agency.
  const gateway = {
    async fetch(req: {
      consentId: string;
      purpose: string;
      datasets: string[];
      subject: { nationalId: string };
    }) {
      const results = await Promise.all(
        req.datasets.map(async (datasetId) => {
          const body = encodeQuery({ datasetId, subject: req.subject });
          const requestJws = await new SignJWT({
            method: 'POST',
            path: EXCHANGE_QUERY_PATH,
            bodySha256: sha256Base64url(body),
            consentId: req.consentId,
            purpose: req.purpose,
            datasetId,
          })
            .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: REQUEST_JWS_TYPE })
            .setIssuer(PLATFORM_ID)
            .setAudience('mof-fia')
            .setIssuedAt(Math.floor(AT.getTime() / 1000))
            .setJti(randomUUID())
            .sign(exchangeKey.privateKey);
          const payload = { total: 1_234_567 };
          const responseBody = JSON.stringify({ datasetId, payload });
          const responseJws = await new SignJWT({
            requestHash: requestHash(requestJws),
            bodySha256: sha256Base64url(responseBody),
            status: 200,
          })
            .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: RESPONSE_JWS_TYPE, kid: agencyJwk.kid })
            .setIssuer('mof-fia')
            .setAudience(PLATFORM_ID)
            .setIssuedAt(Math.floor(AT.getTime() / 1000))
            .sign(agencyKey.privateKey);
          return {
            datasetId,
            agencyId: 'mof-fia',
            payload,
            providerSignature: responseJws,
            providerBody: responseBody,
            requestSignature: requestJws,
            receivedAt: AT.toISOString(),
          };
        }),
      );
      return { exchangeId: randomUUID(), results };
    },
  };
  const f = await createConsentFixture({ clock: { now: AT }, gateway });
  try {
    const { citizenId } = await f.signIn();
    const request = { ...f.request([INCOME]), citizenId };
    const { consent } = await f.service.accept(request);
    const receiptJws = await f.service.receipt(consent.id, citizenId);
    const packageJwe = await f.service.takePackage(consent.id, SERVICE_ID);
    const { plaintext } = await compactDecrypt(packageJwe, f.enc.privateKey);
    const packageJws = new TextDecoder().decode(plaintext);

    const { consent: second } = await f.service.accept(request);
    await f.service.withdraw(second.id, citizenId);
    const posted: string[] = [];
    await createOutboxWorker({
      outbox: f.outbox,
      senders: {
        webhook: createWebhookSender({
          fetchImpl: (async (_url: string, init: RequestInit) => {
            posted.push(String(init.body));
            return new Response(null, { status: 204 });
          }) as unknown as typeof fetch,
        }),
      },
      usageLogUrl: `${ISSUER}/usage-log`,
      now: () => AT,
    }).runOnce();
    const webhookJws = posted[0] as string;

    const claims = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString());
    const vectors: Vectors = {
      description:
        'Test keys and messages of docs/package.md. The private encryption key is a throw-away test key. ECDSA and ECDH-ES are randomised: check that these verify, do not expect to reproduce them.',
      at: AT.toISOString(),
      issuer: ISSUER,
      clientId: SERVICE_ID,
      platformJwks: { keys: [f.service.publicJwk] },
      servicePrivateEncryptionJwk: {
        ...(await exportJWK(f.enc.privateKey)),
        kid: f.enc.publicJwk.kid as string,
      },
      agencyKeys: { items: [{ agencyId: 'mof-fia', jwks: { keys: [agencyJwk] } }] },
      receiptJws,
      receipt: claims(receiptJws),
      packageJwe,
      packageJws,
      packageClaims: claims(packageJws),
      webhookJws,
      webhookClaims: claims(webhookJws),
    };
    writeFileSync(FILE, `${JSON.stringify(vectors, null, 2)}\n`);
  } finally {
    await f.close();
  }
}

describe('docs/package-test-vectors.json', () => {
  it.runIf(process.env.WRITE_PACKAGE_VECTORS)('is written from the platform’s code', writeVectors, 60_000);

  it('verifies the way a service verifies a package, a receipt and a webhook', async () => {
    const v = JSON.parse(readFileSync(FILE, 'utf8')) as Vectors;
    const platform = createLocalJWKSet(v.platformJwks);
    const currentDate = new Date(v.at);

    // The package: decrypt with the service's key, then the platform's signature.
    expect(decodeProtectedHeader(v.packageJwe)).toEqual({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'mydata-package+jwt',
      kid: v.servicePrivateEncryptionJwk.kid,
      epk: expect.objectContaining({ kty: 'EC', crv: 'P-256' }),
    });
    const encKey = await importJWK(v.servicePrivateEncryptionJwk, 'ECDH-ES+A256KW');
    const { plaintext } = await compactDecrypt(v.packageJwe, encKey);
    const jws = new TextDecoder().decode(plaintext);
    expect(jws).toBe(v.packageJws);
    const { payload, protectedHeader } = await jwtVerify(jws, platform, {
      algorithms: ['ES256'],
      typ: 'mydata-package+jwt',
      issuer: v.issuer,
      audience: v.clientId,
      currentDate,
    });
    expect(protectedHeader.kid).toBe(v.platformJwks.keys[0]?.kid);
    expect(payload).toEqual(v.packageClaims);
    const claims = payload as unknown as {
      sub: string;
      consent: { id: string; receiptSha256: string };
      datasets: {
        datasetId: string;
        agencyId: string;
        data: unknown;
        agency: { responseSignature: string; responseBody: string; requestSignature: string };
      }[];
    };
    const sha = (s: string) => createHash('sha256').update(s).digest('base64url');

    // Each dataset: the agency's signature, bound to the body and to the platform's request.
    for (const d of claims.datasets) {
      const keys = v.agencyKeys.items.find((i) => i.agencyId === d.agencyId)?.jwks;
      const { payload: answer } = await jwtVerify(
        d.agency.responseSignature,
        createLocalJWKSet(keys as never),
        {
          algorithms: ['ES256'],
          typ: 'mydata-exchange-response+jwt',
          issuer: d.agencyId,
          currentDate,
        },
      );
      expect(answer.bodySha256).toBe(sha(d.agency.responseBody));
      expect(answer.requestHash).toBe(sha(d.agency.requestSignature));
      expect(answer.status).toBe(200);
      const body = JSON.parse(d.agency.responseBody);
      expect(body.datasetId).toBe(d.datasetId);
      expect(d.data).toEqual(body.payload);
      const request = JSON.parse(
        Buffer.from(d.agency.requestSignature.split('.')[1] ?? '', 'base64url').toString(),
      );
      expect([request.datasetId, request.consentId]).toEqual([d.datasetId, claims.consent.id]);
    }

    // The receipt: the platform's signature over the RFC 8785 form; the package points at it.
    const receipt = await compactVerify(v.receiptJws, platform, { algorithms: ['ES256'] });
    expect(receipt.protectedHeader.typ).toBe('mydata-consent-receipt+jwt');
    expect(JSON.parse(new TextDecoder().decode(receipt.payload))).toEqual(v.receipt);
    expect(sha(v.receiptJws)).toBe(claims.consent.receiptSha256);
    expect(v.receipt).toMatchObject({ receiptId: claims.consent.id, subject: claims.sub, oneTime: true });

    // The webhook.
    const { payload: hook } = await jwtVerify(v.webhookJws, platform, {
      algorithms: ['ES256'],
      typ: 'mydata-webhook+jwt',
      issuer: v.issuer,
      audience: v.clientId,
      currentDate,
    });
    expect(hook).toEqual(v.webhookClaims);
    expect(hook).toMatchObject({ event: 'consent.withdrawn', sub: claims.sub });
  });
});
