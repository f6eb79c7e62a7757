import { type Static, Type } from 'typebox';

/** What can happen to a citizen's data or account; every feature logs one of these. */
export const USAGE_EVENT_TYPES = [
  'download',
  'transfer',
  'counter-redemption',
  'consent-given',
  'consent-withdrawn',
  'sign-in',
  'sign-in-failed',
  'lockout',
  'method-enrolled',
  'method-removed',
  'contact-changed',
] as const;
export const UsageEventType = Type.Enum(USAGE_EVENT_TYPES);
export type UsageEventType = (typeof USAGE_EVENT_TYPES)[number];

export const UsageOutcome = Type.Enum(['success', 'failure', 'denied'] as const);
export type UsageOutcome = Static<typeof UsageOutcome>;

/**
 * One usage-log entry as committed to the log: who (the citizen's keyed reference, never the plain
 * national ID), what, to whom, why, when and with what outcome.
 */
export const UsageEntry = Type.Object(
  {
    v: Type.Literal(1),
    citizenRef: Type.String({ description: 'HMAC of the national ID, hex' }),
    event: UsageEventType,
    datasets: Type.Array(Type.String()),
    serviceId: Type.Optional(Type.String()),
    agencyIds: Type.Optional(Type.Array(Type.String())),
    clerkId: Type.Optional(Type.String()),
    purpose: Type.Optional(Type.String()),
    consentId: Type.Optional(Type.String()),
    outcome: UsageOutcome,
    occurredAt: Type.String({ format: 'date-time' }),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    ),
  },
  { additionalProperties: false },
);
export type UsageEntry = Static<typeof UsageEntry>;

/** The events a citizen is told about at once by e-mail or SMS. */
export const NOTIFIED_EVENTS = [
  'download',
  'transfer',
  'counter-redemption',
  'consent-withdrawn',
  'method-enrolled',
  'lockout',
  'contact-changed',
] as const satisfies readonly UsageEventType[];
export type NotifiedEvent = (typeof NOTIFIED_EVENTS)[number];

/** Whether an event type is one the citizen is notified of. */
export function isNotifiedEvent(event: UsageEventType): event is NotifiedEvent {
  return (NOTIFIED_EVENTS as readonly string[]).includes(event);
}
