import { PACKAGE_KEY_ALGORITHM, PLATFORM_SIGNING_ALGORITHM } from '@mydata/core';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Jwks } from '../provider/keys.ts';
import { publicJwkOf } from '../provider/keys.ts';

/** The JOSE algorithms of a service's keys: ES256 client assertions, ECDH-ES+A256KW packages. */
export const SERVICE_SIGNING_ALGORITHM = PLATFORM_SIGNING_ALGORITHM;
export const SERVICE_ENCRYPTION_ALGORITHM = PACKAGE_KEY_ALGORITHM;

/** A service's key set: private keys it keeps secret and the public JWKS it registers with the platform. */
export interface ServiceKeys {
  /** Private P-256 key (`use: "sig"`) signing the client assertions (private_key_jwt). */
  signingKey: JWK;
  /** Private P-256 key (`use: "enc"`) the platform encrypts data packages to. */
  encryptionKey: JWK;
  /** The public halves of both, to register with the platform as the client's JWKS. */
  publicJwks: Jwks;
}

async function p256(alg: string, use: 'sig' | 'enc'): Promise<JWK> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  // The kid is the RFC 7638 thumbprint, so the platform and the service derive the same id.
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  return { ...(await exportJWK(privateKey)), kid, alg, use };
}

/** Generates a service's signing and encryption key pairs (P-256, kids = thumbprints) and its public JWKS. */
export async function generateServiceKeys(): Promise<ServiceKeys> {
  const signingKey = await p256(SERVICE_SIGNING_ALGORITHM, 'sig');
  const encryptionKey = await p256(SERVICE_ENCRYPTION_ALGORITHM, 'enc');
  return { signingKey, encryptionKey, publicJwks: serviceJwksOf({ signingKey, encryptionKey }) };
}

/** The public JWKS of a service's two private keys, for registering them with the platform. */
export function serviceJwksOf(keys: { signingKey: JWK; encryptionKey: JWK }): Jwks {
  return { keys: [publicJwkOf(keys.signingKey), publicJwkOf(keys.encryptionKey)] };
}
