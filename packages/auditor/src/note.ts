import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

/**
 * C2SP signed-note and tlog-checkpoint parsing, written from the published specifications
 * (c2sp.org/signed-note, c2sp.org/tlog-checkpoint) and nothing else.
 */

export interface VerifierKey {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
  text: string;
}

export interface SignedCheckpoint {
  origin: string;
  size: number;
  root: Buffer;
  note: string;
}

const ED25519 = 0x01;
// DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Parses a verifier key `<name>+<hex key id>+<base64(type || key)>` and checks its key id. */
export function parseVerifierKey(text: string): VerifierKey {
  const trimmed = text.trim();
  // Names never contain '+', but standard base64 can: split at the first two only.
  const m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/]+=*)$/.exec(trimmed);
  if (!m) throw new Error('a verifier key is <name>+<hex key id>+<base64 key>');
  const [, name, hexId, encoded] = m as unknown as [string, string, string, string];
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 33 || key[0] !== ED25519) throw new Error('only Ed25519 verifier keys are supported');
  const keyId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), key]))
    .digest()
    .subarray(0, 4);
  if (keyId.toString('hex') !== hexId.toLowerCase())
    throw new Error('the verifier key id does not match its key');
  const publicKey = createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, key.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return { name, keyId, publicKey, text: trimmed };
}

/**
 * Verifies a signed note with one key and parses it as a checkpoint. Throws with the reason when
 * the note is malformed, unsigned by this key, or signed badly.
 */
export function verifyCheckpoint(note: string, key: VerifierKey): SignedCheckpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n'))
    throw new Error('not a signed note: no blank line before signatures');
  const body = note.slice(0, split + 1);
  const signatures = note.slice(split + 2, -1).split('\n');
  let verified = false;
  for (const line of signatures) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error(`malformed signature line: ${JSON.stringify(line)}`);
    const sig = Buffer.from(m[2] as string, 'base64');
    if (m[1] !== key.name || sig.length < 4 || !sig.subarray(0, 4).equals(key.keyId)) continue;
    if (!verify(null, Buffer.from(body), key.publicKey, sig.subarray(4))) {
      throw new Error('the checkpoint signature does not verify with the pinned key');
    }
    verified = true;
  }
  if (!verified) throw new Error(`the checkpoint carries no signature by ${key.name}`);
  const lines = body.slice(0, -1).split('\n');
  const [origin, sizeText, rootText] = lines;
  if (origin !== key.name) throw new Error(`checkpoint origin ${JSON.stringify(origin)} is not ${key.name}`);
  if (!sizeText || !/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw new Error('checkpoint tree size is not a number');
  const root = Buffer.from(rootText ?? '', 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText)
    throw new Error('checkpoint root is not a base64 SHA-256');
  return { origin, size: Number(sizeText), root, note };
}
