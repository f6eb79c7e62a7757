/**
 * The demo catalogue: agencies, the datasets they hold and the services that ask for them,
 * modelled on Taiwan's MyData platform. Names are real agencies; the data behind them is synthetic.
 */
import type {
  AssuranceLevel,
  Catalogue,
  Dataset,
  LocalizedText,
  Organisation,
  Sensitivity,
  Service,
  Topic,
} from '@mydata/core';
import { DATASET_IDS, type DemoDatasetId, payloadFields, payloadSchema } from './population/payloads.ts';

const t = (zh: string, en: string): LocalizedText => ({ 'zh-TW': zh, en });

/** Organisation ids of the demo catalogue. */
export const ORGANISATION_IDS = {
  householdRegistration: 'moi-household',
  fiscalInformation: 'mof-fia',
  labourInsurance: 'bli',
  highways: 'mvdis',
  healthInsurance: 'nhia',
  immigration: 'nia',
  consularAffairs: 'boca',
  socialAndFamilyAffairs: 'sfaa',
  socialAssistance: 'mohw-social-assistance',
  firstBank: 'firstbank',
  landBank: 'landbank',
  pingtung: 'pingtung-county',
  taipeiHousing: 'taipei-hurc',
  daanDistrict: 'taipei-daan-district',
  telecom: 'cht',
} as const;
const O = ORGANISATION_IDS;

const organisations: Organisation[] = [
  {
    id: O.householdRegistration,
    name: t('內政部戶政司', 'Department of Household Registration, Ministry of the Interior'),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.ris.gov.tw/',
  },
  {
    id: O.fiscalInformation,
    name: t('財政部財政資訊中心', 'Fiscal Information Agency, Ministry of Finance'),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.fia.gov.tw/',
  },
  {
    id: O.labourInsurance,
    name: t('勞動部勞工保險局', 'Bureau of Labor Insurance, Ministry of Labor'),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.bli.gov.tw/',
  },
  {
    id: O.highways,
    name: t('交通部公路局', 'Highway Bureau, Ministry of Transportation and Communications'),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.thb.gov.tw/',
  },
  {
    id: O.healthInsurance,
    name: t(
      '衛生福利部中央健康保險署',
      'National Health Insurance Administration, Ministry of Health and Welfare',
    ),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.nhi.gov.tw/',
  },
  {
    id: O.immigration,
    name: t('內政部移民署', 'National Immigration Agency, Ministry of the Interior'),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.immigration.gov.tw/',
  },
  {
    id: O.consularAffairs,
    name: t('外交部領事事務局', 'Bureau of Consular Affairs, Ministry of Foreign Affairs'),
    sector: 'central-government',
    // Holds passport records and also offers online passport renewal.
    roles: ['data-provider', 'service-provider'],
    website: 'https://www.boca.gov.tw/',
  },
  {
    id: O.socialAndFamilyAffairs,
    name: t(
      '衛生福利部社會及家庭署',
      'Social and Family Affairs Administration, Ministry of Health and Welfare',
    ),
    sector: 'central-government',
    roles: ['data-provider'],
    website: 'https://www.sfaa.gov.tw/',
  },
  {
    id: O.socialAssistance,
    name: t(
      '衛生福利部社會救助及社工司',
      'Department of Social Assistance and Social Work, Ministry of Health and Welfare',
    ),
    sector: 'central-government',
    roles: ['data-provider'],
  },
  {
    // Holds no dataset: it answers one identity check, whether a mobile number is registered to a
    // citizen (行動化驗證). The demo lets it answer for every operator's subscribers.
    id: O.telecom,
    name: t('中華電信股份有限公司', 'Chunghwa Telecom'),
    sector: 'business',
    roles: ['data-provider'],
    website: 'https://www.cht.com.tw/',
  },
  {
    id: O.firstBank,
    name: t('第一商業銀行', 'First Commercial Bank'),
    sector: 'financial',
    roles: ['service-provider'],
    website: 'https://www.firstbank.com.tw/',
  },
  {
    id: O.landBank,
    name: t('臺灣土地銀行', 'Land Bank of Taiwan'),
    sector: 'financial',
    roles: ['service-provider'],
    website: 'https://www.landbank.com.tw/',
  },
  {
    id: O.pingtung,
    name: t('屏東縣政府', 'Pingtung County Government'),
    sector: 'local-government',
    roles: ['service-provider'],
    website: 'https://www.pthg.gov.tw/',
  },
  {
    id: O.taipeiHousing,
    name: t('臺北市住宅及都市更新中心', 'Taipei Housing and Urban Regeneration Center'),
    sector: 'local-government',
    roles: ['service-provider'],
  },
  {
    id: O.daanDistrict,
    name: t('臺北市大安區公所', "Da'an District Office, Taipei City"),
    sector: 'local-government',
    roles: ['service-provider'],
  },
];

interface DatasetSpec {
  agencyId: string;
  name: LocalizedText;
  description: LocalizedText;
  topic: Topic;
  minAssurance: AssuranceLevel;
  sensitivity: Sensitivity;
}

// Assurance is the agency's choice (MISSION: "the data provider chooses"). The rule used here:
// `high` (citizen digital certificate, mobile citizen certificate) where the data decides credit
// or benefits worth real money and would be worth impersonating someone for (income, property), or
// is health data under PDPA art. 6 (disability certificate); `substantial` for everything else,
// including low-income status and NHI status, which holders must be able to show quickly at a
// counter with a chip card or bank credential. Nothing is `low`: "two documents" (NHI card number
// + household number) is known to relatives, and every dataset names other people or money.
//
// Sensitivity follows the Personal Data Protection Act art. 6 (health, medical, disability) and
// extends it to financial standing, whose leak invites fraud or stigma: income, property, the
// insured salary in labour insurance, low-income status, and NHI status (its category 5 reveals a
// low-income household). Registration, ID card, vehicles, licences, travel dates and passport
// details are ordinary personal data.
const DATASETS: Record<DemoDatasetId, DatasetSpec> = {
  [DATASET_IDS.householdRegistration]: {
    agencyId: O.householdRegistration,
    name: t('戶籍資料', 'Household registration'),
    description: t(
      '本人的戶籍地址、戶號、遷入日期與同戶成員（姓名、身分證號、與戶長關係、出生日期），等同戶籍謄本。',
      'Your registered address, household number, date moved in and the members of your household (name, ID number, relationship to the head, date of birth), as on a household transcript.',
    ),
    topic: 'household',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.nationalIdCard]: {
    agencyId: O.householdRegistration,
    name: t('國民身分證資料', 'National ID card data'),
    description: t(
      '國民身分證上記載的資料與最近一次領補換紀錄，可用於確認身分證為最新有效的一張。',
      'The data printed on your national ID card and its latest issue, replacement or renewal, to confirm the card shown is the current one.',
    ),
    topic: 'identity',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.income]: {
    agencyId: O.fiscalInformation,
    name: t('個人所得', 'Personal income'),
    description: t(
      '最近一個年度的各類所得明細（薪資、執行業務、利息、股利、租賃、退職所得），依扣繳及申報資料。',
      'Your income items for the latest tax year (salary, professional, interest, dividends, rent, pensions), from withholding statements and returns.',
    ),
    topic: 'income',
    minAssurance: 'high',
    sensitivity: 'sensitive',
  },
  [DATASET_IDS.property]: {
    agencyId: O.fiscalInformation,
    name: t('財產', 'Property'),
    description: t(
      '名下的土地、房屋、汽車及投資，含坐落、面積、權利範圍與稅務核定價值。',
      'Land, buildings, cars and investments registered in your name, with location, area, holding share and assessed value.',
    ),
    topic: 'property',
    minAssurance: 'high',
    sensitivity: 'sensitive',
  },
  [DATASET_IDS.labourInsurance]: {
    agencyId: O.labourInsurance,
    name: t('勞保投保資料', 'Labour insurance'),
    description: t(
      '目前是否在保、投保單位、投保薪資及歷年投保紀錄與年資。',
      'Whether you are currently insured, by which employer, at which insured salary, and your past insurance periods and total insured years.',
    ),
    topic: 'employment',
    minAssurance: 'substantial',
    sensitivity: 'sensitive',
  },
  [DATASET_IDS.vehicleRegistration]: {
    agencyId: O.highways,
    name: t('車籍資料', 'Vehicle registration'),
    description: t(
      '登記在本人名下的汽車與機車：車牌、廠牌車型、排氣量、出廠年份與領牌日期。',
      'Cars and motorcycles registered to you: plate, make and model, engine size, year of manufacture and date registered.',
    ),
    topic: 'transport',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.drivingLicence]: {
    agencyId: O.highways,
    name: t('駕照資料', 'Driving licence'),
    description: t(
      '持有的駕照類別、發照日期、有效期限、狀態及違規記點。',
      'Licence classes you hold, issue dates, validity, status and penalty points.',
    ),
    topic: 'transport',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.nhiStatus]: {
    agencyId: O.healthInsurance,
    name: t('全民健保投保狀態', 'National Health Insurance status'),
    description: t(
      '健保投保類別、投保單位、本人或眷屬身分、加保日期及是否欠費；不含任何就醫紀錄。',
      'Your NHI category, insuring unit, whether you are insured in your own right or as a dependant, date enrolled and premium arrears; no medical records.',
    ),
    topic: 'health',
    minAssurance: 'substantial',
    sensitivity: 'sensitive',
  },
  [DATASET_IDS.entryExit]: {
    agencyId: O.immigration,
    name: t('入出國日期', 'Entry and exit dates'),
    description: t(
      '最近五年每次出國與入國的日期及機場港口，以及目前是否在臺。',
      'The dates and ports of each departure and arrival in the last five years, and whether you are in Taiwan now.',
    ),
    topic: 'travel',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.passport]: {
    agencyId: O.consularAffairs,
    name: t('護照資料', 'Passport'),
    description: t(
      '最近一本護照的號碼、外文姓名、發照日期、效期及狀態。',
      'Number, romanised name, date of issue, expiry and status of your latest passport.',
    ),
    topic: 'identity',
    minAssurance: 'substantial',
    sensitivity: 'normal',
  },
  [DATASET_IDS.disabilityCertificate]: {
    agencyId: O.socialAndFamilyAffairs,
    name: t('身心障礙證明', 'Disability certificate'),
    description: t(
      '身心障礙類別、等級、是否經鑑定為行動不便，以及鑑定與重新鑑定日期；不含診斷內容。',
      'Disability categories, severity, whether assessed as mobility-impaired, and the dates of assessment and reassessment; no diagnosis.',
    ),
    topic: 'welfare',
    minAssurance: 'high',
    sensitivity: 'sensitive',
  },
  [DATASET_IDS.lowIncomeStatus]: {
    agencyId: O.socialAssistance,
    name: t('低收入戶及中低收入戶資格', 'Low-income household status'),
    description: t(
      '本人所屬家戶是否經核定為低收入戶或中低收入戶、資格期間及核定機關。',
      'Whether your household is approved as low-income or middle-low-income, for which period and by which authority.',
    ),
    topic: 'welfare',
    minAssurance: 'substantial',
    sensitivity: 'sensitive',
  },
};

const datasets: Dataset[] = (Object.keys(DATASETS) as DemoDatasetId[]).map((id) => ({
  id,
  ...DATASETS[id],
  fields: payloadFields(id),
  payloadSchema: payloadSchema(id) as unknown as Record<string, unknown>,
}));

/** Service ids of the demo catalogue. */
export const SERVICE_IDS = {
  loanApplication: 'firstbank.personal-loan',
  childcareSubsidy: 'pingtung-county.childcare-subsidy',
  disabledParkingPermit: 'pingtung-county.disabled-parking-permit',
  passportRenewal: 'boca.passport-renewal',
  socialHousing: 'taipei-hurc.social-housing-application',
  counterAccountOpening: 'landbank.counter-account-opening',
  counterLowIncomeVerification: 'taipei-daan-district.low-income-verification',
} as const;

const DPV = 'https://w3id.org/dpv#';
const D = DATASET_IDS;
const need = (datasetId: string, zh: string, en: string) => ({
  datasetId,
  required: true,
  justification: t(zh, en),
});
const mayShare = (datasetId: string, zh: string, en: string) => ({
  datasetId,
  required: false,
  justification: t(zh, en),
});

const services: Service[] = [
  {
    id: SERVICE_IDS.loanApplication,
    providerId: O.firstBank,
    name: t('個人信用貸款線上申請', 'Personal loan application'),
    description: t(
      '線上申請個人信用貸款，免附所得、財產與在職證明，由 MyData 直接提供銀行審核。',
      'Apply for a personal loan online without bringing income, property or employment certificates: MyData hands them to the bank for the credit review.',
    ),
    mode: 'online',
    purpose: {
      dpv: `${DPV}CreditChecking`,
      description: t(
        '評估還款能力以核定貸款額度與利率。',
        'To assess your ability to repay and set the loan amount and rate.',
      ),
    },
    datasets: [
      need(D.income, '確認年所得以評估還款能力。', 'Your annual income shows whether you can repay.'),
      need(
        D.property,
        '確認名下不動產與資產作為信用評估參考。',
        'Your property and assets inform the credit assessment.',
      ),
      need(
        D.labourInsurance,
        '確認目前在職、投保單位與投保薪資。',
        'Confirms you are employed, by whom, and at what insured salary.',
      ),
      need(D.householdRegistration, '核對身分與戶籍地址。', 'Verifies your identity and registered address.'),
      mayShare(
        D.nhiStatus,
        '非受僱者可以健保投保資料佐證職業與收入來源。',
        'If you are not an employee, NHI status can support your occupation and source of income.',
      ),
    ],
    // Banks keep credit files for five years after the relationship ends (Banking Act record rules).
    retentionDays: 1825,
  },
  {
    id: SERVICE_IDS.childcareSubsidy,
    providerId: O.pingtung,
    name: t('屏東縣育兒津貼線上申請', 'Pingtung County childcare subsidy'),
    description: t(
      '設籍屏東縣、自行照顧未滿 6 歲幼兒的家長，可線上申請育兒津貼，免附戶籍謄本與所得證明。',
      'Parents registered in Pingtung County who care for a child under 6 can apply online without household transcripts or income certificates.',
    ),
    mode: 'online',
    purpose: {
      dpv: `${DPV}ServiceProvision`,
      description: t(
        '審核育兒津貼資格並核定補助金額。',
        'To check eligibility for the subsidy and set the amount.',
      ),
    },
    datasets: [
      need(
        D.householdRegistration,
        '確認申請人與幼兒同戶且設籍屏東縣。',
        'Confirms you and the child are in one household registered in Pingtung County.',
      ),
      need(
        D.income,
        '確認家戶綜合所得稅率未達 20%。',
        "Confirms the household's income tax rate is below 20%.",
      ),
      mayShare(
        D.lowIncomeStatus,
        '低收入戶及中低收入戶可加額補助。',
        'Low-income and middle-low-income households receive a higher amount.',
      ),
      mayShare(
        D.labourInsurance,
        '確認未同時請領育嬰留職停薪津貼。',
        'Confirms you are not also receiving parental-leave allowance.',
      ),
    ],
    // Subsidy files are kept five years for audit by the National Audit Office.
    retentionDays: 1825,
  },
  {
    id: SERVICE_IDS.disabledParkingPermit,
    providerId: O.pingtung,
    name: t('身心障礙者專用停車位識別證申請', 'Disabled parking permit'),
    description: t(
      '行動不便的身心障礙者可為本人或同戶家人名下的車輛申請專用停車位識別證；本人無車無照時，由提供車輛的家人另行同意提供其車籍與駕照資料。',
      'A person with impaired mobility can apply for a parking permit for a car of their own or of a household member; if they have no car or licence, the family member who drives consents separately to share their vehicle and licence data.',
    ),
    mode: 'online',
    purpose: {
      dpv: `${DPV}ServiceProvision`,
      description: t(
        '審核識別證資格並登記可使用的車輛。',
        'To check eligibility for the permit and record the vehicle it covers.',
      ),
    },
    datasets: [
      need(
        D.disabilityCertificate,
        '確認持有身心障礙證明且經鑑定為行動不便。',
        'Confirms a disability certificate with impaired mobility.',
      ),
      need(D.vehicleRegistration, '登記識別證對應的車牌。', 'Records the plate the permit is for.'),
      need(D.drivingLicence, '確認駕駛人持有有效駕照。', 'Confirms the driver holds a valid licence.'),
    ],
    // A permit is valid until the certificate's reassessment, at most five years.
    retentionDays: 1825,
    // The applicant has the certificate; the household member who drives gives the car and licence.
    parties: [
      {
        role: 'applicant',
        name: t('申請人', 'Applicant'),
        datasets: [D.disabilityCertificate],
        initiator: true,
      },
      {
        role: 'vehicle-owner',
        name: t('車主（提供車輛的家人）', 'Vehicle owner (the family member who drives)'),
        datasets: [D.vehicleRegistration, D.drivingLicence],
      },
    ],
  },
  {
    id: SERVICE_IDS.passportRenewal,
    providerId: O.consularAffairs,
    name: t('護照線上換發', 'Online passport renewal'),
    description: t(
      '成年、在臺設有戶籍且人在國內者，可線上申請換發護照，免臨櫃送件。',
      'Adults with household registration in Taiwan who are in the country can renew their passport online without visiting a counter.',
    ),
    mode: 'online',
    purpose: {
      dpv: `${DPV}ServiceProvision`,
      description: t(
        '核對身分與戶籍、確認人在國內，據以換發護照。',
        'To verify your identity and registration, confirm you are in Taiwan, and issue the new passport.',
      ),
    },
    datasets: [
      need(
        D.householdRegistration,
        '確認在臺設有戶籍及護照上的中文姓名與出生日期。',
        'Confirms household registration in Taiwan and the name and birth date for the passport.',
      ),
      need(D.entryExit, '確認申請人目前人在國內。', 'Confirms you are in Taiwan now.'),
      need(
        D.passport,
        '取得舊護照號碼、外文姓名與效期以辦理換發。',
        'Gets the old passport number, romanised name and expiry to renew it.',
      ),
    ],
    // Passport application files are kept long-term under the Passport Act's archive rules.
    retentionDays: 3650,
  },
  {
    id: SERVICE_IDS.socialHousing,
    providerId: O.taipeiHousing,
    name: t('臺北市社會住宅租賃申請', 'Taipei social housing application'),
    description: t(
      '申請承租臺北市社會住宅，以 MyData 提供戶籍、所得與財產資料審核資格，免附證明文件。',
      'Apply to rent Taipei social housing; MyData provides the registration, income and property data for the eligibility review instead of paper certificates.',
    ),
    mode: 'online',
    purpose: {
      dpv: `${DPV}EstablishContractualAgreement`,
      description: t(
        '審核承租資格（所得、財產門檻與無自有住宅）以簽訂租約。',
        'To check eligibility (income and asset limits, no home of your own) before signing a lease.',
      ),
    },
    datasets: [
      need(
        D.householdRegistration,
        '確認設籍臺北市及家庭成員人數。',
        'Confirms registration in Taipei and the size of the household.',
      ),
      need(D.income, '確認家庭所得未超過門檻。', 'Confirms household income is under the limit.'),
      need(
        D.property,
        '確認家庭財產未超過門檻且無自有住宅。',
        'Confirms household assets are under the limit and that you own no home.',
      ),
      mayShare(
        D.lowIncomeStatus,
        '低收入戶及中低收入戶可優先承租。',
        'Low-income and middle-low-income households have priority.',
      ),
    ],
    // Kept for the lease term (up to six years) plus a year, for renewal reviews.
    retentionDays: 2555,
  },
  {
    id: SERVICE_IDS.counterAccountOpening,
    providerId: O.landBank,
    name: t('臨櫃開戶身分核驗', 'Counter account opening: identity check'),
    description: t(
      '臨櫃開立存款帳戶時出示 MyData 條碼，行員即可核對身分證是否為最新有效的一張，免影印身分證。',
      'When opening an account at a branch, show your MyData code so the clerk can check that your ID card is the current valid one, with no photocopies.',
    ),
    mode: 'counter',
    purpose: {
      dpv: `${DPV}IdentityVerification`,
      description: t(
        '依洗錢防制法確認客戶身分。',
        'To verify your identity as the Money Laundering Control Act requires.',
      ),
    },
    datasets: [
      need(
        D.nationalIdCard,
        '核對身分證記載事項與最新領補換紀錄。',
        'Checks the ID card details and its latest issue record.',
      ),
      mayShare(
        D.householdRegistration,
        '戶籍地址與通訊地址不同時用以核對。',
        'Used to check the registered address when it differs from the mailing address.',
      ),
    ],
    // Customer due-diligence records: five years after the account closes (Money Laundering Control Act art. 8).
    retentionDays: 1825,
  },
  {
    id: SERVICE_IDS.counterLowIncomeVerification,
    providerId: O.daanDistrict,
    name: t('低收入戶資格臨櫃核驗', 'Counter check of low-income status'),
    description: t(
      '在區公所辦理各項減免或補助時，出示 MyData 條碼由承辦人核驗低收入戶資格，免附證明。',
      'When applying for a fee waiver or benefit at the district office, show your MyData code so the clerk can check your low-income status without a certificate.',
    ),
    mode: 'counter',
    purpose: {
      dpv: `${DPV}ServiceProvision`,
      description: t(
        '確認低收入戶資格以辦理減免或補助。',
        'To confirm low-income status for a waiver or benefit.',
      ),
    },
    datasets: [
      need(
        D.lowIncomeStatus,
        '確認家戶目前具低收入戶或中低收入戶資格。',
        'Confirms your household currently holds low-income or middle-low-income status.',
      ),
      need(
        D.householdRegistration,
        '確認設籍本區及同戶成員。',
        'Confirms registration in the district and the household members.',
      ),
    ],
    // Only the result is filed with the benefit; the data itself is not kept beyond the visit's case.
    retentionDays: 365,
  },
];

/** The demo catalogue: it passes `validateCatalogue` with no issues. */
export const demoCatalogue: Catalogue = { organisations, datasets, services };
