import { canonicalFlatJson, MESSAGE_LOG_GENESIS, messageLogEntryHash } from '@mydata/core';
import { type Selectable, sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ExchangeMessageLogTable } from './tables.ts';

/** One exchange attempt as the message log keeps it: signed envelopes and hashes, never the payload. */
export interface MessageLogEntry {
  at: Date;
  /** Groups the attempts (retries) and datasets of one gateway fetch. */
  exchangeId: string;
  /** The request JWS's `jti`. */
  requestId: string;
  agencyId: string;
  datasetId: string;
  consentId: string;
  /** `ok` or the error code the attempt ended with. */
  outcome: string;
  httpStatus: number | null;
  requestJws: string;
  responseJws: string | null;
  responseBodySha256: string | null;
}

export interface StoredMessageLogEntry extends MessageLogEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

// One fixed advisory-lock key ("MyDataX1") serialises appends across every platform process, so two
// writers can never both extend the same head and fork the chain.
const APPEND_LOCK = 0x4d79446174615831n;

/** The canonical bytes a row's hash covers (docs/exchange.md, "Message log"). */
export function canonicalEntry(seq: number, e: MessageLogEntry): string {
  return canonicalFlatJson({
    seq,
    at: e.at.toISOString(),
    exchangeId: e.exchangeId,
    requestId: e.requestId,
    agencyId: e.agencyId,
    datasetId: e.datasetId,
    consentId: e.consentId,
    outcome: e.outcome,
    httpStatus: e.httpStatus,
    requestJws: e.requestJws,
    responseJws: e.responseJws,
    responseBodySha256: e.responseBodySha256,
  });
}

export type MessageLogVerification =
  | { ok: true; count: number; head: string }
  | { ok: false; seq: number; reason: 'edited' | 'missing' | 'reordered' | 'broken-link'; count: number };

function toEntry(r: Selectable<ExchangeMessageLogTable>): StoredMessageLogEntry {
  return {
    seq: Number(r.seq),
    at: new Date(r.at),
    exchangeId: r.exchange_id,
    requestId: r.request_id,
    agencyId: r.agency_id,
    datasetId: r.dataset_id,
    consentId: r.consent_id,
    outcome: r.outcome,
    httpStatus: r.http_status,
    requestJws: r.request_jws,
    responseJws: r.response_jws,
    responseBodySha256: r.response_body_sha256,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** The exchange message log: append under a lock, read back by exchange. */
export function createMessageLog(db: Db) {
  return {
    /** Appends entries in order, chained to the current head; returns them with seq and hash. */
    async append(entries: MessageLogEntry[]): Promise<StoredMessageLogEntry[]> {
      if (entries.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        await sql`select pg_advisory_xact_lock(${sql.lit(APPEND_LOCK.toString())}::bigint)`.execute(tx);
        const head = await tx
          .selectFrom('exchange_message_log')
          .select(['seq', 'hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .executeTakeFirst();
        let seq = head ? Number(head.seq) : 0;
        let prev = head?.hash ?? MESSAGE_LOG_GENESIS;
        const stored: StoredMessageLogEntry[] = [];
        for (const e of entries) {
          seq += 1;
          // Postgres keeps microseconds, JavaScript milliseconds: truncate first so the hash survives a round trip.
          const entry = { ...e, at: new Date(Math.floor(e.at.getTime())) };
          const hash = messageLogEntryHash(prev, canonicalEntry(seq, entry));
          stored.push({ ...entry, seq, prevHash: prev, hash });
          prev = hash;
        }
        await tx
          .insertInto('exchange_message_log')
          .values(
            stored.map((s) => ({
              seq: s.seq,
              at: s.at,
              exchange_id: s.exchangeId,
              request_id: s.requestId,
              agency_id: s.agencyId,
              dataset_id: s.datasetId,
              consent_id: s.consentId,
              outcome: s.outcome,
              http_status: s.httpStatus,
              request_jws: s.requestJws,
              response_jws: s.responseJws,
              response_body_sha256: s.responseBodySha256,
              prev_hash: s.prevHash,
              hash: s.hash,
            })),
          )
          .execute();
        return stored;
      });
    },

    /** Every attempt of one exchange, in log order. */
    async byExchange(exchangeId: string): Promise<StoredMessageLogEntry[]> {
      const rows = await db
        .selectFrom('exchange_message_log')
        .selectAll()
        .where('exchange_id', '=', exchangeId)
        .orderBy('seq')
        .execute();
      return rows.map(toEntry);
    },

    /** The latest entry's seq and hash: what an auditor records to detect later truncation. */
    async head(): Promise<{ seq: number; hash: string }> {
      const r = await db
        .selectFrom('exchange_message_log')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return r ? { seq: Number(r.seq), hash: r.hash } : { seq: 0, hash: MESSAGE_LOG_GENESIS };
    },
  };
}

export type MessageLog = ReturnType<typeof createMessageLog>;

/**
 * Walks the whole message log and checks every link: seq without gaps, each prev_hash equal to the
 * previous row's hash, each hash recomputed from the row's content. An edited, deleted or reordered
 * row is found at its seq. Deleting the newest rows is only visible against a head recorded earlier
 * (`expectedHead`), which is why auditors keep one.
 */
export async function verifyMessageLog(
  db: Db,
  options: { expectedHead?: { seq: number; hash: string }; batchSize?: number } = {},
): Promise<MessageLogVerification> {
  const batch = options.batchSize ?? 1000;
  let prev = MESSAGE_LOG_GENESIS;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('exchange_message_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(batch)
      .execute();
    for (const row of rows) {
      const e = toEntry(row);
      if (e.seq !== expectedSeq) return { ok: false, seq: expectedSeq, reason: 'missing', count };
      if (e.prevHash !== prev) {
        return { ok: false, seq: e.seq, reason: e.hash === prev ? 'reordered' : 'broken-link', count };
      }
      if (messageLogEntryHash(e.prevHash, canonicalEntry(e.seq, e)) !== e.hash) {
        return { ok: false, seq: e.seq, reason: 'edited', count };
      }
      prev = e.hash;
      expectedSeq += 1;
      count += 1;
    }
    if (rows.length < batch) break;
  }
  const head = options.expectedHead;
  if (head && head.seq > 0) {
    if (count < head.seq) return { ok: false, seq: count + 1, reason: 'missing', count };
    const at = await db
      .selectFrom('exchange_message_log')
      .select('hash')
      .where('seq', '=', head.seq)
      .executeTakeFirst();
    if (at?.hash !== head.hash) return { ok: false, seq: head.seq, reason: 'edited', count };
  }
  return { ok: true, count, head: prev };
}
