/**
 * Read side of suspensions: every path that lets an organisation act (new consents, package fetches,
 * counter redemptions, exchange calls to an agency) asks here first. Suspending and reinstating
 * belong to the operator console, which clears this cache so the change takes effect at once in
 * this process (and within the cache age in any other).
 */
import { AppError } from '@mydata/core';
import { createReadThroughCache } from '../db/cache.ts';
import type { Db } from '../db/database.ts';

export interface Suspension {
  organisationId: string;
  since: Date;
  reason: string;
}

/** Suspension lookups by organisation or by service (its provider), cached 2 s. */
export function createSuspensions(db: Db) {
  const cache = createReadThroughCache<Suspension | undefined>({ maxAgeMs: 2000 });
  const load = async (organisationId: string): Promise<Suspension | undefined> => {
    const row = await db
      .selectFrom('organisations')
      .select(['suspended_at', 'suspension_reason'])
      .where('id', '=', organisationId)
      .executeTakeFirst();
    if (!row?.suspended_at) return undefined;
    return { organisationId, since: new Date(row.suspended_at), reason: row.suspension_reason ?? '' };
  };
  const ofOrganisation = (organisationId: string) => cache.get(organisationId, () => load(organisationId));
  return {
    ofOrganisation,
    /** Answers `consent.service-suspended` when the service's provider is suspended. */
    async assertServiceActive(service: { id: string; providerId: string }): Promise<void> {
      const s = await ofOrganisation(service.providerId);
      if (s) throw new AppError('consent.service-suspended', { serviceId: service.id });
    },
    /** Forget cached answers: call after suspending or reinstating. */
    clear: () => cache.clear(),
  };
}

export type Suspensions = ReturnType<typeof createSuspensions>;
