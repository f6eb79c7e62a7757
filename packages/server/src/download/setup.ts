import type { JWK } from 'jose';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { createEnvelope, type KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { DownloadRoutesOptions } from './routes.ts';
import { createDownloadService, type DownloadService } from './service.ts';

export interface DownloadSetupOptions {
  db: Db;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  identityRepo: Pick<IdentityRepo, 'nationalIdOf' | 'loggableOf'>;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  /** PlatformKeys.atRest: seals a zip while it waits. */
  atRest: KeyRing;
  /** PlatformKeys.oauthSigning: signs the manifest. */
  signingKey: JWK;
  publicUrl: string;
  ttlSeconds?: number;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export interface PlatformDownload {
  service: DownloadService;
  /** What buildApp registers under /api/v1 (`downloadRoutes`). */
  routes: DownloadRoutesOptions;
  /** Starts dropping zips nobody fetched in time, every `intervalMs` (30 s by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** Wires the data download: the service, its routes' options and the expiry sweeper. */
export function openDownload(o: DownloadSetupOptions): PlatformDownload {
  const service = createDownloadService({
    db: o.db,
    catalogue: createCatalogueRepo(o.db),
    gateway: o.gateway,
    recorder: o.recorder,
    identityRepo: o.identityRepo,
    envelope: createEnvelope(o.atRest),
    signingKey: o.signingKey,
    issuer: o.publicUrl,
    ...(o.ttlSeconds ? { ttlSeconds: o.ttlSeconds } : {}),
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
