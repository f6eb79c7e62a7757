/**
 * Methods checked against agencies' records: NHI card + PIN (健保卡, substantial) and two documents
 * (雙證件: national ID + NHI card number + household number, low). The platform never holds the
 * records or the PIN; it asks the agencies through an IdentityChecks port.
 */
import { AppError, isValidNationalId } from '@mydata/core';
import { Type } from 'typebox';
import { type AttemptPolicy, type Authenticator, VerificationFailure } from './authenticators.ts';

/** The agencies' answers the document methods need: each says only whether the details match. */
export interface IdentityChecks {
  /** The NHI administration: is this card the citizen's, and is the PIN the card's? */
  nhiCard(q: { nationalId: string; cardNumber: string; pin: string }): Promise<boolean>;
  /** The NHI administration and household registration: do the card number and household number belong to the citizen? */
  twoDocuments(q: { nationalId: string; nhiCardNumber: string; householdNumber: string }): Promise<boolean>;
  /**
   * A telecom operator and the NHI administration: is the mobile number registered to the citizen,
   * and is the card number theirs? Without it the mobile-number method is not offered.
   */
  mobileNumber?(q: { nationalId: string; mobileNumber: string; nhiCardNumber: string }): Promise<boolean>;
}

export const NationalId = Type.String({ pattern: '^[A-Z][12][0-9]{8}$', description: '國民身分證統一編號' });
export const NhiCardNumber = Type.String({ pattern: '^[0-9]{12}$', description: '健保卡號, 12 digits' });

export const NhiCardSignIn = Type.Object(
  {
    nationalId: NationalId,
    cardNumber: NhiCardNumber,
    pin: Type.String({ pattern: '^[0-9]{6,8}$', description: '健保卡密碼 (PIN), 6 to 8 digits' }),
  },
  { additionalProperties: false },
);

export const TwoDocumentsSignIn = Type.Object(
  {
    nationalId: NationalId,
    nhiCardNumber: NhiCardNumber,
    householdNumber: Type.String({ pattern: '^[A-Z][0-9]{7}$', description: '戶號' }),
  },
  { additionalProperties: false },
);

const claimed = (body: unknown) => {
  const id = (body as { nationalId?: unknown }).nationalId;
  return typeof id === 'string' && isValidNationalId(id) ? id : undefined;
};

/** NHI card + PIN: substantial; a wrong PIN counts towards a lock as the card itself would. */
export function createNhiCardAuthenticator(checks: IdentityChecks, attempts?: AttemptPolicy): Authenticator {
  return {
    method: 'nhi-card',
    assurance: 'substantial',
    body: NhiCardSignIn,
    attempts: attempts ?? { lockout: { max: 5, windowSeconds: 3600, lockSeconds: 3600 } },
    claimedNationalId: claimed,
    async verify(raw) {
      const body = raw as { nationalId: string; cardNumber: string; pin: string };
      if (!isValidNationalId(body.nationalId)) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', { what: '身分證統一編號' }),
        );
      }
      if (!(await checks.nhiCard(body))) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', { what: '健保卡號或密碼 (NHI card number or PIN)' }),
          body.nationalId,
        );
      }
      return { nationalId: body.nationalId };
    },
  };
}

/**
 * Two documents: low, and the easiest to guess at, since the numbers are printed on cards people
 * show; hence a strict lock per identity and a rate limit per client address.
 */
export function createTwoDocumentsAuthenticator(
  checks: IdentityChecks,
  attempts?: AttemptPolicy,
): Authenticator {
  return {
    method: 'two-documents',
    assurance: 'low',
    body: TwoDocumentsSignIn,
    attempts: attempts ?? {
      lockout: { max: 3, windowSeconds: 3600, lockSeconds: 24 * 3600 },
      rateLimit: { max: 10, windowSeconds: 600 },
    },
    claimedNationalId: claimed,
    async verify(raw) {
      const body = raw as { nationalId: string; nhiCardNumber: string; householdNumber: string };
      if (!isValidNationalId(body.nationalId)) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', { what: '身分證統一編號' }),
        );
      }
      if (!(await checks.twoDocuments(body))) {
        throw new VerificationFailure(
          new AppError('identity.verification-failed', {
            what: '健保卡號或戶號 (NHI card number or household number)',
          }),
          body.nationalId,
        );
      }
      return { nationalId: body.nationalId };
    },
  };
}
