import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseVerifierKey, verifyCheckpoint } from './note.ts';
import { appendLeaf, emptyRange, hashLeaf, rangeRoot, verifyConsistency, verifyInclusion } from './proofs.ts';

// The RFC 9162 §2.1 recursive definitions, as a reference the iterative verifiers must agree with.
const sha = (...p: Buffer[]) => createHash('sha256').update(Buffer.concat(p)).digest();
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);
const mth = (d: Buffer[]): Buffer =>
  d.length === 0
    ? sha()
    : d.length === 1
      ? sha(Buffer.from([0]), d[0]!)
      : sha(Buffer.from([1]), mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
const path = (m: number, d: Buffer[]): Buffer[] =>
  d.length <= 1
    ? []
    : m < k(d.length)
      ? [...path(m, d.slice(0, k(d.length))), mth(d.slice(k(d.length)))]
      : [...path(m - k(d.length), d.slice(k(d.length))), mth(d.slice(0, k(d.length)))];
const sub = (m: number, d: Buffer[], b: boolean): Buffer[] =>
  m === d.length
    ? b
      ? []
      : [mth(d)]
    : m <= k(d.length)
      ? [...sub(m, d.slice(0, k(d.length)), b), mth(d.slice(k(d.length)))]
      : [...sub(m - k(d.length), d.slice(k(d.length)), false), mth(d.slice(0, k(d.length)))];
const proof = (m: number, d: Buffer[]) => (m === 0 ? [] : sub(m, d, true));

// Leaves start with their own index so they are distinct: with equal leaves a proof may honestly fit two places.
const arbLeaves = fc
  .array(fc.uint8Array({ maxLength: 32 }), { minLength: 1, maxLength: 100 })
  .map((xs) => xs.map((a, i) => Buffer.concat([Buffer.from([i]), a])));
const flip = (b: Buffer) => {
  const c = Buffer.from(b);
  c[0] = (c[0] ?? 0) ^ 1;
  return c;
};

describe('The auditor’s RFC 9162 verification', () => {
  it('accepts every true inclusion proof and refuses altered ones', () => {
    fc.assert(
      fc.property(arbLeaves, fc.nat(), fc.nat(), (leaves, a, b) => {
        const size = 1 + (a % leaves.length);
        const index = b % size;
        const d = leaves.slice(0, size);
        const root = mth(d);
        const p = path(index, d);
        const leaf = hashLeaf(d[index]!);
        expect(verifyInclusion(leaf, index, size, p, root)).toBe(true);
        expect(verifyInclusion(flip(leaf), index, size, p, root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, p, flip(root))).toBe(false);
        if (p.length > 0) {
          expect(verifyInclusion(leaf, index, size, [...p.slice(0, -1), flip(p.at(-1)!)], root)).toBe(false);
          expect(verifyInclusion(leaf, index, size, p.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...p, root], root)).toBe(false);
        if (size > 1) expect(verifyInclusion(leaf, (index + 1) % size, size, p, root)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every true consistency proof and refuses altered ones', () => {
    fc.assert(
      fc.property(arbLeaves, fc.nat(), fc.nat(), (leaves, a, b) => {
        const second = 1 + (a % leaves.length);
        const first = b % (second + 1);
        const d = leaves.slice(0, second);
        const r1 = mth(d.slice(0, first));
        const r2 = mth(d);
        const p = proof(first, d);
        expect(verifyConsistency(first, second, r1, r2, p)).toBe(true);
        if (first > 0 && first < second) {
          expect(verifyConsistency(first, second, flip(r1), r2, p)).toBe(false);
          expect(verifyConsistency(first, second, r1, flip(r2), p)).toBe(false);
          expect(verifyConsistency(first, second, r1, r2, [...p.slice(0, -1), flip(p.at(-1)!)])).toBe(false);
          expect(verifyConsistency(first, second, r1, r2, p.slice(1))).toBe(false);
        }
        expect(verifyConsistency(second, first, r2, r1, p)).toBe(second === first);
      }),
      { numRuns: 400 },
    );
  });

  it('computes the RFC 9162 root at every size by appending leaves to a compact range', () => {
    fc.assert(
      fc.property(arbLeaves, (leaves) => {
        let range = emptyRange();
        expect(rangeRoot(range)).toEqual(mth([]));
        leaves.forEach((leaf, i) => {
          range = appendLeaf(range, hashLeaf(leaf));
          expect(rangeRoot(range)).toEqual(mth(leaves.slice(0, i + 1)));
          expect(range.hashes.length).toBe((i + 1).toString(2).replaceAll('0', '').length);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('The auditor’s signed-note checks', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const name = 'example.org/log';
  const keyId = sha(Buffer.from(`${name}\n`), Buffer.from([1]), raw).subarray(0, 4);
  const vkey = `${name}+${keyId.toString('hex')}+${Buffer.concat([Buffer.from([1]), raw]).toString('base64')}`;
  const root = sha(Buffer.from('root'));
  const noteFor = (body: string, signer = privateKey) =>
    `${body}\n\u2014 ${name} ${Buffer.concat([keyId, sign(null, Buffer.from(body), signer)]).toString('base64')}\n`;
  const body = `${name}\n42\n${root.toString('base64')}\n`;

  it('parses a verifier key and a checkpoint it signed', () => {
    const cp = verifyCheckpoint(noteFor(body), parseVerifierKey(vkey));
    expect(cp).toMatchObject({ origin: name, size: 42, root });
  });

  it('verifies the example checkpoint in docs/usage-log.md (a test vector)', () => {
    const doc = readFileSync(new URL('../../../docs/usage-log.md', import.meta.url), 'utf8');
    const note = `${/```\n(localhost\/mydata-usage-log\n35\n[\s\S]*?\n)```/.exec(doc)?.[1]}`;
    const vkey = /verifier key `([^`]+)`/.exec(doc)?.[1] as string;
    const cp = verifyCheckpoint(note, parseVerifierKey(vkey));
    expect(cp.size).toBe(35);
    expect(cp.root).toEqual(sha(Buffer.from('example')));
  });

  it('parses any Ed25519 verifier key, including base64 with + and /', () => {
    for (let i = 0; i < 64; i++) {
      const pub = Buffer.from(
        generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!,
        'base64url',
      );
      const encoded = Buffer.concat([Buffer.from([1]), pub]).toString('base64');
      const id = sha(Buffer.from(`${name}\n`), Buffer.from([1]), pub)
        .subarray(0, 4)
        .toString('hex');
      expect(parseVerifierKey(`${name}+${id}+${encoded}`).name).toBe(name);
    }
  });

  it('refuses a changed size or root, a foreign signature, and a key whose id does not match', () => {
    const key = parseVerifierKey(vkey);
    const signed = noteFor(body);
    expect(() => verifyCheckpoint(signed.replace('\n42\n', '\n43\n'), key)).toThrow(/does not verify/);
    const other = generateKeyPairSync('ed25519').privateKey;
    expect(() => verifyCheckpoint(noteFor(body, other), key)).toThrow(/does not verify/);
    expect(() => verifyCheckpoint(body, key)).toThrow(/not a signed note/);
    expect(() => verifyCheckpoint(noteFor(`other.org/log\n42\n${root.toString('base64')}\n`), key)).toThrow(
      /origin/,
    );
    expect(() => parseVerifierKey(vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+'))).toThrow(/key id/);
  });
});
