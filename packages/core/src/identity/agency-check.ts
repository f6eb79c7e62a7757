/**
 * Identity checks over the exchange layer: the platform asks an agency whether details a citizen
 * typed (an NHI card number and PIN, a household number, a mobile number) match its records, and the agency answers
 * only yes or no. Same mutual TLS, request signature, response binding and replay rules as record
 * queries (docs/exchange.md); a different path, so an agency can never confuse the two.
 */
import { randomBytes } from 'node:crypto';
import { type Static, Type } from 'typebox';

/** The path agencies answer identity checks on. */
export const EXCHANGE_CHECK_PATH = '/mydata/v1/identity-check';
/** The purpose signed into every identity-check request (DPV). */
export const IDENTITY_CHECK_PURPOSE = 'https://w3id.org/dpv#IdentityVerification';

/** The checks the demo agencies answer; an agency may offer others. */
export const IDENTITY_CHECKS = {
  /** NHI administration: card number and PIN belong to the citizen. */
  nhiCardPin: 'nhi-card-pin',
  /** NHI administration: the card number belongs to the citizen. */
  nhiCardNumber: 'nhi-card-number',
  /** Household registration: the household number (戶號) is the citizen's. */
  householdNumber: 'household-number',
  /** A telecom operator: the mobile number is registered to the citizen (行動化驗證). */
  mobileNumber: 'mobile-number',
} as const;

/** The body of an identity-check request. */
export const IdentityCheckQuery = Type.Object(
  {
    check: Type.String({ minLength: 2, maxLength: 80 }),
    subject: Type.Object(
      { nationalId: Type.String({ minLength: 1, maxLength: 20 }) },
      { additionalProperties: false },
    ),
    claims: Type.Record(Type.String({ maxLength: 40 }), Type.String({ maxLength: 100 })),
    /** Random salt: the body's hash goes into the message log, and must not let a PIN be guessed from it. */
    salt: Type.String({ minLength: 16, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type IdentityCheckQuery = Static<typeof IdentityCheckQuery>;

/** The body of a check's answer. */
export interface IdentityCheckAnswer {
  check: string;
  match: boolean;
}

/** Encodes an identity-check body with a fresh salt. */
export function encodeIdentityCheck(query: Omit<IdentityCheckQuery, 'salt'>): string {
  return JSON.stringify({
    check: query.check,
    subject: { nationalId: query.subject.nationalId },
    claims: query.claims,
    salt: randomBytes(16).toString('base64url'),
  });
}
