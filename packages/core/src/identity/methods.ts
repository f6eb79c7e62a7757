/**
 * Sign-in methods and the pure rules around them: what each method proves (its assurance), the
 * first-use rule (首次使用須經雙重身分驗證), step-up and session timeouts. No I/O: the server's
 * identity capability applies these rules to what it stores.
 */
import { Type } from 'typebox';
import { ASSURANCE_LEVELS, type AssuranceLevel, meetsAssurance, strongestAssurance } from '../assurance.ts';

/** The sign-in methods the platform knows, in the seed's order. */
export const SIGN_IN_METHODS = [
  'citizen-certificate',
  'mobile-certificate',
  'nhi-card',
  'two-documents',
  'mobile-number',
  'oidc',
] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
export const SignInMethod = Type.Enum(SIGN_IN_METHODS, { description: 'A sign-in method' });

/**
 * What a verification with each method proves, after the table (自然人憑證 high … 雙證件 low).
 * Federation (`oidc`) proves what the configured identity provider vouches for: its entry here is
 * only the floor, and the platform passes the configured level as `assuranceOf`.
 */
export const METHOD_ASSURANCE: Readonly<Record<SignInMethod, AssuranceLevel>> = Object.freeze({
  'citizen-certificate': 'high',
  'mobile-certificate': 'high',
  'nhi-card': 'substantial',
  'two-documents': 'low',
  'mobile-number': 'low',
  oidc: 'low',
});

/** The assurance each method gives on a platform: the table above unless configuration says otherwise. */
export type AssuranceOf = (method: SignInMethod) => AssuranceLevel;

/** The assurance one method gives. */
export function methodAssurance(method: SignInMethod): AssuranceLevel {
  return METHOD_ASSURANCE[method];
}

/**
 * The assurance of a sign-in that verified all of `methods`: the strongest single method. Two weak
 * methods are not added up into a strong one, as eIDAS and NIST 800-63 count factors, not sums.
 */
export function sessionAssurance(
  methods: Iterable<SignInMethod>,
  assuranceOf: AssuranceOf = methodAssurance,
): AssuranceLevel {
  return strongestAssurance([...methods].map((m) => assuranceOf(m)));
}

/** What a sign-in flow needs next, given who the citizen is and what they have verified so far. */
export type SignInDecision =
  | { kind: 'complete'; assurance: AssuranceLevel }
  | { kind: 'second-method-required'; candidates: SignInMethod[] };

/**
 * The first-use rule: a citizen with no account yet (no method ever verified) must pass two
 * *different* methods before a session is issued; a known citizen needs one.
 */
export function signInDecision(input: {
  isFirstUse: boolean;
  verified: readonly SignInMethod[];
  available: readonly SignInMethod[];
  assuranceOf?: AssuranceOf;
}): SignInDecision {
  const distinct = new Set(input.verified);
  if (distinct.size === 0) throw new RangeError('a sign-in decision needs at least one verified method');
  if (input.isFirstUse && distinct.size < 2) {
    return { kind: 'second-method-required', candidates: input.available.filter((m) => !distinct.has(m)) };
  }
  return { kind: 'complete', assurance: sessionAssurance(distinct, input.assuranceOf) };
}

/** Step-up: the methods that would lift a session to `required`, or none when it already meets it. */
export function stepUpCandidates(input: {
  current: AssuranceLevel;
  required: AssuranceLevel;
  available: readonly SignInMethod[];
  assuranceOf?: AssuranceOf;
}): SignInMethod[] {
  if (meetsAssurance(input.current, input.required)) return [];
  const assuranceOf = input.assuranceOf ?? methodAssurance;
  return input.available.filter((m) => meetsAssurance(assuranceOf(m), input.required));
}

/** How long a session lives: idle since its last use, and absolute since sign-in. */
export interface SessionTimeouts {
  idleSeconds: number;
  absoluteSeconds: number;
}

/** Defaults after NIST 800-63B-4 for AAL2/AAL3-like sessions: 15 minutes idle, 12 hours in all. */
export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = Object.freeze({
  idleSeconds: 15 * 60,
  absoluteSeconds: 12 * 3600,
});

/** Why a session is no longer valid at `now`, or undefined when it still is. */
export function sessionExpiry(
  session: { createdAt: Date; lastSeenAt: Date },
  now: Date,
  timeouts: SessionTimeouts,
): 'idle' | 'absolute' | undefined {
  if (now.getTime() - session.createdAt.getTime() >= timeouts.absoluteSeconds * 1000) return 'absolute';
  if (now.getTime() - session.lastSeenAt.getTime() >= timeouts.idleSeconds * 1000) return 'idle';
  return undefined;
}

/** True when the value is one of the assurance levels. */
export function isAssuranceLevel(value: string): value is AssuranceLevel {
  return (ASSURANCE_LEVELS as readonly string[]).includes(value);
}
