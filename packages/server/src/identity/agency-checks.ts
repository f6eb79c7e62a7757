import { IDENTITY_CHECKS } from '@mydata/core';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityChecks } from './documents.ts';

/**
 * The document and mobile-number methods' checks asked of the agencies over the exchange layer
 * (mutual TLS, signed request and response, message log). Two documents and mobile number each ask
 * two agencies at once and need both to say yes. An agency that cannot answer rejects with its exchange error, which is not counted as the
 * citizen's failure.
 */
export function createExchangeIdentityChecks(
  gateway: Pick<ExchangeGateway, 'checkIdentity'>,
  agencies: { nhi: string; householdRegistration: string; telecom?: string } = {
    nhi: 'nhia',
    householdRegistration: 'moi-household',
    telecom: 'cht',
  },
): IdentityChecks {
  const telecom = agencies.telecom ?? 'cht';
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
    async mobileNumber(q) {
      const [number, card] = await Promise.all([
        gateway.checkIdentity({
          agencyId: telecom,
          check: IDENTITY_CHECKS.mobileNumber,
          nationalId: q.nationalId,
          claims: { mobileNumber: q.mobileNumber },
        }),
        gateway.checkIdentity({
          agencyId: agencies.nhi,
          check: IDENTITY_CHECKS.nhiCardNumber,
          nationalId: q.nationalId,
          claims: { cardNumber: q.nhiCardNumber },
        }),
      ]);
      return number && card;
    },
  };
}
