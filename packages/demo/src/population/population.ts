/**
 * The synthetic population: N citizens computed on demand from (seed, index), never stored, so a
 * population of a million costs no memory and any citizen can be looked up by national ID in O(1).
 */
import { isValidNationalId, nationalIdCheckDigit } from '@mydata/core';
import { COUNTY_TABLE, countyNameForLetter, pickGivenName } from './data.ts';
import { isoDate } from './dates.ts';
import {
  BLOCK_SIZE,
  blockPartition,
  type EconomicStatus,
  type Gender,
  type HouseholdKind,
  type HouseholdPlan,
  type MemberPlan,
  planHousehold,
  type Relationship,
  STREAM,
} from './household.ts';
import { type LifeFacts, lifeFacts, type Serials } from './life.ts';
import type { DemoDatasetId, DemoPayloads } from './payloads.ts';
import { buildRecord, isDemoDatasetId } from './records.ts';
import { AffinePermutation, hashSeed, mix, Rng } from './rng.ts';

/** The seed of the demo world that `npm start`, the web portal and the docs use. */
export const DEMO_SEED = 'mydata-demo-2026';

/** The largest population the generator supports (national ID serials leave room for 10^7). */
export const MAX_POPULATION_SIZE = 1_000_000;

export interface Household {
  /** 戶號: the county letter and seven digits. */
  number: string;
  kind: HouseholdKind;
  relationship: Relationship;
  headIndex: number;
  /** Indexes of everyone in the household, head first, this citizen included. */
  memberIndexes: number[];
  county: string;
  district: string;
  address: string;
  moveInDate: string;
  economicStatus: EconomicStatus;
  /** Whether this citizen owns the dwelling they are registered in. */
  ownsHome: boolean;
}

export interface Citizen {
  index: number;
  nationalId: string;
  /** Full name in Chinese characters, surname first. */
  name: string;
  surname: string;
  givenName: string;
  /** Passport spelling (Wade–Giles, as most Taiwanese passports use). */
  romanisedSurname: string;
  romanisedGivenName: string;
  /** `SURNAME, GIVEN-NAME`, the way a passport prints it. */
  romanisedName: string;
  gender: Gender;
  birthDate: string;
  /** Age on the reference date (2026-01-01). */
  age: number;
  /** County of first household registration, the one the ID letter encodes. */
  birthPlace: string;
  address: string;
  household: Household;
  /** null for children under 12. */
  mobile: string | null;
  /** null for children under 15; always on the reserved domain example.org. */
  email: string | null;
  /** 健保卡號, 12 digits. */
  nhiCardNumber: string;
  /**
   * What agencies record about this person's life, computed on first access. It is a getter:
   * JSON.stringify includes it, but an object spread (`{ ...citizen }`) does not.
   */
  readonly facts: LifeFacts;
}

export interface PopulationOptions {
  seed: string | number;
  size: number;
}

export interface Population {
  readonly seed: string | number;
  readonly size: number;
  /** The citizen at an index in [0, size); throws a RangeError outside it. */
  citizen(index: number): Citizen;
  /** Everyone registered in the same household as the citizen at `index`, head first. */
  household(index: number): Citizen[];
  /** The citizen holding a national ID, or undefined when nobody in this population does. */
  findByNationalId(nationalId: string): Citizen | undefined;
  /**
   * What the agency behind a dataset holds about a citizen, or undefined when it holds no such
   * record (no certificate, no passport, unknown ID...). Throws for a dataset the demo does not have.
   */
  record<K extends DemoDatasetId>(datasetId: K, nationalId: string): DemoPayloads[K] | undefined;
  record(datasetId: string, nationalId: string): unknown;
}

type CitizenIdentity = Omit<Citizen, 'facts'>;

interface FactsSource {
  seedHash: number;
  member: MemberPlan;
  status: EconomicStatus;
  serials: Serials;
}

/**
 * A citizen whose life facts are computed on first access: most lookups (sign-in, consent,
 * counter checks) need only the identity, and the facts cost as much again to derive.
 */
class LazyCitizen {
  #facts: LifeFacts | undefined;
  readonly #source: FactsSource;

  constructor(identity: CitizenIdentity, source: FactsSource) {
    Object.assign(this, identity);
    this.#source = source;
  }

  get facts(): LifeFacts {
    const s = this.#source;
    this.#facts ??= lifeFacts(s.seedHash, (this as unknown as Citizen).index, s.member, s.status, s.serials);
    return this.#facts;
  }

  /** Plain data, facts included, for JSON.stringify. */
  toJSON(): Citizen {
    return { ...(this as unknown as CitizenIdentity), facts: this.facts };
  }
}

/** Internal view shared with the record builders. */
export interface PopulationInternals {
  seedHash: number;
  population: Population;
  plan(index: number): HouseholdPlan;
}

const ID_SPACE = 10_000_000;
const SERIAL_SPACE = 100_000_000;
// Plates: three letters (no I or O) and four digits for cars, three digits for motorcycles.
const PLATE_SPACE_CAR = 24 ** 3 * 10_000;
const PLATE_SPACE_MOTORCYCLE = 24 ** 3 * 1_000;

/** Creates a population of `size` citizens; costs nothing until citizens are asked for. */
export function createPopulation(options: PopulationOptions): Population {
  const { seed, size } = options;
  if (!Number.isInteger(size) || size < 1 || size > MAX_POPULATION_SIZE) {
    throw new RangeError(`size must be an integer from 1 to ${MAX_POPULATION_SIZE}, got ${size}`);
  }
  const seedHash = hashSeed(seed);
  const perm = (modulus: number, tag: number) =>
    new AffinePermutation(modulus, mix(seedHash, STREAM.permutation, tag));
  const idSerials = perm(ID_SPACE, 1);
  const householdNumbers = perm(ID_SPACE, 2);
  const mobiles = perm(SERIAL_SPACE, 3);
  const nhiCards = perm(SERIAL_SPACE, 4);
  const emails = perm(36 ** 5, 5);
  const serials: Serials = {
    cars: perm(PLATE_SPACE_CAR, 6),
    motorcycles: perm(PLATE_SPACE_MOTORCYCLE, 7),
    passports: perm(SERIAL_SPACE, 8),
  };

  // Consecutive lookups usually hit the same household (a record lists the members), so one
  // remembered plan avoids most recomputation at no memory cost.
  let cached: HouseholdPlan | undefined;
  let cachedEnd = -1;
  const plan = (index: number): HouseholdPlan => {
    if (cached && index >= cached.start && index < cachedEnd) return cached;
    const block = Math.floor(index / BLOCK_SIZE);
    let start = block * BLOCK_SIZE;
    for (const planned of blockPartition(seedHash, block)) {
      if (index < start + planned) {
        cached = planHousehold(seedHash, start, planned, householdNumbers);
        cachedEnd = start + planned;
        return cached;
      }
      start += planned;
    }
    throw new Error('unreachable: a block partition covers all four slots');
  };

  const citizen = (index: number): Citizen => {
    if (!Number.isInteger(index) || index < 0 || index >= size) {
      throw new RangeError(`index must be an integer in [0, ${size}), got ${index}`);
    }
    const hh = plan(index);
    const slot = index - hh.start;
    const member = hh.members[slot];
    if (!member) throw new Error(`household at ${hh.start} has no member ${slot}`);
    const rng = new Rng(mix(seedHash, index, STREAM.person));
    const birthYear = Number(isoDate(member.birthDays).slice(0, 4));
    const [givenName, romanisedGivenName] = pickGivenName(rng, member.gender, birthYear);
    const [surname, romanisedSurname] = member.surname;

    // Most people are first registered where their household lives; the rest moved in from elsewhere.
    const county = rng.chance(0.75) ? hh.county : rng.weighted(COUNTY_TABLE);
    const letter =
      county.legacyLetter && birthYear < 2011 && rng.chance(0.5) ? county.legacyLetter : county.letter;
    const first9 = `${letter}${member.gender === 'male' ? 1 : 2}${String(idSerials.apply(index)).padStart(7, '0')}`;
    const nationalId = `${first9}${nationalIdCheckDigit(first9)}`;

    const end = Math.min(hh.start + hh.members.length, size);
    const memberIndexes: number[] = [];
    for (let j = hh.start; j < end; j++) memberIndexes.push(j);
    const emailSuffix = emails.apply(index).toString(36).padStart(5, '0');
    const login = `${romanisedGivenName.replace('-', '').toLowerCase()}.${romanisedSurname.toLowerCase()}`;

    const identity: CitizenIdentity = {
      index,
      nationalId,
      name: `${surname}${givenName}`,
      surname,
      givenName,
      romanisedSurname,
      romanisedGivenName,
      romanisedName: `${romanisedSurname}, ${romanisedGivenName}`,
      gender: member.gender,
      birthDate: isoDate(member.birthDays),
      age: member.age,
      birthPlace: countyNameForLetter(letter, birthYear),
      address: hh.address,
      household: {
        number: hh.number,
        kind: hh.kind,
        relationship: member.relationship,
        headIndex: hh.start,
        memberIndexes,
        county: hh.county.name,
        district: hh.district.name,
        address: hh.address,
        moveInDate: isoDate(Math.max(hh.moveInDays, member.birthDays)),
        economicStatus: hh.economicStatus,
        ownsHome: hh.homeOwner === slot,
      },
      mobile: member.age >= 12 ? `09${String(mobiles.apply(index)).padStart(8, '0')}` : null,
      email: member.age >= 15 ? `${login}.${emailSuffix}@example.org` : null,
      nhiCardNumber: `0000${String(nhiCards.apply(index)).padStart(8, '0')}`,
    };
    return new LazyCitizen(identity, {
      seedHash,
      member,
      status: hh.economicStatus,
      serials,
    }) as unknown as Citizen;
  };

  const findByNationalId = (nationalId: string): Citizen | undefined => {
    if (!isValidNationalId(nationalId)) return undefined;
    const index = idSerials.invert(Number(nationalId.slice(2, 9)));
    if (index >= size) return undefined;
    const found = citizen(index);
    // The serial identifies the index; the letter and gender digit must also be this citizen's.
    return found.nationalId === nationalId ? found : undefined;
  };

  const population: Population = {
    seed,
    size,
    citizen,
    household: (index) => citizen(index).household.memberIndexes.map(citizen),
    findByNationalId,
    record: (datasetId: string, nationalId: string) => {
      if (!isDemoDatasetId(datasetId)) throw new RangeError(`the demo has no dataset "${datasetId}"`);
      const found = findByNationalId(nationalId);
      return found ? buildRecord(datasetId, found, internals) : undefined;
    },
  } as Population;
  const internals: PopulationInternals = { seedHash, population, plan };
  return population;
}
