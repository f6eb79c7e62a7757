/** JOSE `typ` of the signed data package (the inner JWS). */
export const PACKAGE_JWS_TYPE = 'mydata-package+jwt';
/** JOSE `cty` of the encrypted package (the outer JWE): it holds a package JWS. */
export const PACKAGE_CONTENT_TYPE = 'mydata-package+jwt';
/** JOSE `typ` of a webhook the platform posts to a service. */
export const WEBHOOK_JWS_TYPE = 'mydata-webhook+jwt';
/** Signature algorithm of receipts, packages, webhooks and ID tokens. */
export const PLATFORM_SIGNING_ALGORITHM = 'ES256';
/** Key management and content encryption of the package JWE. */
export const PACKAGE_KEY_ALGORITHM = 'ECDH-ES+A256KW';
export const PACKAGE_ENCRYPTION = 'A256GCM';
/** The media type of compact JOSE bodies (packages, receipts). */
export const JOSE_MEDIA_TYPE = 'application/jose';

/** One dataset inside a package: the data and the agency's signed answer it came from, verbatim. */
export interface PackageDataset {
  datasetId: string;
  agencyId: string;
  data: unknown;
  agency: {
    /** The agency's response JWS (docs/exchange.md section 3). */
    responseSignature: string;
    /** The exact response body the agency signed (bodySha256). */
    responseBody: string;
    /** The platform's request JWS the answer is bound to (requestHash). */
    requestSignature: string;
  };
  receivedAt: string;
}

/** The claims of a package JWS (docs/package.md). */
export interface PackageClaims {
  iss: string;
  aud: string;
  /** The citizen's pairwise subject at this service. */
  sub: string;
  /** The package id. */
  jti: string;
  iat: number;
  exp: number;
  consent: { id: string; receiptSha256: string };
  service: string;
  purpose: string;
  mode: 'online';
  datasets: PackageDataset[];
  /** Multi-person applications only: the initiator's role (its data is `datasets`, its subject `sub`). */
  role?: string;
  /** Multi-person applications only: every other party's data under its role, with its own pairwise subject. */
  parties?: PackageParty[];
}

/** One other party of a multi-person application inside a package. */
export interface PackageParty {
  role: string;
  /** The party's pairwise subject at this service. */
  sub: string;
  /** SHA-256 (base64url) of the party's own signed consent receipt. */
  receiptSha256: string;
  datasets: PackageDataset[];
}

/** The events a service's webhook receives. */
export const WEBHOOK_EVENTS = [
  'consent.withdrawn',
  'consent.expired',
  'transfer.failed',
  'application.progress',
  'application.ready',
  'application.ended',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** The claims of a webhook JWS. */
export interface WebhookClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  event: WebhookEvent;
  consentId: string;
  sub: string;
  /** application.* events only: where the multi-person application stands. */
  progress?: ApplicationProgress;
}

export const MULTI_PERSON_STATUSES = ['waiting', 'ready', 'ended'] as const;
export const PARTY_STATUSES = ['waiting', 'consented', 'declined', 'expired'] as const;
export type PartyStatus = (typeof PARTY_STATUSES)[number];

/** Where a multi-person application stands, as its service sees it (no personal data). */
export interface ApplicationProgress {
  status: (typeof MULTI_PERSON_STATUSES)[number];
  parties: { role: string; status: PartyStatus }[];
  /** When the invitations expire (ISO 8601). */
  expiresAt?: string;
}
