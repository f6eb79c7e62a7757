/**
 * What makes each demo service itself: its colours, what it tells applicants, and the first checks
 * its caseworkers would run on the data received. The checks only help a person decide; they are
 * shown as such, never as a decision.
 */
import type { LocalizedText } from '@mydata/core';
import { SERVICE_IDS } from '../catalogue.ts';
import type {
  DemoPayloads,
  DisabilityCertificatePayload,
  DrivingLicencePayload,
  EntryExitPayload,
  HouseholdRegistrationPayload,
  IncomePayload,
  LabourInsurancePayload,
  LowIncomeStatusPayload,
  PassportPayload,
  PropertyPayload,
  VehicleRegistrationPayload,
} from '../population/payloads.ts';
import { t } from './html.ts';

/** One preliminary check on the data: what was checked, what the data says, and whether it passes. */
export interface Check {
  label: LocalizedText;
  value: string;
  pass?: boolean;
}

type Received = Partial<{ [K in keyof DemoPayloads]: DemoPayloads[K] }>;

export interface DemoServiceSpec {
  serviceId: string;
  /** Short name used for the cookie and key directory. */
  slug: string;
  /** Banner colour; white text on it has at least 4.5:1 contrast. */
  accent: string;
  /** What the applicant does here, before the data part. */
  intro: LocalizedText;
  /** What happens after the data is received. */
  next: LocalizedText;
  checks(data: Received, today: Date): Check[];
}

const D = {
  household: 'moi-household.household-registration',
  income: 'mof-fia.income',
  property: 'mof-fia.property',
  labour: 'bli.labour-insurance',
  lowIncome: 'mohw-social-assistance.low-income-status',
  entryExit: 'nia.entry-exit-dates',
  passport: 'boca.passport',
  disability: 'sfaa.disability-certificate',
  vehicles: 'mvdis.vehicle-registration',
  licence: 'mvdis.driving-licence',
} as const;

const money = (n: number) => `NT$${n.toLocaleString('en')}`;
const ageOn = (birthDate: string, today: Date) => {
  const b = new Date(`${birthDate}T00:00:00Z`);
  let age = today.getUTCFullYear() - b.getUTCFullYear();
  const m = today.getUTCMonth() - b.getUTCMonth();
  if (m < 0 || (m === 0 && today.getUTCDate() < b.getUTCDate())) age -= 1;
  return age;
};
const yesNo = (v: boolean) => (v ? '是 Yes' : '否 No');

function household(h: HouseholdRegistrationPayload | undefined, county: string): Check[] {
  if (!h) return [];
  return [
    {
      label: t(`設籍${county}`, `Registered in ${county}`),
      value: `${h.county}${h.district}`,
      pass: h.county === county,
    },
    { label: t('同戶人數', 'Household members'), value: String(h.members.length) },
  ];
}
const income = (i: IncomePayload | undefined): Check[] =>
  i
    ? [
        {
          label: t(`${i.taxYear} 年度綜合所得`, `Income, tax year ${i.taxYear}`),
          value: money(i.totalIncome),
        },
      ]
    : [];
const lowIncome = (l: LowIncomeStatusPayload | undefined): Check[] =>
  l
    ? [
        {
          label: t('低收入戶或中低收入戶', 'Low or middle-low income household'),
          value: `${l.status === 'low-income' ? '低收入戶 low-income' : '中低收入戶 middle-low-income'}（${l.effectiveUntil}）`,
          pass: true,
        },
      ]
    : [];
const labour = (l: LabourInsurancePayload | undefined): Check[] =>
  l
    ? [
        {
          label: t('目前在職（勞保在保）', 'Currently employed (insured)'),
          value: l.currentlyInsured ? `${l.employerName ?? ''} ${money(l.insuredSalary ?? 0)}` : yesNo(false),
          pass: l.currentlyInsured,
        },
      ]
    : [];
const property = (p: PropertyPayload | undefined): Check[] =>
  p ? [{ label: t('財產總值', 'Total assets'), value: money(p.totalValue) }] : [];

export const DEMO_SERVICE_SPECS: DemoServiceSpec[] = [
  {
    serviceId: SERVICE_IDS.loanApplication,
    slug: 'bank',
    accent: '#1d4e89',
    intro: t(
      '線上申請個人信用貸款：以 MyData 帶入所得、財產、勞保與戶籍資料，免再上傳任何證明文件。',
      'Apply for a personal loan online: MyData fills in your income, property, labour insurance and registration, so there is nothing to upload.',
    ),
    next: t(
      '授信人員將於 2 個營業日內完成審核，並以您留存的聯絡方式通知結果。',
      'A loan officer reviews your application within 2 business days and tells you the result.',
    ),
    checks: (d) => {
      const h = d[D.household];
      return [
        ...income(d[D.income]),
        ...labour(d[D.labour]),
        ...property(d[D.property]),
        ...(h ? [{ label: t('戶籍地址', 'Registered address'), value: h.address }] : []),
      ];
    },
  },
  {
    serviceId: SERVICE_IDS.childcareSubsidy,
    slug: 'childcare',
    accent: '#2f6b2f',
    intro: t(
      '屏東縣育兒津貼：設籍屏東縣、自行照顧未滿 6 歲幼兒的家長可線上申請。',
      'Pingtung County childcare subsidy: parents registered in Pingtung who care for a child under 6 can apply online.',
    ),
    next: t(
      '承辦人員將核對資格並於 30 日內核定津貼金額，核定後按月撥入您的帳戶。',
      'A caseworker checks eligibility and sets the amount within 30 days; the subsidy is then paid monthly.',
    ),
    checks: (d, today) => {
      const h = d[D.household];
      const young = h?.members.filter((m) => ageOn(m.birthDate, today) < 6) ?? [];
      return [
        ...household(h, '屏東縣'),
        ...(h
          ? [
              {
                label: t('同戶未滿 6 歲幼兒', 'Children under 6 in the household'),
                value: young.length ? young.map((m) => `${m.name}（${m.birthDate}）`).join('、') : '0',
                pass: young.length > 0,
              },
            ]
          : []),
        ...income(d[D.income]),
        ...lowIncome(d[D.lowIncome]),
        ...labour(d[D.labour]).map((c) => ({ ...c, pass: undefined })),
      ];
    },
  },
  {
    serviceId: SERVICE_IDS.passportRenewal,
    slug: 'passport',
    accent: '#5b2a86',
    intro: t(
      '護照線上換發：成年、在臺設有戶籍且目前人在國內者，免臨櫃即可申請換發護照。',
      'Online passport renewal: adults with household registration who are in Taiwan can renew without visiting a counter.',
    ),
    next: t(
      '領務人員審核後製作新護照，約 10 個工作天後以掛號寄送至戶籍地址。',
      'Consular staff review the application and make the new passport; it is sent by registered mail to your registered address in about 10 working days.',
    ),
    checks: (d, today) => {
      const h = d[D.household];
      const e: EntryExitPayload | undefined = d[D.entryExit];
      const p: PassportPayload | undefined = d[D.passport];
      return [
        ...(h
          ? [
              {
                label: t('年滿 18 歲', 'Aged 18 or over'),
                value: String(ageOn(h.birthDate, today)),
                pass: ageOn(h.birthDate, today) >= 18,
              },
              {
                label: t('在臺設有戶籍', 'Household registration in Taiwan'),
                value: `${h.county}${h.district}`,
                pass: true,
              },
            ]
          : []),
        ...(e
          ? [
              {
                label: t('目前人在國內', 'In Taiwan now'),
                value: yesNo(e.currentlyInTaiwan),
                pass: e.currentlyInTaiwan,
              },
            ]
          : []),
        ...(p
          ? [
              {
                label: t('舊護照', 'Current passport'),
                value: `${p.passportNumber} ${p.surnameRomanised}, ${p.givenNameRomanised}（${p.expiryDate} ${p.status}）`,
                pass: p.status !== 'reported-lost',
              },
            ]
          : []),
      ];
    },
  },
  {
    serviceId: SERVICE_IDS.socialHousing,
    slug: 'housing',
    accent: '#8a3b12',
    intro: t(
      '臺北市社會住宅租賃申請：以 MyData 提供戶籍、所得與財產資料審核承租資格。',
      'Taipei social housing: MyData provides your registration, income and property for the eligibility review.',
    ),
    next: t(
      '資格審核通過後將排入抽籤或候補名冊，並以簡訊通知您後續簽約時程。',
      'Once eligible, you enter the lottery or waiting list and are told by text message when to sign the lease.',
    ),
    checks: (d) => {
      const p = d[D.property];
      const homes = p?.items.filter((i) => i.kind === 'building') ?? [];
      return [
        ...household(d[D.household], '臺北市'),
        ...income(d[D.income]),
        ...property(p),
        ...(p
          ? [
              {
                label: t('無自有住宅', 'Owns no home'),
                value: homes.length ? `${homes.length} 筆 buildings` : yesNo(true),
                pass: homes.length === 0,
              },
            ]
          : []),
        ...lowIncome(d[D.lowIncome]),
      ];
    },
  },
  // A multi-person application: the applicant gives the certificate, the family member who drives
  // gives the car and the licence, each consenting as themselves (docs/multi-person.md).
  {
    serviceId: SERVICE_IDS.disabledParkingPermit,
    slug: 'parking',
    accent: '#0b5563',
    intro: t(
      '屏東縣身心障礙者專用停車位識別證申請：由您提供身心障礙證明，並指名提供車輛的家人，由他以本人身分同意提供車籍與駕照資料。',
      'Pingtung County disabled parking permit: you give your disability certificate and name the family member who drives, who consents as themselves to share their vehicle registration and driving licence.',
    ),
    next: t(
      '社會處審核後，識別證將以掛號寄至您的戶籍地址。',
      'After the social affairs department reviews it, the permit is sent by registered mail to your registered address.',
    ),
    checks: (d) => {
      const c = d[D.disability] as DisabilityCertificatePayload | undefined;
      const v = d[D.vehicles] as VehicleRegistrationPayload | undefined;
      const l = d[D.licence] as DrivingLicencePayload | undefined;
      const cars = v?.vehicles.filter((x) => x.kind === 'car' && x.status === 'active') ?? [];
      const licensed = l?.licences.some((x) => x.class !== 'ordinary-motorcycle' && x.status === 'valid');
      return [
        ...(c
          ? [
              {
                label: t('經鑑定行動不便', 'Assessed as mobility-impaired'),
                value: yesNo(c.mobilityImpaired),
                pass: c.mobilityImpaired,
              },
            ]
          : []),
        ...(v
          ? [
              {
                label: t('車主名下使用中汽車', "Cars in use in the owner's name"),
                value: cars.map((x) => x.plateNumber).join('、') || '—',
                pass: cars.length > 0,
              },
            ]
          : []),
        ...(l
          ? [
              {
                label: t('駕駛人持有效汽車駕照', 'Driver holds a valid car licence'),
                value: yesNo(Boolean(licensed)),
                pass: Boolean(licensed),
              },
            ]
          : []),
      ];
    },
  },
];
