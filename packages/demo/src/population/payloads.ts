/**
 * What each demo agency returns for one citizen: a TypeBox schema per dataset (which the catalogue
 * publishes as the dataset's payloadSchema) and the zh-TW/English label of every top-level field.
 */
import type { DatasetField, LocalizedText } from '@mydata/core';
import { type Static, type TObject, Type } from 'typebox';

/** Dataset ids of the demo catalogue, by a short key. */
export const DATASET_IDS = {
  householdRegistration: 'moi-household.household-registration',
  nationalIdCard: 'moi-household.national-id-card',
  income: 'mof-fia.income',
  property: 'mof-fia.property',
  labourInsurance: 'bli.labour-insurance',
  vehicleRegistration: 'mvdis.vehicle-registration',
  drivingLicence: 'mvdis.driving-licence',
  nhiStatus: 'nhia.insurance-status',
  entryExit: 'nia.entry-exit-dates',
  passport: 'boca.passport',
  disabilityCertificate: 'sfaa.disability-certificate',
  lowIncomeStatus: 'mohw-social-assistance.low-income-status',
} as const;
export type DemoDatasetId = (typeof DATASET_IDS)[keyof typeof DATASET_IDS];

const NationalId = Type.String({ pattern: '^[A-Z][12][0-9]{8}$', description: '國民身分證統一編號' });
const PersonName = Type.String({ minLength: 2, maxLength: 20 });
const IsoDate = Type.String({ format: 'date' });
const NullableDate = Type.Union([IsoDate, Type.Null()]);
const Text = (maxLength = 200) => Type.String({ minLength: 1, maxLength });
const NullableText = (maxLength = 200) => Type.Union([Text(maxLength), Type.Null()]);
const Money = Type.Integer({ minimum: 0, description: 'New Taiwan dollars (NT$)' });
const Gender = Type.Enum(['male', 'female'] as const);
const BusinessNumber = Type.String({ pattern: '^[0-9]{8}$', description: '統一編號' });
const HouseholdNumber = Type.String({ pattern: '^[A-Z][0-9]{7}$', description: '戶號' });
const Relationship = Type.Enum(['head', 'spouse', 'child', 'parent'] as const, { description: '與戶長關係' });
const object = <T extends Parameters<typeof Type.Object>[0]>(properties: T) =>
  Type.Object(properties, { additionalProperties: false });

export const HouseholdRegistrationPayload = object({
  nationalId: NationalId,
  name: PersonName,
  gender: Gender,
  birthDate: IsoDate,
  householdNumber: HouseholdNumber,
  relationshipToHead: Relationship,
  county: Text(10),
  district: Text(10),
  address: Text(),
  moveInDate: IsoDate,
  members: Type.Array(
    object({
      nationalId: NationalId,
      name: PersonName,
      relationshipToHead: Relationship,
      gender: Gender,
      birthDate: IsoDate,
    }),
    { minItems: 1, maxItems: 20 },
  ),
});
export type HouseholdRegistrationPayload = Static<typeof HouseholdRegistrationPayload>;

export const NationalIdCardPayload = object({
  nationalId: NationalId,
  name: PersonName,
  gender: Gender,
  birthDate: IsoDate,
  birthPlace: Text(10),
  fatherName: PersonName,
  motherName: PersonName,
  spouseName: Type.Union([PersonName, Type.Null()]),
  address: Text(),
  issueDate: IsoDate,
  issueType: Type.Enum(['first-issue', 'renewal', 'replacement'] as const, {
    description: '初發、換發、補發',
  }),
  issuingOffice: Text(40),
});
export type NationalIdCardPayload = Static<typeof NationalIdCardPayload>;

export const INCOME_CATEGORIES = [
  'salary',
  'professional',
  'business',
  'interest',
  'dividend',
  'rental',
  'pension',
  'other',
] as const;
export const IncomePayload = object({
  nationalId: NationalId,
  name: PersonName,
  taxYear: Type.Integer({ minimum: 2000, maximum: 2100 }),
  totalIncome: Money,
  items: Type.Array(
    object({
      category: Type.Enum(INCOME_CATEGORIES),
      payerName: Text(),
      payerBusinessNumber: Type.Union([BusinessNumber, Type.Null()]),
      amount: Money,
    }),
    { minItems: 1, maxItems: 50 },
  ),
});
export type IncomePayload = Static<typeof IncomePayload>;

export const PropertyPayload = object({
  nationalId: NationalId,
  name: PersonName,
  referenceDate: IsoDate,
  totalValue: Money,
  items: Type.Array(
    object({
      kind: Type.Enum(['land', 'building', 'vehicle', 'investment'] as const),
      description: Text(),
      location: NullableText(),
      areaSquareMetres: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()]),
      holdingShare: Type.Union([Type.String({ pattern: '^[1-9][0-9]*/[1-9][0-9]*$' }), Type.Null()]),
      value: Money,
    }),
    { minItems: 1, maxItems: 100 },
  ),
});
export type PropertyPayload = Static<typeof PropertyPayload>;

export const LabourInsurancePayload = object({
  nationalId: NationalId,
  name: PersonName,
  currentlyInsured: Type.Boolean(),
  insuredSalary: Type.Union([Money, Type.Null()]),
  employerName: NullableText(),
  employerBusinessNumber: Type.Union([BusinessNumber, Type.Null()]),
  currentEnrolmentDate: NullableDate,
  totalInsuredYears: Type.Number({ minimum: 0 }),
  oldAgeBenefit: Type.Enum(['none', 'annuity', 'lump-sum'] as const),
  periods: Type.Array(
    object({
      employerName: Text(),
      employerBusinessNumber: BusinessNumber,
      from: IsoDate,
      to: NullableDate,
      insuredSalary: Money,
    }),
    { minItems: 1, maxItems: 50 },
  ),
});
export type LabourInsurancePayload = Static<typeof LabourInsurancePayload>;

export const VehicleRegistrationPayload = object({
  nationalId: NationalId,
  name: PersonName,
  vehicles: Type.Array(
    object({
      plateNumber: Type.String({ pattern: '^[A-Z]{3}-[0-9]{3,4}$' }),
      kind: Type.Enum(['car', 'motorcycle'] as const),
      make: Text(40),
      model: Text(40),
      engineCc: Type.Integer({ minimum: 0 }),
      fuel: Type.Enum(['petrol', 'electric'] as const),
      manufactureYear: Type.Integer({ minimum: 1950, maximum: 2100 }),
      registrationDate: IsoDate,
      status: Type.Enum(['active', 'suspended'] as const),
    }),
    { minItems: 1, maxItems: 20 },
  ),
});
export type VehicleRegistrationPayload = Static<typeof VehicleRegistrationPayload>;

export const LICENCE_CLASSES = ['ordinary-car', 'ordinary-motorcycle', 'professional-car'] as const;
export const DrivingLicencePayload = object({
  nationalId: NationalId,
  name: PersonName,
  penaltyPoints: Type.Integer({ minimum: 0 }),
  licences: Type.Array(
    object({
      class: Type.Enum(LICENCE_CLASSES, { description: '普通小型車、普通重型機車、職業小型車' }),
      issueDate: IsoDate,
      validUntil: NullableDate,
      status: Type.Enum(['valid', 'suspended'] as const),
    }),
    { minItems: 1, maxItems: 10 },
  ),
});
export type DrivingLicencePayload = Static<typeof DrivingLicencePayload>;

export const NhiStatusPayload = object({
  nationalId: NationalId,
  name: PersonName,
  status: Type.Enum(['insured', 'suspended'] as const),
  category: Type.Integer({ minimum: 1, maximum: 6, description: '投保類別：第一類至第六類' }),
  role: Type.Enum(['principal', 'dependant'] as const, { description: '被保險人或眷屬' }),
  principalName: Type.Union([PersonName, Type.Null()]),
  insuredUnit: Text(),
  enrolmentDate: IsoDate,
  premiumArrears: Type.Boolean(),
});
export type NhiStatusPayload = Static<typeof NhiStatusPayload>;

export const EntryExitPayload = object({
  nationalId: NationalId,
  name: PersonName,
  periodFrom: IsoDate,
  periodTo: IsoDate,
  currentlyInTaiwan: Type.Boolean(),
  movements: Type.Array(
    object({
      direction: Type.Enum(['exit', 'entry'] as const),
      date: IsoDate,
      port: Text(40),
    }),
    { maxItems: 200 },
  ),
});
export type EntryExitPayload = Static<typeof EntryExitPayload>;

export const PassportPayload = object({
  nationalId: NationalId,
  name: PersonName,
  surnameRomanised: Type.String({ pattern: '^[A-Z]+$' }),
  givenNameRomanised: Type.String({ pattern: '^[A-Z]+(?:-[A-Z]+)*$' }),
  passportNumber: Type.String({ pattern: '^[0-9]{9}$' }),
  gender: Gender,
  birthDate: IsoDate,
  placeOfBirth: Text(40),
  issueDate: IsoDate,
  expiryDate: IsoDate,
  status: Type.Enum(['valid', 'expired', 'reported-lost'] as const),
});
export type PassportPayload = Static<typeof PassportPayload>;

export const DISABILITY_SEVERITIES = ['mild', 'moderate', 'severe', 'profound'] as const;
export const DisabilityCertificatePayload = object({
  nationalId: NationalId,
  name: PersonName,
  categories: Type.Array(Type.Integer({ minimum: 1, maximum: 8 }), {
    minItems: 1,
    maxItems: 8,
    uniqueItems: true,
    description: 'ICF 障礙類別第 1 至 8 類',
  }),
  severity: Type.Enum(DISABILITY_SEVERITIES, { description: '輕度、中度、重度、極重度' }),
  mobilityImpaired: Type.Boolean({ description: '經鑑定為行動不便（可申請身心障礙者專用停車位識別證）' }),
  issueDate: IsoDate,
  reassessmentDate: NullableDate,
  issuingAuthority: Text(40),
});
export type DisabilityCertificatePayload = Static<typeof DisabilityCertificatePayload>;

export const LowIncomeStatusPayload = object({
  nationalId: NationalId,
  name: PersonName,
  householdNumber: HouseholdNumber,
  status: Type.Enum(['low-income', 'middle-low-income'] as const),
  householdSize: Type.Integer({ minimum: 1, maximum: 20 }),
  effectiveFrom: IsoDate,
  effectiveUntil: IsoDate,
  issuingAuthority: Text(40),
});
export type LowIncomeStatusPayload = Static<typeof LowIncomeStatusPayload>;

/** The payload type each demo dataset returns. */
export interface DemoPayloads {
  'moi-household.household-registration': HouseholdRegistrationPayload;
  'moi-household.national-id-card': NationalIdCardPayload;
  'mof-fia.income': IncomePayload;
  'mof-fia.property': PropertyPayload;
  'bli.labour-insurance': LabourInsurancePayload;
  'mvdis.vehicle-registration': VehicleRegistrationPayload;
  'mvdis.driving-licence': DrivingLicencePayload;
  'nhia.insurance-status': NhiStatusPayload;
  'nia.entry-exit-dates': EntryExitPayload;
  'boca.passport': PassportPayload;
  'sfaa.disability-certificate': DisabilityCertificatePayload;
  'mohw-social-assistance.low-income-status': LowIncomeStatusPayload;
}

type Label = readonly [zh: string, en: string];
type Labels<T extends TObject> = { readonly [K in keyof T['properties']]: Label };

const ID_LABELS = { nationalId: ['身分證統一編號', 'National ID number'], name: ['姓名', 'Name'] } as const;

const PAYLOADS: { [K in DemoDatasetId]: { schema: TObject; labels: Record<string, Label> } } = {
  'moi-household.household-registration': {
    schema: HouseholdRegistrationPayload,
    labels: {
      ...ID_LABELS,
      gender: ['性別', 'Gender'],
      birthDate: ['出生日期', 'Date of birth'],
      householdNumber: ['戶號', 'Household number'],
      relationshipToHead: ['與戶長關係', 'Relationship to head of household'],
      county: ['縣市', 'City or county'],
      district: ['鄉鎮市區', 'District'],
      address: ['戶籍地址', 'Registered address'],
      moveInDate: ['遷入日期', 'Date moved in'],
      members: ['同戶成員', 'Household members'],
    } satisfies Labels<typeof HouseholdRegistrationPayload>,
  },
  'moi-household.national-id-card': {
    schema: NationalIdCardPayload,
    labels: {
      ...ID_LABELS,
      gender: ['性別', 'Gender'],
      birthDate: ['出生日期', 'Date of birth'],
      birthPlace: ['出生地', 'Place of birth'],
      fatherName: ['父姓名', "Father's name"],
      motherName: ['母姓名', "Mother's name"],
      spouseName: ['配偶姓名', "Spouse's name"],
      address: ['住址', 'Address'],
      issueDate: ['發證日期', 'Date of issue'],
      issueType: ['領補換類別', 'Issue type (first issue, renewal, replacement)'],
      issuingOffice: ['發證機關', 'Issuing office'],
    } satisfies Labels<typeof NationalIdCardPayload>,
  },
  'mof-fia.income': {
    schema: IncomePayload,
    labels: {
      ...ID_LABELS,
      taxYear: ['所得年度', 'Tax year'],
      totalIncome: ['所得總額', 'Total income'],
      items: ['所得明細', 'Income items'],
    } satisfies Labels<typeof IncomePayload>,
  },
  'mof-fia.property': {
    schema: PropertyPayload,
    labels: {
      ...ID_LABELS,
      referenceDate: ['財產資料基準日', 'Reference date'],
      totalValue: ['財產總額', 'Total value'],
      items: ['財產明細', 'Property items'],
    } satisfies Labels<typeof PropertyPayload>,
  },
  'bli.labour-insurance': {
    schema: LabourInsurancePayload,
    labels: {
      ...ID_LABELS,
      currentlyInsured: ['目前是否在保', 'Currently insured'],
      insuredSalary: ['目前投保薪資', 'Current insured salary'],
      employerName: ['目前投保單位名稱', 'Current insuring employer'],
      employerBusinessNumber: ['目前投保單位統一編號', "Current employer's business number"],
      currentEnrolmentDate: ['目前投保單位加保日期', 'Date enrolled by current employer'],
      totalInsuredYears: ['累計投保年資', 'Total insured years'],
      oldAgeBenefit: ['老年給付請領狀況', 'Old-age benefit claimed'],
      periods: ['投保紀錄', 'Insurance periods'],
    } satisfies Labels<typeof LabourInsurancePayload>,
  },
  'mvdis.vehicle-registration': {
    schema: VehicleRegistrationPayload,
    labels: { ...ID_LABELS, vehicles: ['車輛', 'Vehicles'] } satisfies Labels<
      typeof VehicleRegistrationPayload
    >,
  },
  'mvdis.driving-licence': {
    schema: DrivingLicencePayload,
    labels: {
      ...ID_LABELS,
      penaltyPoints: ['違規記點', 'Penalty points'],
      licences: ['駕照', 'Licences'],
    } satisfies Labels<typeof DrivingLicencePayload>,
  },
  'nhia.insurance-status': {
    schema: NhiStatusPayload,
    labels: {
      ...ID_LABELS,
      status: ['投保狀態', 'Insurance status'],
      category: ['投保類別', 'Insured category'],
      role: ['被保險人或眷屬', 'Insured person or dependant'],
      principalName: ['被保險人姓名（眷屬適用）', 'Name of the insured person (for dependants)'],
      insuredUnit: ['投保單位', 'Insuring unit'],
      enrolmentDate: ['加保日期', 'Date of enrolment'],
      premiumArrears: ['是否欠繳保費', 'Premiums in arrears'],
    } satisfies Labels<typeof NhiStatusPayload>,
  },
  'nia.entry-exit-dates': {
    schema: EntryExitPayload,
    labels: {
      ...ID_LABELS,
      periodFrom: ['查詢期間起日', 'Period from'],
      periodTo: ['查詢期間迄日', 'Period to'],
      currentlyInTaiwan: ['目前是否在臺', 'Currently in Taiwan'],
      movements: ['入出國紀錄', 'Entries and exits'],
    } satisfies Labels<typeof EntryExitPayload>,
  },
  'boca.passport': {
    schema: PassportPayload,
    labels: {
      ...ID_LABELS,
      surnameRomanised: ['外文姓氏', 'Surname (romanised)'],
      givenNameRomanised: ['外文名字', 'Given name (romanised)'],
      passportNumber: ['護照號碼', 'Passport number'],
      gender: ['性別', 'Gender'],
      birthDate: ['出生日期', 'Date of birth'],
      placeOfBirth: ['出生地', 'Place of birth'],
      issueDate: ['發照日期', 'Date of issue'],
      expiryDate: ['效期截止日', 'Date of expiry'],
      status: ['護照狀態', 'Passport status'],
    } satisfies Labels<typeof PassportPayload>,
  },
  'sfaa.disability-certificate': {
    schema: DisabilityCertificatePayload,
    labels: {
      ...ID_LABELS,
      categories: ['障礙類別', 'Disability categories'],
      severity: ['障礙等級', 'Severity'],
      mobilityImpaired: ['行動不便', 'Mobility impaired'],
      issueDate: ['鑑定日期', 'Date of assessment'],
      reassessmentDate: ['重新鑑定日期', 'Date of reassessment'],
      issuingAuthority: ['核發機關', 'Issuing authority'],
    } satisfies Labels<typeof DisabilityCertificatePayload>,
  },
  'mohw-social-assistance.low-income-status': {
    schema: LowIncomeStatusPayload,
    labels: {
      ...ID_LABELS,
      householdNumber: ['戶號', 'Household number'],
      status: ['資格別', 'Status'],
      householdSize: ['列冊人口數', 'Household members counted'],
      effectiveFrom: ['資格起日', 'Valid from'],
      effectiveUntil: ['資格迄日', 'Valid until'],
      issuingAuthority: ['核定機關', 'Approving authority'],
    } satisfies Labels<typeof LowIncomeStatusPayload>,
  },
};

function fieldType(schema: Record<string, unknown>): DatasetField['type'] {
  const anyOf = schema.anyOf as Record<string, unknown>[] | undefined;
  if (anyOf) {
    const nonNull = anyOf.find((s) => s.type !== 'null');
    return nonNull ? fieldType(nonNull) : 'string';
  }
  if (Array.isArray(schema.enum)) return 'string';
  if (schema.type === 'string') return schema.format === 'date' ? 'date' : 'string';
  return schema.type as DatasetField['type'];
}

const text = ([zh, en]: Label): LocalizedText => ({ 'zh-TW': zh, en });

/** The JSON Schema a dataset's payload conforms to. */
export function payloadSchema(datasetId: DemoDatasetId): TObject {
  return PAYLOADS[datasetId].schema;
}

/** The catalogue's field list for a dataset, derived from its schema so the two cannot drift apart. */
export function payloadFields(datasetId: DemoDatasetId): DatasetField[] {
  const { schema, labels } = PAYLOADS[datasetId];
  return Object.entries(schema.properties).map(([name, property]) => ({
    name,
    label: text(labels[name] as Label),
    type: fieldType(property as unknown as Record<string, unknown>),
  }));
}
