/**
 * What the demo NHI administration, household registration and telecom operator answer when the
 * platform checks a citizen's NHI card + PIN, two documents or mobile number: only "matches" or
 * "does not", never the records.
 */
import { createHmac } from 'node:crypto';
import { IDENTITY_CHECKS } from '@mydata/core';
import type { IdentityCheck } from '@mydata/sdk';
import { ORGANISATION_IDS } from '../catalogue.ts';
import type { Population } from '../population/population.ts';

/**
 * The demo PIN of a citizen's NHI card: six digits derived from the population seed and the ID, so
 * the demo, the docs and tests all know it without anyone storing it. Never a real PIN scheme.
 */
export function demoNhiPin(seed: string | number, nationalId: string): string {
  const n = createHmac('sha256', `mydata-demo-nhi-pin:${seed}`).update(nationalId).digest().readUInt32BE(0);
  return String(n % 1_000_000).padStart(6, '0');
}

/** Which identity checks each demo agency answers; an agency here is run even when it holds no dataset. */
export const DEMO_IDENTITY_CHECKS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  [ORGANISATION_IDS.healthInsurance]: [IDENTITY_CHECKS.nhiCardPin, IDENTITY_CHECKS.nhiCardNumber],
  [ORGANISATION_IDS.householdRegistration]: [IDENTITY_CHECKS.householdNumber],
  [ORGANISATION_IDS.telecom]: [IDENTITY_CHECKS.mobileNumber],
});

/** The agencies' identity checks over a population, for the platform's NHI-card, two-documents and mobile-number methods. */
export function createDemoIdentityChecks(population: Population) {
  return {
    async nhiCard(q: { nationalId: string; cardNumber: string; pin: string }): Promise<boolean> {
      const c = population.findByNationalId(q.nationalId);
      return (
        c !== undefined &&
        c.nhiCardNumber === q.cardNumber &&
        demoNhiPin(population.seed, q.nationalId) === q.pin
      );
    },
    async twoDocuments(q: {
      nationalId: string;
      nhiCardNumber: string;
      householdNumber: string;
    }): Promise<boolean> {
      const c = population.findByNationalId(q.nationalId);
      return (
        c !== undefined && c.nhiCardNumber === q.nhiCardNumber && c.household.number === q.householdNumber
      );
    },
    async mobileNumber(q: {
      nationalId: string;
      mobileNumber: string;
      nhiCardNumber: string;
    }): Promise<boolean> {
      const c = population.findByNationalId(q.nationalId);
      return c?.mobile != null && c.mobile === q.mobileNumber && c.nhiCardNumber === q.nhiCardNumber;
    },
  };
}

/** The identity checks a demo agency answers over the exchange layer: the NHI administration, household registration and the telecom operator. */
export function demoAgencyChecks(agencyId: string, population: Population): Record<string, IdentityCheck> {
  const citizen = (id: string) => population.findByNationalId(id);
  if (agencyId === ORGANISATION_IDS.healthInsurance) {
    return {
      [IDENTITY_CHECKS.nhiCardPin]: (id, claims) =>
        citizen(id)?.nhiCardNumber === claims.cardNumber && demoNhiPin(population.seed, id) === claims.pin,
      [IDENTITY_CHECKS.nhiCardNumber]: (id, claims) => citizen(id)?.nhiCardNumber === claims.cardNumber,
    };
  }
  if (agencyId === ORGANISATION_IDS.householdRegistration) {
    return {
      [IDENTITY_CHECKS.householdNumber]: (id, claims) =>
        citizen(id)?.household.number === claims.householdNumber,
    };
  }
  if (agencyId === ORGANISATION_IDS.telecom) {
    return {
      // Children under 12 have no number of their own in the population: no number is ever theirs.
      [IDENTITY_CHECKS.mobileNumber]: (id, claims) => {
        const mobile = citizen(id)?.mobile;
        return mobile != null && mobile === claims.mobileNumber;
      },
    };
  }
  return {};
}
