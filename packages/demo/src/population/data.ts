/**
 * Reference tables for the synthetic population: names, places, employers and vehicles that look
 * Taiwanese. Names of people are combinations, not real individuals; employers are invented.
 */
import { Rng, weightedTable } from './rng.ts';

/** Common surnames with their approximate share (%) of Taiwan's population and passport spelling. */
export const SURNAMES = weightedTable(
  [
    ['陳', 'CHEN', 11.1],
    ['林', 'LIN', 8.3],
    ['黃', 'HUANG', 6.0],
    ['張', 'CHANG', 5.3],
    ['李', 'LI', 5.1],
    ['王', 'WANG', 4.1],
    ['吳', 'WU', 4.0],
    ['劉', 'LIU', 3.2],
    ['蔡', 'TSAI', 2.9],
    ['楊', 'YANG', 2.6],
    ['許', 'HSU', 2.3],
    ['鄭', 'CHENG', 1.9],
    ['謝', 'HSIEH', 1.8],
    ['郭', 'KUO', 1.7],
    ['洪', 'HUNG', 1.6],
    ['曾', 'TSENG', 1.4],
    ['邱', 'CHIU', 1.4],
    ['廖', 'LIAO', 1.3],
    ['賴', 'LAI', 1.3],
    ['周', 'CHOU', 1.2],
    ['徐', 'HSU', 1.1],
    ['蘇', 'SU', 1.1],
    ['葉', 'YEH', 1.1],
    ['莊', 'CHUANG', 1.0],
    ['呂', 'LU', 1.0],
    ['江', 'CHIANG', 0.9],
    ['何', 'HO', 0.8],
    ['蕭', 'HSIAO', 0.8],
    ['羅', 'LO', 0.8],
    ['高', 'KAO', 0.8],
  ] as const,
  (s) => s[2],
);
export type Surname = (typeof SURNAMES.items)[number];

type GivenName = readonly [zh: string, romanised: string];

// Popular given names change by generation, so the list depends on the decade of birth.
const GIVEN_NAMES: Record<'male' | 'female', Record<'older' | 'middle' | 'young', readonly GivenName[]>> = {
  male: {
    older: [
      ['志明', 'CHIH-MING'],
      ['建國', 'CHIEN-KUO'],
      ['文雄', 'WEN-HSIUNG'],
      ['國華', 'KUO-HUA'],
      ['明德', 'MING-TE'],
      ['正雄', 'CHENG-HSIUNG'],
      ['金龍', 'CHIN-LUNG'],
      ['清水', 'CHING-SHUI'],
      ['進財', 'CHIN-TSAI'],
      ['俊雄', 'CHUN-HSIUNG'],
      ['榮輝', 'JUNG-HUI'],
      ['永福', 'YUNG-FU'],
      ['振興', 'CHEN-HSING'],
      ['松柏', 'SUNG-PO'],
    ],
    middle: [
      ['家豪', 'CHIA-HAO'],
      ['志偉', 'CHIH-WEI'],
      ['俊傑', 'CHUN-CHIEH'],
      ['建宏', 'CHIEN-HUNG'],
      ['宗翰', 'TSUNG-HAN'],
      ['冠宇', 'KUAN-YU'],
      ['志豪', 'CHIH-HAO'],
      ['信宏', 'HSIN-HUNG'],
      ['俊宏', 'CHUN-HUNG'],
      ['家銘', 'CHIA-MING'],
      ['承翰', 'CHENG-HAN'],
      ['彥廷', 'YEN-TING'],
      ['哲瑋', 'CHE-WEI'],
      ['育誠', 'YU-CHENG'],
      ['明哲', 'MING-CHE'],
      ['柏翰', 'PO-HAN'],
    ],
    young: [
      ['承恩', 'CHENG-EN'],
      ['宥廷', 'YU-TING'],
      ['品睿', 'PIN-JUI'],
      ['柏宇', 'PO-YU'],
      ['宇軒', 'YU-HSUAN'],
      ['睿恩', 'JUI-EN'],
      ['子睿', 'TZU-JUI'],
      ['宥辰', 'YU-CHEN'],
      ['承佑', 'CHENG-YU'],
      ['彥宇', 'YEN-YU'],
      ['品翰', 'PIN-HAN'],
      ['禹辰', 'YU-CHEN'],
      ['冠廷', 'KUAN-TING'],
      ['恩碩', 'EN-SHUO'],
    ],
  },
  female: {
    older: [
      ['淑芬', 'SHU-FEN'],
      ['美玲', 'MEI-LING'],
      ['秀英', 'HSIU-YING'],
      ['麗華', 'LI-HUA'],
      ['玉蘭', 'YU-LAN'],
      ['素貞', 'SU-CHEN'],
      ['月娥', 'YUEH-O'],
      ['秀琴', 'HSIU-CHIN'],
      ['美惠', 'MEI-HUI'],
      ['春美', 'CHUN-MEI'],
      ['寶珠', 'PAO-CHU'],
      ['碧霞', 'PI-HSIA'],
      ['淑惠', 'SHU-HUI'],
      ['麗娟', 'LI-CHUAN'],
    ],
    middle: [
      ['怡君', 'YI-CHUN'],
      ['雅婷', 'YA-TING'],
      ['淑娟', 'SHU-CHUAN'],
      ['佳穎', 'CHIA-YING'],
      ['怡婷', 'YI-TING'],
      ['欣怡', 'HSIN-YI'],
      ['佩君', 'PEI-CHUN'],
      ['雅雯', 'YA-WEN'],
      ['惠雯', 'HUI-WEN'],
      ['詩婷', 'SHIH-TING'],
      ['宜蓁', 'YI-CHEN'],
      ['佳蓉', 'CHIA-JUNG'],
      ['靜宜', 'CHING-YI'],
      ['婉婷', 'WAN-TING'],
      ['筱涵', 'HSIAO-HAN'],
    ],
    young: [
      ['品妍', 'PIN-YEN'],
      ['詩涵', 'SHIH-HAN'],
      ['子晴', 'TZU-CHING'],
      ['語彤', 'YU-TUNG'],
      ['可馨', 'KO-HSIN'],
      ['品妤', 'PIN-YU'],
      ['芯瑜', 'HSIN-YU'],
      ['以安', 'YI-AN'],
      ['苡晴', 'YI-CHING'],
      ['思妤', 'SZU-YU'],
      ['詠晴', 'YUNG-CHING'],
      ['亭妤', 'TING-YU'],
      ['子涵', 'TZU-HAN'],
      ['沛恩', 'PEI-EN'],
    ],
  },
};

/** A given name suited to the gender and year of birth. */
export function pickGivenName(rng: Rng, gender: 'male' | 'female', birthYear: number): GivenName {
  const era = birthYear < 1970 ? 'older' : birthYear < 1995 ? 'middle' : 'young';
  return rng.pick(GIVEN_NAMES[gender][era]);
}

export interface District {
  name: string;
  roads: readonly string[];
}

export interface County {
  name: string;
  /** English name, as on passports and in English labels. */
  en: string;
  /** National ID letter issued to people first registered here. */
  letter: string;
  /** Letter issued before the 2010 municipal mergers, when the county had its own. */
  legacyLetter?: string;
  legacyName?: string;
  /** Residents, in ten thousands (2024, rounded); drives how often the county is drawn. */
  population: number;
  urban: boolean;
  districts: readonly District[];
}

const d = (name: string, ...roads: string[]): District => ({ name, roads });

export const COUNTIES: readonly County[] = [
  {
    name: '新北市',
    en: 'New Taipei City',
    letter: 'F',
    legacyName: '臺北縣',
    population: 405,
    urban: true,
    districts: [
      d('板橋區', '文化路一段', '中山路二段', '縣民大道二段'),
      d('中和區', '中和路', '景平路', '中正路'),
      d('新莊區', '中正路', '思源路', '幸福路'),
      d('三重區', '重新路三段', '正義北路', '三和路四段'),
      d('新店區', '北新路二段', '中正路', '民權路'),
      d('淡水區', '中正路', '學府路', '中山北路二段'),
    ],
  },
  {
    name: '臺中市',
    en: 'Taichung City',
    letter: 'B',
    legacyLetter: 'L',
    legacyName: '臺中縣',
    population: 285,
    urban: true,
    districts: [
      d('西屯區', '臺灣大道三段', '文心路三段', '青海路二段'),
      d('北屯區', '崇德路二段', '文心路四段'),
      d('南屯區', '公益路二段', '大墩路'),
      d('豐原區', '中正路', '圓環東路'),
      d('大里區', '中興路二段', '國光路二段'),
    ],
  },
  {
    name: '高雄市',
    en: 'Kaohsiung City',
    letter: 'E',
    legacyLetter: 'S',
    legacyName: '高雄縣',
    population: 273,
    urban: true,
    districts: [
      d('苓雅區', '四維三路', '中正一路', '自強三路'),
      d('三民區', '建工路', '九如二路', '民族一路'),
      d('左營區', '博愛二路', '自由二路'),
      d('鳳山區', '光復路二段', '中山西路', '青年路二段'),
      d('前鎮區', '中華五路', '一心二路'),
    ],
  },
  {
    name: '臺北市',
    en: 'Taipei City',
    letter: 'A',
    population: 250,
    urban: true,
    districts: [
      d('大安區', '和平東路二段', '復興南路一段', '新生南路三段', '敦化南路二段'),
      d('信義區', '松仁路', '信義路五段', '基隆路一段'),
      d('中山區', '南京東路二段', '林森北路', '民權東路三段'),
      d('士林區', '中正路', '文林路', '承德路四段'),
      d('內湖區', '成功路四段', '內湖路一段', '瑞光路'),
      d('文山區', '木柵路三段', '興隆路二段', '羅斯福路六段'),
    ],
  },
  {
    name: '桃園市',
    en: 'Taoyuan City',
    letter: 'H',
    population: 230,
    urban: true,
    districts: [
      d('桃園區', '中正路', '復興路', '經國路'),
      d('中壢區', '中華路二段', '中央西路二段', '環北路'),
      d('平鎮區', '環南路', '延平路二段'),
      d('八德區', '介壽路一段', '建國路'),
    ],
  },
  {
    name: '臺南市',
    en: 'Tainan City',
    letter: 'D',
    legacyLetter: 'R',
    legacyName: '臺南縣',
    population: 185,
    urban: true,
    districts: [
      d('東區', '東門路二段', '林森路一段', '崇學路'),
      d('中西區', '民生路二段', '中正路'),
      d('永康區', '中華路', '中正南路'),
      d('新營區', '中山路', '民治路'),
    ],
  },
  {
    name: '彰化縣',
    en: 'Changhua County',
    letter: 'N',
    population: 124,
    urban: false,
    districts: [
      d('彰化市', '中山路二段', '中正路一段', '民族路'),
      d('員林市', '中山路一段', '員林大道'),
      d('鹿港鎮', '中山路', '民族路'),
    ],
  },
  {
    name: '屏東縣',
    en: 'Pingtung County',
    letter: 'T',
    population: 80,
    urban: false,
    districts: [
      d('屏東市', '自由路', '中正路', '民生路', '廣東路'),
      d('潮州鎮', '新生路', '中山路'),
      d('東港鎮', '中正路一段', '船頭路'),
      d('恆春鎮', '中正路', '恆南路'),
      d('內埔鄉', '光明路', '廣濟路'),
    ],
  },
  {
    name: '雲林縣',
    en: 'Yunlin County',
    letter: 'P',
    population: 67,
    urban: false,
    districts: [d('斗六市', '大學路一段', '中山路', '雲林路二段'), d('虎尾鎮', '林森路一段', '中正路')],
  },
  {
    name: '新竹縣',
    en: 'Hsinchu County',
    letter: 'J',
    population: 58,
    urban: false,
    districts: [d('竹北市', '光明六路', '縣政二路', '中正西路'), d('竹東鎮', '東林路', '長春路二段')],
  },
  {
    name: '苗栗縣',
    en: 'Miaoli County',
    letter: 'K',
    population: 53,
    urban: false,
    districts: [d('苗栗市', '中正路', '為公路'), d('頭份市', '中華路', '中正路')],
  },
  {
    name: '嘉義縣',
    en: 'Chiayi County',
    letter: 'Q',
    population: 49,
    urban: false,
    districts: [d('太保市', '祥和一路東段', '北港路二段'), d('民雄鄉', '建國路二段', '中樂路')],
  },
  {
    name: '南投縣',
    en: 'Nantou County',
    letter: 'M',
    population: 48,
    urban: false,
    districts: [d('南投市', '中興路', '三和三路'), d('埔里鎮', '中山路二段', '西安路一段')],
  },
  {
    name: '宜蘭縣',
    en: 'Yilan County',
    letter: 'G',
    population: 45,
    urban: false,
    districts: [d('宜蘭市', '中山路三段', '神農路二段'), d('羅東鎮', '中正路', '公正路')],
  },
  {
    name: '新竹市',
    en: 'Hsinchu City',
    letter: 'O',
    population: 45,
    urban: true,
    districts: [d('東區', '光復路二段', '建中路', '民族路'), d('北區', '中正路', '經國路一段')],
  },
  {
    name: '基隆市',
    en: 'Keelung City',
    letter: 'C',
    population: 36,
    urban: true,
    districts: [d('仁愛區', '愛一路', '仁一路'), d('信義區', '信二路', '東信路')],
  },
  {
    name: '花蓮縣',
    en: 'Hualien County',
    letter: 'U',
    population: 32,
    urban: false,
    districts: [d('花蓮市', '中山路', '中正路', '林森路'), d('吉安鄉', '中山路三段', '中正路二段')],
  },
  {
    name: '嘉義市',
    en: 'Chiayi City',
    letter: 'I',
    population: 26,
    urban: true,
    districts: [d('東區', '民族路', '中山路'), d('西區', '友愛路', '興業西路')],
  },
  {
    name: '臺東縣',
    en: 'Taitung County',
    letter: 'V',
    population: 21,
    urban: false,
    districts: [d('臺東市', '中華路一段', '更生路', '四維路二段')],
  },
  {
    name: '金門縣',
    en: 'Kinmen County',
    letter: 'W',
    population: 14,
    urban: false,
    districts: [d('金城鎮', '民生路', '民權路'), d('金湖鎮', '復興路')],
  },
  {
    name: '澎湖縣',
    en: 'Penghu County',
    letter: 'X',
    population: 11,
    urban: false,
    districts: [d('馬公市', '中正路', '民族路')],
  },
];

export const COUNTY_TABLE = weightedTable(COUNTIES, (c) => c.population);

/** Counties by their current or legacy ID letter, to name a birthplace from an ID. */
export function countyNameForLetter(letter: string, birthYear: number): string {
  for (const c of COUNTIES) {
    if (c.legacyLetter === letter) return c.legacyName ?? c.name;
    if (c.letter === letter)
      return birthYear < 2011 && c.legacyName && !c.legacyLetter ? c.legacyName : c.name;
  }
  return '連江縣';
}

/** A valid 8-digit unified business number (統一編號): weights 1,2,1,2,1,2,4,1, digit sums divisible by 5. */
export function businessNumber(rng: Rng): string {
  const weights = [1, 2, 1, 2, 1, 2, 4, 1];
  for (;;) {
    const digits = Array.from({ length: 8 }, () => rng.int(0, 9));
    let sum = 0;
    for (let i = 0; i < 8; i++) {
      const p = (digits[i] as number) * (weights[i] as number);
      sum += Math.floor(p / 10) + (p % 10);
    }
    // When the 7th digit is 7, its product 28 may count as 1 or 0: either sum passing is valid.
    const ok = sum % 5 === 0 || (digits[6] === 7 && (sum + 1) % 5 === 0);
    if (ok) return digits.join('');
  }
}

export interface Employer {
  name: string;
  businessNumber: string;
  /** Which counties' residents tend to work here; undefined for nationwide employers. */
  county?: string;
}

const EMPLOYER_NAMES = [
  '長青精密工業股份有限公司',
  '日昇電子股份有限公司',
  '青禾食品股份有限公司',
  '海岳物流股份有限公司',
  '永晴科技股份有限公司',
  '瑞豐營造股份有限公司',
  '光啟半導體股份有限公司',
  '嘉禾醫療器材股份有限公司',
  '聯旺餐飲股份有限公司',
  '北辰軟體股份有限公司',
  '南港紡織股份有限公司',
  '晨曦文創有限公司',
  '匯通保全股份有限公司',
  '和順汽車股份有限公司',
  '新禾百貨股份有限公司',
  '安心長照社團法人',
  '天成機械有限公司',
  '碧海水產有限公司',
  '松竹印刷有限公司',
  '安達客運股份有限公司',
  '華信光電股份有限公司',
  '明德補習班',
  '福興便利商店股份有限公司',
  '東昇鋼鐵股份有限公司',
];

/** Invented employers with valid business numbers, the same for every seed. */
export const EMPLOYERS: readonly Employer[] = (() => {
  const rng = new Rng(0x5eed);
  return EMPLOYER_NAMES.map((name) => Object.freeze({ name, businessNumber: businessNumber(rng) }));
})();

/** Occupational unions (職業工會) through which the self-employed buy labour and health insurance. */
export const OCCUPATIONAL_UNIONS: readonly Employer[] = (() => {
  const rng = new Rng(0x0c0c);
  return [
    '計程車駕駛員職業工會',
    '美容美髮業職業工會',
    '室內裝修業職業工會',
    '自由攝影業職業工會',
    '廚師業職業工會',
  ].map((name) => Object.freeze({ name, businessNumber: businessNumber(rng) }));
})();

/** Payers of interest income. */
export const BANKS = [
  '臺灣銀行',
  '中華郵政股份有限公司',
  '第一商業銀行',
  '合作金庫商業銀行',
  '臺灣土地銀行',
  '華南商業銀行',
] as const;

/** Payers of taxable pensions (退職所得). */
export const PENSION_PAYERS = ['公務人員退休撫卹基金管理局', '臺灣銀行公教年金部'] as const;

export interface VehicleModel {
  make: string;
  model: string;
  engineCc: number;
  /** A new car's price, NT$ thousand, as the base of the property value. */
  price: number;
}

export const CAR_MODELS: readonly VehicleModel[] = [
  { make: 'TOYOTA', model: 'COROLLA ALTIS', engineCc: 1798, price: 800 },
  { make: 'TOYOTA', model: 'RAV4', engineCc: 1987, price: 1100 },
  { make: 'TOYOTA', model: 'YARIS CROSS', engineCc: 1496, price: 750 },
  { make: 'HONDA', model: 'CR-V', engineCc: 1498, price: 1150 },
  { make: 'HONDA', model: 'HR-V', engineCc: 1498, price: 900 },
  { make: 'NISSAN', model: 'KICKS', engineCc: 1198, price: 800 },
  { make: 'MITSUBISHI', model: 'OUTLANDER', engineCc: 2488, price: 1000 },
  { make: 'FORD', model: 'KUGA', engineCc: 1497, price: 1100 },
  { make: 'MAZDA', model: 'CX-5', engineCc: 1998, price: 1150 },
  { make: 'LUXGEN', model: 'U6', engineCc: 1798, price: 850 },
  { make: 'HYUNDAI', model: 'TUCSON', engineCc: 1598, price: 1050 },
  { make: 'LEXUS', model: 'NX350H', engineCc: 2487, price: 2000 },
  { make: 'TESLA', model: 'MODEL Y', engineCc: 0, price: 1900 },
];

export const MOTORCYCLE_MODELS: readonly VehicleModel[] = [
  { make: 'KYMCO', model: 'MANY 110', engineCc: 110, price: 60 },
  { make: 'KYMCO', model: 'RACING S 150', engineCc: 150, price: 95 },
  { make: 'SYM', model: 'JET SL 125', engineCc: 125, price: 90 },
  { make: 'SYM', model: 'DUKE 125', engineCc: 125, price: 70 },
  { make: 'YAMAHA', model: 'CYGNUS GRYPHUS', engineCc: 125, price: 85 },
  { make: 'YAMAHA', model: 'NMAX 155', engineCc: 155, price: 100 },
  { make: 'GOGORO', model: 'VIVA MIX', engineCc: 0, price: 75 },
  { make: 'SUZUKI', model: 'SWISH 125', engineCc: 124, price: 75 },
];

// Every citizen's facts share these objects, so nobody may change them.
for (const model of [...CAR_MODELS, ...MOTORCYCLE_MODELS]) Object.freeze(model);

/** Plate letters: I and O are never used on Taiwanese plates (they look like 1 and 0). */
export const PLATE_LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
