import type { AppError, AssuranceLevel, SignInMethod } from '@mydata/core';
import type { TSchema } from 'typebox';

/** What an authenticator is told about the request besides its body. */
export interface VerifyContext {
  now: Date;
}

/**
 * A failed verification. `nationalId` is set only when the claim is credible enough to tell that
 * citizen about it (a certificate that chains to the CA, a typed national ID for a document check),
 * so the failure lands in their usage log and counts towards their lockout.
 */
export class VerificationFailure extends Error {
  constructor(
    readonly error: AppError,
    readonly nationalId?: string,
  ) {
    super(error.message);
    this.name = 'VerificationFailure';
  }
}

/** Failure counting for a method: a lock per identity, and a rate limit per client address. */
export interface AttemptPolicy {
  /** Failures for one identity within `windowSeconds` that lock the method for it for `lockSeconds`. */
  lockout?: { max: number; windowSeconds: number; lockSeconds: number };
  /** Attempts (any outcome) per client address within `windowSeconds`. */
  rateLimit?: { max: number; windowSeconds: number };
}

/**
 * One sign-in method, pluggable: the identity service knows nothing of certificates or cards, only
 * that a method verifies a body to a national ID at its assurance level, or fails.
 */
export interface Authenticator {
  method: SignInMethod;
  assurance: AssuranceLevel;
  /** JSON schema of the verification body. */
  body: TSchema;
  attempts?: AttemptPolicy;
  /** Set when the method works only once enrolled from a signed-in session (passkeys): it is offered only to citizens who have it. */
  needsEnrolment?: boolean;
  /**
   * Set for federation: the method is verified by a redirect to an identity provider and its callback,
   * never by a body a client posts, so it has no `POST /identity/verify/{method}`.
   */
  federated?: boolean;
  /**
   * The national ID a body claims before it is verified, for lockout checks; undefined if none. May
   * look it up (a one-time code names the citizen it was sent for).
   */
  claimedNationalId?(body: unknown): string | undefined | Promise<string | undefined>;
  /** Resolves with the verified national ID, or throws a VerificationFailure (or an AppError for outages). */
  verify(body: unknown, ctx: VerifyContext): Promise<{ nationalId: string }>;
}
