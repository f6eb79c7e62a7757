import { parseVerifierKey, type SignedCheckpoint, verifyCheckpoint } from './note.ts';
import {
  appendLeaf,
  type CompactRange,
  emptyRange,
  hashLeaf,
  rangeRoot,
  verifyConsistency,
  verifyInclusion,
} from './proofs.ts';

/** What the auditor remembers between runs: the key it trusts and the last checkpoint it verified. */
export interface AuditState {
  verifierKey: string;
  checkpoint: { size: number; root: string; note: string };
  /** The perfect-subtree roots of the verified tree, so the next run replays only new leaves. */
  frontier: { size: number; hashes: string[] };
  verifiedAt: string;
}

export interface AuditOptions {
  /** The platform's base URL, e.g. https://mydata.example.gov.tw */
  url: string;
  /** The state of the last successful run; absent on the first. */
  state?: AuditState | undefined;
  /** A verifier key obtained out of band; otherwise the pinned one, or the platform's on first use. */
  key?: string | undefined;
  /** Replay every leaf from index 0 instead of only those added since the last run. */
  full?: boolean;
  /** How many entries to spot-check with an inclusion proof each. */
  samples?: number;
  fetchImpl?: typeof fetch;
}

export interface AuditReport {
  ok: boolean;
  /** Each thing found wrong, in words; empty when ok. */
  problems: string[];
  /** What was checked, for the record. */
  notes: string[];
  checkpoint?: { size: number; root: string };
  /** The state to keep: advanced when ok, the previous one otherwise. */
  state: AuditState | undefined;
}

/** Raised when the platform cannot be read at all (as opposed to answering something wrong). */
export class AuditUnreachable extends Error {}

const PAGE = 1000;

/**
 * Audits a MyData usage log over its public endpoints: the checkpoint signature, consistency with
 * what this auditor verified before, every new leaf against the signed root, and sampled inclusion
 * proofs. Detects a rewritten, dropped, reordered or forked history.
 */
export async function audit(options: AuditOptions): Promise<AuditReport> {
  const base = options.url.replace(/\/$/, '');
  const doFetch = options.fetchImpl ?? fetch;
  const problems: string[] = [];
  const notes: string[] = [];
  const previous = options.state;

  const get = async (path: string): Promise<Response> => {
    try {
      return await doFetch(`${base}/api/v1/log${path}`, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new AuditUnreachable(`cannot reach ${base}: ${(error as Error).message}`);
    }
  };
  const json = async <T>(path: string): Promise<T | undefined> => {
    const res = await get(path);
    if (res.status >= 500) throw new AuditUnreachable(`${path}: the platform answered ${res.status}`);
    if (!res.ok) {
      problems.push(`${path}: the platform answered ${res.status}`);
      return undefined;
    }
    return (await res.json()) as T;
  };
  const unchanged = (): AuditReport => ({ ok: false, problems, notes, state: previous });

  // 1. The key: given, pinned, or trusted on first use.
  let keyText = options.key ?? previous?.verifierKey;
  if (!keyText) {
    const res = await get('/key');
    if (!res.ok) throw new AuditUnreachable(`/key: the platform answered ${res.status}`);
    keyText = (await res.text()).trim();
    notes.push(`pinned the platform's verifier key on first use: ${keyText}`);
  }
  if (previous && options.key && previous.verifierKey !== options.key.trim()) {
    problems.push('the given key differs from the key pinned in the state file');
    return unchanged();
  }
  const key = parseVerifierKey(keyText);

  // 2. The latest checkpoint, signed by that key.
  const latestRes = await get('/checkpoint');
  if (!latestRes.ok) throw new AuditUnreachable(`/checkpoint: the platform answered ${latestRes.status}`);
  let cp: SignedCheckpoint;
  try {
    cp = verifyCheckpoint(await latestRes.text(), key);
  } catch (error) {
    problems.push(`latest checkpoint: ${(error as Error).message}`);
    return unchanged();
  }
  notes.push(`latest checkpoint: size ${cp.size}, root ${cp.root.toString('base64')}, signature valid`);

  // 3. Consistency with what was verified before.
  if (previous) {
    const old = previous.checkpoint;
    const oldRoot = Buffer.from(old.root, 'base64');
    if (cp.size < old.size) {
      problems.push(`history dropped: the log shrank from ${old.size} to ${cp.size} entries`);
    } else if (cp.size === old.size && !cp.root.equals(oldRoot)) {
      problems.push(`fork: two different signed roots for tree size ${cp.size}`);
    } else if (cp.size > old.size) {
      const proof = await json<{ hashes: string[] }>(
        `/proof/consistency?first=${old.size}&second=${cp.size}`,
      );
      const hashes = proof?.hashes.map((h) => Buffer.from(h, 'base64')) ?? [];
      if (proof && !verifyConsistency(old.size, cp.size, oldRoot, cp.root, hashes)) {
        problems.push(
          `history rewritten: tree ${cp.size} is not an extension of the verified tree ${old.size}`,
        );
      } else if (proof) {
        notes.push(`consistent with the tree of ${old.size} verified ${previous.verifiedAt}`);
      }
    }
    const again = await get(`/checkpoints/${old.size}`);
    if (again.status === 404) {
      problems.push(
        `history dropped: the checkpoint of size ${old.size} verified earlier is no longer published`,
      );
    } else if (again.ok) {
      try {
        const republished = verifyCheckpoint(await again.text(), key);
        if (!republished.root.equals(oldRoot)) {
          problems.push(
            `fork: the checkpoint of size ${old.size} now has a different root than when verified`,
          );
        }
      } catch (error) {
        problems.push(`checkpoint ${old.size}: ${(error as Error).message}`);
      }
    }
  }

  // 4. Replay leaves into the verified frontier (or from scratch) and compare with the signed root.
  const resume =
    !options.full &&
    previous &&
    previous.frontier.size === previous.checkpoint.size &&
    cp.size >= previous.frontier.size;
  let range: CompactRange = resume
    ? { size: previous.frontier.size, hashes: previous.frontier.hashes.map((h) => Buffer.from(h, 'base64')) }
    : emptyRange();
  const replayFrom = range.size;
  while (range.size < cp.size) {
    const count = Math.min(PAGE, cp.size - range.size);
    const page = await json<{ start: number; leaves: string[] }>(
      `/leaves?start=${range.size}&count=${count}`,
    );
    if (!page) break;
    if (page.start !== range.size || page.leaves.length !== count) {
      problems.push(
        `entries missing: asked for ${count} leaves from index ${range.size}, got ${page.leaves.length}; entries were dropped`,
      );
      break;
    }
    for (const leaf of page.leaves) range = appendLeaf(range, hashLeaf(Buffer.from(leaf, 'base64')));
  }
  if (range.size === cp.size) {
    if (!rangeRoot(range).equals(cp.root)) {
      problems.push(
        `the leaves ${replayFrom}..${cp.size - 1} do not hash to the signed root: entries were edited, dropped or reordered`,
      );
    } else if (cp.size > replayFrom) {
      notes.push(`replayed leaves ${replayFrom}..${cp.size - 1}: they hash to the signed root`);
    }
  }

  // 5. Spot-check inclusion proofs served for single entries.
  const samples = Math.min(options.samples ?? 8, cp.size);
  const indices = new Set<number>();
  for (let i = 0; i < samples; i++) indices.add(Math.floor(((i + 0.5) * cp.size) / samples));
  if (cp.size > 0) indices.add(cp.size - 1);
  for (const index of indices) {
    const entry = await json<{ commitment: string; leafHash: string }>(`/entries/${index}`);
    const proof = await json<{ hashes: string[] }>(`/proof/inclusion?index=${index}&size=${cp.size}`);
    if (!entry || !proof) continue;
    const leaf = hashLeaf(Buffer.from(entry.commitment, 'base64'));
    if (leaf.toString('base64') !== entry.leafHash)
      problems.push(`entry ${index}: its leaf hash is misstated`);
    const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
    if (!verifyInclusion(leaf, index, cp.size, hashes, cp.root)) {
      problems.push(`entry ${index}: its inclusion proof does not lead to the signed root`);
    }
  }
  if (indices.size > 0) notes.push(`checked ${indices.size} inclusion proofs`);

  if (problems.length > 0) return unchanged();
  return {
    ok: true,
    problems,
    notes,
    checkpoint: { size: cp.size, root: cp.root.toString('base64') },
    state: {
      verifierKey: key.text,
      checkpoint: { size: cp.size, root: cp.root.toString('base64'), note: cp.note },
      frontier: { size: range.size, hashes: range.hashes.map((h) => h.toString('base64')) },
      verifiedAt: new Date().toISOString(),
    },
  };
}

/**
 * Compares the checkpoints two auditors verified (gossip), to catch a platform showing different
 * histories to different people: same size with different roots is a fork; different sizes must
 * be consistent, proved by the platform's own consistency proof.
 */
export async function compareStates(
  a: AuditState,
  b: AuditState,
  options: { url?: string; fetchImpl?: typeof fetch } = {},
): Promise<{ ok: boolean; problems: string[] }> {
  if (a.verifierKey !== b.verifierKey) return { ok: false, problems: ['the two states pin different keys'] };
  const key = parseVerifierKey(a.verifierKey);
  const problems: string[] = [];
  const [older, newer] = a.checkpoint.size <= b.checkpoint.size ? [a, b] : [b, a];
  for (const s of [older, newer]) {
    try {
      verifyCheckpoint(s.checkpoint.note, key);
    } catch (error) {
      problems.push(`checkpoint ${s.checkpoint.size}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const oldRoot = Buffer.from(older.checkpoint.root, 'base64');
  const newRoot = Buffer.from(newer.checkpoint.root, 'base64');
  if (older.checkpoint.size === newer.checkpoint.size) {
    if (!oldRoot.equals(newRoot))
      problems.push(`fork: two signed roots for tree size ${older.checkpoint.size}`);
    return { ok: problems.length === 0, problems };
  }
  if (!options.url)
    return { ok: false, problems: ['different sizes: give the platform URL to fetch a consistency proof'] };
  const res = await (options.fetchImpl ?? fetch)(
    `${options.url.replace(/\/$/, '')}/api/v1/log/proof/consistency?first=${older.checkpoint.size}&second=${newer.checkpoint.size}`,
  );
  if (!res.ok) throw new AuditUnreachable(`consistency proof: the platform answered ${res.status}`);
  const proof = ((await res.json()) as { hashes: string[] }).hashes.map((h) => Buffer.from(h, 'base64'));
  if (!verifyConsistency(older.checkpoint.size, newer.checkpoint.size, oldRoot, newRoot, proof)) {
    problems.push(
      `fork: the tree of ${newer.checkpoint.size} one auditor saw does not extend the tree of ${older.checkpoint.size} the other saw`,
    );
  }
  return { ok: problems.length === 0, problems };
}
