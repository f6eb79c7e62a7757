import { PLATFORM_OPERATOR_ID } from '@mydata/core';
import type { Suspensions } from '../catalogue/suspension.ts';
import { createEnvelope, type KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { AgencyRegistrationInput } from '../exchange/registry.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { ClientRegistry } from '../oauth/clients.ts';
import type { StaffRepo } from '../staff/repository.ts';
import type { SandboxPersona, ServiceGateWithCache } from './gate.ts';
import { createOnboardingRepo, type DecisionRecord } from './repository.ts';
import type { OnboardingRoutesOptions } from './routes.ts';
import { createOnboardingService, type OnboardingService } from './service.ts';

export interface PlatformOnboarding {
  service: OnboardingService;
  /** What buildApp registers under /api/v1 (`onboardingRoutes`). */
  routes: OnboardingRoutesOptions;
  /**
   * Suspension and sandbox checks for every path that lets a service deal with a citizen (the
   * consent service has it; counter verification should ask it too).
   */
  gate: ServiceGateWithCache;
  /** Makes these national IDs operator reviewers (idempotent); OPERATOR_NATIONAL_IDS at start. */
  ensureOperators(nationalIds: readonly string[]): Promise<void>;
}

/** Wires onboarding and the operator console. */
export function openOnboarding(o: {
  db: Db;
  atRest: KeyRing;
  staff: StaffRepo;
  citizenRef: (nationalId: string) => string;
  suspensions: Pick<Suspensions, 'clear'>;
  clients: Pick<ClientRegistry, 'register' | 'get'>;
  registerAgency: (input: AgencyRegistrationInput) => Promise<unknown>;
  /** The exchange gateway's probe, for data-provider applicants' connection tests. */
  probe?: ExchangeGateway['probe'];
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  identityRepo: Pick<IdentityRepo, 'citizenRefOf' | 'nationalIdOf' | 'countFailure' | 'lockedUntil'>;
  publicUrl: string;
  sandboxPersonas: readonly SandboxPersona[];
  gate: ServiceGateWithCache;
  audit?: (entry: DecisionRecord) => void;
}): PlatformOnboarding {
  const repo = createOnboardingRepo({ db: o.db, envelope: createEnvelope(o.atRest) });
  const service = createOnboardingService({
    db: o.db,
    repo,
    staff: o.staff,
    citizenRef: o.citizenRef,
    suspensions: o.suspensions,
    clients: o.clients,
    registerAgency: o.registerAgency,
    ...(o.probe ? { probe: o.probe } : {}),
    attempts: o.identityRepo,
    publicUrl: o.publicUrl,
    sandboxPersonas: o.sandboxPersonas,
    onCatalogueChange: () => o.gate.clear(),
    ...(o.audit ? { audit: o.audit } : {}),
  });
  return {
    service,
    gate: o.gate,
    routes: { service, identity: o.identity, identityRepo: o.identityRepo, publicUrl: o.publicUrl },
    async ensureOperators(nationalIds) {
      for (const nationalId of nationalIds) {
        await o.staff.add({
          organisationId: PLATFORM_OPERATOR_ID,
          nationalId,
          role: 'operator',
          label: '',
        });
      }
    },
  };
}
