import { createHash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing over stored perfect subtrees.
 *
 * A perfect subtree is the range of leaves [index·2^level, (index+1)·2^level); its hash never
 * changes once its last leaf is in, so it is stored as node (level, index) and every hash a proof
 * needs is either such a node or folded from O(log n) of them.
 */

export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** RFC 9162 §2.1.1: the hash of a leaf, SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** RFC 9162 §2.1.1: the hash of an interior node, SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The hash of the empty tree, SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** The largest power of two strictly smaller than n (n ≥ 2), the split point of RFC 9162. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

// Math.log2 is exact on powers of two, and unlike bit tricks it works past 2^31.
const isPowerOfTwo = (n: number) => n > 0 && Number.isInteger(Math.log2(n));

/** A stored perfect subtree: level and index, as used for the key of a node row. */
export interface NodeId {
  level: number;
  index: number;
}

/** Reads stored perfect-subtree hashes; the proof builders only ever ask for nodes that exist. */
export type NodeReader = (level: number, index: number) => Hash;

/** MTH(D[start:end]) where every range the RFC recursion reaches starts on a multiple of its left part. */
function rangeHash(get: NodeReader, start: number, end: number): Hash {
  const n = end - start;
  if (isPowerOfTwo(n) && start % n === 0) return get(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(get, start, start + k), rangeHash(get, start + k, end));
}

/** The root hash of the first `size` leaves. */
export function rootHash(get: NodeReader, size: number): Hash {
  return size === 0 ? EMPTY_ROOT : rangeHash(get, 0, size);
}

/** RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of the first `size` leaves. */
export function inclusionPath(get: NodeReader, index: number, size: number): Hash[] {
  const path: Hash[] = [];
  let start = 0;
  let end = size;
  // Walk down from the root, collecting siblings top-down; the RFC lists them bottom-up.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      path.push(rangeHash(get, start + k, end));
      end = start + k;
    } else {
      path.push(rangeHash(get, start, start + k));
      start += k;
    }
  }
  return path.reverse();
}

/** RFC 9162 §2.1.4.1: the proof that the tree of `first` leaves is a prefix of the tree of `second`. */
export function consistencyPath(get: NodeReader, first: number, second: number): Hash[] {
  if (first === 0 || first === second) return [];
  const proof: Hash[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let complete = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push(rangeHash(get, start + k, end));
      end = start + k;
    } else {
      proof.push(rangeHash(get, start, start + k));
      start += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) proof.push(rangeHash(get, start, end));
  return proof.reverse();
}

/**
 * Runs a proof builder once with placeholder hashes to learn which stored nodes it reads (the
 * builders never branch on hash values), so the caller can fetch them all in one query.
 */
export function nodesNeeded(build: (get: NodeReader) => unknown): NodeId[] {
  const seen = new Map<string, NodeId>();
  const placeholder = Buffer.alloc(32);
  build((level, index) => {
    seen.set(`${level}:${index}`, { level, index });
    return placeholder;
  });
  return [...seen.values()];
}

/**
 * The nodes that complete when leaves [oldSize, oldSize + leaves.length) are appended, computed
 * from the new leaf hashes and the old tree's right edge (its perfect decomposition).
 */
export function appendNodes(
  oldSize: number,
  newLeafHashes: Hash[],
  edge: NodeReader,
): { level: number; index: number; hash: Hash }[] {
  const out: { level: number; index: number; hash: Hash }[] = [];
  const fresh = new Map<string, Hash>();
  const read = (level: number, index: number): Hash => fresh.get(`${level}:${index}`) ?? edge(level, index);
  newLeafHashes.forEach((hash, i) => {
    let index = oldSize + i;
    let level = 0;
    let current = hash;
    fresh.set(`0:${index}`, current);
    out.push({ level: 0, index, hash: current });
    // A right child completes its parent; climb while that keeps happening.
    while (index % 2 === 1) {
      current = nodeHash(read(level, index - 1), current);
      level += 1;
      index = (index - 1) / 2;
      fresh.set(`${level}:${index}`, current);
      out.push({ level, index, hash: current });
    }
  });
  return out;
}

/** The left siblings appending after `size` leaves may read: the perfect decomposition of the tree. */
export function rightEdge(size: number): NodeId[] {
  const nodes: NodeId[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      nodes.push({ level, index: start / width });
      start += width;
    }
  }
  return nodes;
}
