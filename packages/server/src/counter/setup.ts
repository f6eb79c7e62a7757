import { hkdfSync } from 'node:crypto';
import type { JWK } from 'jose';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import type { Suspensions } from '../catalogue/suspension.ts';
import { createEnvelope, type KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { StaffRepo } from '../staff/repository.ts';
import type { CounterRoutesOptions } from './routes.ts';
import { type CounterService, type CounterSettings, createCounterService } from './service.ts';

export interface CounterSetupOptions {
  db: Db;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  identityRepo: Pick<
    IdentityRepo,
    'nationalIdOf' | 'loggableOf' | 'citizenRef' | 'citizenRefOf' | 'countFailure' | 'lockedUntil'
  >;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  staff: Pick<StaffRepo, 'rolesOf'>;
  suspensions: Pick<Suspensions, 'ofOrganisation'>;
  /** PlatformKeys.atRest: seals the collected data while a case waits. */
  atRest: KeyRing;
  /** PlatformKeys.oauthSigning: signs the consent receipts. */
  signingKey: JWK;
  /** PlatformKeys.citizenRefKey: the codes' MAC key is derived from it. */
  citizenRefKey: Uint8Array;
  /** The pairwise-subject key the consents use (derivePairwiseKey). */
  pairwiseKey: Uint8Array;
  publicUrl: string;
  settings?: Partial<CounterSettings>;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export interface PlatformCounter {
  service: CounterService;
  /** What buildApp registers under /api/v1 (`counterRoutes`). */
  routes: CounterRoutesOptions;
  /** Starts dropping the data of cases nobody redeemed in time, every `intervalMs` (30 s by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** The MAC key of counter codes: its own key, so a code MAC can never stand in for a pairwise subject. */
export function deriveCounterCodeKey(citizenRefKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', citizenRefKey, new Uint8Array(0), 'mydata-counter-code-key-v1', 32));
}

/** Wires counter verification: the service, its routes' options and the expiry sweeper. */
export function openCounter(o: CounterSetupOptions): PlatformCounter {
  const service = createCounterService({
    db: o.db,
    catalogue: createCatalogueRepo(o.db),
    gateway: o.gateway,
    recorder: o.recorder,
    identityRepo: o.identityRepo,
    staff: o.staff,
    suspensions: o.suspensions,
    envelope: createEnvelope(o.atRest),
    signingKey: o.signingKey,
    issuer: o.publicUrl,
    pairwiseKey: o.pairwiseKey,
    codeKey: deriveCounterCodeKey(o.citizenRefKey),
    ...(o.settings ? { settings: o.settings } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  const sweep = createPeriodicTask(() => service.expireDue());
  return {
    service,
    routes: { service, identity: o.identity, publicUrl: o.publicUrl },
    start(intervalMs = 30_000, onError: (error: unknown) => void = () => {}) {
      sweep.start(intervalMs, onError);
    },
    stop: () => sweep.stop(),
  };
}
