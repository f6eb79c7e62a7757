import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  appendNodes,
  consistencyPath,
  type Hash,
  inclusionPath,
  leafHash,
  nodesNeeded,
  rightEdge,
  rootHash,
} from './merkle.ts';
import { referenceConsistency, referencePath, referenceRoot } from './testing.ts';

const mth = referenceRoot;
const path = referencePath;
const proof = referenceConsistency;

/** Builds the stored-node table by appending leaves in the given batch sizes, as the sequencer does. */
function storedTree(leaves: Buffer[], batches: number[]) {
  const nodes = new Map<string, Hash>();
  const get = (level: number, index: number) => {
    const h = nodes.get(`${level}:${index}`);
    if (!h) throw new Error(`node ${level}:${index} is not stored`);
    return h;
  };
  let size = 0;
  for (const b of [...batches, leaves.length]) {
    const batch = leaves.slice(size, size + Math.max(1, b)).map((l) => leafHash(l));
    if (batch.length === 0) break;
    for (const n of appendNodes(size, batch, get)) nodes.set(`${n.level}:${n.index}`, n.hash);
    size += batch.length;
  }
  while (size < leaves.length) {
    for (const n of appendNodes(size, [leafHash(leaves[size]!)], get))
      nodes.set(`${n.level}:${n.index}`, n.hash);
    size += 1;
  }
  return { get, nodes };
}

const arbLog = fc
  .tuple(
    fc.array(
      fc.uint8Array({ minLength: 0, maxLength: 40 }).map((a) => Buffer.from(a)),
      { minLength: 1, maxLength: 140 },
    ),
    fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 8 }),
  )
  .map(([leaves, batches]) => ({ leaves, batches }));

describe('The Merkle tree over stored perfect subtrees', () => {
  it('gives the same root as RFC 9162 at every size, however the leaves were batched', () => {
    fc.assert(
      fc.property(arbLog, ({ leaves, batches }) => {
        const { get } = storedTree(leaves, batches);
        for (let n = 0; n <= leaves.length; n++) expect(rootHash(get, n)).toEqual(mth(leaves.slice(0, n)));
      }),
      { numRuns: 60 },
    );
  });

  it('gives the RFC 9162 inclusion proof for every leaf at every size', () => {
    fc.assert(
      fc.property(arbLog, fc.nat(), fc.nat(), ({ leaves, batches }, a, b) => {
        const { get } = storedTree(leaves, batches);
        const size = 1 + (a % leaves.length);
        const index = b % size;
        expect(inclusionPath(get, index, size)).toEqual(path(index, leaves.slice(0, size)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the RFC 9162 consistency proof between any two sizes', () => {
    fc.assert(
      fc.property(arbLog, fc.nat(), fc.nat(), ({ leaves, batches }, a, b) => {
        const { get } = storedTree(leaves, batches);
        const second = 1 + (a % leaves.length);
        const first = b % (second + 1);
        expect(consistencyPath(get, first, second)).toEqual(proof(first, leaves.slice(0, second)));
      }),
      { numRuns: 300 },
    );
  });

  it('reads O(log n) stored nodes for a proof in a tree of ten million leaves', () => {
    const n = 10_000_000;
    const inclusion = nodesNeeded((get) => inclusionPath(get, 1_234_567, n));
    const consistency = nodesNeeded((get) => consistencyPath(get, 3_333_333, n));
    expect(inclusion.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    expect(consistency.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)));
    expect(rightEdge(n).length).toBe(n.toString(2).replaceAll('0', '').length);
  });
});
