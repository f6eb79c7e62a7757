import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createMessageLog, type MessageLogEntry, verifyMessageLog } from './message-log.ts';

const entry = (n: number): MessageLogEntry => ({
  at: new Date(Date.UTC(2026, 10, 24, 5, 0, n, 123)),
  exchangeId: `exchange-${Math.ceil(n / 2)}`,
  requestId: `request-${n}`,
  agencyId: 'moi-household',
  datasetId: 'moi-household.household-registration',
  consentId: 'consent-1',
  outcome: n % 3 === 0 ? 'exchange.timeout' : 'ok',
  httpStatus: n % 3 === 0 ? null : 200,
  requestJws: `header.payload-${n}.signature`,
  responseJws: n % 3 === 0 ? null : `rheader.rpayload-${n}.rsignature`,
  responseBodySha256: n % 3 === 0 ? null : 'C_D954C7xCfrnBmrWCSvDnfjA-C4v7LKu3kwpZM3NAs',
});

describe('The exchange message log', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    await t.db.deleteFrom('exchange_message_log').execute();
    const log = createMessageLog(t.db);
    for (let i = 1; i <= 6; i += 2) await log.append([entry(i), entry(i + 1)]);
  });

  it('chains every row to the previous one and verifies intact', async () => {
    const result = await verifyMessageLog(t.db);
    expect(result).toMatchObject({ ok: true, count: 6 });
    const head = await createMessageLog(t.db).head();
    expect(result.ok && result.head).toBe(head.hash);
    expect(await createMessageLog(t.db).byExchange('exchange-2')).toHaveLength(2);
  });

  it('keeps appends from concurrent writers on one chain', async () => {
    const log = createMessageLog(t.db);
    await Promise.all([7, 9, 11, 13].map((n) => log.append([{ ...entry(n), requestId: `c-${n}` }])));
    expect(await verifyMessageLog(t.db)).toMatchObject({ ok: true, count: 10 });
  });

  it('detects an edited row', async () => {
    await t.db.updateTable('exchange_message_log').set({ outcome: 'ok' }).where('seq', '=', 3).execute();
    expect(await verifyMessageLog(t.db)).toMatchObject({ ok: false, seq: 3, reason: 'edited' });
  });

  it('detects an edited row whose hash was recomputed, at the next link', async () => {
    const row = await t.db
      .selectFrom('exchange_message_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    await t.db
      .updateTable('exchange_message_log')
      .set({ consent_id: 'consent-forged', hash: 'f'.repeat(64) })
      .where('seq', '=', row.seq)
      .execute();
    const r = await verifyMessageLog(t.db);
    expect(r.ok).toBe(false);
    expect(r.ok ? 0 : r.seq).toBe(2);
  });

  it('detects a deleted row', async () => {
    await t.db.deleteFrom('exchange_message_log').where('seq', '=', 4).execute();
    expect(await verifyMessageLog(t.db)).toMatchObject({ ok: false, seq: 4, reason: 'missing' });
  });

  it('detects two rows swapped', async () => {
    await sql`update exchange_message_log set seq = -seq where seq in (2, 3)`.execute(t.db);
    await sql`update exchange_message_log set seq = 5 - (-seq) where seq in (-2, -3)`.execute(t.db);
    const r = await verifyMessageLog(t.db);
    expect(r).toMatchObject({ ok: false, seq: 2 });
  });

  it('detects the newest rows cut off, against a head recorded earlier', async () => {
    const head = await createMessageLog(t.db).head();
    await t.db.deleteFrom('exchange_message_log').where('seq', '>=', 5).execute();
    expect(await verifyMessageLog(t.db)).toMatchObject({ ok: true, count: 4 });
    expect(await verifyMessageLog(t.db, { expectedHead: head })).toMatchObject({
      ok: false,
      reason: 'missing',
    });
  });

  it('verifies in batches the same as in one pass', async () => {
    expect(await verifyMessageLog(t.db, { batchSize: 4 })).toMatchObject({ ok: true, count: 6 });
    await t.db.updateTable('exchange_message_log').set({ agency_id: 'bli' }).where('seq', '=', 5).execute();
    expect(await verifyMessageLog(t.db, { batchSize: 4 })).toMatchObject({
      ok: false,
      seq: 5,
      reason: 'edited',
    });
  });
});

describe('The exchange message log on a PostgreSQL server', () => {
  it.skipIf(!process.env.DATABASE_URL)(
    'stays one chain when two processes (two connection pools) append at once',
    async () => {
      const t = await createTestDatabase();
      const { openDatabase } = await import('../db/database.ts');
      const name = (await sql<{ db: string }>`select current_database() as db`.execute(t.db)).rows[0]?.db;
      const url = new URL(process.env.DATABASE_URL as string);
      url.pathname = `/${name}`;
      const other = await openDatabase({ url: url.toString(), poolSize: 4, onConnectionError: () => {} });
      try {
        const a = createMessageLog(t.db);
        const b = createMessageLog(other);
        await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? a : b).append([{ ...entry(i + 1), requestId: `p-${i}` }]),
          ),
        );
        expect(await verifyMessageLog(t.db)).toMatchObject({ ok: true, count: 40 });
      } finally {
        await other.destroy();
        await t.close();
      }
    },
  );
});
