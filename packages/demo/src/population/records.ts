/**
 * Each demo agency's record about a citizen, as a view of the citizen's identity, household and
 * life facts. Details that only one agency keeps (penalty points, ports of departure...) are drawn
 * from that agency's own stream so they too are stable.
 */
import { BANKS, EMPLOYERS, PENSION_PAYERS, pickGivenName, SURNAMES } from './data.ts';
import { addYears, daysFromCivil, isoDate, parseIsoDate, TODAY } from './dates.ts';
import { STREAM } from './household.ts';
import type { Job } from './life.ts';
import {
  DATASET_IDS,
  type DemoDatasetId,
  type DemoPayloads,
  type DisabilityCertificatePayload,
  type DrivingLicencePayload,
  type EntryExitPayload,
  type HouseholdRegistrationPayload,
  type IncomePayload,
  type LabourInsurancePayload,
  type LowIncomeStatusPayload,
  type NationalIdCardPayload,
  type NhiStatusPayload,
  type PassportPayload,
  type PropertyPayload,
  type VehicleRegistrationPayload,
} from './payloads.ts';
import type { Citizen, PopulationInternals } from './population.ts';
import { mix, Rng } from './rng.ts';

const KNOWN = new Set<string>(Object.values(DATASET_IDS));

/** True for the dataset ids the demo population can answer. */
export function isDemoDatasetId(id: string): id is DemoDatasetId {
  return KNOWN.has(id);
}

const INCOME_YEAR = 2024;
// Income is filed in May for the year before, so on 2026-01-01 the latest complete year is 2024.
const INCOME_FROM = daysFromCivil(INCOME_YEAR, 1, 1);
const INCOME_TO = daysFromCivil(INCOME_YEAR, 12, 31);

// Labour insurance grades (勞工保險投保薪資分級表, 2026: minimum wage NT$29,500, ceiling NT$45,800);
// the grades below the minimum wage are for part-time workers.
const LABOUR_GRADES = [
  11_100, 12_540, 13_500, 15_840, 16_500, 17_280, 17_880, 19_047, 20_008, 21_009, 22_000, 23_100, 24_000,
  25_250, 26_400, 27_600, 29_500, 30_300, 31_800, 33_300, 34_800, 36_300, 38_200, 40_100, 42_000, 43_900,
  45_800,
];

function insuredSalary(monthly: number): number {
  for (const g of LABOUR_GRADES) if (g >= monthly) return g;
  return LABOUR_GRADES[LABOUR_GRADES.length - 1] as number;
}

const rngFor = (ctx: PopulationInternals, c: Citizen, stream: number) =>
  new Rng(mix(ctx.seedHash, c.index, stream));
const currentJob = (c: Citizen): Job | undefined => c.facts.jobs.find((j) => j.to === null);
const townOffice = (c: Citizen) => `${c.household.district}公所`;
const countyGovernment = (c: Citizen) => `${c.household.county}政府`;

function householdRegistration(c: Citizen, ctx: PopulationInternals): HouseholdRegistrationPayload {
  return {
    nationalId: c.nationalId,
    name: c.name,
    gender: c.gender,
    birthDate: c.birthDate,
    householdNumber: c.household.number,
    relationshipToHead: c.household.relationship,
    county: c.household.county,
    district: c.household.district,
    address: c.household.address,
    moveInDate: c.household.moveInDate,
    members: ctx.population.household(c.index).map((m) => ({
      nationalId: m.nationalId,
      name: m.name,
      relationshipToHead: m.household.relationship,
      gender: m.gender,
      birthDate: m.birthDate,
    })),
  };
}

function nationalIdCard(c: Citizen, ctx: PopulationInternals): NationalIdCardPayload | undefined {
  // Cards are first issued at 14.
  if (c.age < 14) return undefined;
  const members = ctx.population.household(c.index);
  const rel = c.household.relationship;
  const parents = members.filter((m) =>
    rel === 'child'
      ? m.household.relationship === 'head' || m.household.relationship === 'spouse'
      : rel === 'head' && m.household.relationship === 'parent',
  );
  const spouse = members.find((m) =>
    rel === 'head'
      ? m.household.relationship === 'spouse'
      : rel === 'spouse' && m.household.relationship === 'head',
  );
  const knownFather = parents.find((p) => p.gender === 'male');
  const knownMother = parents.find((p) => p.gender === 'female');

  const rng = rngFor(ctx, c, STREAM.parents);
  const parentBirthYear = Number(c.birthDate.slice(0, 4)) - 28;
  const fatherSurname =
    knownMother && knownMother.surname === c.surname ? rng.weighted(SURNAMES)[0] : c.surname;
  const fatherName = knownFather?.name ?? `${fatherSurname}${pickGivenName(rng, 'male', parentBirthYear)[0]}`;
  const motherName =
    knownMother?.name ?? `${rng.weighted(SURNAMES)[0]}${pickGivenName(rng, 'female', parentBirthYear)[0]}`;

  const r = rngFor(ctx, c, STREAM.idCard);
  const birth = parseIsoDate(c.birthDate);
  const at14 = addYears(birth, 14);
  // Every card was replaced in the 2005 nationwide renewal; those who turned 14 later got a first card.
  const renewal2005 = daysFromCivil(2005, 1, 1);
  let issue = at14 < renewal2005 ? renewal2005 + r.int(0, 364) : Math.min(TODAY - 1, at14 + r.int(0, 300));
  let issueType: NationalIdCardPayload['issueType'] = at14 < renewal2005 ? 'renewal' : 'first-issue';
  if (issue < TODAY - 2 && r.chance(0.12)) {
    issue = r.int(issue + 1, TODAY - 1);
    issueType = 'replacement';
  }
  return {
    nationalId: c.nationalId,
    name: c.name,
    gender: c.gender,
    birthDate: c.birthDate,
    birthPlace: c.birthPlace,
    fatherName,
    motherName,
    spouseName: spouse?.name ?? null,
    address: c.address,
    issueDate: isoDate(issue),
    issueType,
    issuingOffice: `${c.household.county}${c.household.district}戶政事務所`,
  };
}

function overlapDays(from: string, to: string | null, lo: number, hi: number): number {
  const a = Math.max(parseIsoDate(from), lo);
  const b = Math.min(to === null ? TODAY : parseIsoDate(to), hi);
  return Math.max(0, b - a + 1);
}

function income(c: Citizen, ctx: PopulationInternals): IncomePayload | undefined {
  const rng = rngFor(ctx, c, STREAM.income);
  const hard = c.household.economicStatus !== 'normal';
  const items: IncomePayload['items'] = [];
  for (const job of c.facts.jobs) {
    const share = overlapDays(job.from, job.to, INCOME_FROM, INCOME_TO) / 366;
    if (share <= 0) continue;
    if (job.viaUnion) {
      const client = rng.pick(EMPLOYERS);
      items.push({
        category: 'professional',
        payerName: client.name,
        payerBusinessNumber: client.businessNumber,
        amount: Math.round(job.monthlySalary * 12 * share),
      });
    } else {
      // Salaries include about 1.5 months of year-end bonus.
      items.push({
        category: 'salary',
        payerName: job.employer.name,
        payerBusinessNumber: job.employer.businessNumber,
        amount: Math.round(job.monthlySalary * 13.5 * share),
      });
    }
  }
  if (c.facts.employment === 'retired') {
    items.push({
      category: 'pension',
      payerName: rng.pick(PENSION_PAYERS),
      payerBusinessNumber: null,
      amount: rng.int(180, 720) * 1000,
    });
  }
  if (c.age >= 20 && rng.chance(hard ? 0.3 : 0.6)) {
    items.push({
      category: 'interest',
      payerName: rng.pick(BANKS),
      payerBusinessNumber: null,
      amount: hard ? rng.int(10, 2000) : rng.int(50, 30_000),
    });
  }
  if (c.facts.investments > 0) {
    const company = rng.pick(EMPLOYERS);
    items.push({
      category: 'dividend',
      payerName: company.name,
      payerBusinessNumber: company.businessNumber,
      amount: Math.round(c.facts.investments * (0.02 + rng.float() * 0.03)),
    });
  }
  if (c.facts.letsProperty) {
    items.push({
      category: 'rental',
      payerName: '承租人（個人）',
      payerBusinessNumber: null,
      amount: rng.int(120, 360) * 1000,
    });
  }
  if (items.length === 0) return undefined;
  return {
    nationalId: c.nationalId,
    name: c.name,
    taxYear: INCOME_YEAR,
    totalIncome: items.reduce((sum, i) => sum + i.amount, 0),
    items,
  };
}

const LAND_SECTIONS = ['仁愛', '和平', '中正', '民生', '興安', '福德', '永安', '光明'];

function property(c: Citizen, ctx: PopulationInternals): PropertyPayload | undefined {
  const rng = rngFor(ctx, c, STREAM.property);
  const plan = ctx.plan(c.index);
  const items: PropertyPayload['items'] = [];
  const urban = plan.county.urban;
  const landPrice = () =>
    plan.county.name === '臺北市'
      ? rng.int(300, 900) * 1000
      : urban
        ? rng.int(60, 300) * 1000
        : rng.int(15, 80) * 1000;
  const dwelling = (address: string, use: string) => {
    const area = Math.round(((urban ? rng.int(450, 1600) : rng.int(900, 2400)) / 10) * 10) / 10;
    items.push({
      kind: 'building',
      description: `房屋（${use}）`,
      location: address,
      areaSquareMetres: area,
      holdingShare: '1/1',
      value: (urban ? rng.int(300, 1500) : rng.int(150, 800)) * 1000,
    });
    // An apartment owner holds a share of the plot; a house owner usually the whole plot.
    const lot = `${c.household.county}${c.household.district}${rng.pick(LAND_SECTIONS)}段${rng.int(1, 1500)}地號`;
    const lotArea = urban ? rng.int(500, 3000) : rng.int(100, 300);
    const parts = urban ? rng.int(50, 800) : 10_000;
    const held = Math.round(lotArea * parts) / 10_000;
    items.push({
      kind: 'land',
      description: '土地（建物坐落基地）',
      location: lot,
      areaSquareMetres: held,
      holdingShare: parts === 10_000 ? '1/1' : `${parts}/10000`,
      value: Math.round(held * landPrice()),
    });
  };
  if (c.household.ownsHome) dwelling(c.address, '自住');
  if (c.facts.letsProperty) {
    const road = rng.pick(plan.district.roads);
    dwelling(
      `${c.household.county}${c.household.district}${road}${rng.int(1, 350)}號${rng.int(2, 12)}樓`,
      '出租',
    );
  }
  if (!urban && c.age >= 45 && c.household.economicStatus === 'normal' && rng.chance(0.15)) {
    const area = rng.int(500, 3000);
    items.push({
      kind: 'land',
      description: '土地（農牧用地）',
      location: `${c.household.county}${c.household.district}${rng.pick(LAND_SECTIONS)}段${rng.int(1, 3000)}地號`,
      areaSquareMetres: area,
      holdingShare: '1/1',
      value: area * rng.int(500, 2000),
    });
  }
  if (c.facts.investments > 0) {
    items.push({
      kind: 'investment',
      description: '上市櫃股票及基金',
      location: null,
      areaSquareMetres: null,
      holdingShare: null,
      value: c.facts.investments,
    });
  }
  for (const v of c.facts.vehicles) {
    if (v.kind !== 'car') continue;
    items.push({
      kind: 'vehicle',
      description: `汽車 ${v.model.make} ${v.model.model}（${v.plateNumber}）`,
      location: null,
      areaSquareMetres: null,
      holdingShare: '1/1',
      // Straight-line 15% a year depreciation of the new price.
      value: Math.round(v.model.price * 1000 * 0.85 ** Math.max(0, 2025 - v.manufactureYear)),
    });
  }
  if (items.length === 0) return undefined;
  return {
    nationalId: c.nationalId,
    name: c.name,
    referenceDate: isoDate(TODAY - 1),
    totalValue: items.reduce((sum, i) => sum + i.value, 0),
    items,
  };
}

function labourInsurance(c: Citizen, ctx: PopulationInternals): LabourInsurancePayload | undefined {
  const { jobs } = c.facts;
  if (jobs.length === 0) return undefined;
  // Union members tend to declare a low grade, whatever they earn.
  const grade = (j: Job) => insuredSalary(j.viaUnion ? Math.min(j.monthlySalary, 34_800) : j.monthlySalary);
  const current = currentJob(c);
  const days = jobs.reduce(
    (sum, j) => sum + (parseIsoDate(j.to ?? isoDate(TODAY)) - parseIsoDate(j.from)),
    0,
  );
  const last = jobs[jobs.length - 1] as Job;
  const rng = rngFor(ctx, c, STREAM.labour);
  const oldAgeBenefit: LabourInsurancePayload['oldAgeBenefit'] =
    c.facts.employment !== 'retired'
      ? 'none'
      : Number(last.to?.slice(0, 4)) >= 2009 && rng.chance(0.75)
        ? 'annuity'
        : 'lump-sum';
  return {
    nationalId: c.nationalId,
    name: c.name,
    currentlyInsured: current !== undefined,
    insuredSalary: current ? grade(current) : null,
    employerName: current?.employer.name ?? null,
    employerBusinessNumber: current?.employer.businessNumber ?? null,
    currentEnrolmentDate: current?.from ?? null,
    totalInsuredYears: Math.round((days / 365.25) * 100) / 100,
    oldAgeBenefit,
    periods: jobs.map((j) => ({
      employerName: j.employer.name,
      employerBusinessNumber: j.employer.businessNumber,
      from: j.from,
      to: j.to,
      insuredSalary: grade(j),
    })),
  };
}

function vehicleRegistration(c: Citizen, ctx: PopulationInternals): VehicleRegistrationPayload | undefined {
  if (c.facts.vehicles.length === 0) return undefined;
  const rng = rngFor(ctx, c, STREAM.vehicles + 50);
  return {
    nationalId: c.nationalId,
    name: c.name,
    vehicles: c.facts.vehicles.map((v) => ({
      plateNumber: v.plateNumber,
      kind: v.kind,
      make: v.model.make,
      model: v.model.model,
      engineCc: v.model.engineCc,
      fuel: v.model.engineCc === 0 ? 'electric' : 'petrol',
      manufactureYear: v.manufactureYear,
      registrationDate: v.registrationDate,
      // 停駛: laid up by the owner, still registered.
      status: rng.chance(0.03) ? 'suspended' : 'active',
    })),
  };
}

function drivingLicence(c: Citizen, ctx: PopulationInternals): DrivingLicencePayload | undefined {
  const { carLicence, motorcycleLicence, professionalLicence } = c.facts;
  const licences: DrivingLicencePayload['licences'] = [];
  if (carLicence) licences.push({ class: 'ordinary-car', ...carLicence });
  if (motorcycleLicence) licences.push({ class: 'ordinary-motorcycle', ...motorcycleLicence });
  if (professionalLicence) licences.push({ class: 'professional-car', ...professionalLicence });
  if (licences.length === 0) return undefined;
  const rng = rngFor(ctx, c, STREAM.licence);
  return {
    nationalId: c.nationalId,
    name: c.name,
    penaltyPoints: rng.chance(0.1) ? rng.int(1, 5) : 0,
    licences,
  };
}

/** NHI category of someone insured in their own right through work, or undefined. */
function workCategory(c: Citizen): { category: number; unit: string; from: string } | undefined {
  const job = currentJob(c);
  if (!job) return undefined;
  return { category: job.viaUnion ? 2 : 1, unit: job.employer.name, from: job.from };
}

function nhiStatus(c: Citizen, ctx: PopulationInternals): NhiStatusPayload {
  const rng = rngFor(ctx, c, STREAM.nhi);
  const base = {
    nationalId: c.nationalId,
    name: c.name,
    status: rng.chance(0.005) ? 'suspended' : 'insured',
  } as const;
  const own = workCategory(c);
  if (own) {
    return {
      ...base,
      category: own.category,
      role: 'principal',
      principalName: null,
      insuredUnit: own.unit,
      enrolmentDate: own.from,
      premiumArrears: rng.chance(0.01),
    };
  }
  const registered = c.household.moveInDate;
  if (c.household.economicStatus === 'low-income') {
    // Low-income households are insured as category 5, premiums paid by the government.
    const from = isoDate(Math.max(parseIsoDate(c.birthDate), daysFromCivil(2025, 1, 1)));
    return {
      ...base,
      category: 5,
      role: 'principal',
      principalName: null,
      insuredUnit: townOffice(c),
      enrolmentDate: from,
      premiumArrears: false,
    };
  }
  // Dependants: a spouse, a lineal ascendant, or a descendant under 20 or still studying or disabled.
  const rel = c.household.relationship;
  const eligibleChild = c.age < 20 || c.facts.employment === 'student' || c.facts.disability !== null;
  const wanted =
    rel === 'child'
      ? eligibleChild
        ? ['head', 'spouse']
        : []
      : rel === 'head'
        ? ['spouse']
        : rel === 'spouse' || rel === 'parent'
          ? ['head']
          : [];
  for (const m of ctx.population.household(c.index)) {
    if (m.index === c.index || !wanted.includes(m.household.relationship)) continue;
    const principal = workCategory(m);
    if (!principal) continue;
    const from = isoDate(Math.max(parseIsoDate(c.birthDate), parseIsoDate(principal.from)));
    return {
      ...base,
      category: principal.category,
      role: 'dependant',
      principalName: m.name,
      insuredUnit: principal.unit,
      enrolmentDate: from,
      premiumArrears: rng.chance(0.01),
    };
  }
  // Everyone else is insured as a resident of their town (category 6).
  return {
    ...base,
    category: 6,
    role: 'principal',
    principalName: null,
    insuredUnit: townOffice(c),
    enrolmentDate: registered,
    premiumArrears: rng.chance(0.08),
  };
}

const PORTS = [
  '臺灣桃園國際機場',
  '臺灣桃園國際機場',
  '臺灣桃園國際機場',
  '臺灣桃園國際機場',
  '臺北松山機場',
  '高雄國際航空站',
  '臺中國際機場',
];

function entryExit(c: Citizen, ctx: PopulationInternals): EntryExitPayload | undefined {
  // The immigration agency keeps a file on everyone who has held a passport.
  if (!c.facts.passport) return undefined;
  const rng = rngFor(ctx, c, STREAM.travel + 50);
  const movements: EntryExitPayload['movements'] = [];
  for (const trip of c.facts.trips) {
    movements.push({ direction: 'exit', date: trip.exit, port: rng.pick(PORTS) });
    if (trip.entry) movements.push({ direction: 'entry', date: trip.entry, port: rng.pick(PORTS) });
  }
  const last = c.facts.trips[c.facts.trips.length - 1];
  return {
    nationalId: c.nationalId,
    name: c.name,
    periodFrom: isoDate(addYears(TODAY, -5)),
    periodTo: isoDate(TODAY - 1),
    currentlyInTaiwan: !last || last.entry !== null,
    movements,
  };
}

function passport(c: Citizen): PassportPayload | undefined {
  const p = c.facts.passport;
  if (!p) return undefined;
  return {
    nationalId: c.nationalId,
    name: c.name,
    surnameRomanised: c.romanisedSurname,
    givenNameRomanised: c.romanisedGivenName,
    passportNumber: p.number,
    gender: c.gender,
    birthDate: c.birthDate,
    placeOfBirth: 'TAIWAN',
    issueDate: p.issueDate,
    expiryDate: p.expiryDate,
    status: p.status,
  };
}

function disabilityCertificate(c: Citizen): DisabilityCertificatePayload | undefined {
  const d = c.facts.disability;
  if (!d) return undefined;
  return {
    nationalId: c.nationalId,
    name: c.name,
    ...d,
    categories: [...d.categories],
    issuingAuthority: countyGovernment(c),
  };
}

function lowIncomeStatus(c: Citizen): LowIncomeStatusPayload | undefined {
  const status = c.household.economicStatus;
  if (status === 'normal') return undefined;
  // Status is reviewed every year; the 2026 approval runs for the calendar year.
  const from = Math.max(daysFromCivil(2026, 1, 1), parseIsoDate(c.household.moveInDate));
  return {
    nationalId: c.nationalId,
    name: c.name,
    householdNumber: c.household.number,
    status,
    householdSize: c.household.memberIndexes.length,
    effectiveFrom: isoDate(from),
    effectiveUntil: '2026-12-31',
    issuingAuthority: countyGovernment(c),
  };
}

type Builder<K extends DemoDatasetId> = (c: Citizen, ctx: PopulationInternals) => DemoPayloads[K] | undefined;

const BUILDERS: { [K in DemoDatasetId]: Builder<K> } = {
  [DATASET_IDS.householdRegistration]: householdRegistration,
  [DATASET_IDS.nationalIdCard]: nationalIdCard,
  [DATASET_IDS.income]: income,
  [DATASET_IDS.property]: property,
  [DATASET_IDS.labourInsurance]: labourInsurance,
  [DATASET_IDS.vehicleRegistration]: vehicleRegistration,
  [DATASET_IDS.drivingLicence]: drivingLicence,
  [DATASET_IDS.nhiStatus]: nhiStatus,
  [DATASET_IDS.entryExit]: entryExit,
  [DATASET_IDS.passport]: passport,
  [DATASET_IDS.disabilityCertificate]: disabilityCertificate,
  [DATASET_IDS.lowIncomeStatus]: lowIncomeStatus,
};

/** The record one agency holds about a citizen for a dataset, or undefined when it holds none. */
export function buildRecord<K extends DemoDatasetId>(
  datasetId: K,
  citizen: Citizen,
  ctx: PopulationInternals,
): DemoPayloads[K] | undefined {
  return (BUILDERS[datasetId] as Builder<K>)(citizen, ctx);
}
