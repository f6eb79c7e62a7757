/**
 * Offline verification of a MyData data-download package (docs/download.md), from the published
 * format alone: node:crypto for SHA-256 and ES256, fflate to read the zip. Nothing of the platform's
 * code is used, so the check is independent of what it checks.
 */
import { createHash, createPublicKey, type JsonWebKey, verify } from 'node:crypto';
import { unzipSync } from 'fflate';

export const DOWNLOAD_JWS_TYPE = 'mydata-download+jwt';
export const RESPONSE_JWS_TYPE = 'mydata-exchange-response+jwt';
export const REQUEST_JWS_TYPE = 'mydata-exchange-request+jwt';

export interface Jwks {
  keys: (JsonWebKey & { kid?: string })[];
}
/** As `GET /api/v1/exchange/agency-keys` answers. */
export interface AgencyKeys {
  items: { agencyId: string; jwks: Jwks }[];
}

export interface DownloadReport {
  ok: boolean;
  /** What failed; empty when ok. */
  problems: string[];
  /** What was checked. */
  notes: string[];
  packageId?: string;
  issuer?: string;
  datasets: { datasetId: string; agencyId: string; ok: boolean }[];
}

interface ManifestFile {
  path: string;
  sha256: string;
  bytes: number;
}
interface ManifestDataset {
  datasetId: string;
  agency: { id: string };
  files: {
    json: string;
    csv: string;
    responseSignature: string;
    responseBody: string;
    requestSignature: string;
  };
}
interface Manifest {
  type: string;
  version: number;
  iss: string;
  jti: string;
  datasets: ManifestDataset[];
  files: ManifestFile[];
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const sha256B64url = (b: Uint8Array | string) => createHash('sha256').update(b).digest('base64url');

/** Parses a compact JWS without checking it. */
function parseJws(jws: string): {
  header: Record<string, unknown>;
  payload: Buffer;
  signingInput: string;
  signature: Buffer;
} {
  const parts = jws.trim().split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
  return {
    header,
    payload: Buffer.from(p, 'base64url'),
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

/**
 * Verifies a compact ES256 JWS with a JWKS (the key named by `kid`, or any when there is none);
 * returns the payload, or throws saying why not.
 */
export function verifyEs256(
  jws: string,
  jwks: Jwks,
  typ: string,
): { header: Record<string, unknown>; payload: Buffer } {
  const { header, payload, signingInput, signature } = parseJws(jws);
  if (header.alg !== 'ES256') throw new Error(`alg is ${String(header.alg)}, not ES256`);
  if (header.typ !== typ) throw new Error(`typ is ${String(header.typ)}, not ${typ}`);
  if (header.crit !== undefined) throw new Error('unknown critical header parameters');
  const candidates = jwks.keys.filter(
    (k) => k.kty === 'EC' && k.crv === 'P-256' && (header.kid === undefined || k.kid === header.kid),
  );
  if (candidates.length === 0) throw new Error(`no P-256 key ${String(header.kid ?? '')} in the key set`);
  for (const jwk of candidates) {
    const { d: _private, ...pub } = jwk;
    const key = createPublicKey({ key: pub as JsonWebKey, format: 'jwk' });
    if (verify('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' }, signature)) {
      return { header, payload };
    }
  }
  throw new Error('the signature does not verify');
}

/** Same JSON value, whatever the key order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]))
    );
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return (
      sameJson(ka, kb) &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

/**
 * Checks a download package: the platform's signature over manifest.json, every file's SHA-256
 * against the manifest (and no file left out of it), and each agency's signed answer: its
 * signature, the body and request it binds, and that the JSON data is the agency's payload.
 */
export function verifyDownload(
  zip: Uint8Array,
  keys: { platform: Jwks; agencies?: AgencyKeys },
): DownloadReport {
  const problems: string[] = [];
  const notes: string[] = [];
  const datasets: DownloadReport['datasets'] = [];
  const report = (): DownloadReport => ({ ok: problems.length === 0, problems, notes, datasets, ...extra });
  const extra: { packageId?: string; issuer?: string } = {};

  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch (error) {
    problems.push(`the file is not a readable zip (${(error as Error).message})`);
    return report();
  }
  const manifestBytes = files['manifest.json'];
  const signature = files['manifest.jws'];
  if (!manifestBytes || !signature) {
    problems.push('manifest.json or manifest.jws is missing');
    return report();
  }

  // 1. The platform's signature covers exactly the bytes of manifest.json.
  try {
    const { payload } = verifyEs256(decoder.decode(signature), keys.platform, DOWNLOAD_JWS_TYPE);
    if (!payload.equals(Buffer.from(manifestBytes)))
      throw new Error('it signs other bytes than manifest.json');
    notes.push("manifest.jws: the platform's ES256 signature over manifest.json verifies");
  } catch (error) {
    problems.push(`manifest.jws: ${(error as Error).message}`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(decoder.decode(manifestBytes)) as Manifest;
    if (
      manifest.type !== 'mydata-download' ||
      !Array.isArray(manifest.files) ||
      !Array.isArray(manifest.datasets)
    )
      throw new Error('not a mydata-download manifest');
  } catch (error) {
    problems.push(`manifest.json: ${(error as Error).message}`);
    return report();
  }
  extra.packageId = manifest.jti;
  extra.issuer = manifest.iss;

  // 2. Every file is listed with its hash, and every listed file is there, unchanged.
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const path of Object.keys(files)) {
    if (path.endsWith('/') || path === 'manifest.json' || path === 'manifest.jws') continue;
    if (!listed.has(path)) problems.push(`${path}: not listed in the manifest`);
  }
  let hashed = 0;
  for (const f of manifest.files) {
    const bytes = files[f.path];
    if (!bytes) problems.push(`${f.path}: listed in the manifest but missing`);
    else if (sha256Hex(bytes) !== f.sha256 || bytes.length !== f.bytes)
      problems.push(`${f.path}: its SHA-256 does not match the manifest (the file was changed)`);
    else hashed += 1;
  }
  notes.push(`${hashed} of ${manifest.files.length} files match their SHA-256 in the manifest`);

  // 3. Each agency's signed answer.
  for (const d of manifest.datasets) {
    const before = problems.length;
    const where = `${d.datasetId} (${d.agency.id})`;
    const text = (path: string) => {
      const b = files[path];
      if (!b) throw new Error(`${path} is missing`);
      return decoder.decode(b);
    };
    try {
      const responseJws = text(d.files.responseSignature).trim();
      const body = files[d.files.responseBody];
      if (!body) throw new Error(`${d.files.responseBody} is missing`);
      const requestJws = text(d.files.requestSignature).trim();
      const agencyJwks = keys.agencies?.items.find((a) => a.agencyId === d.agency.id)?.jwks;
      const claims = agencyJwks
        ? (JSON.parse(
            verifyEs256(responseJws, agencyJwks, RESPONSE_JWS_TYPE).payload.toString('utf8'),
          ) as Record<string, unknown>)
        : (JSON.parse(parseJws(responseJws).payload.toString('utf8')) as Record<string, unknown>);
      if (!agencyJwks)
        problems.push(`${where}: no keys of agency ${d.agency.id} to check its signature with`);
      if (claims.iss !== d.agency.id) throw new Error(`the answer is signed as ${String(claims.iss)}`);
      if (claims.status !== 200) throw new Error(`the signed status is ${String(claims.status)}`);
      if (claims.bodySha256 !== sha256B64url(body))
        throw new Error('the signed bodySha256 is not the hash of the body kept');
      if (claims.requestHash !== sha256B64url(requestJws))
        throw new Error('the signed requestHash is not the hash of the request kept');
      const request = JSON.parse(parseJws(requestJws).payload.toString('utf8')) as Record<string, unknown>;
      if (request.datasetId !== d.datasetId || request.aud !== d.agency.id)
        throw new Error('the request kept asks another agency or dataset');
      const envelope = JSON.parse(decoder.decode(body)) as { datasetId?: unknown; payload?: unknown };
      if (envelope.datasetId !== d.datasetId) throw new Error('the signed body is about another dataset');
      if (!sameJson(JSON.parse(text(d.files.json)), envelope.payload))
        throw new Error(`${d.files.json} is not the data the agency signed`);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
    const ok = problems.length === before;
    if (ok)
      notes.push(`${where}: the agency's signature, the body and request it binds, and the JSON data agree`);
    datasets.push({ datasetId: d.datasetId, agencyId: d.agency.id, ok });
  }
  return report();
}
