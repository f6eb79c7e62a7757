import { createHash } from 'node:crypto';

/**
 * A naive RFC 9162 §2.1 reference over the whole list of leaves, for tests only. It is written
 * straight from the RFC's recursive definitions and shares nothing with the stored-node code.
 */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const split = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** MTH(D[n]). */
export function referenceRoot(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0] as Buffer);
  const k = split(d.length);
  return sha(Buffer.from([1]), referenceRoot(d.slice(0, k)), referenceRoot(d.slice(k)));
}

/** PATH(m, D[n]). */
export function referencePath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...referencePath(m, d.slice(0, k)), referenceRoot(d.slice(k))]
    : [...referencePath(m - k, d.slice(k)), referenceRoot(d.slice(0, k))];
}

function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [referenceRoot(d)];
  const k = split(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), referenceRoot(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), referenceRoot(d.slice(0, k))];
}

/** PROOF(m, D[n]). */
export function referenceConsistency(m: number, d: Buffer[]): Buffer[] {
  return m === 0 ? [] : subproof(m, d, true);
}
