import type { SessionTimeouts } from '@mydata/core';
import { createEnvelope } from '../crypto/envelope.ts';
import type { PlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { UsageLog } from '../log/repository.ts';
import { createOutbox, type Outbox } from '../notify/outbox.ts';
import type { Authenticator } from './authenticators.ts';
import { createCertificateAuthenticator } from './certificate.ts';
import { createContactSettings } from './contact.ts';
import {
  createNhiCardAuthenticator,
  createTwoDocumentsAuthenticator,
  type IdentityChecks,
} from './documents.ts';
import { createMobileNumberMethod, type MobileNumberMethod } from './mobile-number.ts';
import type { NationalCa } from './national-ca.ts';
import { createOidcMethod, type OidcMethod, type OidcProviderOptions } from './oidc.ts';
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
  /**
   * The agencies' checks for NHI card, two documents and mobile number; without them those methods
   * are not offered (mobile number also needs `checks.mobileNumber`).
   */
  checks?: IdentityChecks;
  /** Whether text messages can be sent (an SMS gateway is configured); without them mobile number is not offered. True by default. */
  sms?: boolean;
  /** An OpenID Connect identity provider to federate with; without it the `oidc` method is not offered. */
  oidc?: OidcProviderOptions;
  /** The outbox one-time codes are queued in; one over `db` and `keys` by default. */
  outbox?: Pick<Outbox, 'enqueue'>;
  now?: () => Date;
}

export interface PlatformIdentity {
  repo: IdentityRepo;
  service: IdentityService;
  routes: IdentityRoutesOptions;
  /** Starts purging dead challenges, flows and sessions every `intervalMs` (10 minutes by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** Wires the identity capability: storage, the configured authenticators, the service and its routes' options. */
export function openIdentity(o: IdentitySetupOptions): PlatformIdentity {
  const envelope = createEnvelope(o.keys.atRest);
  const repo = createIdentityRepo({
    db: o.db,
    envelope,
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
  let mobileNumber: MobileNumberMethod | undefined;
  if (o.checks) {
    authenticators.push(createNhiCardAuthenticator(o.checks), createTwoDocumentsAuthenticator(o.checks));
    const check = o.checks.mobileNumber?.bind(o.checks);
    if (check && o.sms !== false) {
      mobileNumber = createMobileNumberMethod({
        db: o.db,
        envelope,
        keyRing: o.keys.atRest,
        citizenRef: o.usageLog.citizenRef,
        checks: { mobileNumber: check },
        outbox: o.outbox ?? createOutbox({ db: o.db, keys: o.keys, ...(o.now ? { now: o.now } : {}) }),
      });
      authenticators.push(mobileNumber.authenticator);
    }
  }
  let oidc: OidcMethod | undefined;
  if (o.oidc) {
    oidc = createOidcMethod({ ...o.oidc, repo, publicUrl: o.publicUrl });
    authenticators.push(oidc.authenticator);
  }
  const service = createIdentityService({
    db: o.db,
    repo,
    recorder: o.recorder,
    authenticators,
    timeouts: o.timeouts,
    ...(o.now ? { now: o.now } : {}),
  });
  const purge = createPeriodicTask(() =>
    Promise.all([service.purge(), mobileNumber?.purge(o.now?.() ?? new Date())]),
  );
  return {
    repo,
    service,
    start(intervalMs = 600_000, onError = () => {}) {
      purge.start(intervalMs, onError);
    },
    stop: () => purge.stop(),
    routes: {
      service,
      publicUrl: o.publicUrl,
      timeouts: o.timeouts,
      ...(challenge ? { challenge } : {}),
      passkeys,
      ...(mobileNumber ? { mobileNumber } : {}),
      ...(oidc ? { oidc } : {}),
      ...(o.nationalCa ? { nationalCa: o.nationalCa } : {}),
      contact: createContactSettings({
        db: o.db,
        repo,
        recorder: o.recorder,
        ...(o.now ? { now: o.now } : {}),
      }),
      ...(o.now ? { now: o.now } : {}),
    },
  };
}
