import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXCHANGE_ALGORITHM } from '@mydata/core';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { createExchangeGateway, type ExchangeGateway } from './gateway.ts';
import { type CertifiedKey, ensureLocalPki, type LocalPki } from './pki.ts';
import type { AgencyRegistrationInput, StoredAgencyRegistration } from './registry.ts';

/** The exchange layer as the running platform exposes it to its composition root. */
export interface PlatformExchange {
  gateway: ExchangeGateway;
  /** The platform's public request-signing keys, for agencies to verify requests with. */
  platformKeys: { keys: JWK[] };
  /** CA certificate(s) (PEM) that issued the platform's client certificate, for agencies to trust. */
  clientCa: string;
  platformId: string;
  /** Adds or replaces an agency's registration (the onboarding API will call the same). */
  registerAgency(input: AgencyRegistrationInput): Promise<StoredAgencyRegistration>;
  /** A server certificate for an agency from the local CA (demo and tests); absent with real certificates. */
  issueLocalAgencyCertificate?: (agencyId: string) => Promise<CertifiedKey>;
}

/** Loads the private signing JWK at `path`, creating an ES256 key there (mode 0600) on first use. */
export async function loadOrCreateSigningKey(path: string): Promise<JWK> {
  if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as JWK;
  const { privateKey, publicKey } = await generateKeyPair(EXCHANGE_ALGORITHM, { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: EXCHANGE_ALGORITHM, use: 'sig' };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, JSON.stringify(jwk), { mode: 0o600 });
  chmodSync(path, 0o600);
  return jwk;
}

/**
 * Sets up the exchange layer for a platform process: TLS credentials (configured files, or the local
 * CA under `<dataDir>/pki`), the request-signing key, and the gateway.
 */
export async function openExchange(options: {
  config: Pick<Config, 'dataDir' | 'exchange'>;
  db: Db;
  /** Whether the operator has suspended an agency (catalogue/suspension.ts). */
  isSuspended?: (agencyId: string) => Promise<boolean>;
}): Promise<PlatformExchange> {
  const { exchange: x, dataDir } = options.config;
  let local: LocalPki | undefined;
  let tls: { cert: string; key: string; ca: string };
  if (x.clientCertFile && x.clientKeyFile && x.caFile) {
    tls = {
      cert: readFileSync(x.clientCertFile, 'utf8'),
      key: readFileSync(x.clientKeyFile, 'utf8'),
      ca: readFileSync(x.caFile, 'utf8'),
    };
  } else {
    local = await ensureLocalPki({ dataDir, platformId: x.platformId });
    tls = { ...local.platformClient, ca: local.ca.cert };
  }
  const signingKey = await loadOrCreateSigningKey(
    x.signingKeyFile ?? join(dataDir, 'pki', 'platform-signing.jwk.json'),
  );
  const gateway = createExchangeGateway({
    db: options.db,
    platformId: x.platformId,
    signingKey,
    tls,
    retries: x.retries,
    backoffBaseMs: x.backoffMs,
    breaker: { failureThreshold: x.breakerFailures, resetAfterMs: x.breakerResetMs },
    clockSkewSeconds: x.clockSkewSeconds,
    ...(options.isSuspended ? { isSuspended: options.isSuspended } : {}),
  });
  if (x.healthIntervalMs > 0) gateway.startHealthChecks(x.healthIntervalMs);
  return {
    gateway,
    platformKeys: gateway.platformKeys,
    clientCa: tls.ca,
    platformId: x.platformId,
    registerAgency: (input) => gateway.registry.register(input),
    ...(local
      ? {
          issueLocalAgencyCertificate: async (agencyId: string) => {
            const { agencies } = await ensureLocalPki({
              dataDir,
              platformId: x.platformId,
              agencyIds: [agencyId],
            });
            return agencies.get(agencyId) as CertifiedKey;
          },
        }
      : {}),
  };
}
