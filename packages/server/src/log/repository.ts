import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { AppError, type UsageEntry, type UsageEventType, type UsageOutcome } from '@mydata/core';
import canonicalize from 'canonicalize';
import { type Kysely, sql } from 'kysely';
import { createEnvelope } from '../crypto/envelope.ts';
import type { PlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { createCheckpointSigner } from './checkpoint.ts';
import {
  appendNodes,
  consistencyPath,
  type Hash,
  inclusionPath,
  leafHash,
  type NodeId,
  type NodeReader,
  nodesNeeded,
  rightEdge,
  rootHash,
} from './merkle.ts';

/** What a feature tells the log about one use of a citizen's data or account. */
export interface UsageEvent {
  /** The citizen's national ID; only its keyed hash is stored. */
  citizenId: string;
  event: UsageEventType;
  datasets?: string[];
  /** To whom: the service provider's service, the agencies that answered, the counter clerk. */
  serviceId?: string;
  agencyIds?: string[];
  clerkId?: string;
  /** Why: the purpose as stated to the citizen, and the consent it rests on. */
  purpose?: string;
  consentId?: string;
  outcome?: UsageOutcome;
  occurredAt?: Date;
  details?: Record<string, string | number | boolean>;
}

export interface Checkpoint {
  size: number;
  /** Base64 root hash, as in the note. */
  root: string;
  /** The signed note, byte for byte as published. */
  note: string;
}

export interface Proof {
  treeSize: number;
  /** Base64 hashes in RFC 9162 order. */
  hashes: string[];
}

export interface CitizenEntryFilter {
  from?: Date;
  to?: Date;
  /** Only these event types. */
  events?: UsageEventType[];
  dataset?: string;
  serviceId?: string;
  /** Entries after this one in the view's order (newest first): keyset paging that new entries do not shift. */
  after?: { occurredAt: Date; id: string };
  limit?: number;
  offset?: number;
}

export interface CitizenEntry {
  id: string;
  /** Position in the log; null until the sequencer has placed it. */
  index: number | null;
  entry: UsageEntry;
  /** Base64 salted commitment: the leaf. */
  commitment: string;
  /** The salt, so the citizen can recompute the commitment from the entry. */
  salt: string;
  /** The decrypted entry and salt hash to the stored commitment, and the filter columns agree with it. */
  commitmentValid: boolean;
  /** Inclusion in the tree of `checkpoint`; null if the entry came after it. */
  inclusion: Proof | null;
}

const LOCK = sql`hashtext('mydata.usage_log.sequencer')`;
const MAX_LEAVES_PER_PAGE = 1000;
const b64 = (h: Uint8Array) => Buffer.from(h).toString('base64');

/** RFC 8785 canonical JSON of an entry; its bytes are what the commitment covers. */
export function canonicalEntry(entry: UsageEntry): string {
  const text = canonicalize(entry);
  if (text === undefined) throw new Error('entry cannot be canonicalised');
  return text;
}

/** The leaf of an entry: SHA-256(salt || canonical JSON). The salt keeps an erased entry from being guessed. */
export function entryCommitment(salt: Uint8Array, entry: UsageEntry): Buffer {
  return createHash('sha256').update(salt).update(canonicalEntry(entry)).digest();
}

export interface UsageLogOptions {
  db: Db;
  keys: Pick<PlatformKeys, 'atRest' | 'logSigning' | 'citizenRefKey'>;
  /** The checkpoint origin line, e.g. `mydata.gov.tw/mydata-usage-log`. */
  origin: string;
  /** Most entries one sequencer transaction places. */
  batchSize?: number;
}

/** The usage log: append inside a caller's transaction, sequence into the Merkle tree, sign checkpoints, serve proofs. */
export function createUsageLog({ db, keys, origin, batchSize = 1000 }: UsageLogOptions) {
  const envelope = createEnvelope(keys.atRest);
  const signer = createCheckpointSigner(origin, keys.logSigning);
  const citizenRef = (nationalId: string) =>
    createHmac('sha256', keys.citizenRefKey).update(nationalId.trim().toUpperCase()).digest('hex');
  const context = (id: string) => `usage_log_entries:${id}`;

  async function readNodes(q: Kysely<Database>, ids: NodeId[]): Promise<NodeReader> {
    const found = new Map<string, Hash>();
    if (ids.length > 0) {
      const rows = await sql<{ level: number; idx: number; hash: Uint8Array }>`
        select level, idx, hash from usage_log_nodes
        where (level, idx) in (${sql.join(ids.map((n) => sql`(${n.level}::smallint, ${n.index}::bigint)`))})`.execute(
        q,
      );
      for (const r of rows.rows) found.set(`${r.level}:${Number(r.idx)}`, Buffer.from(r.hash));
    }
    return (level, index) => {
      const hash = found.get(`${level}:${index}`);
      if (!hash) throw new Error(`usage log node ${level}:${index} is missing; the tree is damaged`);
      return hash;
    };
  }

  /** Runs a proof builder against the nodes it needs, fetched in one query. */
  async function withNodes<T>(q: Kysely<Database>, build: (get: NodeReader) => T): Promise<T> {
    return build(await readNodes(q, nodesNeeded(build)));
  }

  async function treeSize(q: Kysely<Database> = db): Promise<number> {
    const row = await q
      .selectFrom('usage_log_state')
      .select('size')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.size);
  }

  const rangeError = (reason: string, size: number) =>
    new AppError('log.range-invalid', { reason, treeSize: size });

  function toCheckpoint(row: { size: number; root: Uint8Array; note: string }): Checkpoint {
    return { size: Number(row.size), root: b64(row.root), note: row.note };
  }

  const api = {
    origin,
    verifierKey: signer.verifierKey,
    citizenRef,

    /**
     * Appends one entry. Pass the caller's transaction so the event, its log entry and its
     * notifications commit or roll back together; the entry gets its tree index when sequenced.
     */
    async append(event: UsageEvent, q: Kysely<Database> = db): Promise<{ id: string; commitment: Buffer }> {
      const id = randomUUID();
      const occurredAt = event.occurredAt ?? new Date();
      const entry: UsageEntry = {
        v: 1,
        citizenRef: citizenRef(event.citizenId),
        event: event.event,
        datasets: [...(event.datasets ?? [])].sort(),
        ...(event.serviceId ? { serviceId: event.serviceId } : {}),
        ...(event.agencyIds?.length ? { agencyIds: [...event.agencyIds].sort() } : {}),
        ...(event.clerkId ? { clerkId: event.clerkId } : {}),
        ...(event.purpose ? { purpose: event.purpose } : {}),
        ...(event.consentId ? { consentId: event.consentId } : {}),
        outcome: event.outcome ?? 'success',
        occurredAt: occurredAt.toISOString(),
        ...(event.details ? { details: event.details } : {}),
      };
      const salt = randomBytes(32);
      const commitment = entryCommitment(salt, entry);
      await q
        .insertInto('usage_log_entries')
        .values({
          id,
          seq: null,
          commitment,
          citizen_ref: entry.citizenRef,
          event: entry.event,
          occurred_at: occurredAt,
          service_id: entry.serviceId ?? null,
          datasets: JSON.stringify(entry.datasets),
          sealed: envelope.seal(JSON.stringify({ salt: salt.toString('base64'), entry }), context(id)),
        })
        .execute();
      return { id, commitment };
    },

    /**
     * Places waiting entries into the tree, up to one batch, under an advisory lock so that several
     * platform processes sequencing at once take turns instead of forking the log.
     */
    async sequence(): Promise<{ added: number; size: number }> {
      return db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${LOCK})`.execute(tx);
        const size = Number(
          (
            await tx
              .selectFrom('usage_log_state')
              .select('size')
              .where('id', '=', 1)
              .forUpdate()
              .executeTakeFirstOrThrow()
          ).size,
        );
        const pending = await tx
          .selectFrom('usage_log_entries')
          .select(['id', 'commitment'])
          .where('seq', 'is', null)
          .orderBy('arrival')
          .limit(batchSize)
          .execute();
        if (pending.length === 0) return { added: 0, size };
        const edge = await readNodes(tx, rightEdge(size));
        const nodes = appendNodes(
          size,
          pending.map((p) => leafHash(p.commitment)),
          edge,
        );
        await sql`update usage_log_entries as e set seq = v.seq
          from (values ${sql.join(pending.map((p, i) => sql`(${p.id}::uuid, ${size + i}::bigint)`))}) as v(id, seq)
          where e.id = v.id`.execute(tx);
        // Multi-row inserts stay under PostgreSQL's 65,535 bind parameters.
        for (let i = 0; i < nodes.length; i += 10_000) {
          await tx
            .insertInto('usage_log_nodes')
            .values(nodes.slice(i, i + 10_000).map((n) => ({ level: n.level, idx: n.index, hash: n.hash })))
            .execute();
        }
        await tx
          .updateTable('usage_log_state')
          .set({ size: size + pending.length })
          .where('id', '=', 1)
          .execute();
        return { added: pending.length, size: size + pending.length };
      });
    },

    /** Sequences until nothing waits; returns the tree size reached. */
    async sequenceAll(): Promise<number> {
      for (;;) {
        const { added, size } = await api.sequence();
        if (added < batchSize) return size;
      }
    },

    /** Signs and stores a checkpoint of the current tree if it grew since the last one (or none exists yet). */
    async publishCheckpoint(): Promise<Checkpoint | undefined> {
      const size = await treeSize();
      const latest = await api.latestCheckpoint();
      if (latest && latest.size >= size) return undefined;
      const root = await withNodes(db, (get) => rootHash(get, size));
      const note = signer.sign(size, root);
      // Ed25519 signatures are deterministic: two processes publishing the same size write the same note.
      await db
        .insertInto('usage_log_checkpoints')
        .values({ size, root, note })
        .onConflict((c) => c.column('size').doNothing())
        .execute();
      return { size, root: b64(root), note };
    },

    async latestCheckpoint(): Promise<Checkpoint | undefined> {
      const row = await db
        .selectFrom('usage_log_checkpoints')
        .select(['size', 'root', 'note'])
        .orderBy('size', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? toCheckpoint(row) : undefined;
    },

    async checkpointAt(size: number): Promise<Checkpoint> {
      const row = await db
        .selectFrom('usage_log_checkpoints')
        .select(['size', 'root', 'note'])
        .where('size', '=', size)
        .executeTakeFirst();
      if (!row) throw new AppError('log.checkpoint-not-found', { size });
      return toCheckpoint(row);
    },

    treeSize: () => treeSize(),

    /** RFC 9162 inclusion proof of the leaf at `index` in the tree of `size` leaves. */
    async inclusionProof(index: number, size: number): Promise<Proof> {
      const current = await treeSize();
      if (size > current) throw rangeError(`tree size ${size} is larger than the log`, current);
      if (index >= size) throw rangeError(`index ${index} is not below tree size ${size}`, current);
      const hashes = await withNodes(db, (get) => inclusionPath(get, index, size));
      return { treeSize: size, hashes: hashes.map(b64) };
    },

    /** RFC 9162 consistency proof that the tree of `first` leaves is a prefix of the tree of `second`. */
    async consistencyProof(first: number, second: number): Promise<Proof> {
      const current = await treeSize();
      if (second > current) throw rangeError(`tree size ${second} is larger than the log`, current);
      if (first > second)
        throw rangeError(`first size ${first} is larger than second size ${second}`, current);
      const hashes = await withNodes(db, (get) => consistencyPath(get, first, second));
      return { treeSize: second, hashes: hashes.map(b64) };
    },

    /** The leaf commitments from `start` on (at most 1000): public, personal data stays sealed. */
    async leaves(start: number, count: number): Promise<{ index: number; commitment: string }[]> {
      const current = await treeSize();
      if (start >= current) throw new AppError('log.entry-not-found', { index: start, treeSize: current });
      const rows = await db
        .selectFrom('usage_log_entries')
        .select(['seq', 'commitment'])
        .where('seq', '>=', start)
        .where('seq', '<', Math.min(current, start + Math.min(count, MAX_LEAVES_PER_PAGE)))
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({ index: Number(r.seq), commitment: b64(r.commitment) }));
    },

    /** A citizen's own entries, newest first, each opened, its commitment re-checked and its inclusion proved. */
    async listCitizenEntries(
      nationalId: string,
      filter: CitizenEntryFilter = {},
    ): Promise<{ checkpoint: Checkpoint | undefined; items: CitizenEntry[] }> {
      let query = db
        .selectFrom('usage_log_entries')
        .select(['id', 'seq', 'commitment', 'sealed', 'event', 'service_id', 'datasets', 'occurred_at'])
        .where('citizen_ref', '=', citizenRef(nationalId));
      if (filter.from) query = query.where('occurred_at', '>=', filter.from);
      if (filter.to) query = query.where('occurred_at', '<', filter.to);
      if (filter.serviceId) query = query.where('service_id', '=', filter.serviceId);
      if (filter.events?.length) query = query.where('event', 'in', filter.events);
      if (filter.after) {
        const { occurredAt, id } = filter.after;
        query = query.where((eb) =>
          eb.or([
            eb('occurred_at', '<', occurredAt),
            eb.and([eb('occurred_at', '=', occurredAt), eb('id', '>', id)]),
          ]),
        );
      }
      if (filter.dataset)
        query = query.where(sql<boolean>`datasets @> ${JSON.stringify([filter.dataset])}::jsonb`);
      const rows = await query
        .orderBy('occurred_at', 'desc')
        .orderBy('id')
        .limit(Math.min(filter.limit ?? 50, 500))
        .offset(filter.offset ?? 0)
        .execute();
      const checkpoint = await api.latestCheckpoint();
      const provable = (seq: number | null): seq is number =>
        seq !== null && !!checkpoint && seq < checkpoint.size;
      const build = (get: NodeReader) =>
        rows.map((r) =>
          provable(r.seq) && checkpoint ? inclusionPath(get, Number(r.seq), checkpoint.size) : null,
        );
      const proofs = await withNodes(db, build);
      const items = rows.flatMap((r, i): CitizenEntry[] => {
        if (!r.sealed) return [];
        const opened = JSON.parse(envelope.openText(r.sealed, context(r.id))) as {
          salt: string;
          entry: UsageEntry;
        };
        const salt = Buffer.from(opened.salt, 'base64');
        const e = opened.entry;
        const agrees =
          e.event === r.event &&
          (e.serviceId ?? null) === r.service_id &&
          JSON.stringify(e.datasets) === JSON.stringify(r.datasets) &&
          e.occurredAt === new Date(r.occurred_at).toISOString();
        const proof = proofs[i];
        return [
          {
            id: r.id,
            index: r.seq === null ? null : Number(r.seq),
            entry: e,
            commitment: b64(r.commitment),
            salt: opened.salt,
            commitmentValid: agrees && entryCommitment(salt, e).equals(Buffer.from(r.commitment)),
            inclusion: proof && checkpoint ? { treeSize: checkpoint.size, hashes: proof.map(b64) } : null,
          },
        ];
      });
      return { checkpoint, items };
    },

    /**
     * Erases an entry's personal data (the sealed entry and salt, the citizen reference and the
     * filter columns). The commitment stays, so the tree and every proof are unchanged.
     */
    async erase(entryId: string): Promise<boolean> {
      const result = await db
        .updateTable('usage_log_entries')
        .set({ sealed: null, citizen_ref: null, service_id: null, datasets: '[]', erased_at: new Date() })
        .where('id', '=', entryId)
        .where('erased_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Re-wraps up to `limit` sealed entries still under an older at-rest key (only their data keys
     * change). Run after a rotation until it returns 0; then the old key can leave the key ring.
     */
    async rewrapSealed(limit = 1000): Promise<number> {
      const prefix = `v1.${envelope.currentKeyId}.`;
      const rows = await db
        .selectFrom('usage_log_entries')
        .select(['id', 'sealed'])
        .where('sealed', 'is not', null)
        .where(sql<boolean>`left(sealed, ${prefix.length}) <> ${prefix}`)
        .limit(limit)
        .execute();
      for (const r of rows) {
        await db
          .updateTable('usage_log_entries')
          .set({ sealed: envelope.rewrap(r.sealed as string, context(r.id)) })
          .where('id', '=', r.id)
          // An entry erased meanwhile stays erased.
          .where('sealed', '=', r.sealed)
          .execute();
      }
      return rows.length;
    },

    /** Erases every entry of one citizen; returns how many. */
    async eraseCitizen(nationalId: string): Promise<number> {
      const result = await db
        .updateTable('usage_log_entries')
        .set({ sealed: null, citizen_ref: null, service_id: null, datasets: '[]', erased_at: new Date() })
        .where('citizen_ref', '=', citizenRef(nationalId))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
  return api;
}

export type UsageLog = ReturnType<typeof createUsageLog>;
