import type { JWK } from 'jose';
import { createCachedCatalogue, createCatalogueRepo } from '../catalogue/repository.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { Outbox } from '../notify/outbox.ts';
import type { ConsentRoutesOptions } from './routes.ts';
import { type ClientDirectory, type ConsentService, createConsentService } from './service.ts';

export interface ConsentSetupOptions {
  db: Db;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  /** The notification outbox (PlatformUsageLog.outbox); webhooks to services are queued in it. */
  outbox: Pick<Outbox, 'enqueueWebhook'>;
  identityRepo: Pick<IdentityRepo, 'nationalIdOf' | 'contactOf' | 'citizenRef'>;
  identity: Pick<IdentityService, 'session'>;
  /** PlatformKeys.oauthSigning. */
  signingKey: JWK;
  /** PUBLIC_URL without a trailing slash: the issuer of receipts and packages. */
  publicUrl: string;
  pairwiseKey: Uint8Array;
  clients: ClientDirectory;
  packageTtlSeconds?: number;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export interface PlatformConsent {
  service: ConsentService;
  /** What buildApp registers under /api/v1 (`consentRoutes`). */
  routes: ConsentRoutesOptions;
  /** Starts expiring overdue consents every `intervalMs` (30 s by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** Wires the consent capability: the service, its routes' options and the expiry sweeper. */
export function openConsent(o: ConsentSetupOptions): PlatformConsent {
  const service = createConsentService({
    db: o.db,
    catalogue: createCachedCatalogue(createCatalogueRepo(o.db)),
    gateway: o.gateway,
    recorder: o.recorder,
    outbox: o.outbox,
    identityRepo: o.identityRepo,
    signingKey: o.signingKey,
    issuer: o.publicUrl,
    pairwiseKey: o.pairwiseKey,
    clients: o.clients,
    ...(o.packageTtlSeconds ? { packageTtlSeconds: o.packageTtlSeconds } : {}),
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
