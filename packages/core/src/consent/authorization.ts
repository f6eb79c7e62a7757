import type { Service } from '../catalogue/schemas.ts';
import { AppError } from '../errors.ts';

/** The RFC 9396 authorization detail type of a MyData transfer request. */
export const MYDATA_DETAIL_TYPE = 'mydata';

/** The only transfer mode the OAuth flow serves; counter services use another flow. */
export const ONLINE_MODE = 'online';

/**
 * One RFC 9396 authorization detail of type `mydata`: which datasets, for which purpose, in which
 * mode. After consent the granted detail carries the datasets the citizen chose and `consentId`.
 */
export interface MydataAuthorizationDetail {
  type: 'mydata';
  datasets: string[];
  purpose: string;
  mode: string;
  consentId?: string;
  [extra: string]: unknown;
}

const invalid = (reason: string) => new AppError('consent.invalid-authorization-details', { reason });

/**
 * Picks the one `mydata` detail out of an `authorization_details` value (an array, or its JSON text)
 * and checks its shape; anything else is `consent.invalid-authorization-details`.
 */
export function parseAuthorizationDetails(value: unknown): MydataAuthorizationDetail {
  let details = value;
  if (typeof details === 'string') {
    try {
      details = JSON.parse(details);
    } catch {
      throw invalid('authorization_details is not JSON');
    }
  }
  if (details === undefined || details === null) throw invalid('authorization_details is missing');
  if (!Array.isArray(details)) throw invalid('authorization_details must be an array');
  const mine = details.filter(
    (d) => typeof d === 'object' && d !== null && (d as { type?: unknown }).type === MYDATA_DETAIL_TYPE,
  );
  if (mine.length !== 1 || details.length !== 1) {
    throw invalid(`exactly one detail of type "${MYDATA_DETAIL_TYPE}" is expected, got ${details.length}`);
  }
  return checkDetailShape(mine[0]);
}

/** Checks one detail's shape (types, non-empty unique datasets) without the catalogue. */
export function checkDetailShape(detail: unknown): MydataAuthorizationDetail {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw invalid('the detail must be an object');
  }
  const d = detail as Record<string, unknown>;
  if (d.type !== MYDATA_DETAIL_TYPE) throw invalid(`type must be "${MYDATA_DETAIL_TYPE}"`);
  if (!Array.isArray(d.datasets) || d.datasets.length === 0) {
    throw invalid('datasets must be a non-empty array');
  }
  if (d.datasets.some((x) => typeof x !== 'string' || x.length === 0 || x.length > 80)) {
    throw invalid('datasets must be dataset ids');
  }
  if (new Set(d.datasets).size !== d.datasets.length) throw invalid('datasets must not repeat');
  if (d.datasets.length > 50) throw invalid('at most 50 datasets');
  if (typeof d.purpose !== 'string' || d.purpose.length === 0) throw invalid('purpose must be a DPV IRI');
  if (typeof d.mode !== 'string' || d.mode.length === 0) throw invalid('mode must be a string');
  if (d.consentId !== undefined && typeof d.consentId !== 'string')
    throw invalid('consentId must be a string');
  return d as MydataAuthorizationDetail;
}

/**
 * Checks a request against the service's catalogue entry: every dataset approved for it, every
 * required one present, the registered purpose and an online mode. Returns the checked detail.
 */
export function checkAuthorizationDetail(detail: unknown, service: Service): MydataAuthorizationDetail {
  const d = checkDetailShape(detail);
  const serviceId = service.id;
  const approved = new Set(service.datasets.map((s) => s.datasetId));
  for (const datasetId of d.datasets) {
    if (!approved.has(datasetId))
      throw new AppError('consent.dataset-not-approved', { serviceId, datasetId });
  }
  for (const s of service.datasets) {
    if (s.required && !d.datasets.includes(s.datasetId)) {
      throw new AppError('consent.required-dataset-missing', { datasetId: s.datasetId });
    }
  }
  if (d.purpose !== service.purpose.dpv) {
    throw new AppError('consent.purpose-not-approved', {
      serviceId,
      purpose: d.purpose,
      approved: service.purpose.dpv,
    });
  }
  if (d.mode !== service.mode || d.mode !== ONLINE_MODE) {
    throw new AppError('consent.mode-not-supported', { serviceId, mode: d.mode, approved: service.mode });
  }
  return d;
}

/**
 * Checks the citizen's choice against the request: only requested datasets, no repeats, and every
 * dataset the service requires. Returns the choice in the request's order.
 */
export function checkChoice(detail: MydataAuthorizationDetail, service: Service, chosen: string[]): string[] {
  const requested = new Set(detail.datasets);
  for (const datasetId of chosen) {
    if (!requested.has(datasetId)) throw new AppError('consent.dataset-not-requested', { datasetId });
  }
  for (const s of service.datasets) {
    if (s.required && !chosen.includes(s.datasetId)) {
      throw new AppError('consent.required-dataset-missing', { datasetId: s.datasetId });
    }
  }
  const picked = new Set(chosen);
  const ordered = detail.datasets.filter((id) => picked.has(id));
  if (ordered.length === 0) {
    throw new AppError('consent.invalid-authorization-details', { reason: 'no dataset was chosen' });
  }
  return ordered;
}
