/**
 * Test personas: citizens of a population with the properties each demo service needs, found by
 * scanning the first indexes in order, so the same seed always yields the same personas.
 */
import type { LocalizedText } from '@mydata/core';
import { parseIsoDate, TODAY } from './dates.ts';
import type { Citizen, Population } from './population.ts';

export const PERSONA_KINDS = [
  'disabled-without-car',
  'low-income',
  'frequent-traveller',
  'passport-renewal',
  'car-owner-with-licence',
  'loan-applicant',
  'young-parent',
  'taipei-renter',
] as const;
export type PersonaKind = (typeof PERSONA_KINDS)[number];

export interface TestPersona {
  kind: PersonaKind;
  description: LocalizedText;
  citizen: Citizen;
  /** Another member of the household the scenario involves, e.g. the one whose car is used. */
  related?: Citizen;
}

interface PersonaRule {
  description: LocalizedText;
  /** A match, with the related household member when the scenario needs one. */
  match(c: Citizen, population: Population): { related?: Citizen } | undefined;
  /** A match that also satisfies this is taken over an earlier one that does not. */
  preferred?(c: Citizen): boolean;
}

const validPassport = (c: Citizen) => c.facts.passport?.status === 'valid';
const inTaiwan = (c: Citizen) => c.facts.trips.at(-1)?.entry !== null;
const drivesOwnCar = (c: Citizen) =>
  c.facts.carLicence?.status === 'valid' && c.facts.vehicles.some((v) => v.kind === 'car');
const yes = {};

const RULES: Record<PersonaKind, PersonaRule> = {
  'disabled-without-car': {
    description: {
      'zh-TW': '持身心障礙證明、行動不便，本人無汽車也無駕照；同戶家人有車有照（多人合併申辦身障停車證）',
      en: 'Holds a disability certificate with impaired mobility, has neither car nor licence; a household member has both (multi-person parking-permit application)',
    },
    match(c, population) {
      if (
        !c.facts.disability?.mobilityImpaired ||
        c.facts.carLicence ||
        c.facts.vehicles.some((v) => v.kind === 'car')
      ) {
        return undefined;
      }
      const helper = c.household.memberIndexes
        .filter((j) => j !== c.index)
        .map((j) => population.citizen(j))
        .find(drivesOwnCar);
      return helper ? { related: helper } : undefined;
    },
    // The parking permit is a Pingtung County service.
    preferred: (c) => c.household.county === '屏東縣',
  },
  'low-income': {
    description: {
      'zh-TW': '低收入戶成員（臨櫃核驗低收入戶資格）',
      en: 'Member of a low-income household (counter verification of status)',
    },
    match: (c) => (c.household.economicStatus === 'low-income' && c.age >= 20 ? yes : undefined),
    preferred: (c) => c.household.county === '臺北市' && c.household.district === '大安區',
  },
  'frequent-traveller': {
    description: {
      'zh-TW': '持有效護照、近年出國十次以上',
      en: 'Holds a valid passport and has travelled abroad ten or more times recently',
    },
    match: (c) => (validPassport(c) && c.facts.trips.length >= 10 && inTaiwan(c) ? yes : undefined),
  },
  'passport-renewal': {
    description: {
      'zh-TW': '成年人，護照已過期或一年內到期，人在國內（護照線上換發）',
      en: 'Adult whose passport has expired or expires within a year, now in Taiwan (online passport renewal)',
    },
    match(c) {
      const p = c.facts.passport;
      if (!p || p.status === 'reported-lost' || c.age < 18 || !inTaiwan(c)) return undefined;
      return parseIsoDate(p.expiryDate) < TODAY + 365 ? yes : undefined;
    },
  },
  'car-owner-with-licence': {
    description: {
      'zh-TW': '有自用汽車且持有效普通小型車駕照',
      en: 'Owns a car and holds a valid ordinary car licence',
    },
    match: (c) => (drivesOwnCar(c) ? yes : undefined),
  },
  'loan-applicant': {
    description: {
      'zh-TW': '受僱在職、有薪資所得、勞保在保、名下有自住房屋（銀行貸款）',
      en: 'Employed with salary income and labour insurance, owns a home (bank loan)',
    },
    match: (c) =>
      c.facts.employment === 'employed' &&
      c.age >= 30 &&
      c.household.ownsHome &&
      c.facts.jobs.some((j) => j.to === null && parseIsoDate(j.from) < TODAY - 2 * 365)
        ? yes
        : undefined,
  },
  'young-parent': {
    description: {
      'zh-TW': '設籍屏東縣、家有未滿 6 歲幼兒的父母（育兒津貼）',
      en: 'Parent registered in Pingtung County with a child under 6 (childcare subsidy)',
    },
    match(c, population) {
      const rel = c.household.relationship;
      if (c.household.county !== '屏東縣' || (rel !== 'head' && rel !== 'spouse')) return undefined;
      const child = c.household.memberIndexes
        .map((j) => population.citizen(j))
        .find((m) => m.household.relationship === 'child' && m.age < 6);
      return child ? { related: child } : undefined;
    },
  },
  'taipei-renter': {
    description: {
      'zh-TW': '設籍臺北市、無自有住宅的受僱者（社會住宅申請）',
      en: 'Employed Taipei resident who owns no home (social housing application)',
    },
    match: (c) =>
      c.household.county === '臺北市' &&
      c.facts.employment === 'employed' &&
      c.age >= 23 &&
      !c.household.ownsHome
        ? yes
        : undefined,
  },
};

/**
 * The first citizen of each persona kind among the first `scanLimit` indexes, preferring one that
 * suits the service best (e.g. a Pingtung resident for the Pingtung parking permit). Kinds with no
 * match in range are left out.
 */
export function findTestPersonas(population: Population, scanLimit = 20_000): TestPersona[] {
  const found = new Map<PersonaKind, TestPersona & { best: boolean }>();
  const limit = Math.min(population.size, scanLimit);
  for (let i = 0; i < limit; i++) {
    const c = population.citizen(i);
    let settled = true;
    for (const kind of PERSONA_KINDS) {
      const rule = RULES[kind];
      const have = found.get(kind);
      if (have?.best) continue;
      settled = false;
      const m = rule.match(c, population);
      if (!m) continue;
      const best = rule.preferred ? rule.preferred(c) : true;
      if (!have || best) found.set(kind, { kind, description: rule.description, citizen: c, ...m, best });
    }
    if (settled) break;
  }
  return PERSONA_KINDS.flatMap((kind) => {
    const p = found.get(kind);
    if (!p) return [];
    const { best: _best, ...persona } = p;
    return [persona];
  });
}
