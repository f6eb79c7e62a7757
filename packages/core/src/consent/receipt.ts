import canonicalize from 'canonicalize';
import type { AssuranceLevel } from '../assurance.ts';
import type { LocalizedText } from '../i18n.ts';

/** JOSE `typ` of a signed consent receipt. */
export const RECEIPT_JWS_TYPE = 'mydata-consent-receipt+jwt';

/** Version of the receipt record below. */
export const RECEIPT_VERSION = 'mydata-consent-receipt/1';

/**
 * A consent receipt after ISO/IEC TS 27560 and the Kantara Consent Receipt: what the citizen agreed
 * to, with whom, for what and until when. The subject is the pairwise pseudonym the service knows,
 * never the national ID; the record is signed by the platform in its RFC 8785 canonical form.
 */
export interface ConsentReceipt {
  version: typeof RECEIPT_VERSION;
  /** The consent id. */
  receiptId: string;
  issuedAt: string;
  jurisdiction: 'TW';
  /** The platform that recorded the consent (its issuer URL). */
  issuer: string;
  controller: { id: string; name: LocalizedText };
  service: { id: string; name: LocalizedText };
  /** The pairwise subject of the citizen at this service. */
  subject: string;
  purposes: { dpv: string; description: LocalizedText }[];
  datasets: { id: string; agencyId: string; fields: string[]; required: boolean }[];
  mode: string;
  oneTime: true;
  /** How long the service says it keeps the data. */
  retentionDays: number;
  /** Until when the platform holds the data for the service to fetch. */
  validUntil: string;
  collectionMethod: 'platform-consent-screen';
  assurance: { level: AssuranceLevel; methods: string[] };
  status: 'given';
}

/** The RFC 8785 canonical JSON text of a receipt: the exact bytes the platform signs. */
export function canonicalReceipt(receipt: ConsentReceipt): string {
  const text = canonicalize(receipt);
  if (text === undefined) throw new Error('receipt cannot be canonicalised');
  return text;
}

/** Whether a value has the receipt's shape (after a signature has been verified). */
export function isConsentReceipt(value: unknown): value is ConsentReceipt {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    r.version === RECEIPT_VERSION &&
    typeof r.receiptId === 'string' &&
    typeof r.subject === 'string' &&
    typeof r.issuer === 'string' &&
    Array.isArray(r.datasets) &&
    Array.isArray(r.purposes) &&
    r.oneTime === true
  );
}
