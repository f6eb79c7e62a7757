import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { assertKeyRing, type KeyRing } from './envelope.ts';

/** The platform's own secret keys, loaded once at start and handed to the capabilities that use them. */
export interface PlatformKeys {
  /** Key-encryption keys for personal data at rest. */
  atRest: KeyRing;
  /** Ed25519 key that signs usage-log checkpoints. */
  logSigning: { privateKey: KeyObject; publicKey: KeyObject };
  /** HMAC key that turns a national ID into the citizen reference stored in queryable columns. */
  citizenRefKey: Buffer;
  /**
   * ES256 private JWK (with its RFC 7638 thumbprint as `kid`) that signs ID tokens, consent receipts,
   * data packages and webhooks; its public half is the OAuth JWKS.
   */
  oauthSigning: OAuthSigningJwk;
}

/** The platform's ES256 signing key as a private JWK. */
export interface OAuthSigningJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

interface KeyFile {
  version: 1;
  atRest: { current: string; keys: Record<string, string> };
  logSigningKey: string;
  citizenRefKey: string;
  /** Added after the first key files were written: generated and stored when missing. */
  oauthSigningKey?: OAuthSigningJwk;
}

const newKeyId = () =>
  `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;

/** A fresh ES256 signing JWK with its thumbprint as kid. */
export function generateOAuthSigningKey(): OAuthSigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as { x: string; y: string; d: string };
  // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
  const kid = createHash('sha256')
    .update(`{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`)
    .digest('base64url');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d, kid, alg: 'ES256', use: 'sig' };
}

function checkOAuthSigningKey(path: string, jwk: OAuthSigningJwk): OAuthSigningJwk {
  const key = createPrivateKey({ key: jwk as never, format: 'jwk' });
  if (key.asymmetricKeyType !== 'ec' || jwk.crv !== 'P-256' || !jwk.kid) {
    throw new Error(`${path}: oauthSigningKey must be a P-256 private JWK with kid`);
  }
  return jwk;
}

/** Fresh keys in memory: for tests, and as the content of a newly created key file. */
export function generatePlatformKeys(): PlatformKeys {
  const id = newKeyId();
  return {
    atRest: { current: id, keys: { [id]: randomBytes(32) } },
    logSigning: generateKeyPairSync('ed25519'),
    citizenRefKey: randomBytes(32),
    oauthSigning: generateOAuthSigningKey(),
  };
}

function toFile(keys: PlatformKeys): KeyFile {
  return {
    version: 1,
    atRest: {
      current: keys.atRest.current,
      keys: Object.fromEntries(Object.entries(keys.atRest.keys).map(([k, v]) => [k, v.toString('base64')])),
    },
    logSigningKey: keys.logSigning.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    citizenRefKey: keys.citizenRefKey.toString('base64'),
    oauthSigningKey: keys.oauthSigning,
  };
}

/** Parses a key ring given as JSON: `{"current":"k2","keys":{"k1":"<base64 32 bytes>","k2":"…"}}`. */
export function parseKeyRing(json: string): KeyRing {
  const raw = JSON.parse(json) as { current?: unknown; keys?: unknown };
  if (typeof raw.current !== 'string' || typeof raw.keys !== 'object' || raw.keys === null) {
    throw new Error('a key ring is {"current": "<id>", "keys": {"<id>": "<base64 of 32 bytes>"}}');
  }
  const ring: KeyRing = {
    current: raw.current,
    keys: Object.fromEntries(
      Object.entries(raw.keys as Record<string, unknown>).map(([k, v]) => [
        k,
        Buffer.from(String(v), 'base64'),
      ]),
    ),
  };
  assertKeyRing(ring);
  return ring;
}

function fromFile(path: string, file: KeyFile & { oauthSigningKey: OAuthSigningJwk }): PlatformKeys {
  if (file.version !== 1) throw new Error(`${path}: unknown key file version ${String(file.version)}`);
  const privateKey = createPrivateKey({
    key: Buffer.from(file.logSigningKey, 'base64'),
    format: 'der',
    type: 'pkcs8',
  });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path}: logSigningKey must be Ed25519`);
  const citizenRefKey = Buffer.from(file.citizenRefKey, 'base64');
  if (citizenRefKey.length < 32) throw new Error(`${path}: citizenRefKey must be at least 32 bytes`);
  return {
    atRest: parseKeyRing(JSON.stringify(file.atRest)),
    logSigning: { privateKey, publicKey: createPublicKey(privateKey) },
    citizenRefKey,
    oauthSigning: checkOAuthSigningKey(path, file.oauthSigningKey),
  };
}

function writeKeyFile(path: string, keys: PlatformKeys): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // Written aside and renamed so a crash never leaves a half-written key file behind.
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(toFile(keys), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

function writeKeyFileRaw(path: string, file: KeyFile): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

export interface KeySource {
  /** Path of the key file. */
  file: string;
  /** Create the file with fresh keys when it does not exist (the embedded default); otherwise a missing file is an error. */
  createIfMissing: boolean;
  /** A key ring given directly (JSON), which replaces the file's at-rest keys: keys kept in a secret store. */
  atRestKeyRing?: string | undefined;
}

/** Loads the platform's keys from its key file, creating the file (mode 0600) on first start when allowed. */
export function loadPlatformKeys(source: KeySource): PlatformKeys {
  if (!existsSync(source.file)) {
    if (!source.createIfMissing) throw new Error(`key file ${source.file} does not exist`);
    try {
      writeKeyFile(source.file, generatePlatformKeys());
    } catch (error) {
      // Another process starting at the same moment may have created it first; then use theirs.
      if (!existsSync(source.file)) throw error;
    }
  }
  let file = JSON.parse(readFileSync(source.file, 'utf8')) as KeyFile;
  if (!file.oauthSigningKey) {
    // A key file from before the OAuth signing key: add one, keeping every other key as it is.
    writeKeyFileRaw(source.file, { ...file, oauthSigningKey: generateOAuthSigningKey() });
    // Read back, so processes starting together end up with the key that was written last.
    file = JSON.parse(readFileSync(source.file, 'utf8')) as KeyFile;
  }
  const keys = fromFile(source.file, file as KeyFile & { oauthSigningKey: OAuthSigningJwk });
  return source.atRestKeyRing ? { ...keys, atRest: parseKeyRing(source.atRestKeyRing) } : keys;
}

/** Adds a new at-rest key to a key file and makes it current; values sealed before keep opening with their old key. */
export function rotateAtRestKey(path: string): string {
  const keys = loadPlatformKeys({ file: path, createIfMissing: false });
  const id = newKeyId();
  const rotated = { ...keys, atRest: { current: id, keys: { ...keys.atRest.keys, [id]: randomBytes(32) } } };
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(toFile(rotated), null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
  return id;
}
