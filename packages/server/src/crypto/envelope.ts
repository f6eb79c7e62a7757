import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** Key-encryption keys by id; `current` seals new data, every key still opens what it sealed. */
export interface KeyRing {
  current: string;
  keys: Record<string, Buffer>;
}

export interface Envelope {
  /** The id of the key new data is sealed with. */
  readonly currentKeyId: string;
  /**
   * Seals bytes or text. `context` is bound as additional authenticated data, so a sealed value
   * copied into another row (another context) no longer opens.
   */
  seal(plaintext: Uint8Array | string, context: string): string;
  open(sealed: string, context: string): Buffer;
  openText(sealed: string, context: string): string;
  /** The key id a sealed value was made with, so re-sealing after rotation can find old rows. */
  keyIdOf(sealed: string): string;
  /**
   * Re-wraps a value's data key under the current key without touching its ciphertext, so an old
   * key can be retired after rotation by rewriting a few dozen bytes per row.
   */
  rewrap(sealed: string, context: string): string;
}

const VERSION = 'v1';
// The wrapped data key is bound to its key id and context, the body to its context: either part
// moved to another row fails to open, and re-wrapping under a new key leaves the body untouched.
const wrapAad = (keyId: string, context: string) => Buffer.from(`${VERSION}.${keyId}.${context}`);
const bodyAad = (context: string) => Buffer.from(`${VERSION}.${context}`);
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function gcmSeal(key: Buffer, plaintext: Uint8Array, aad: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  if (sealed.length < 28) throw new Error('sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]);
}

/** Checks a key ring's shape: 32-byte keys, well-formed ids, and a current key that exists. */
export function assertKeyRing(ring: KeyRing): void {
  const ids = Object.keys(ring.keys);
  if (ids.length === 0) throw new Error('the key ring has no keys');
  for (const id of ids) {
    if (!KEY_ID.test(id)) throw new Error(`key id "${id}" must be 1-32 letters, digits, _ or -`);
    if (ring.keys[id]?.length !== 32) throw new Error(`key "${id}" must be 32 bytes (AES-256)`);
  }
  if (!ring.keys[ring.current]) throw new Error(`the current key "${ring.current}" is not in the ring`);
}

/**
 * AES-256-GCM envelope encryption: each value gets its own random data key, which is wrapped by a
 * key-encryption key named by id. Rotating means adding a key and making it current; old values keep
 * naming their key, so history is never rewritten to rotate.
 *
 * Format: `v1.<keyId>.<base64url(wrapped data key)>.<base64url(ciphertext)>`, each GCM part being
 * iv(12) || ciphertext || tag(16).
 */
export function createEnvelope(ring: KeyRing): Envelope {
  assertKeyRing(ring);
  const keys = new Map(Object.entries(ring.keys));
  const current = ring.current;
  const currentKey = keys.get(current) as Buffer;
  const parse = (sealed: string) => {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('not a sealed value');
    return { keyId: parts[1] as string, wrapped: parts[2] as string, body: parts[3] as string };
  };
  const open = (sealed: string, context: string) => {
    const { keyId, wrapped, body } = parse(sealed);
    const kek = keys.get(keyId);
    if (!kek) throw new Error(`no key "${keyId}" in the key ring; it is needed to open this value`);
    const dataKey = gcmOpen(kek, Buffer.from(wrapped, 'base64url'), wrapAad(keyId, context));
    return gcmOpen(dataKey, Buffer.from(body, 'base64url'), bodyAad(context));
  };
  return {
    currentKeyId: current,
    seal(plaintext, context) {
      const dataKey = randomBytes(32);
      const bytes = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      const wrapped = gcmSeal(currentKey, dataKey, wrapAad(current, context));
      const body = gcmSeal(dataKey, bytes, bodyAad(context));
      dataKey.fill(0);
      return `${VERSION}.${current}.${wrapped.toString('base64url')}.${body.toString('base64url')}`;
    },
    open,
    openText: (sealed, context) => open(sealed, context).toString('utf8'),
    rewrap(sealed, context) {
      const { keyId, wrapped, body } = parse(sealed);
      if (keyId === current) return sealed;
      const kek = keys.get(keyId);
      if (!kek) throw new Error(`no key "${keyId}" in the key ring; it is needed to open this value`);
      const dataKey = gcmOpen(kek, Buffer.from(wrapped, 'base64url'), wrapAad(keyId, context));
      const rewrapped = gcmSeal(currentKey, dataKey, wrapAad(current, context));
      dataKey.fill(0);
      return `${VERSION}.${current}.${rewrapped.toString('base64url')}.${body}`;
    },
    keyIdOf: (sealed) => parse(sealed).keyId,
  };
}
