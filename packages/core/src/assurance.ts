import { Type } from 'typebox';

/**
 * Identity assurance levels, after eIDAS / NIST 800-63 levels of assurance. The data provider
 * chooses the minimum per dataset; the order below is the order of strength.
 */
export const ASSURANCE_LEVELS = ['low', 'substantial', 'high'] as const;
export const AssuranceLevel = Type.Enum(ASSURANCE_LEVELS, {
  description: 'Identity assurance level: low < substantial < high',
});
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

/** True when an identity verified at `have` is strong enough for data that needs `need`. */
export function meetsAssurance(have: AssuranceLevel, need: AssuranceLevel): boolean {
  return ASSURANCE_LEVELS.indexOf(have) >= ASSURANCE_LEVELS.indexOf(need);
}

/** The strongest of several required levels: what a request covering all of them needs. */
export function strongestAssurance(levels: Iterable<AssuranceLevel>): AssuranceLevel {
  let best: AssuranceLevel = 'low';
  for (const l of levels) if (!meetsAssurance(best, l)) best = l;
  return best;
}
