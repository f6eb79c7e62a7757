/**
 * Applicants' public keys: fetched from their JWKS URL (bounded in time and size, https only except
 * on this machine) or pasted, then checked before the platform stores a snapshot of them.
 */
import { AppError } from '@mydata/core';
import { calculateJwkThumbprint, type JWK } from 'jose';

export const JWKS_FETCH_TIMEOUT_MS = 5000;
export const JWKS_MAX_BYTES = 64 * 1024;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

export type PublicKeySet = { keys: Array<Record<string, unknown>> };

const invalid = (reason: string): never => {
  throw new AppError('onboarding.jwks-invalid', { reason });
};

/** Fetches a JWKS: https (http only on localhost), 5 s, 64 KiB, no redirects; answers onboarding.jwks-unreachable. */
export async function fetchJwks(url: string, timeoutMs = JWKS_FETCH_TIMEOUT_MS): Promise<PublicKeySet> {
  const unreachable = (reason: string): never => {
    throw new AppError('onboarding.jwks-unreachable', { url, reason });
  };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return unreachable('not a URL');
  }
  if (parsed.username || parsed.password) unreachable('the URL must not carry credentials');
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && LOCAL_HOSTS.has(parsed.hostname))) {
    unreachable('the URL must use https (http only on localhost)');
  }
  let res: Response;
  try {
    res = await fetch(parsed, {
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/jwk-set+json, application/json' },
    });
  } catch (error) {
    const name = (error as Error).name;
    return unreachable(
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs / 1000} s`
        : `connection failed (${(error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message})`,
    );
  }
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel();
    unreachable(`it redirects (HTTP ${res.status}); give the final address`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    unreachable(`HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > JWKS_MAX_BYTES) {
    await res.body?.cancel();
    unreachable(`larger than ${JWKS_MAX_BYTES} bytes`);
  }
  // Read with a cap: a server that lies about its length must not fill the platform's memory.
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > JWKS_MAX_BYTES) {
        await reader.cancel();
        unreachable(`larger than ${JWKS_MAX_BYTES} bytes`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    unreachable(`reading failed (${(error as Error).message})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return invalid(`${url} did not answer JSON`);
  }
  return body as PublicKeySet;
}

const isP256 = (k: Record<string, unknown>) =>
  k.kty === 'EC' && k.crv === 'P-256' && typeof k.x === 'string' && typeof k.y === 'string';

function checkCommon(jwks: unknown): Array<Record<string, unknown>> {
  const keys = (jwks as PublicKeySet | undefined)?.keys;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys)) invalid('it is not {"keys": [...]}');
  const list = keys as unknown[];
  if (list.length === 0 || list.length > 10) invalid('it must hold 1 to 10 keys');
  const kids = new Set<string>();
  for (const key of list) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) invalid('a key is not an object');
    const k = key as Record<string, unknown>;
    if (typeof k.kty !== 'string') invalid('a key has no kty');
    if (PRIVATE_MEMBERS.some((m) => m in k)) invalid(`key "${String(k.kid ?? '')}" carries private members`);
    if (typeof k.kid !== 'string' || !k.kid) invalid('every key needs a kid');
    if (kids.has(k.kid as string)) invalid(`kid "${String(k.kid)}" is used twice`);
    kids.add(k.kid as string);
  }
  return list as Array<Record<string, unknown>>;
}

/** A service's keys: P-256 `sig` (ES256) and `enc` (ECDH-ES+A256KW) keys; the first `enc` one encrypts packages. */
export function checkServiceJwks(jwks: unknown): PublicKeySet {
  const keys = checkCommon(jwks);
  for (const k of keys) {
    if (k.use !== 'sig' && k.use !== 'enc') invalid(`key "${String(k.kid)}" needs use "sig" or "enc"`);
  }
  if (!keys.some((k) => k.use === 'sig' && isP256(k) && (k.alg === undefined || k.alg === 'ES256'))) {
    invalid('no P-256 key with use "sig" (ES256)');
  }
  if (
    !keys.some((k) => k.use === 'enc' && isP256(k) && (k.alg === undefined || k.alg === 'ECDH-ES+A256KW'))
  ) {
    invalid('no P-256 key with use "enc" (ECDH-ES+A256KW)');
  }
  return { keys };
}

/** An agency's response-signing keys, in the shape the exchange registry stores (P-256, ES256, sig). */
export function checkAgencyJwks(jwks: unknown): PublicKeySet {
  const keys = checkCommon(jwks).filter((k) => k.use === undefined || k.use === 'sig');
  if (keys.length === 0 || keys.length > 4) invalid('it needs 1 to 4 P-256 signing keys');
  for (const k of keys) {
    if (!isP256(k) || (k.alg !== undefined && k.alg !== 'ES256')) {
      invalid(`key "${String(k.kid)}" is not a P-256 ES256 key`);
    }
  }
  return {
    keys: keys.map((k) => ({
      kty: 'EC',
      crv: 'P-256',
      x: k.x,
      y: k.y,
      kid: k.kid,
      alg: 'ES256',
      use: 'sig',
    })),
  };
}

/** Each key's kid, use and RFC 7638 thumbprint, for staff to compare with what they published. */
export async function describeKeys(
  jwks: PublicKeySet,
): Promise<Array<{ kid: string; use: string; thumbprint: string }>> {
  return Promise.all(
    jwks.keys.map(async (k) => ({
      kid: String(k.kid ?? ''),
      use: String(k.use ?? ''),
      thumbprint: await calculateJwkThumbprint(k as JWK).catch(() => ''),
    })),
  );
}
