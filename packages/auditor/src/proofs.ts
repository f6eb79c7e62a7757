import { createHash } from 'node:crypto';

/**
 * RFC 9162 verification, following the iterative algorithms of §2.1.3.2 and §2.1.4.2. This is
 * deliberately a separate implementation from the platform's tree code: it only shares the RFC.
 */

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const ZERO = Buffer.from([0]);
const ONE = Buffer.from([1]);

export const hashLeaf = (leaf: Uint8Array) => sha256(ZERO, leaf);
export const hashChildren = (left: Uint8Array, right: Uint8Array) => sha256(ONE, left, right);

/** RFC 9162 §2.1.3.2: does `proof` place `leafHash` at `index` in the tree of `size` leaves with this root? */
export function verifyInclusion(
  leafHash: Buffer,
  index: number,
  size: number,
  proof: Buffer[],
  root: Buffer,
): boolean {
  if (index >= size || index < 0) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
}

/** RFC 9162 §2.1.4.2: is the tree (`first`, `firstRoot`) a prefix of (`second`, `secondRoot`)? */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: Buffer[],
): boolean {
  if (first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(first)) ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0] as Buffer;
  let sr = path[0] as Buffer;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0n;
}

/**
 * The roots of the perfect subtrees covering the first `size` leaves, largest first: enough to
 * extend the tree leaf by leaf and compute its root, so the auditor replays only new leaves.
 */
export interface CompactRange {
  size: number;
  hashes: Buffer[];
}

export const emptyRange = (): CompactRange => ({ size: 0, hashes: [] });

/** Appends one leaf hash, merging equal-sized subtrees as binary addition carries. */
export function appendLeaf(range: CompactRange, leafHash: Buffer): CompactRange {
  const hashes = [...range.hashes, leafHash];
  let carry = range.size;
  // Trailing one bits of the old size are the subtrees the new leaf completes; division keeps this exact past 2^31.
  while (carry % 2 === 1) {
    const right = hashes.pop() as Buffer;
    const left = hashes.pop() as Buffer;
    hashes.push(hashChildren(left, right));
    carry = Math.floor(carry / 2);
  }
  return { size: range.size + 1, hashes };
}

/** The RFC 9162 root of the leaves a compact range covers. */
export function rangeRoot(range: CompactRange): Buffer {
  if (range.size === 0) return sha256();
  let root = range.hashes[range.hashes.length - 1] as Buffer;
  for (let i = range.hashes.length - 2; i >= 0; i--) root = hashChildren(range.hashes[i] as Buffer, root);
  return root;
}
