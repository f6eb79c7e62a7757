/**
 * The exchange-layer message format between the platform and a data-provider agency (our T-Road).
 * Pure rules only: what is signed, how a response is bound to its request, and the checks both
 * sides apply to the claims once a signature has been verified. docs/exchange.md is the normative
 * description, with test vectors.
 */
import { createHash } from 'node:crypto';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

/** The one path an agency answers record queries on. */
export const EXCHANGE_QUERY_PATH = '/mydata/v1/query';
/** Liveness path an agency answers for the platform's health checks (mutual TLS, unsigned). */
export const EXCHANGE_HEALTH_PATH = '/mydata/v1/health';
/** Header carrying the platform's compact JWS over the request claims. */
export const REQUEST_SIGNATURE_HEADER = 'x-mydata-request-signature';
/** Header carrying the agency's compact JWS over the response claims. */
export const RESPONSE_SIGNATURE_HEADER = 'x-mydata-response-signature';
/** JOSE `typ` of a signed request; keeps a response JWS from being replayed as a request. */
export const REQUEST_JWS_TYPE = 'mydata-exchange-request+jwt';
/** JOSE `typ` of a signed response. */
export const RESPONSE_JWS_TYPE = 'mydata-exchange-response+jwt';
/** The only signature algorithm either side accepts. */
export const EXCHANGE_ALGORITHM = 'ES256';
/** Default identity of the platform: `iss` of requests, `aud` of responses, CN of its client certificate. */
export const DEFAULT_PLATFORM_ID = 'mydata-platform';
/** How far (seconds) a message's `iat` may be from the receiver's clock, either way. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;

const B64URL_SHA256 = '^[A-Za-z0-9_-]{43}$';

/** Claims the platform signs for each request. */
export const RequestClaims = Type.Object(
  {
    iss: Type.String({ minLength: 1, description: 'The platform id' }),
    aud: Type.String({ minLength: 1, description: 'The agency (organisation) id' }),
    iat: Type.Integer({ description: 'Seconds since the epoch' }),
    jti: Type.String({ minLength: 8, maxLength: 100, description: 'Request id, unique per attempt' }),
    method: Type.String({ minLength: 1 }),
    path: Type.String({ minLength: 1 }),
    bodySha256: Type.String({ pattern: B64URL_SHA256, description: 'base64url SHA-256 of the body bytes' }),
    consentId: Type.String({ minLength: 1, maxLength: 100 }),
    purpose: Type.String({ pattern: '^https://w3id\\.org/dpv#[A-Za-z]+$' }),
    datasetId: Type.String({ minLength: 2, maxLength: 80 }),
  },
  { additionalProperties: true },
);
export type RequestClaims = Static<typeof RequestClaims>;

/** Claims an agency signs for each response. */
export const ResponseClaims = Type.Object(
  {
    iss: Type.String({ minLength: 1, description: 'The agency id' }),
    aud: Type.String({ minLength: 1, description: 'The platform id' }),
    iat: Type.Integer(),
    requestHash: Type.String({ pattern: B64URL_SHA256, description: 'SHA-256 of the request JWS' }),
    bodySha256: Type.String({ pattern: B64URL_SHA256 }),
    status: Type.Integer({ minimum: 100, maximum: 599 }),
  },
  { additionalProperties: true },
);
export type ResponseClaims = Static<typeof ResponseClaims>;

/** The request body: which dataset, about whom. The national ID travels only here, never in a URL or header. */
export const ExchangeQuery = Type.Object(
  {
    datasetId: Type.String({ minLength: 2, maxLength: 80 }),
    subject: Type.Object(
      { nationalId: Type.String({ minLength: 1, maxLength: 20 }) },
      {
        additionalProperties: false,
      },
    ),
  },
  { additionalProperties: false },
);
export type ExchangeQuery = Static<typeof ExchangeQuery>;

/** Errors an agency answers with (in a signed JSON body `{ error, message }`), with their HTTP status. */
export const AGENCY_ERRORS = {
  'no-such-person': 404,
  'not-permitted': 403,
  'bad-request': 400,
  'bad-signature': 401,
  stale: 401,
  replayed: 401,
  'client-not-allowed': 403,
  internal: 500,
} as const;
/** The `error` of an agency's error answer. */
export type AgencyErrorCode = keyof typeof AGENCY_ERRORS;

/** A successful answer: the record of one citizen for one dataset. */
export interface ExchangeAnswer {
  datasetId: string;
  payload: unknown;
}

/** An error answer. */
export interface ExchangeErrorAnswer {
  error: AgencyErrorCode;
  message: string;
}

/** base64url (no padding) SHA-256 of bytes or of a string's UTF-8 encoding. */
export function sha256Base64url(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('base64url');
}

/** The request hash a response binds to: SHA-256 over the ASCII of the request's compact JWS. */
export function requestHash(requestJws: string): string {
  return sha256Base64url(requestJws);
}

/** The exact bytes of a request body: JSON with keys in a fixed order, so both sides hash the same. */
export function encodeQuery(query: ExchangeQuery): string {
  return JSON.stringify({ datasetId: query.datasetId, subject: { nationalId: query.subject.nationalId } });
}

/** Why verified claims are still not acceptable; `stale` carries how far `iat` is from now. */
export type ClaimProblem =
  | {
      kind: 'wrong-issuer' | 'wrong-audience' | 'wrong-method' | 'wrong-path' | 'wrong-body' | 'wrong-status';
    }
  | { kind: 'stale'; ageSeconds: number }
  | { kind: 'wrong-request' };

function staleness(iat: number, nowSeconds: number, skewSeconds: number): ClaimProblem | undefined {
  const age = nowSeconds - iat;
  return Math.abs(age) > skewSeconds ? { kind: 'stale', ageSeconds: age } : undefined;
}

/**
 * The agency's checks on verified request claims: addressed to it, from the platform, for this very
 * method, path and body, and fresh. Replay (a `jti` seen before) is checked by the caller, which
 * holds the cache. Returns the first problem, or undefined when the claims are acceptable.
 */
export function checkRequestClaims(
  claims: RequestClaims,
  expected: {
    platformId: string;
    agencyId: string;
    method: string;
    path: string;
    bodySha256: string;
    nowSeconds: number;
    skewSeconds?: number;
  },
): ClaimProblem | undefined {
  if (claims.iss !== expected.platformId) return { kind: 'wrong-issuer' };
  if (claims.aud !== expected.agencyId) return { kind: 'wrong-audience' };
  if (claims.method.toUpperCase() !== expected.method.toUpperCase()) return { kind: 'wrong-method' };
  if (claims.path !== expected.path) return { kind: 'wrong-path' };
  if (claims.bodySha256 !== expected.bodySha256) return { kind: 'wrong-body' };
  return staleness(claims.iat, expected.nowSeconds, expected.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
}

/**
 * The platform's checks on verified response claims: from the agency it asked, bound to the request it
 * sent (hash of that request's JWS), over the body and status it received, and fresh.
 */
export function checkResponseClaims(
  claims: ResponseClaims,
  expected: {
    platformId: string;
    agencyId: string;
    requestJws: string;
    bodySha256: string;
    status: number;
    nowSeconds: number;
    skewSeconds?: number;
  },
): ClaimProblem | undefined {
  if (claims.iss !== expected.agencyId) return { kind: 'wrong-issuer' };
  if (claims.aud !== expected.platformId) return { kind: 'wrong-audience' };
  if (claims.requestHash !== requestHash(expected.requestJws)) return { kind: 'wrong-request' };
  if (claims.bodySha256 !== expected.bodySha256) return { kind: 'wrong-body' };
  if (claims.status !== expected.status) return { kind: 'wrong-status' };
  return staleness(claims.iat, expected.nowSeconds, expected.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
}

/**
 * RFC 8785 canonical JSON of a flat record of strings, integers, booleans and nulls (sorted keys;
 * for these value types ECMAScript's JSON.stringify already produces the canonical form).
 */
export function canonicalFlatJson(record: Record<string, string | number | boolean | null>): string {
  const keys = Object.keys(record).sort();
  for (const k of keys) {
    const v = record[k];
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new TypeError(`${k} is not an integer`);
    if (typeof v === 'object' && v !== null) throw new TypeError(`${k} is not flat`);
  }
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`).join(',')}}`;
}

/** Hash of one message-log entry: SHA-256 (hex) over the previous entry's hash, a newline, and the entry's canonical JSON. */
export function messageLogEntryHash(previousHash: string, canonicalEntry: string): string {
  return createHash('sha256').update(`${previousHash}\n${canonicalEntry}`).digest('hex');
}

/** The `previousHash` of the first entry of a message log. */
export const MESSAGE_LOG_GENESIS = '0'.repeat(64);

/** The payload of a verified request JWS as RequestClaims, or undefined when a claim is missing or mistyped. */
export function parseRequestClaims(payload: unknown): RequestClaims | undefined {
  return Value.Check(RequestClaims, payload) ? (payload as RequestClaims) : undefined;
}

/** The payload of a verified response JWS as ResponseClaims, or undefined when a claim is missing or mistyped. */
export function parseResponseClaims(payload: unknown): ResponseClaims | undefined {
  return Value.Check(ResponseClaims, payload) ? (payload as ResponseClaims) : undefined;
}
