/**
 * Review flags: what a reviewer should look at twice in an application. They are advice, not
 * refusals: the applicant sees them on submission and can fix them before a reviewer does.
 */
import type { Dataset, Topic } from '../catalogue/schemas.ts';
import type { LocalizedText } from '../i18n.ts';
import type { ApplicationBody, ReviewFlag } from './schemas.ts';

const DPV = 'https://w3id.org/dpv#';

/**
 * Which dataset topics a purpose plausibly needs, and how long its records are usually kept.
 * Anything outside these ranges is not forbidden; it is what a reviewer asks about.
 */
export const PURPOSE_PROFILES: Record<string, { topics: readonly Topic[]; retentionDays: number }> = {
  // Credit files are kept five years after the relationship ends (Banking Act record rules).
  [`${DPV}CreditChecking`]: {
    topics: ['identity', 'household', 'income', 'property', 'employment'],
    retentionDays: 1825,
  },
  // Public services differ too widely to narrow the topics; subsidy files are audited for five years.
  [`${DPV}ServiceProvision`]: {
    topics: [
      'identity',
      'household',
      'income',
      'property',
      'employment',
      'transport',
      'health',
      'travel',
      'welfare',
    ],
    retentionDays: 1825,
  },
  [`${DPV}IdentityVerification`]: { topics: ['identity', 'household'], retentionDays: 90 },
  [`${DPV}FraudPreventionAndDetection`]: {
    topics: ['identity', 'household', 'income', 'employment'],
    retentionDays: 1825,
  },
  [`${DPV}HumanResourceManagement`]: { topics: ['identity', 'household', 'employment'], retentionDays: 1825 },
  [`${DPV}AcademicResearch`]: {
    topics: ['household', 'income', 'employment', 'transport', 'health', 'travel', 'welfare'],
    retentionDays: 1095,
  },
  // Government data is not collected to advertise with: every topic is unusual here.
  [`${DPV}Marketing`]: { topics: [], retentionDays: 365 },
};

/** What the flags need to know of the catalogue: the datasets a service application asks for. */
export interface FlagCatalogue {
  datasets: ReadonlyArray<Pick<Dataset, 'id' | 'name' | 'topic' | 'sensitivity' | 'fields'>>;
}

const t = (zh: string, en: string): LocalizedText => ({ 'zh-TW': zh, en });
const purposeName = (dpv: string) => dpv.replace(DPV, '');

function isPlainHttp(uri: string): boolean {
  try {
    return new URL(uri).protocol === 'http:';
  } catch {
    return false;
  }
}

/** The flags of an application, in the order of the fields they point at. */
export function reviewFlags(application: ApplicationBody, catalogue: FlagCatalogue): ReviewFlag[] {
  const flags: ReviewFlag[] = [];
  const byId = new Map(catalogue.datasets.map((d) => [d.id, d]));

  if (application.kind === 'data-provider') {
    application.datasets.forEach((d, i) => {
      if (d.sensitivity === 'sensitive') {
        flags.push({
          code: 'sensitive-dataset',
          severity: 'notice',
          pointer: `/datasets/${i}/sensitivity`,
          message: t(
            `資料集「${d.name['zh-TW']}」為敏感資料，請確認最低驗證等級（${d.minAssurance}）足夠。`,
            `Dataset "${d.name.en}" is sensitive: check that its minimum assurance (${d.minAssurance}) is enough.`,
          ),
        });
      }
    });
    return flags;
  }

  const { service } = application;
  const profile = PURPOSE_PROFILES[service.purpose.dpv];
  if (!profile) {
    flags.push({
      code: 'purpose-unknown',
      severity: 'notice',
      pointer: '/service/purpose/dpv',
      message: t(
        `目的「${purposeName(service.purpose.dpv)}」不在審查對照表中，請人工判斷所需資料是否相稱。`,
        `The purpose "${purposeName(service.purpose.dpv)}" is not in the review table: judge by hand whether the data asked for fits it.`,
      ),
    });
  }

  const seen = new Map<string, number>();
  service.datasets.forEach((requested, i) => {
    const dataset = byId.get(requested.datasetId);
    if (!dataset) return;
    const base = `/service/datasets/${i}`;
    const justified = new Set(
      requested.fields
        .filter((f) => f.justification['zh-TW'].trim() && f.justification.en.trim())
        .map((f) => f.name),
    );
    const unjustified = dataset.fields.map((f) => f.name).filter((name) => !justified.has(name));
    if (unjustified.length > 0) {
      flags.push({
        code: 'field-without-justification',
        severity: 'warning',
        pointer: `${base}/fields`,
        message: t(
          `「${dataset.name['zh-TW']}」的欄位 ${unjustified.join('、')} 沒有說明理由；平臺會交付整份資料集，請確認確有需要或說明各欄位用途。`,
          `Fields ${unjustified.join(', ')} of "${dataset.name.en}" have no justification; the whole dataset is delivered, so confirm each is needed or explain it.`,
        ),
      });
    }
    if (profile && !profile.topics.includes(dataset.topic)) {
      flags.push({
        code: 'topic-unusual-for-purpose',
        severity: 'warning',
        pointer: `${base}/datasetId`,
        message: t(
          `「${dataset.name['zh-TW']}」（${dataset.topic}）通常不是「${purposeName(service.purpose.dpv)}」目的所需的資料。`,
          `"${dataset.name.en}" (${dataset.topic}) is not usually needed for the purpose "${purposeName(service.purpose.dpv)}".`,
        ),
      });
    }
    if (dataset.sensitivity === 'sensitive') {
      flags.push({
        code: 'sensitive-dataset',
        severity: 'warning',
        pointer: `${base}/datasetId`,
        message: t(
          `「${dataset.name['zh-TW']}」是敏感個人資料（個資法第 6 條或財務資料），請確認必要性與保護措施。`,
          `"${dataset.name.en}" is sensitive personal data (PDPA art. 6 or financial standing): check necessity and safeguards.`,
        ),
      });
    }
    const key = `${requested.justification['zh-TW'].trim()}\u0000${requested.justification.en.trim().toLowerCase()}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      flags.push({
        code: 'copied-justification',
        severity: 'notice',
        pointer: `${base}/justification`,
        message: t(
          `此資料集的說明與第 ${first + 1} 個資料集完全相同，請分別說明各自的用途。`,
          `This justification is identical to that of dataset ${first + 1}: explain each dataset's own use.`,
        ),
      });
    }
  });

  if (profile && service.retentionDays > profile.retentionDays) {
    flags.push({
      code: 'retention-beyond-purpose',
      severity: 'warning',
      pointer: '/service/retentionDays',
      message: t(
        `保存 ${service.retentionDays} 天，超過「${purposeName(service.purpose.dpv)}」目的通常的 ${profile.retentionDays} 天。`,
        `Keeping data ${service.retentionDays} days exceeds the ${profile.retentionDays} days usual for "${purposeName(service.purpose.dpv)}".`,
      ),
    });
  }

  (application.redirectUris ?? []).forEach((uri, i) => {
    if (isPlainHttp(uri)) {
      flags.push({
        code: 'http-redirect-uri',
        severity: 'warning',
        pointer: `/redirectUris/${i}`,
        message: t(
          `轉址網址 ${uri} 未使用 https：只能用於沙盒，正式上線前須改為 https。`,
          `Redirect URI ${uri} is not https: usable in the sandbox only; production needs https.`,
        ),
      });
    }
  });
  return flags;
}
