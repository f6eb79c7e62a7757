/**
 * What the consent service asks before it shows a consent screen, takes a consent or hands over a
 * package: the provider is not suspended, and a sandbox service deals with test personas only.
 */
import { AppError, type LocalizedText } from '@mydata/core';
import type { Suspensions } from '../catalogue/suspension.ts';
import type { ServiceGate } from '../consent/service.ts';
import { createReadThroughCache } from '../db/cache.ts';
import type { Db } from '../db/database.ts';

/** A published test identity: only these may consent to sandbox services. */
export interface SandboxPersona {
  nationalId: string;
  name: string;
  kind: string;
  description: LocalizedText;
}

export type ServiceGateWithCache = ServiceGate & {
  /** Whether a service is an applicant's sandbox twin. */
  isSandbox(serviceId: string): Promise<boolean>;
  /** Forget cached environments: call after publishing. */
  clear(): void;
};

/** The gate over the catalogue's service environments and the operator's suspensions. */
export function createServiceGate(o: {
  db: Db;
  suspensions: Pick<Suspensions, 'assertServiceActive'>;
  sandboxPersonas: readonly SandboxPersona[];
}): ServiceGateWithCache {
  const personas = new Set(o.sandboxPersonas.map((p) => p.nationalId.toUpperCase()));
  // Asked on every consent screen and package fetch: the environment of a service rarely changes.
  const environments = createReadThroughCache<boolean>({ maxAgeMs: 2000 });
  const isSandbox = (serviceId: string) =>
    environments.get(serviceId, async () => {
      const row = await o.db
        .selectFrom('services')
        .select('environment')
        .where('id', '=', serviceId)
        .executeTakeFirst();
      return row?.environment === 'sandbox';
    });
  return {
    isSandbox,
    clear: () => environments.clear(),
    async assertOpen(service, nationalId) {
      await o.suspensions.assertServiceActive(service);
      if (nationalId === undefined) return;
      if ((await isSandbox(service.id)) && !personas.has(nationalId.toUpperCase())) {
        throw new AppError('onboarding.sandbox-persona-only', { serviceId: service.id });
      }
    },
  };
}
