import {
  isValidNationalId,
  NATIONAL_ID_LETTER_CODES,
  nationalIdCheckDigit,
  nationalIdGender,
} from '@mydata/core';
import { describe, expect, it } from 'vitest';
import { ageOn, parseIsoDate, REFERENCE_DATE } from './dates.ts';
import { DATASET_IDS } from './payloads.ts';
import { findTestPersonas, PERSONA_KINDS } from './personas.ts';
import { type Citizen, createPopulation, DEMO_SEED, MAX_POPULATION_SIZE } from './population.ts';

const TODAY = parseIsoDate(REFERENCE_DATE);
const demo = createPopulation({ seed: DEMO_SEED, size: 20_000 });
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const plain = (c: Citizen) => JSON.parse(JSON.stringify(c)) as unknown;

describe('createPopulation', () => {
  it('rejects sizes outside 1..1,000,000 and indexes outside the population', () => {
    for (const size of [0, -1, 1.5, MAX_POPULATION_SIZE + 1]) {
      expect(() => createPopulation({ seed: 1, size })).toThrow(RangeError);
    }
    const tiny = createPopulation({ seed: 1, size: 3 });
    expect(tiny.citizen(2).index).toBe(2);
    expect(() => tiny.citizen(3)).toThrow(RangeError);
    expect(() => tiny.citizen(-1)).toThrow(RangeError);
  });

  it('is deterministic: the same seed gives the same citizens, facts included', () => {
    const again = createPopulation({ seed: DEMO_SEED, size: 20_000 });
    for (const i of [0, 1, 2, 3, 17, 999, 19_999])
      expect(plain(again.citizen(i))).toEqual(plain(demo.citizen(i)));
    // A number seed and its decimal string are the same seed.
    expect(createPopulation({ seed: 42, size: 10 }).citizen(5).nationalId).toBe(
      createPopulation({ seed: '42', size: 10 }).citizen(5).nationalId,
    );
  });

  it('a citizen does not depend on the population size, except for cut-off household members', () => {
    const small = createPopulation({ seed: DEMO_SEED, size: 101 });
    for (const i of [0, 50, 99]) {
      const { household: a, ...restA } = plain(small.citizen(i)) as Citizen;
      const { household: b, ...restB } = plain(demo.citizen(i)) as Citizen;
      expect(restA).toEqual(restB);
      expect(a.number).toBe(b.number);
    }
    for (const j of small.citizen(100).household.memberIndexes) expect(j).toBeLessThan(101);
  });

  it('different seeds give different people', () => {
    const other = createPopulation({ seed: 'another-seed', size: 20_000 });
    const same = range(200).filter((i) => other.citizen(i).nationalId === demo.citizen(i).nationalId);
    expect(same).toEqual([]);
    const names = range(200).filter((i) => other.citizen(i).name === demo.citizen(i).name);
    expect(names.length).toBeLessThan(20);
  });
});

describe('national IDs', () => {
  it('are valid, unique, and encode the gender', () => {
    const seen = new Set<string>();
    for (const i of range(5000)) {
      const c = demo.citizen(i);
      expect(isValidNationalId(c.nationalId), c.nationalId).toBe(true);
      expect(nationalIdGender(c.nationalId)).toBe(c.gender);
      expect((c.nationalId[0] as string) in NATIONAL_ID_LETTER_CODES).toBe(true);
      seen.add(c.nationalId);
    }
    expect(seen.size).toBe(5000);
  });

  it('look up back to the same citizen', () => {
    for (const i of [0, 1, 2, 3, 4, 1234, 19_999]) {
      const c = demo.citizen(i);
      expect(demo.findByNationalId(c.nationalId)?.index).toBe(i);
    }
  });

  it('look up in O(1) on a population of a million', () => {
    const big = createPopulation({ seed: DEMO_SEED, size: MAX_POPULATION_SIZE });
    for (const i of [0, 1, 499_999, 765_432, 999_999]) {
      const c = big.citizen(i);
      expect(big.findByNationalId(c.nationalId)?.index).toBe(i);
    }
  });

  it('return undefined for IDs nobody in the population holds', () => {
    const c = demo.citizen(10);
    const flipLetter = (id: string) => {
      // Another letter whose code has the same check contribution keeps the ID valid.
      const target = Object.keys(NATIONAL_ID_LETTER_CODES).find((l) => {
        if (l === id[0]) return false;
        const candidate = `${l}${id.slice(1, 9)}`;
        return nationalIdCheckDigit(candidate) === Number(id[9]);
      });
      return `${target}${id.slice(1)}`;
    };
    const otherLetter = flipLetter(c.nationalId);
    expect(isValidNationalId(otherLetter)).toBe(true);
    expect(demo.findByNationalId(otherLetter)).toBeUndefined();
    expect(demo.findByNationalId('A123456788')).toBeUndefined();
    expect(demo.findByNationalId('not an id')).toBeUndefined();
    // An ID whose serial maps beyond the population.
    const small = createPopulation({ seed: DEMO_SEED, size: 10 });
    expect(small.findByNationalId(demo.citizen(15_000).nationalId)).toBeUndefined();
  });
});

describe('identity formats', () => {
  it('look Taiwanese and use reserved or fixed-format values', () => {
    for (const i of range(500)) {
      const c = demo.citizen(i);
      expect(c.name).toMatch(/^\p{Script=Han}{3}$/u);
      expect(c.name).toBe(`${c.surname}${c.givenName}`);
      expect(c.romanisedName).toMatch(/^[A-Z]+, [A-Z]+-[A-Z]+$/);
      expect(c.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(ageOn(parseIsoDate(c.birthDate), TODAY)).toBe(c.age);
      expect(c.address).toMatch(/^\p{Script=Han}+?[市縣]\p{Script=Han}+?[區市鎮鄉].+?\d+號(\d+樓)?$/u);
      expect(c.address.startsWith(`${c.household.county}${c.household.district}`)).toBe(true);
      expect(c.household.number).toMatch(/^[A-Z]\d{7}$/);
      expect(c.nhiCardNumber).toMatch(/^\d{12}$/);
      if (c.age >= 12) expect(c.mobile).toMatch(/^09\d{8}$/);
      else expect(c.mobile).toBeNull();
      if (c.age >= 15) expect(c.email).toMatch(/^[a-z]+\.[a-z]+\.[0-9a-z]{5}@example\.org$/);
      else expect(c.email).toBeNull();
    }
  });
});

describe('households', () => {
  const households = new Map<number, Citizen[]>();
  for (const i of range(4000)) {
    const c = demo.citizen(i);
    households.set(c.household.headIndex, [...(households.get(c.household.headIndex) ?? []), c]);
  }

  it('share address, household number and member list, with the head first', () => {
    for (const [head, members] of households) {
      expect(members[0]?.index).toBe(head);
      expect(members[0]?.household.relationship).toBe('head');
      expect(members.length).toBeGreaterThanOrEqual(1);
      expect(members.length).toBeLessThanOrEqual(4);
      for (const m of members) {
        expect(m.household.number).toBe(members[0]?.household.number);
        expect(m.address).toBe(members[0]?.address);
        expect(m.household.memberIndexes).toEqual(members.map((x) => x.index));
        expect(m.household.economicStatus).toBe(members[0]?.household.economicStatus);
      }
    }
    const numbers = [...households.values()].map((m) => m[0]?.household.number);
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('have parents aged 25–80 who are at least 18 years older than their children', () => {
    let pairs = 0;
    for (const members of households.values()) {
      const of = (r: string) => members.filter((m) => m.household.relationship === r);
      const couple = [...of('head'), ...of('spouse')];
      const parentChild: [Citizen, Citizen][] = [
        ...couple.flatMap((p) => of('child').map((c): [Citizen, Citizen] => [p, c])),
        ...of('parent').flatMap((p) => of('head').map((h): [Citizen, Citizen] => [p, h])),
      ];
      for (const [parent, child] of parentChild) {
        pairs++;
        expect(parent.age).toBeGreaterThanOrEqual(25);
        expect(parent.age).toBeLessThanOrEqual(80);
        expect(ageOn(parseIsoDate(parent.birthDate), parseIsoDate(child.birthDate))).toBeGreaterThanOrEqual(
          18,
        );
      }
      const spouse = of('spouse')[0];
      if (spouse) expect(spouse.gender).not.toBe(of('head')[0]?.gender);
    }
    expect(pairs).toBeGreaterThan(1000);
  });

  it('children carry a parent’s surname', () => {
    for (const members of households.values()) {
      const parents = members.filter(
        (m) => m.household.relationship === 'head' || m.household.relationship === 'spouse',
      );
      for (const child of members.filter((m) => m.household.relationship === 'child')) {
        const father = parents.find((p) => p.gender === 'male');
        if (father) expect(child.surname).toBe(father.surname);
      }
    }
  });

  it('has a realistic mix of household sizes and a few low-income households', () => {
    const sizes = [...households.values()].map((m) => m.length);
    const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(mean).toBeGreaterThan(2);
    expect(mean).toBeLessThan(3);
    const low = [...households.values()].filter((m) => m[0]?.household.economicStatus !== 'normal').length;
    expect(low / households.size).toBeGreaterThan(0.02);
    expect(low / households.size).toBeLessThan(0.15);
  });
});

describe('life facts', () => {
  const sample = range(3000).map((i) => demo.citizen(i));

  it('children have no job, licence or vehicle; retired elders are not insured at work', () => {
    for (const c of sample) {
      if (c.age < 18) {
        expect(c.facts.jobs).toEqual([]);
        expect(c.facts.carLicence).toBeNull();
        expect(c.facts.motorcycleLicence).toBeNull();
        expect(c.facts.vehicles).toEqual([]);
      }
      if (c.facts.employment === 'retired') {
        expect(c.age).toBeGreaterThanOrEqual(65);
        expect(c.facts.jobs.every((j) => j.to !== null)).toBe(true);
      }
      if (c.facts.employment === 'employed') expect(c.facts.jobs.at(-1)?.to).toBeNull();
    }
  });

  it('most vehicle owners have a licence, but not all', () => {
    const carOwners = sample.filter((c) => c.facts.vehicles.some((v) => v.kind === 'car'));
    const unlicensed = carOwners.filter((c) => !c.facts.carLicence);
    expect(carOwners.length).toBeGreaterThan(300);
    expect(unlicensed.length).toBeGreaterThan(0);
    expect(unlicensed.length / carOwners.length).toBeLessThan(0.2);
  });

  it('licences are issued at 18 or later and trips fall within passport validity', () => {
    for (const c of sample) {
      for (const l of [c.facts.carLicence, c.facts.motorcycleLicence]) {
        if (l) expect(ageOn(parseIsoDate(c.birthDate), parseIsoDate(l.issueDate))).toBeGreaterThanOrEqual(18);
      }
      const p = c.facts.passport;
      let previous = '';
      for (const trip of c.facts.trips) {
        expect(p).not.toBeNull();
        expect(trip.exit >= (p?.issueDate ?? '') && trip.exit <= (p?.expiryDate ?? '')).toBe(true);
        expect(trip.exit > previous).toBe(true);
        expect(trip.entry === null || trip.entry > trip.exit).toBe(true);
        expect(trip.exit < REFERENCE_DATE).toBe(true);
        previous = trip.entry ?? trip.exit;
      }
    }
  });
});

describe('cross-agency consistency', () => {
  it('household registration and ID card agree on name, birth date, gender and address', () => {
    for (const i of range(300)) {
      const c = demo.citizen(i);
      const reg = demo.record(DATASET_IDS.householdRegistration, c.nationalId);
      const card = demo.record(DATASET_IDS.nationalIdCard, c.nationalId);
      expect(reg).toMatchObject({
        name: c.name,
        birthDate: c.birthDate,
        gender: c.gender,
        address: c.address,
      });
      if (c.age < 14) {
        expect(card).toBeUndefined();
        continue;
      }
      expect(card).toMatchObject({
        name: c.name,
        birthDate: c.birthDate,
        gender: c.gender,
        address: c.address,
      });
      const spouse = reg?.members.find((m) =>
        c.household.relationship === 'head'
          ? m.relationshipToHead === 'spouse'
          : c.household.relationship === 'spouse' && m.relationshipToHead === 'head',
      );
      expect(card?.spouseName).toBe(spouse?.name ?? null);
    }
  });

  it('a household member appears the same in everyone’s household registration', () => {
    for (const head of [0, 40, 400]) {
      const members = demo.household(head);
      const views = members.map((m) => demo.record(DATASET_IDS.householdRegistration, m.nationalId)?.members);
      for (const v of views) expect(v).toEqual(views[0]);
    }
  });

  it('labour insurance, income and NHI agree on the current employer', () => {
    let checked = 0;
    for (const i of range(600)) {
      const c = demo.citizen(i);
      const job = c.facts.jobs.find((j) => j.to === null && !j.viaUnion);
      if (!job) continue;
      checked++;
      expect(demo.record(DATASET_IDS.labourInsurance, c.nationalId)?.employerName).toBe(job.employer.name);
      expect(demo.record(DATASET_IDS.nhiStatus, c.nationalId)).toMatchObject({
        category: 1,
        insuredUnit: job.employer.name,
      });
      if (job.from < '2024-06-01') {
        const salary = demo
          .record(DATASET_IDS.income, c.nationalId)
          ?.items.find((x) => x.category === 'salary' && x.payerName === job.employer.name);
        expect(salary?.amount).toBeGreaterThan(0);
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the cars in the property record are the cars in the vehicle registration', () => {
    for (const i of range(600)) {
      const c = demo.citizen(i);
      const plates = (demo.record(DATASET_IDS.vehicleRegistration, c.nationalId)?.vehicles ?? [])
        .filter((v) => v.kind === 'car')
        .map((v) => v.plateNumber);
      const listed = (demo.record(DATASET_IDS.property, c.nationalId)?.items ?? [])
        .filter((x) => x.kind === 'vehicle')
        .map((x) => /（(.+)）/.exec(x.description)?.[1]);
      expect(listed).toEqual(plates);
    }
  });

  it('agencies hold no record where there is nothing to record', () => {
    for (const i of range(600)) {
      const c = demo.citizen(i);
      const has = (id: string) => demo.record(id, c.nationalId) !== undefined;
      expect(has(DATASET_IDS.householdRegistration)).toBe(true);
      expect(has(DATASET_IDS.nhiStatus)).toBe(true);
      expect(has(DATASET_IDS.passport)).toBe(c.facts.passport !== null);
      expect(has(DATASET_IDS.entryExit)).toBe(c.facts.passport !== null);
      expect(has(DATASET_IDS.disabilityCertificate)).toBe(c.facts.disability !== null);
      expect(has(DATASET_IDS.lowIncomeStatus)).toBe(c.household.economicStatus !== 'normal');
      if (c.age < 15) {
        expect(has(DATASET_IDS.income)).toBe(false);
        expect(has(DATASET_IDS.labourInsurance)).toBe(false);
        expect(has(DATASET_IDS.property)).toBe(false);
        expect(has(DATASET_IDS.drivingLicence)).toBe(false);
      }
    }
  });

  it('refuses datasets it does not have, and unknown people get no record', () => {
    expect(() => demo.record('moe.transcripts', demo.citizen(0).nationalId)).toThrow(RangeError);
    expect(demo.record(DATASET_IDS.householdRegistration, 'A123456789')).toBeUndefined();
  });
});

describe('test personas', () => {
  it('finds every kind in the demo world, deterministically, with the properties promised', () => {
    const personas = findTestPersonas(demo);
    expect(personas.map((p) => p.kind)).toEqual([...PERSONA_KINDS]);
    expect(findTestPersonas(demo).map((p) => p.citizen.index)).toEqual(personas.map((p) => p.citizen.index));
    const byKind = Object.fromEntries(personas.map((p) => [p.kind, p]));

    const disabled = byKind['disabled-without-car'];
    expect(disabled?.citizen.facts.disability?.mobilityImpaired).toBe(true);
    expect(
      demo
        .record(DATASET_IDS.vehicleRegistration, disabled?.citizen.nationalId ?? '')
        ?.vehicles.some((v) => v.kind === 'car') ?? false,
    ).toBe(false);
    expect(
      demo
        .record(DATASET_IDS.drivingLicence, disabled?.citizen.nationalId ?? '')
        ?.licences.some((l) => l.class === 'ordinary-car') ?? false,
    ).toBe(false);
    const helper = disabled?.related;
    expect(helper?.household.number).toBe(disabled?.citizen.household.number);
    expect(
      demo
        .record(DATASET_IDS.vehicleRegistration, helper?.nationalId ?? '')
        ?.vehicles.some((v) => v.kind === 'car'),
    ).toBe(true);
    expect(disabled?.citizen.household.county).toBe('屏東縣');

    expect(
      demo.record(DATASET_IDS.lowIncomeStatus, byKind['low-income']?.citizen.nationalId ?? '')?.status,
    ).toBe('low-income');
    expect(
      demo.record(DATASET_IDS.entryExit, byKind['frequent-traveller']?.citizen.nationalId ?? '')?.movements
        .length,
    ).toBeGreaterThanOrEqual(20);
    expect(
      demo.record(DATASET_IDS.passport, byKind['frequent-traveller']?.citizen.nationalId ?? '')?.status,
    ).toBe('valid');
    expect(byKind['young-parent']?.related?.age).toBeLessThan(6);
  });

  it('leaves out kinds it cannot find in a tiny population', () => {
    const tiny = createPopulation({ seed: DEMO_SEED, size: 3 });
    expect(findTestPersonas(tiny).length).toBeLessThan(PERSONA_KINDS.length);
  });
});
