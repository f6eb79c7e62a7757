/**
 * Households: consecutive indexes are grouped in blocks of four, and each block is split into
 * households of one to four people. A household's shape, ages, surnames and address follow from
 * (seed, index of its first member) alone, so every agency sees the same family.
 */
import { COUNTY_TABLE, type County, type District, SURNAMES, type Surname } from './data.ts';
import { daysFromCivil, TODAY } from './dates.ts';
import { type AffinePermutation, mix, Rng, weightedTable } from './rng.ts';

export type Gender = 'male' | 'female';
export type Relationship = 'head' | 'spouse' | 'child' | 'parent';
export type EconomicStatus = 'normal' | 'low-income' | 'middle-low-income';
export type HouseholdKind =
  | 'single'
  | 'couple'
  | 'single-parent'
  | 'with-parent'
  | 'couple-with-children'
  | 'couple-with-parent'
  | 'three-generation';

export const BLOCK_SIZE = 4;

/** Stream tags: each concern draws from its own generator so changing one never shifts another. */
export const STREAM = {
  block: 1,
  household: 2,
  person: 3,
  life: 4,
  parents: 5,
  travel: 6,
  vehicles: 7,
  income: 8,
  property: 9,
  nhi: 10,
  licence: 11,
  idCard: 12,
  lowIncome: 13,
  labour: 14,
  permutation: 100,
} as const;

export interface MemberPlan {
  relationship: Relationship;
  gender: Gender;
  /** Age on the reference date. */
  age: number;
  birthDays: number;
  surname: Surname;
}

export interface HouseholdPlan {
  /** Index of the first member, who is the head. */
  start: number;
  kind: HouseholdKind;
  /** Members as planned; a population whose size cuts a household short drops the last ones. */
  members: MemberPlan[];
  county: County;
  district: District;
  address: string;
  number: string;
  economicStatus: EconomicStatus;
  moveInDays: number;
  /** Which member (0 head, 1 spouse) owns the home, or -1 when the household rents. */
  homeOwner: number;
}

// Splits of a block of four into consecutive households; weights give a mean household of
// about 2.3 people (Taiwan's registered households average 2.5, with many single-person ones).
const PARTITIONS = weightedTable<readonly number[]>(
  [[4], [3, 1], [1, 3], [2, 2], [2, 1, 1], [1, 2, 1], [1, 1, 2], [1, 1, 1, 1]],
  (p) => ({ 4: 45, 31: 13, 13: 13, 22: 15, 211: 3, 121: 3, 112: 3, 1111: 5 })[Number(p.join(''))] ?? 0,
);

/** Where each household in block b starts and how many it plans, computed from the block alone. */
export function blockPartition(seedHash: number, block: number): readonly number[] {
  return new Rng(mix(seedHash, block, STREAM.block)).weighted(PARTITIONS);
}

interface Shape {
  kind: HouseholdKind;
  spouse: boolean;
  children: number;
  parent: boolean;
}

function shape(kind: HouseholdKind, spouse: boolean, children: number, parent: boolean): Shape {
  return { kind, spouse, children, parent };
}

function pickShape(rng: Rng, size: number): Shape {
  const r = rng.float();
  switch (size) {
    case 1:
      return shape('single', false, 0, false);
    case 2:
      if (r < 0.5) return shape('couple', true, 0, false);
      return r < 0.75 ? shape('single-parent', false, 1, false) : shape('with-parent', false, 0, true);
    case 3:
      if (r < 0.7) return shape('couple-with-children', true, 1, false);
      return r < 0.85 ? shape('single-parent', false, 2, false) : shape('couple-with-parent', true, 0, true);
    default:
      return r < 0.7
        ? shape('couple-with-children', true, 2, false)
        : shape('three-generation', true, 1, true);
  }
}

/** Birth day for someone of a given age on the reference date; 1 January is skipped so the age is exact. */
function birthDaysForAge(rng: Rng, age: number): number {
  const year = 2025 - age;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return daysFromCivil(year, 1, 1) + rng.int(1, leap ? 365 : 364);
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The household whose head is at `start` and which plans `size` members. Anyone who is a parent
 * of another member is 25–80 and at least 19 birth years older than that child, which makes
 * them at least 18 full years older.
 */
export function planHousehold(
  seedHash: number,
  start: number,
  size: number,
  householdNumbers: AffinePermutation,
): HouseholdPlan {
  const rng = new Rng(mix(seedHash, start, STREAM.household));
  const shape = pickShape(rng, size);

  let elderAge = 0;
  let headAge: number;
  if (shape.parent) {
    elderAge = rng.int(62, 80);
    headAge = rng.int(Math.max(shape.children > 0 ? 27 : 25, elderAge - 42), elderAge - 19);
  } else if (shape.children > 0) {
    headAge = rng.chance(0.8) ? rng.int(27, 60) : rng.int(61, 80);
  } else if (shape.spouse) {
    headAge = rng.int(22, 90);
  } else {
    headAge = rng.chance(0.3) ? rng.int(65, 95) : rng.int(20, 64);
  }
  const parentOfChildren = shape.children > 0;
  const spouseAge = shape.spouse
    ? clamp(headAge + rng.int(-6, 4), parentOfChildren ? 25 : 20, parentOfChildren ? 80 : 95)
    : 0;
  const youngestParent = shape.spouse ? Math.min(headAge, spouseAge) : headAge;

  const headGender: Gender = rng.chance(shape.spouse ? 0.7 : shape.kind === 'single-parent' ? 0.3 : 0.5)
    ? 'male'
    : 'female';
  const other: Gender = headGender === 'male' ? 'female' : 'male';
  const headSurname = rng.weighted(SURNAMES);
  const spouseSurname = rng.weighted(SURNAMES);
  // Children take the father's surname; a single mother's children sometimes take hers.
  const childSurname = shape.spouse
    ? headGender === 'male'
      ? headSurname
      : spouseSurname
    : headGender === 'male' || rng.chance(0.3)
      ? headSurname
      : rng.weighted(SURNAMES);

  const members: MemberPlan[] = [
    {
      relationship: 'head',
      gender: headGender,
      age: headAge,
      birthDays: birthDaysForAge(rng, headAge),
      surname: headSurname,
    },
  ];
  if (shape.spouse) {
    members.push({
      relationship: 'spouse',
      gender: other,
      age: spouseAge,
      birthDays: birthDaysForAge(rng, spouseAge),
      surname: spouseSurname,
    });
  }
  for (let c = 0; c < shape.children; c++) {
    const age = rng.int(Math.max(0, youngestParent - 45), youngestParent - 19);
    members.push({
      relationship: 'child',
      gender: rng.chance(0.5) ? 'male' : 'female',
      age,
      birthDays: birthDaysForAge(rng, age),
      surname: childSurname,
    });
  }
  if (shape.parent) {
    const gender: Gender = rng.chance(0.6) ? 'female' : 'male';
    members.push({
      relationship: 'parent',
      gender,
      age: elderAge,
      birthDays: birthDaysForAge(rng, elderAge),
      // The head carries their father's surname.
      surname: gender === 'male' ? headSurname : rng.weighted(SURNAMES),
    });
  }

  const county = rng.weighted(COUNTY_TABLE);
  const district = rng.pick(county.districts);
  const road = rng.pick(district.roads);
  const lane = rng.chance(0.25) ? `${rng.int(1, 300)}巷` : '';
  const houseNumber = rng.int(1, 350);
  const floor = county.urban ? (rng.chance(0.85) ? rng.int(2, 15) : 1) : rng.chance(0.4) ? rng.int(2, 8) : 1;
  const address = `${county.name}${district.name}${road}${lane}${houseNumber}號${county.urban || floor > 1 ? `${floor}樓` : ''}`;

  const hardship =
    (shape.kind === 'single-parent' ? 3 : 1) * (shape.kind === 'single' && headAge >= 65 ? 2 : 1);
  const r = rng.float();
  const economicStatus: EconomicStatus =
    r < 0.02 * hardship ? 'low-income' : r < 0.045 * hardship ? 'middle-low-income' : 'normal';
  const ownP =
    headAge < 30
      ? 0.2
      : economicStatus === 'normal'
        ? 0.72
        : economicStatus === 'middle-low-income'
          ? 0.12
          : 0.03;
  const homeOwner = rng.chance(ownP) ? (shape.spouse && rng.chance(0.3) ? 1 : 0) : -1;
  const moveInDays = TODAY - rng.int(30, Math.max(31, (headAge - 20) * 365));

  return {
    start,
    kind: shape.kind,
    members,
    county,
    district,
    address,
    number: `${county.letter}${String(householdNumbers.apply(start)).padStart(7, '0')}`,
    economicStatus,
    moveInDays,
    homeOwner,
  };
}
