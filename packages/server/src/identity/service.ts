/**
 * The sign-in state machine: start → (challenge) → verify one method → either a session, or, for a
 * first use, a flow waiting for a second, different method. With a session, a verification is a
 * step-up: same citizen, higher assurance, new token.
 */
import {
  AppError,
  type AssuranceLevel,
  meetsAssurance,
  methodAssurance,
  type SessionTimeouts,
  type SignInMethod,
  sessionAssurance,
  sessionExpiry,
  signInDecision,
  stepUpCandidates,
} from '@mydata/core';
import type { Kysely } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { UsageRecorder } from '../log/record.ts';
import { type Authenticator, VerificationFailure } from './authenticators.ts';
import type { CitizenAccount, IdentityRepo, StoredSession } from './repository.ts';

export interface IdentityServiceOptions {
  db: Db;
  repo: IdentityRepo;
  recorder: UsageRecorder;
  authenticators: Authenticator[];
  timeouts: SessionTimeouts;
  /** How long the first method of a first use waits for the second; 10 minutes by default. */
  flowSeconds?: number;
  now?: () => Date;
}

export type SignInResult =
  | { status: 'signed-in'; sessionToken: string; assurance: AssuranceLevel; methods: SignInMethod[] }
  | {
      status: 'second-method-required';
      flowToken: string;
      verified: SignInMethod[];
      candidates: SignInMethod[];
    };

export interface ActiveSession extends StoredSession {
  token: string;
}

/** Who is asking: their session and sign-in flow cookies and their address. */
export interface Caller {
  sessionToken?: string | undefined;
  flowToken?: string | undefined;
  address: string;
}

const TOUCH_AFTER_MS = 30_000;

/** The identity service: sign-in, step-up, session checks and sign-out over pluggable authenticators. */
export function createIdentityService(options: IdentityServiceOptions) {
  const { db, repo, recorder, timeouts } = options;
  const now = options.now ?? (() => new Date());
  const flowMs = (options.flowSeconds ?? 600) * 1000;
  const byMethod = new Map(options.authenticators.map((a) => [a.method, a]));
  /** The assurance of each method as this platform's authenticators give it (federation's is configured). */
  const assuranceOf = (m: SignInMethod) => byMethod.get(m)?.assurance ?? methodAssurance(m);
  /** The methods a citizen can use: all but those that need an enrolment they have not made. */
  const availableTo = (account: CitizenAccount | undefined) =>
    options.authenticators
      .filter((a) => !a.needsEnrolment || account?.methods.some((m) => m.method === a.method))
      .map((a) => a.method);
  const lockKey = (method: string, nationalId: string) => `lock:${method}:${repo.citizenRef(nationalId)}`;
  const rateKey = (method: string, address: string) => `rate:${method}:${address}`;

  const recipientsOf = (citizenId: string, q: Kysely<Database> = db) => repo.recipientsOf(citizenId, q);

  async function citizenIdOf(nationalId: string) {
    return (await repo.findCitizenByNationalId(nationalId))?.id;
  }

  /**
   * Checks the rate limit and lock, runs a step of the method (its verification, or a step before it
   * such as sending a code, whose attempts are counted under their own rate-limit key), and logs the
   * failure (and a new lock) when it fails.
   */
  async function guarded<T>(
    auth: Authenticator,
    claimed: string | undefined,
    caller: Caller,
    at: Date,
    run: () => Promise<T>,
    step?: string,
  ): Promise<T> {
    const policy = auth.attempts;
    if (policy?.rateLimit) {
      const key = rateKey(step ? `${auth.method}:${step}` : auth.method, caller.address);
      const r = await repo.countFailure(key, at, {
        max: policy.rateLimit.max + 1,
        windowSeconds: policy.rateLimit.windowSeconds,
        lockSeconds: policy.rateLimit.windowSeconds,
      });
      if (r.lockedUntil) {
        throw new AppError('identity.rate-limited', {
          method: auth.method,
          retryAfterSeconds: Math.ceil((r.lockedUntil.getTime() - at.getTime()) / 1000),
        });
      }
    }
    if (policy?.lockout && claimed) {
      const until = await repo.lockedUntil(lockKey(auth.method, claimed), at);
      if (until)
        throw new AppError('identity.locked-out', { method: auth.method, until: until.toISOString() });
    }
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof VerificationFailure)) throw error;
      const who = error.nationalId;
      if (who) {
        const citizenId = await citizenIdOf(who);
        await recorder.record({
          citizenId: who,
          event: 'sign-in-failed',
          outcome: 'failure',
          occurredAt: at,
          details: { method: auth.method, code: error.error.code },
        });
        if (policy?.lockout) {
          const counted = await repo.countFailure(lockKey(auth.method, who), at, policy.lockout);
          if (counted.justLocked && counted.lockedUntil) {
            await recorder.record(
              {
                citizenId: who,
                event: 'lockout',
                outcome: 'denied',
                occurredAt: at,
                details: { method: auth.method, action: 'locked', until: counted.lockedUntil.toISOString() },
              },
              citizenId ? { notify: await recipientsOf(citizenId) } : {},
            );
            throw new AppError('identity.locked-out', {
              method: auth.method,
              until: counted.lockedUntil.toISOString(),
            });
          }
        }
      }
      throw error.error;
    }
  }

  /** A strong sign-in proves the citizen is who the locks protect, so it lifts them (and says so). */
  async function liftLocks(
    tx: Kysely<Database>,
    nationalId: string,
    method: SignInMethod,
    at: Date,
    citizenId: string,
  ) {
    const assurance = byMethod.get(method)?.assurance ?? 'low';
    const lifted = options.authenticators
      .filter((a) => a.attempts?.lockout)
      .filter((a) => a.method === method || meetsAssurance(assurance, 'substantial'))
      .map((a) => a.method);
    // One statement for every lock this sign-in may lift: it runs on every successful sign-in.
    const wasLocked = await repo.resetAttempts(
      lifted.map((m) => lockKey(m, nationalId)),
      at,
      tx,
    );
    for (const locked of lifted) {
      if (!wasLocked.has(lockKey(locked, nationalId))) continue;
      await recorder.record(
        {
          citizenId: nationalId,
          event: 'lockout',
          outcome: 'success',
          occurredAt: at,
          details: { method: locked, action: 'reset', by: method },
        },
        { tx, notify: await recipientsOf(citizenId, tx) },
      );
    }
  }

  /** Logs a successful sign-in, and each method verified for the first time (which the citizen is told of). */
  async function logSignIn(
    tx: Kysely<Database>,
    nationalId: string,
    citizenId: string,
    newMethods: readonly string[],
    at: Date,
    details: Record<string, string | boolean>,
  ) {
    await recorder.record(
      { citizenId: nationalId, event: 'sign-in', outcome: 'success', occurredAt: at, details },
      { tx },
    );
    if (newMethods.length === 0) return;
    const notify = await recipientsOf(citizenId, tx);
    for (const method of newMethods) {
      await recorder.record(
        {
          citizenId: nationalId,
          event: 'method-enrolled',
          outcome: 'success',
          occurredAt: at,
          details: { method },
        },
        { tx, ...(notify ? { notify } : {}) },
      );
    }
  }

  async function complete(
    nationalId: string,
    methods: SignInMethod[],
    justVerified: SignInMethod,
    at: Date,
  ): Promise<SignInResult> {
    const assurance = sessionAssurance(methods, assuranceOf);
    return db.transaction().execute(async (tx) => {
      const { citizenId, newMethods, created } = await repo.recordVerification(tx, nationalId, methods, at);
      const session = await repo.createSession(tx, { citizenId, assurance, methods, at });
      await logSignIn(tx, nationalId, citizenId, newMethods, at, {
        methods: methods.join(','),
        assurance,
        firstUse: created,
      });
      await liftLocks(tx, nationalId, justVerified, at, citizenId);
      return { status: 'signed-in', sessionToken: session.token, assurance, methods };
    });
  }

  const service = {
    /** The methods this platform offers, with their assurance. */
    methods: () => options.authenticators.map((a) => ({ method: a.method, assurance: a.assurance })),

    authenticator(method: string): Authenticator {
      const auth = byMethod.get(method as SignInMethod);
      if (!auth) throw new AppError('identity.method-unavailable', { method });
      return auth;
    },

    /** The caller's live session, or undefined; ends it when a timeout has passed, and counts this use. */
    async session(token: string | undefined): Promise<ActiveSession | undefined> {
      if (!token) return undefined;
      const s = await repo.findSession(token);
      if (!s || s.endedAt) return undefined;
      const at = now();
      if (sessionExpiry(s, at, timeouts)) {
        await repo.endSession(s.id, at);
        return undefined;
      }
      // The idle timeout is counted in minutes: a session used again within 30 s is not rewritten.
      if (at.getTime() - s.lastSeenAt.getTime() < TOUCH_AFTER_MS) return { ...s, token };
      await repo.touchSession(s.id, at);
      return { ...s, lastSeenAt: at, token };
    },

    /** Verifies one method; signs in, continues a first use, or steps up an existing session. */
    async verify(method: string, body: unknown, caller: Caller): Promise<SignInResult> {
      const auth = service.authenticator(method);
      const current = await service.session(caller.sessionToken);
      const flow = current || !caller.flowToken ? undefined : await repo.findFlow(caller.flowToken, now());
      if (caller.flowToken && !current && !flow) {
        throw new AppError('identity.flow-expired', { reason: 'unknown or expired sign-in' });
      }
      if (flow?.verified.includes(auth.method)) {
        throw new AppError('identity.second-method-must-differ', {
          method: auth.method,
          candidates: availableTo(undefined)
            .filter((m) => !flow.verified.includes(m))
            .join(', '),
        });
      }
      const at = now();
      const claimed = await auth.claimedNationalId?.(body);
      const { nationalId } = await guarded(auth, claimed, caller, at, () => auth.verify(body, { now: at }));

      if (current) return stepUp(current, auth, nationalId, at);

      if (flow) {
        if (flow.citizenRef !== repo.citizenRef(nationalId)) {
          await repo.deleteFlow(flow.id);
          throw new AppError('identity.different-person');
        }
        if (!(await repo.deleteFlow(flow.id)))
          throw new AppError('identity.flow-expired', { reason: 'already used' });
        return complete(nationalId, [...flow.verified, auth.method], auth.method, at);
      }

      const account = await repo.findCitizenByNationalId(nationalId);
      const decision = signInDecision({
        isFirstUse: !account || account.methods.length === 0,
        verified: [auth.method],
        available: availableTo(account),
        assuranceOf,
      });
      if (decision.kind === 'second-method-required') {
        const created = await repo.createFlow({
          nationalId,
          verified: [auth.method],
          expiresAt: new Date(at.getTime() + flowMs),
        });
        return {
          status: 'second-method-required',
          flowToken: created.token,
          verified: [auth.method],
          candidates: decision.candidates,
        };
      }
      return complete(nationalId, [auth.method], auth.method, at);
    },

    /**
     * Runs the step a method needs before its verification (the mobile-number method's SMS code)
     * under the method's lock and failure logging, with a rate limit counted apart from the
     * verification's. Refused up front when a first use has already verified the method.
     */
    async prepare<T>(
      method: string,
      step: { name: string; claimedNationalId: string | undefined; run: (at: Date) => Promise<T> },
      caller: Caller,
    ): Promise<T> {
      const auth = service.authenticator(method);
      if (caller.flowToken && !caller.sessionToken) {
        const flow = await repo.findFlow(caller.flowToken, now());
        if (!flow) throw new AppError('identity.flow-expired', { reason: 'unknown or expired sign-in' });
        if (flow.verified.includes(auth.method)) {
          throw new AppError('identity.second-method-must-differ', {
            method: auth.method,
            candidates: availableTo(undefined)
              .filter((m) => !flow.verified.includes(m))
              .join(', '),
          });
        }
      }
      const at = now();
      return guarded(auth, step.claimedNationalId, caller, at, () => step.run(at), step.name);
    },

    /** Which methods would lift the caller's session to `required` (none when it already meets it). */
    async stepUpOptions(session: Pick<StoredSession, 'assurance' | 'citizenId'>, required: AssuranceLevel) {
      const account = await repo.getCitizen(session.citizenId);
      return stepUpCandidates({
        current: session.assurance,
        required,
        available: availableTo(account),
        assuranceOf,
      });
    },

    /** Deletes challenges, flows and sessions that can no longer be used; any process may run it. */
    purge() {
      const at = now();
      return repo.purgeExpired(at, {
        idleBefore: new Date(at.getTime() - timeouts.idleSeconds * 1000),
        createdBefore: new Date(at.getTime() - timeouts.absoluteSeconds * 1000),
      });
    },

    async signOut(session: ActiveSession): Promise<void> {
      await repo.endSession(session.id, now());
    },

    /** Ends every session of the caller's citizen (this one included); returns how many. */
    async signOutEverywhere(session: ActiveSession): Promise<number> {
      return repo.endAllSessions(session.citizenId, now());
    },
  };

  async function stepUp(
    current: ActiveSession,
    auth: Authenticator,
    nationalId: string,
    at: Date,
  ): Promise<SignInResult> {
    const account = await repo.getCitizen(current.citizenId);
    if (!account || account.citizenRef !== repo.citizenRef(nationalId))
      throw new AppError('identity.different-person');
    const methods = [...new Set([...current.methods, auth.method])];
    const assurance = sessionAssurance(methods, assuranceOf);
    return db.transaction().execute(async (tx) => {
      const { newMethods } = await repo.recordVerification(tx, nationalId, [auth.method], at);
      // A new token on every privilege change: a token captured before the step-up stops working.
      const token = await repo.rotateSession(tx, current.id, { assurance, methods, at });
      await logSignIn(tx, nationalId, current.citizenId, newMethods, at, {
        methods: methods.join(','),
        assurance,
        stepUp: true,
      });
      await liftLocks(tx, nationalId, auth.method, at, current.citizenId);
      return { status: 'signed-in', sessionToken: token, assurance, methods };
    });
  }

  return service;
}

export type IdentityService = ReturnType<typeof createIdentityService>;
