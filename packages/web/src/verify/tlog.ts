/**
 * Checks a usage-log entry in the browser, with WebCrypto, trusting nothing the platform computed:
 *
 * 1. the commitment: SHA-256(salt || JCS(entry)) (RFC 8785 canonical JSON) is the leaf;
 * 2. inclusion: the RFC 9162 §2.1.3.2 audit path from SHA-256(0x00 || leaf) reaches the root of
 *    the checkpoint;
 * 3. the checkpoint: a C2SP signed note whose Ed25519 signature verifies under the log's verifier
 *    key, and whose root and size are the ones the proof used.
 *
 * The same algorithms as the auditor (packages/auditor), written again for the browser.
 */

export interface CheckpointNote {
  origin: string;
  size: number;
  /** Base64, as in the note. */
  root: string;
}

export interface EntryToCheck {
  index: number | null;
  entry: unknown;
  salt: string;
  commitment: string;
  inclusion: { treeSize: number; hashes: string[] } | null;
}

export type EntryCheck =
  | { status: 'verified' }
  /** Not yet in a signed checkpoint: nothing to prove against yet. */
  | { status: 'pending' }
  | { status: 'failed'; reason: 'commitment' | 'inclusion' | 'checkpoint' };

const encoder = new TextEncoder();

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));
}

/**
 * RFC 8785 canonical JSON for what log entries hold (objects, arrays, strings, booleans, finite
 * numbers): keys sorted by UTF-16 code units, and ECMAScript's own serialisation of strings and
 * numbers, which is what RFC 8785 prescribes.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('not a finite number');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`cannot canonicalise ${typeof value}`);
}

/** The leaf of an entry: SHA-256(salt || JCS(entry)). */
export async function entryCommitment(salt: Uint8Array, entry: unknown): Promise<Uint8Array> {
  return sha256(salt, encoder.encode(canonicalJson(entry)));
}

/** RFC 9162 §2.1.3.2: the root an audit path leads to from a leaf hash, or undefined if the path is malformed. */
export async function rootFromInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  path: Uint8Array[],
): Promise<Uint8Array | undefined> {
  if (index < 0 || index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of path) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(Uint8Array.of(1), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(Uint8Array.of(1), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : undefined;
}

/**
 * Verifies a C2SP signed note under a verifier key `<name>+<hex key id>+<base64(0x01 || key)>` and
 * parses it as a tlog checkpoint; throws with the reason otherwise. Needs WebCrypto Ed25519.
 */
export async function verifyCheckpoint(note: string, verifierKey: string): Promise<CheckpointNote> {
  const m = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/]+=*)$/.exec(verifierKey.trim());
  if (!m) throw new Error('malformed verifier key');
  const [, name, hexId, encoded] = m as unknown as [string, string, string, string];
  const key = fromBase64(encoded);
  if (key.length !== 33 || key[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const keyId = (await sha256(encoder.encode(`${name}\n`), key)).slice(0, 4);
  if (toBase16(keyId) !== hexId.toLowerCase()) throw new Error('the key id does not match the key');
  const publicKey = await crypto.subtle.importKey('raw', key.slice(1), { name: 'Ed25519' }, false, [
    'verify',
  ]);

  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new Error('not a signed note');
  const body = note.slice(0, split + 1);
  let verified = false;
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const s = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!s) throw new Error('malformed signature line');
    const sig = fromBase64(s[2] as string);
    if (s[1] !== name || sig.length !== 68 || !equal(sig.slice(0, 4), keyId)) continue;
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, sig.slice(4), encoder.encode(body))))
      throw new Error('the checkpoint signature does not verify');
    verified = true;
  }
  if (!verified) throw new Error('the checkpoint is not signed by this key');
  const [origin, size, root] = body.slice(0, -1).split('\n');
  if (origin !== name) throw new Error('the checkpoint origin is not the key name');
  if (!size || !/^(0|[1-9][0-9]*)$/.test(size)) throw new Error('the tree size is not a number');
  if (!root || fromBase64(root).length !== 32) throw new Error('the root is not a SHA-256 hash');
  return { origin, size: Number(size), root };
}

const toBase16 = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');

/** Checks one entry against a checkpoint already verified with `verifyCheckpoint`. */
export async function checkEntry(
  item: EntryToCheck,
  checkpoint: CheckpointNote | undefined,
): Promise<EntryCheck> {
  const commitment = await entryCommitment(fromBase64(item.salt), item.entry);
  if (toBase64(commitment) !== item.commitment) return { status: 'failed', reason: 'commitment' };
  if (!item.inclusion || item.index === null) return { status: 'pending' };
  if (!checkpoint || item.inclusion.treeSize !== checkpoint.size)
    return { status: 'failed', reason: 'checkpoint' };
  const root = await rootFromInclusion(
    await sha256(Uint8Array.of(0), commitment),
    item.index,
    item.inclusion.treeSize,
    item.inclusion.hashes.map(fromBase64),
  );
  return root && toBase64(root) === checkpoint.root
    ? { status: 'verified' }
    : { status: 'failed', reason: 'inclusion' };
}
