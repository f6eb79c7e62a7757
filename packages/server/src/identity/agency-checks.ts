import { IDENTITY_CHECKS } from '@mydata/core';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityChecks } from './documents.ts';

/**
 * The document methods' checks asked of the agencies over the exchange layer (mutual TLS, signed
 * request and response, message log). Two documents asks both agencies at once and needs both to
 * say yes. An agency that cannot answer rejects with its exchange error, which is not counted as the
 * citizen's failure.
 */
export function createExchangeIdentityChecks(
  gateway: Pick<ExchangeGateway, 'checkIdentity'>,
  agencies: { nhi: string; householdRegistration: string } = {
    nhi: 'nhia',
    householdRegistration: 'moi-household',
  },
): IdentityChecks {
  return {
    nhiCard: (q) =>
      gateway.checkIdentity({
        agencyId: agencies.nhi,
        check: IDENTITY_CHECKS.nhiCardPin,
        nationalId: q.nationalId,
        claims: { cardNumber: q.cardNumber, pin: q.pin },
      }),
    async twoDocuments(q) {
      const [card, household] = await Promise.all([
        gateway.checkIdentity({
          agencyId: agencies.nhi,
          check: IDENTITY_CHECKS.nhiCardNumber,
          nationalId: q.nationalId,
          claims: { cardNumber: q.nhiCardNumber },
        }),
        gateway.checkIdentity({
          agencyId: agencies.householdRegistration,
          check: IDENTITY_CHECKS.householdNumber,
          nationalId: q.nationalId,
          claims: { householdNumber: q.householdNumber },
        }),
      ]);
      return card && household;
    },
  };
}
