/**
 * A citizen's life facts that more than one agency sees: work history (labour insurance, income,
 * health insurance), disability (certificate, driving), vehicles and licences (registration,
 * property), passport and trips (consular affairs, immigration), investments (property, income).
 * Each agency's record is a view of these, which is what keeps the agencies consistent.
 */
import {
  CAR_MODELS,
  EMPLOYERS,
  type Employer,
  MOTORCYCLE_MODELS,
  OCCUPATIONAL_UNIONS,
  PLATE_LETTERS,
  type VehicleModel,
} from './data.ts';
import { addYears, ageOn, daysFromCivil, isoDate, parseIsoDate, TODAY } from './dates.ts';
import { type EconomicStatus, type MemberPlan, STREAM } from './household.ts';
import { type AffinePermutation, mix, Rng } from './rng.ts';

export type Employment =
  | 'child'
  | 'student'
  | 'employed'
  | 'self-employed'
  | 'unemployed'
  | 'homemaker'
  | 'retired';

export interface Job {
  employer: Employer;
  /** Insured through an occupational union rather than an employer (the self-employed). */
  viaUnion: boolean;
  from: string;
  /** null while the job continues. */
  to: string | null;
  monthlySalary: number;
}

export interface Disability {
  categories: number[];
  severity: 'mild' | 'moderate' | 'severe' | 'profound';
  mobilityImpaired: boolean;
  issueDate: string;
  reassessmentDate: string | null;
}

export interface Licence {
  issueDate: string;
  validUntil: string | null;
  status: 'valid' | 'suspended';
}

export interface Vehicle {
  plateNumber: string;
  kind: 'car' | 'motorcycle';
  model: VehicleModel;
  manufactureYear: number;
  registrationDate: string;
}

export interface Passport {
  number: string;
  issueDate: string;
  expiryDate: string;
  status: 'valid' | 'expired' | 'reported-lost';
}

export interface Trip {
  exit: string;
  /** null while the person is still abroad. */
  entry: string | null;
}

export interface LifeFacts {
  employment: Employment;
  /** Oldest first; the current job, if any, is last and has `to: null`. */
  jobs: Job[];
  disability: Disability | null;
  carLicence: Licence | null;
  motorcycleLicence: Licence | null;
  professionalLicence: Licence | null;
  vehicles: Vehicle[];
  passport: Passport | null;
  /** Trips abroad since the border reopened on 2022-10-13, oldest first. */
  trips: Trip[];
  /** Listed shares and funds, NT$; 0 when none. */
  investments: number;
  /** Owns a second dwelling that is let out. */
  letsProperty: boolean;
}

/** Serial-number spaces shared by everyone in a population. */
export interface Serials {
  cars: AffinePermutation;
  motorcycles: AffinePermutation;
  passports: AffinePermutation;
}

const BORDER_REOPENED = daysFromCivil(2022, 10, 13);
const YEAR = 365;

function disabilityFor(rng: Rng, age: number): Disability | null {
  const p = age < 18 ? 0.015 : age < 65 ? 0.035 : 0.14;
  if (!rng.chance(p)) return null;
  const r = rng.float();
  const severity = r < 0.4 ? 'mild' : r < 0.7 ? 'moderate' : r < 0.9 ? 'severe' : 'profound';
  // ICF categories 1–8 weighted by how often each appears on certificates (7: movement, 1: mental).
  const main = rng.pick([1, 1, 1, 2, 2, 4, 5, 6, 6, 7, 7, 7, 7, 8, 3]);
  const categories = rng.chance(0.2) ? [...new Set([main, rng.int(1, 8)])].sort((a, b) => a - b) : [main];
  const mobilityImpaired = categories.includes(7)
    ? rng.chance(0.8)
    : severity === 'severe' || severity === 'profound'
      ? rng.chance(0.5)
      : rng.chance(0.1);
  const issue = TODAY - rng.int(30, 5 * YEAR - 30);
  // Stable conditions are certified without reassessment (永久效期); the rest are reviewed in 5 years.
  const permanent = rng.chance(0.3);
  return {
    categories,
    severity,
    mobilityImpaired,
    issueDate: isoDate(issue),
    reassessmentDate: permanent ? null : isoDate(addYears(issue, 5)),
  };
}

function employmentFor(rng: Rng, age: number, status: EconomicStatus, disabled: boolean): Employment {
  if (age < 15) return 'child';
  if (age < 18) return 'student';
  if (age < 23) return rng.chance(0.35) ? 'employed' : 'student';
  const r = rng.float();
  if (age >= 65) return r < 0.08 ? 'employed' : r < 0.12 ? 'self-employed' : 'retired';
  const hard = status !== 'normal';
  const employed = (hard ? 0.45 : 0.72) * (disabled ? 0.5 : 1);
  const self = employed + 0.1;
  const home = self + (hard ? 0.2 : 0.1);
  return r < employed ? 'employed' : r < self ? 'self-employed' : r < home ? 'homemaker' : 'unemployed';
}

function salaryFor(rng: Rng, age: number, status: EconomicStatus): number {
  if (status !== 'normal') return rng.int(295, 330) * 100;
  let s: number;
  if (age < 30) s = rng.int(30_000, 45_000);
  else if (age < 45) s = rng.int(36_000, 70_000);
  else if (age < 65) s = rng.int(38_000, 85_000);
  else s = rng.int(29_500, 45_000);
  if (rng.chance(0.1)) s *= 1.3 + rng.float();
  return Math.round(s / 100) * 100;
}

function job(
  employer: Employer,
  from: number,
  to: number | null,
  monthlySalary: number,
  viaUnion = false,
): Job {
  return { employer, viaUnion, from: isoDate(from), to: to === null ? null : isoDate(to), monthlySalary };
}

// Helpers are top-level functions, not closures: this runs for every citizen looked up, and
// tsx wraps each closure it creates in a naming helper that costs more than the work.
function jobsFor(
  rng: Rng,
  employment: Employment,
  birthDays: number,
  age: number,
  status: EconomicStatus,
): Job[] {
  const careerStart = addYears(birthDays, age >= 23 ? rng.int(20, 23) : 18) + rng.int(0, 300);
  switch (employment) {
    case 'employed': {
      if (age < 23) {
        const from = Math.max(addYears(birthDays, 18), TODAY - rng.int(30, 2 * YEAR));
        return [job(rng.pick(EMPLOYERS), from, null, rng.int(120, 260) * 100)];
      }
      const salary = salaryFor(rng, age, status);
      const span = Math.max(30, TODAY - careerStart);
      const from = TODAY - Math.max(30, Math.floor(span * rng.float() ** 1.5));
      const jobs: Job[] = [];
      if (from - careerStart > 2 * YEAR && rng.chance(0.7)) {
        jobs.push(
          job(
            rng.pick(EMPLOYERS),
            careerStart,
            from - rng.int(1, 90),
            Math.round((salary * 0.8) / 100) * 100,
          ),
        );
      }
      jobs.push(job(rng.pick(EMPLOYERS), from, null, salary));
      return jobs;
    }
    case 'self-employed': {
      const span = Math.max(30, TODAY - careerStart);
      const from = TODAY - Math.max(30, Math.floor(span * rng.float()));
      return [job(rng.pick(OCCUPATIONAL_UNIONS), from, null, rng.int(250, 900) * 100, true)];
    }
    case 'retired': {
      const retired = Math.min(TODAY - 30, addYears(birthDays, rng.int(58, 65)));
      const middle = careerStart + Math.floor((retired - careerStart) * (0.3 + rng.float() * 0.4));
      const salary = rng.int(300, 600) * 100;
      return [
        job(
          rng.pick(EMPLOYERS),
          careerStart,
          middle - rng.int(1, 60),
          Math.round((salary * 0.7) / 100) * 100,
        ),
        job(rng.pick(EMPLOYERS), middle, retired, salary),
      ];
    }
    case 'unemployed': {
      if (!rng.chance(0.7)) return [];
      const end = TODAY - rng.int(30, 540);
      const from = Math.max(careerStart, end - rng.int(1, 8) * YEAR);
      return from < end ? [job(rng.pick(EMPLOYERS), from, end, salaryFor(rng, age, status))] : [];
    }
    case 'homemaker': {
      if (!rng.chance(0.5)) return [];
      const end = Math.min(TODAY - YEAR, careerStart + rng.int(2, 10) * YEAR);
      return careerStart < end
        ? [job(rng.pick(EMPLOYERS), careerStart, end, salaryFor(rng, age - 10, status))]
        : [];
    }
    default:
      return [];
  }
}

function licenceFor(rng: Rng, birthDays: number, age: number, latestAgeAtIssue: number): Licence {
  const earliest = addYears(birthDays, 18);
  const latest = Math.min(TODAY - 1, addYears(birthDays, Math.min(age, latestAgeAtIssue) + 1) - 1);
  const issue = rng.int(earliest, Math.max(earliest, latest));
  // Ordinary licences are valid until 75; after that they are renewed every three years.
  const at75 = addYears(birthDays, 75);
  const validUntil = at75 > TODAY ? at75 : TODAY + rng.int(30, 3 * YEAR);
  return {
    issueDate: isoDate(issue),
    validUntil: isoDate(validUntil),
    status: rng.chance(0.02) ? 'suspended' : 'valid',
  };
}

function licensedFrom(l: Licence | null): number {
  return l ? Number(l.issueDate.slice(0, 4)) : 0;
}

function plate(letters: number, digits: number, serial: number): string {
  const d = serial % 10 ** digits;
  let rest = Math.floor(serial / 10 ** digits);
  let prefix = '';
  for (let i = 0; i < letters; i++) {
    prefix = PLATE_LETTERS[rest % PLATE_LETTERS.length] + prefix;
    rest = Math.floor(rest / PLATE_LETTERS.length);
  }
  return `${prefix}-${String(d).padStart(digits, '0')}`;
}

function vehicleFor(
  rng: Rng,
  kind: 'car' | 'motorcycle',
  serial: number,
  birthDays: number,
  notBefore: number,
): Vehicle {
  const earliest = Math.max(notBefore, addYears(birthDays, 20), daysFromCivil(2008, 1, 1));
  const registered = rng.int(Math.min(earliest, TODAY - 7), TODAY - 7);
  const registeredYear = Number(isoDate(registered).slice(0, 4));
  return {
    plateNumber: kind === 'car' ? plate(3, 4, serial) : plate(3, 3, serial),
    kind,
    model: rng.pick(kind === 'car' ? CAR_MODELS : MOTORCYCLE_MODELS),
    // Most are bought new; some second-hand.
    manufactureYear: rng.chance(0.8) ? registeredYear : registeredYear - rng.int(1, 5),
    registrationDate: isoDate(registered),
  };
}

function passportFor(
  rng: Rng,
  serials: Serials,
  index: number,
  birthDays: number,
  age: number,
  status: EconomicStatus,
): Passport | null {
  const p = age < 14 ? 0.3 : age < 18 ? 0.45 : age <= 75 ? (status === 'normal' ? 0.62 : 0.15) : 0.25;
  if (!rng.chance(p) || birthDays + 30 > TODAY - 30) return null;
  const issue = rng.int(Math.max(birthDays + 30, TODAY - 12 * YEAR), TODAY - 30);
  // Passports are valid for 10 years, or 5 for those under 14 when issued.
  const expiry = addYears(issue, ageOn(birthDays, issue) < 14 ? 5 : 10) - 1;
  return {
    number: `3${String(serials.passports.apply(index)).padStart(8, '0')}`,
    issueDate: isoDate(issue),
    expiryDate: isoDate(expiry),
    status: expiry < TODAY ? 'expired' : rng.chance(0.02) ? 'reported-lost' : 'valid',
  };
}

function tripsFor(
  rng: Rng,
  passport: Passport | null,
  issueDays: number,
  expiryDays: number,
  status: EconomicStatus,
): Trip[] {
  if (!passport) return [];
  const lo = Math.max(BORDER_REOPENED, issueDays);
  const hi = Math.min(TODAY - 1, expiryDays - 1);
  const r = rng.float();
  let wanted = r < 0.3 ? 0 : r < 0.8 ? rng.int(1, 3) : r < 0.95 ? rng.int(4, 9) : rng.int(10, 24);
  if (status !== 'normal') wanted = Math.min(wanted, 1);
  const n = Math.min(wanted, Math.floor((hi - lo) / 20));
  if (n <= 0) return [];
  const slot = Math.floor((hi - lo) / n);
  const trips: Trip[] = [];
  for (let k = 0; k < n; k++) {
    const duration = rng.int(2, Math.min(14, slot - 4));
    const exit = lo + k * slot + rng.int(1, slot - duration - 2);
    trips.push({ exit: isoDate(exit), entry: isoDate(exit + duration) });
  }
  const last = trips[trips.length - 1] as Trip;
  if (rng.chance(0.03)) last.entry = null;
  return trips;
}

/** Everything about one person's life that agencies record, from (seed, index) and their household. */
export function lifeFacts(
  seedHash: number,
  index: number,
  member: MemberPlan,
  status: EconomicStatus,
  serials: Serials,
): LifeFacts {
  const { age, birthDays } = member;
  const rng = new Rng(mix(seedHash, index, STREAM.life));
  const disability = disabilityFor(rng, age);
  const employment = employmentFor(rng, age, status, disability !== null);
  const jobs = jobsFor(rng, employment, birthDays, age, status);

  const hard = status !== 'normal';
  const v = new Rng(mix(seedHash, index, STREAM.vehicles));
  let carLicence: Licence | null = null;
  let motorcycleLicence: Licence | null = null;
  let professionalLicence: Licence | null = null;
  const vehicles: Vehicle[] = [];
  if (age >= 18) {
    const mobility = disability?.mobilityImpaired === true;
    const carP = mobility ? 0.12 : (age <= 80 ? 0.68 : 0.3) * (hard ? 0.6 : 1) * (disability ? 0.7 : 1);
    const motoP = mobility ? 0.1 : age <= 80 ? 0.78 : 0.35;
    if (v.chance(carP)) carLicence = licenceFor(v, birthDays, age, 30);
    if (v.chance(motoP)) motorcycleLicence = licenceFor(v, birthDays, age, 25);
    if (carLicence && v.chance(0.04)) professionalLicence = licenceFor(v, birthDays, age, 45);

    // Some own a car they do not drive themselves (an elder whose child drives it, say).
    const ownsCar = age >= 20 && v.chance(mobility ? 0.1 : carLicence ? (hard ? 0.15 : 0.5) : 0.05);
    const cars = ownsCar ? (v.chance(0.12) ? 2 : 1) : 0;
    const ownsMotorcycle = v.chance(motorcycleLicence ? 0.6 : 0.03);
    const motorcycles = ownsMotorcycle ? (v.chance(0.15) ? 2 : 1) : 0;
    for (let k = 0; k < cars; k++) {
      const notBefore = daysFromCivil(Math.max(2008, licensedFrom(carLicence)), 1, 1);
      vehicles.push(vehicleFor(v, 'car', serials.cars.apply(index * 2 + k), birthDays, notBefore));
    }
    for (let k = 0; k < motorcycles; k++) {
      const notBefore = daysFromCivil(Math.max(2008, licensedFrom(motorcycleLicence)), 1, 1);
      vehicles.push(
        vehicleFor(v, 'motorcycle', serials.motorcycles.apply(index * 2 + k), birthDays, notBefore),
      );
    }
  }

  const t = new Rng(mix(seedHash, index, STREAM.travel));
  const passport = passportFor(t, serials, index, birthDays, age, status);
  const trips = passport
    ? tripsFor(t, passport, parseIsoDate(passport.issueDate), parseIsoDate(passport.expiryDate), status)
    : [];

  const adult = age >= 20;
  const investments = adult && !hard && rng.chance(0.25) ? rng.int(10, 3000) * 1000 : 0;
  const letsProperty = adult && !hard && rng.chance(0.05);

  return {
    employment,
    jobs,
    disability,
    carLicence,
    motorcycleLicence,
    professionalLicence,
    vehicles,
    passport,
    trips,
    investments,
    letsProperty,
  };
}
