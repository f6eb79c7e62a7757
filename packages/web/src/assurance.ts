import type { AssuranceLevel } from '@mydata/core';

// Kept in the portal rather than imported: a value import of the core would bundle its Node-only modules.
/** The eIDAS assurance levels, weakest first. */
export const ASSURANCE_LEVELS: readonly AssuranceLevel[] = ['low', 'substantial', 'high'];

/** A level's place in ASSURANCE_LEVELS, to compare two levels. */
export const assuranceRank = (level: AssuranceLevel) => ASSURANCE_LEVELS.indexOf(level);

/** The strongest of the levels (`low` for none): what a sign-in must reach to cover them all. */
export const strongestAssurance = (levels: readonly AssuranceLevel[]) =>
  levels.reduce<AssuranceLevel>((a, b) => (assuranceRank(b) > assuranceRank(a) ? b : a), 'low');
