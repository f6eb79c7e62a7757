import type { JWK } from 'jose';
import { createCachedCatalogue, createCatalogueRepo } from '../catalogue/repository.ts';
import type { KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { createPeriodicTask } from '../db/periodic.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { Outbox } from '../notify/outbox.ts';
import { createParties, type Parties } from './parties.ts';
import type { ConsentRoutesOptions } from './routes.ts';
import {
  type ClientDirectory,
  type ConsentService,
  createConsentService,
  type ServiceGate,
} from './service.ts';

export interface ConsentSetupOptions {
  db: Db;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  /** The notification outbox (PlatformUsageLog.outbox); webhooks to services are queued in it. */
  outbox: Pick<Outbox, 'enqueueWebhook'> & Partial<Pick<Outbox, 'enqueue'>>;
  identityRepo: Pick<
    IdentityRepo,
    'nationalIdOf' | 'recipientsOf' | 'loggableOf' | 'citizenRef' | 'countFailure' | 'lockedUntil'
  >;
  identity: Pick<IdentityService, 'session'> & Partial<Pick<IdentityService, 'stepUpOptions'>>;
  /**
   * PlatformKeys.atRest: with it (and an outbox that can `enqueue`), multi-person services work
   * (consent/parties.ts); without it they are refused.
   */
  atRest?: KeyRing;
  /** Lifetime of multi-person invitations (72 h). */
  invitationSeconds?: number;
  /** The applicant's name for invitees, from their own household record (parties.ts `nameOf`). */
  nameOf?: (nationalId: string, consentId: string) => Promise<string | undefined>;
  /** PlatformKeys.oauthSigning. */
  signingKey: JWK;
  /** PUBLIC_URL without a trailing slash: the issuer of receipts and packages. */
  publicUrl: string;
  pairwiseKey: Uint8Array;
  clients: ClientDirectory;
  /** Suspension and sandbox checks of the operator console (onboarding/setup.ts). */
  gate?: ServiceGate;
  packageTtlSeconds?: number;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

export interface PlatformConsent {
  service: ConsentService;
  /** Multi-person applications, when `atRest` was given. */
  parties: Parties | undefined;
  /** What buildApp registers under /api/v1 (`consentRoutes`). */
  routes: ConsentRoutesOptions;
  /** Starts expiring overdue consents every `intervalMs` (30 s by default). */
  start(intervalMs?: number, onError?: (error: unknown) => void): void;
  stop(): Promise<void>;
}

/** The household registration dataset: the registry of names the invitee can trust. */
export const HOUSEHOLD_DATASET = 'moi-household.household-registration';
const SERVICE_PROVISION = 'https://w3id.org/dpv#ServiceProvision';

/**
 * The applicant's name as their own household record gives it (the applicant is told on the
 * consent screen that the people they name see it); undefined when the record cannot be had.
 */
async function nameFromHousehold(
  gateway: Pick<ExchangeGateway, 'fetch'>,
  nationalId: string,
  consentId: string,
): Promise<string | undefined> {
  const fetched = await gateway.fetch({
    consentId,
    purpose: SERVICE_PROVISION,
    subject: { nationalId },
    datasets: [HOUSEHOLD_DATASET],
  });
  const name = (fetched.results[0]?.payload as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
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
    ...(o.gate ? { gate: o.gate } : {}),
    ...(o.packageTtlSeconds ? { packageTtlSeconds: o.packageTtlSeconds } : {}),
    ...(o.now ? { now: o.now } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
  });
  const enqueue = o.outbox.enqueue;
  const parties =
    o.atRest && enqueue
      ? createParties({
          db: o.db,
          consent: service,
          catalogue: createCachedCatalogue(createCatalogueRepo(o.db)),
          gateway: o.gateway,
          recorder: o.recorder,
          outbox: { enqueue: enqueue.bind(o.outbox) },
          identityRepo: o.identityRepo,
          atRest: o.atRest,
          pairwiseKey: o.pairwiseKey,
          publicUrl: o.publicUrl,
          ...(o.invitationSeconds ? { invitationSeconds: o.invitationSeconds } : {}),
          nameOf:
            o.nameOf ?? ((nationalId, consentId) => nameFromHousehold(o.gateway, nationalId, consentId)),
          ...(o.now ? { now: o.now } : {}),
          ...(o.onError ? { onError: o.onError } : {}),
        })
      : undefined;
  // Applications whose invitations ran out end first, so their consents end as applications, not bare expiries.
  const sweep = createPeriodicTask(async () => {
    await parties?.expireDue();
    await service.expireDue();
  });
  return {
    service,
    parties,
    routes: { service, identity: o.identity, publicUrl: o.publicUrl, ...(parties ? { parties } : {}) },
    start(intervalMs = 30_000, onError: (error: unknown) => void = () => {}) {
      sweep.start(intervalMs, onError);
    },
    stop: () => sweep.stop(),
  };
}
