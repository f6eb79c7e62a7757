/**
 * DPoP (RFC 9449) at the package endpoint, a resource server of its own: the access token must be
 * bound to a key (its `cnf.jkt`), and each request must carry a fresh proof signed by that key for
 * this method and address, bound to this token (`ath`), never seen before.
 */
import { createHash } from 'node:crypto';
import { AppError } from '@mydata/core';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import type { Db } from '../db/database.ts';

export const DPOP_ALGORITHMS = ['ES256', 'EdDSA'];
/** How old (or how far ahead, for clock skew) a proof's iat may be. */
export const DPOP_WINDOW_SECONDS = 60;

const refuse = (reason: string): never => {
  throw new AppError('transfer.invalid-dpop-proof', { reason });
};

/** Verifies one DPoP proof; returns normally or throws `transfer.invalid-dpop-proof` with the reason. */
export async function verifyDpopProof(
  db: Db,
  proof: string | string[] | undefined,
  expected: { method: string; url: string; accessToken: string; jkt: string; now: Date },
): Promise<void> {
  if (proof === undefined) refuse('no DPoP header');
  if (typeof proof !== 'string') refuse('more than one DPoP header');
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof as string);
  } catch {
    return refuse('the DPoP header is not a JWS');
  }
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object') refuse('the proof has no jwk header');
  if (['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].some((m) => m in (jwk as object))) {
    refuse('the proof jwk is not a public key');
  }
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(proof as string, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: DPOP_ALGORITHMS,
      currentDate: expected.now,
    }));
  } catch (error) {
    return refuse(`the proof does not verify (${(error as Error).message})`);
  }
  if ((await calculateJwkThumbprint(jwk as never)) !== expected.jkt) {
    refuse('the proof is signed by another key than the one the token is bound to');
  }
  if (payload.htm !== expected.method) refuse('htm does not match the request method');
  const htu = typeof payload.htu === 'string' ? URL.parse(payload.htu) : null;
  if (!htu) refuse('htu is missing');
  (htu as URL).search = '';
  (htu as URL).hash = '';
  if ((htu as URL).href !== new URL(expected.url).href) refuse('htu does not match the request address');
  const ath = createHash('sha256').update(expected.accessToken).digest('base64url');
  if (payload.ath !== ath) refuse('ath does not match the access token');
  const iat = payload.iat;
  const nowSeconds = Math.floor(expected.now.getTime() / 1000);
  if (typeof iat !== 'number' || Math.abs(nowSeconds - iat) > DPOP_WINDOW_SECONDS) {
    refuse('iat is not recent');
  }
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti.length < 8 || jti.length > 200) refuse('jti is missing');
  // Remembered until the proof could no longer pass the iat check; a second use is a replay.
  const inserted = await db
    .insertInto('oauth_dpop_proofs')
    .values({
      jkt: expected.jkt,
      jti: jti as string,
      expires_at: new Date(((iat as number) + DPOP_WINDOW_SECONDS + 1) * 1000),
    })
    .onConflict((oc) => oc.columns(['jkt', 'jti']).doNothing())
    .executeTakeFirst();
  if (!inserted.numInsertedOrUpdatedRows) refuse('the proof was already used (replay)');
}
