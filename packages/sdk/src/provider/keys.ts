import { EXCHANGE_ALGORITHM } from '@mydata/core';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

export type { JWK };

/** A signing key pair as JWKs; `kid` is the RFC 7638 thumbprint so both sides derive the same id. */
export interface SigningKeyPair {
  privateJwk: JWK;
  publicJwk: JWK;
}

/** A JSON Web Key Set, as registered with the platform or published by it. */
export interface Jwks {
  keys: JWK[];
}

/** Generates an ES256 (P-256) signing key pair for the exchange layer. */
export async function generateSigningKey(): Promise<SigningKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(EXCHANGE_ALGORITHM, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg: EXCHANGE_ALGORITHM, use: 'sig' };
  return { privateJwk: { ...(await exportJWK(privateKey)), ...meta }, publicJwk: { ...publicJwk, ...meta } };
}

/** The public half of a private JWK (drops `d`), for registering or publishing it. */
export function publicJwkOf(privateJwk: JWK): JWK {
  const { d: _d, ...rest } = privateJwk;
  return rest;
}
