/** The life of a consent (docs/consent.md). */
export const CONSENT_STATUSES = ['pending', 'active', 'used', 'expired', 'withdrawn'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/** States a consent never leaves: it can never be used again. */
export const FINAL_CONSENT_STATUSES: readonly ConsentStatus[] = ['used', 'expired', 'withdrawn'];

const NEXT: Record<ConsentStatus, readonly ConsentStatus[]> = {
  pending: ['active', 'expired', 'withdrawn'],
  active: ['used', 'expired', 'withdrawn'],
  used: [],
  expired: [],
  withdrawn: [],
};

/** Whether a consent in state `from` may move to `to`. */
export function canTransition(from: ConsentStatus, to: ConsentStatus): boolean {
  return NEXT[from].includes(to);
}

/** Whether a status is final. */
export function isFinalStatus(status: ConsentStatus): boolean {
  return FINAL_CONSENT_STATUSES.includes(status);
}
