import type { SessionTimeouts } from '@mydata/core';
import { createEnvelope } from '../crypto/envelope.ts';
import type { PlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { UsageLog } from '../log/repository.ts';
import type { Authenticator } from './authenticators.ts';
import { createCertificateAuthenticator } from './certificate.ts';
import {
  createNhiCardAuthenticator,
  createTwoDocumentsAuthenticator,
  type IdentityChecks,
} from './documents.ts';
import type { NationalCa } from './national-ca.ts';
import { createPasskeyMethod } from './passkeys.ts';
import { createIdentityRepo, type IdentityRepo } from './repository.ts';
import type { IdentityRoutesOptions } from './routes.ts';
import { createIdentityService, type IdentityService } from './service.ts';

export interface IdentitySetupOptions {
  db: Db;
  keys: Pick<PlatformKeys, 'atRest'>;
  /** The usage log (its citizen reference) and the recorder sign-in events go through. */
  usageLog: Pick<UsageLog, 'citizenRef'>;
  recorder: UsageRecorder;
  publicUrl: string;
  timeouts: SessionTimeouts;
  challengeSeconds?: number;
  /** The citizen-certificate CA; without it the certificate method is not offered. */
  nationalCa?: Pick<NationalCa, 'cert' | 'crl'>;
  /** The agencies' checks for NHI card and two documents; without them those methods are not offered. */
  checks?: IdentityChecks;
  now?: () => Date;
}

export interface PlatformIdentity {
  repo: IdentityRepo;
  service: IdentityService;
  routes: IdentityRoutesOptions;
  /** Starts purging dead challenges, flows and sessions every `intervalMs` (10 minutes by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): void;
}

/** Wires the identity capability: storage, the configured authenticators, the service and its routes' options. */
export function openIdentity(o: IdentitySetupOptions): PlatformIdentity {
  const repo = createIdentityRepo({
    db: o.db,
    envelope: createEnvelope(o.keys.atRest),
    citizenRef: o.usageLog.citizenRef,
  });
  const authenticators: Authenticator[] = [];
  let challenge: IdentityRoutesOptions['challenge'];
  if (o.nationalCa) {
    const cert = createCertificateAuthenticator({
      repo,
      caCert: o.nationalCa.cert,
      crl: o.nationalCa.crl,
      audience: o.publicUrl,
      ...(o.challengeSeconds ? { challengeSeconds: o.challengeSeconds } : {}),
    });
    authenticators.push(cert.authenticator);
    challenge = cert.challenge;
  }
  const passkeys = createPasskeyMethod({
    db: o.db,
    repo,
    recorder: o.recorder,
    publicUrl: o.publicUrl,
    ...(o.challengeSeconds ? { challengeSeconds: o.challengeSeconds } : {}),
  });
  authenticators.push(passkeys.authenticator);
  if (o.checks) {
    authenticators.push(createNhiCardAuthenticator(o.checks), createTwoDocumentsAuthenticator(o.checks));
  }
  const service = createIdentityService({
    db: o.db,
    repo,
    recorder: o.recorder,
    authenticators,
    timeouts: o.timeouts,
    ...(o.now ? { now: o.now } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  return {
    repo,
    service,
    start(intervalMs = 600_000, onError = () => {}) {
      timer = setInterval(() => service.purge().catch(onError), intervalMs);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
    routes: {
      service,
      publicUrl: o.publicUrl,
      timeouts: o.timeouts,
      ...(challenge ? { challenge } : {}),
      passkeys,
      ...(o.nationalCa ? { nationalCa: o.nationalCa } : {}),
      ...(o.now ? { now: o.now } : {}),
    },
  };
}
