/**
 * Verification of a data package (docs/package.md): the platform's JWS, nested in a JWE to the
 * service's encryption key, carrying each agency's signed answer so the service can check every
 * record against the agency that issued it, not just against the platform.
 */
import { isDeepStrictEqual } from 'node:util';
import {
  PACKAGE_CONTENT_TYPE,
  PACKAGE_ENCRYPTION,
  PACKAGE_JWS_TYPE,
  PLATFORM_SIGNING_ALGORITHM,
  RESPONSE_JWS_TYPE,
  requestHash,
  sha256Base64url,
  WEBHOOK_JWS_TYPE,
} from '@mydata/core';
import {
  type CryptoKey,
  compactDecrypt,
  createLocalJWKSet,
  decodeJwt,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Jwks } from '../provider/keys.ts';
import { TransferError } from './errors.ts';
import { SERVICE_ENCRYPTION_ALGORITHM } from './keys.ts';

export { PACKAGE_JWS_TYPE, WEBHOOK_JWS_TYPE };

/** One dataset of a verified package: the record, and which agency signed it. */
export interface VerifiedDataset<T = Record<string, unknown>> {
  datasetId: string;
  agencyId: string;
  /** The record exactly as the agency signed it. */
  data: T;
  /** When the platform received it from the agency (ISO 8601). */
  receivedAt: string;
  /** Always true: a dataset whose agency signature does not verify fails the whole package. */
  agencySignatureVerified: true;
  /** The `kid` of the agency key that signed it, when the signature names one. */
  agencyKeyId: string | undefined;
  /** The agency's compact JWS over its answer, to keep as proof of where the data came from. */
  agencySignature: string;
}

/** A verified data package: who it is about (pairwise), under which consent, and the data. */
export interface TransferResult {
  /** The package id (`jti`). */
  packageId: string;
  /** The citizen's pairwise subject for this service: stable across transfers, never the national ID. */
  subject: string;
  consentId: string;
  /** base64url SHA-256 of the signed consent receipt the citizen can download. */
  receiptSha256: string;
  serviceId: string;
  purpose: string;
  mode: string;
  issuedAt: Date;
  expiresAt: Date;
  datasets: VerifiedDataset[];
  /** Multi-person applications: the role of the person `subject` and `datasets` are about (the initiator). */
  role?: string;
  /** Multi-person applications: every other party's verified data under its role, with its own pairwise subject. */
  parties?: VerifiedParty[];
  /**
   * Set when the application still waits for other people to consent: `datasets` is then empty.
   * Keep `pending.handle` server-side and call `client.fetchPackage(handle)` once it is ready
   * (the `application.ready` webhook, or `client.progress(handle)`).
   */
  pending?: PendingApplication;
}

/** One other party of a multi-person application in a verified package. */
export interface VerifiedParty {
  role: string;
  /** This person's pairwise subject for the service. */
  subject: string;
  receiptSha256: string;
  datasets: VerifiedDataset[];
}

/** Where a multi-person application stands (GET /api/v1/transfer/progress). */
export interface ApplicationProgress {
  status: 'waiting' | 'ready' | 'ended';
  parties: { role: string; status: 'waiting' | 'consented' | 'declined' | 'expired' }[];
  expiresAt?: string;
}

/**
 * What a service keeps to fetch a multi-person package later: the DPoP-bound access token and the
 * private DPoP key it is bound to. Secret: store it server-side only, never in a browser.
 */
export interface ApplicationHandle {
  consentId: string;
  subject?: string;
  accessToken: string;
  /** The DPoP key pair (private and public JWK) the token is bound to. */
  dpopKey: { privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> };
  datasets: string[];
  purpose: string;
  /** When the access token stops working (ISO 8601). */
  tokenExpiresAt: string;
}

/** A transfer that waits for other parties of a multi-person application. */
export interface PendingApplication {
  consentId: string;
  progress: ApplicationProgress;
  handle: ApplicationHandle;
}

/** What the verifier needs: its own identity and keys, and where the platform's and agencies' keys come from. */
export interface PackageVerification {
  issuer: string;
  clientId: string;
  /** The service's private encryption key, imported. */
  decryptionKey: CryptoKey;
  /** `kid` of that key; a package encrypted to another key is refused. */
  decryptionKeyId?: string | undefined;
  /** The platform's signing keys (the OAuth JWKS). */
  platformKeys: JWTVerifyGetKey;
  /** An agency's public signing keys; `refresh` asks again when a key is not found (rotation). */
  agencyKeys: (agencyId: string, refresh: boolean) => Promise<Jwks | undefined>;
  /** Datasets the service asked for; a package with any other is refused. */
  requestedDatasets?: readonly string[];
  /** Purpose the service asked for; a package for another is refused. */
  purpose?: string;
  /** The `consentId` of the access token's authorization detail; a package under another consent is refused. */
  consentId?: string;
  /** The `sub` of the ID token; a package about anyone else is refused. */
  subject?: string;
  clockToleranceSeconds?: number;
  now?: () => Date;
}

const refuse = (detail: string, extra: { agencyId?: string; datasetId?: string; cause?: unknown } = {}) =>
  new TransferError('transfer.package-refused', detail, extra);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Decrypts and verifies a package (platform JWS, then each agency's signed answer) and returns its data. */
export async function verifyPackage(jwe: string, v: PackageVerification): Promise<TransferResult> {
  let jws: string;
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(jwe.trim(), v.decryptionKey, {
      keyManagementAlgorithms: [SERVICE_ENCRYPTION_ALGORITHM],
      contentEncryptionAlgorithms: [PACKAGE_ENCRYPTION],
    });
    if (v.decryptionKeyId && protectedHeader.kid !== undefined && protectedHeader.kid !== v.decryptionKeyId)
      throw new Error(`encrypted to key ${protectedHeader.kid}, not ${v.decryptionKeyId}`);
    if (protectedHeader.cty?.toLowerCase() !== PACKAGE_CONTENT_TYPE)
      throw new Error(`content type ${String(protectedHeader.cty)} is not ${PACKAGE_CONTENT_TYPE}`);
    jws = new TextDecoder().decode(plaintext);
  } catch (cause) {
    throw refuse(`the package does not decrypt with this service's key: ${message(cause)}`, { cause });
  }

  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(jws, v.platformKeys, {
      algorithms: [PLATFORM_SIGNING_ALGORITHM],
      typ: PACKAGE_JWS_TYPE,
      issuer: v.issuer,
      audience: v.clientId,
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
      clockTolerance: v.clockToleranceSeconds ?? 30,
      ...(v.now ? { currentDate: v.now() } : {}),
    }));
  } catch (cause) {
    throw refuse(`the platform signature or claims do not verify: ${message(cause)}`, { cause });
  }

  const consent = claims.consent;
  if (!isObject(consent) || !isString(consent.id) || !isString(consent.receiptSha256))
    throw refuse('the package names no consent');
  if (v.consentId !== undefined && consent.id !== v.consentId)
    throw refuse(`the package is for consent ${consent.id}, not the one granted (${v.consentId})`);
  if (v.subject !== undefined && claims.sub !== v.subject)
    throw refuse('the package is about another subject than the ID token');
  if (claims.service !== v.clientId) throw refuse(`the package is for service ${String(claims.service)}`);
  if (!isString(claims.purpose) || (v.purpose !== undefined && claims.purpose !== v.purpose))
    throw refuse(`the package is for purpose ${String(claims.purpose)}, not the one asked for`);
  if (!Array.isArray(claims.datasets) || claims.datasets.length === 0)
    throw refuse('the package carries no datasets');

  const seen = new Set<string>();
  const consentId = consent.id;
  const verifyAll = async (entries: unknown[]) => {
    const out: VerifiedDataset[] = [];
    for (const entry of entries) {
      const d = await verifyDataset(entry, consentId, v);
      if (seen.has(d.datasetId)) throw refuse(`dataset ${d.datasetId} appears twice`);
      if (v.requestedDatasets && !v.requestedDatasets.includes(d.datasetId))
        throw refuse(`dataset ${d.datasetId} was not asked for`, { datasetId: d.datasetId });
      seen.add(d.datasetId);
      out.push(d);
    }
    return out;
  };
  const datasets = await verifyAll(claims.datasets as unknown[]);
  let parties: VerifiedParty[] | undefined;
  if (claims.parties !== undefined) {
    if (!Array.isArray(claims.parties) || !isString(claims.role))
      throw refuse('the package names parties without the role of its subject');
    parties = [];
    for (const p of claims.parties as unknown[]) {
      if (
        !isObject(p) ||
        !isString(p.role) ||
        !isString(p.sub) ||
        !isString(p.receiptSha256) ||
        !Array.isArray(p.datasets)
      )
        throw refuse('a party of the package is malformed');
      parties.push({
        role: p.role,
        subject: p.sub,
        receiptSha256: p.receiptSha256,
        datasets: await verifyAll(p.datasets),
      });
    }
  }

  return {
    packageId: claims.jti as string,
    subject: claims.sub as string,
    consentId: consent.id,
    receiptSha256: consent.receiptSha256,
    serviceId: claims.service,
    purpose: claims.purpose,
    mode: String(claims.mode ?? ''),
    issuedAt: new Date((claims.iat as number) * 1000),
    expiresAt: new Date((claims.exp as number) * 1000),
    datasets,
    ...(parties ? { role: claims.role as string, parties } : {}),
  };
}

/** Checks one dataset entry against the agency's own signature (docs/exchange.md section 3). */
async function verifyDataset(
  entry: unknown,
  consentId: string,
  v: PackageVerification,
): Promise<VerifiedDataset> {
  if (!isObject(entry) || !isString(entry.datasetId) || !isString(entry.agencyId) || !isObject(entry.agency))
    throw refuse('a dataset entry is malformed');
  const { datasetId, agencyId } = entry;
  const ctx = { datasetId, agencyId };
  const { responseSignature, responseBody, requestSignature } = entry.agency;
  if (!isString(responseSignature) || !isString(responseBody) || !isString(requestSignature))
    throw refuse(`dataset ${datasetId} carries no agency signature`, ctx);

  const verifyWith = async (jwks: Jwks) =>
    jwtVerify(responseSignature, createLocalJWKSet(jwks as never), {
      algorithms: ['ES256'],
      typ: RESPONSE_JWS_TYPE,
      issuer: agencyId,
    });
  let verified: Awaited<ReturnType<typeof verifyWith>> | undefined;
  let failure: unknown;
  // A miss may be a key the agency registered after we cached its keys: ask once more.
  for (const refresh of [false, true]) {
    let jwks: Jwks | undefined;
    try {
      jwks = await v.agencyKeys(agencyId, refresh);
    } catch (error) {
      failure = error;
      continue;
    }
    if (!jwks) {
      failure = new Error(`the platform publishes no keys for agency ${agencyId}`);
      continue;
    }
    try {
      verified = await verifyWith(jwks);
      break;
    } catch (error) {
      failure = error;
    }
  }
  if (!verified)
    throw refuse(`the signature of agency ${agencyId} on ${datasetId} does not verify: ${message(failure)}`, {
      ...ctx,
      cause: failure,
    });

  const signed = verified.payload;
  if (signed.status !== 200) throw refuse(`agency ${agencyId} signed status ${String(signed.status)}`, ctx);
  if (signed.bodySha256 !== sha256Base64url(responseBody))
    throw refuse(`the body of ${datasetId} is not the one agency ${agencyId} signed`, ctx);
  if (signed.requestHash !== requestHash(requestSignature))
    throw refuse(`agency ${agencyId} answered another request than the one in the package`, ctx);
  let request: JWTPayload;
  try {
    request = decodeJwt(requestSignature);
  } catch {
    throw refuse(`the request for ${datasetId} is not a JWS`, ctx);
  }
  if (request.datasetId !== datasetId || request.aud !== agencyId || request.consentId !== consentId)
    throw refuse(
      `the request in the package asked ${String(request.aud)} for ${String(request.datasetId)} under consent ${String(request.consentId)}`,
      ctx,
    );

  let body: unknown;
  try {
    body = JSON.parse(responseBody);
  } catch {
    throw refuse(`the body agency ${agencyId} signed for ${datasetId} is not JSON`, ctx);
  }
  if (!isObject(body) || body.datasetId !== datasetId)
    throw refuse(`agency ${agencyId} signed a body for another dataset`, ctx);
  if (!isObject(entry.data) || !isDeepStrictEqual(entry.data, body.payload))
    throw refuse(`the data of ${datasetId} differs from what agency ${agencyId} signed`, ctx);

  return {
    datasetId,
    agencyId,
    data: entry.data,
    receivedAt: isString(entry.receivedAt) ? entry.receivedAt : '',
    agencySignatureVerified: true,
    agencyKeyId: verified.protectedHeader.kid,
    agencySignature: responseSignature,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
