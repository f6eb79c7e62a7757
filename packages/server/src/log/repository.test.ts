import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { type Db, openDatabase } from '../db/database.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { createUsageLog, entryCommitment, type UsageLog } from './repository.ts';
import { referenceConsistency, referencePath, referenceRoot } from './testing.ts';

const CITIZEN = 'A123456789';
const OTHER = 'B234567890';
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');

describe('The usage log', () => {
  let t: TestDatabase;
  let log: UsageLog;
  const keys = generatePlatformKeys();

  /** Every leaf commitment in index order, read through the public leaves call. */
  const allLeaves = async () => {
    const size = await log.treeSize();
    const out: Buffer[] = [];
    for (let start = 0; start < size; start += 1000) {
      out.push(...(await log.leaves(start, 1000)).map((l) => Buffer.from(l.commitment, 'base64')));
    }
    return out;
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    log = createUsageLog({ db: t.db, keys, origin: 'test.example/log', batchSize: 7 });
  });
  afterAll(() => t.close());

  it('sequences appended entries in batches into a tree whose proofs match RFC 9162', async () => {
    for (let i = 0; i < 30; i++) {
      await log.append({
        citizenId: i % 3 === 0 ? CITIZEN : OTHER,
        event: i % 2 ? 'download' : 'transfer',
        datasets: ['mof-fia.income'],
        serviceId: i % 2 ? undefined : 'firstbank.loan',
        occurredAt: new Date(Date.UTC(2026, 10, 1 + (i % 20))),
      });
    }
    expect(await log.sequence()).toEqual({ added: 7, size: 7 });
    expect(await log.sequenceAll()).toBe(30);
    const leaves = await allLeaves();
    expect(leaves).toHaveLength(30);
    const checkpoint = await log.publishCheckpoint();
    expect(checkpoint?.size).toBe(30);
    expect(checkpoint?.root).toBe(b64(referenceRoot(leaves)));
    for (const size of [1, 7, 8, 13, 30]) {
      for (let index = 0; index < size; index++) {
        const proof = await log.inclusionProof(index, size);
        expect(proof.hashes).toEqual(referencePath(index, leaves.slice(0, size)).map(b64));
      }
      for (let first = 0; first <= size; first++) {
        const proof = await log.consistencyProof(first, size);
        expect(proof.hashes).toEqual(referenceConsistency(first, leaves.slice(0, size)).map(b64));
      }
    }
  });

  it('signs checkpoints as C2SP signed notes and publishes only when the tree grew', async () => {
    const latest = await log.latestCheckpoint();
    expect(latest?.note).toMatch(
      /^test\.example\/log\n30\n[A-Za-z0-9+/]{43}=\n\n\u2014 test\.example\/log [A-Za-z0-9+/=]+\n$/,
    );
    expect(await log.publishCheckpoint()).toBeUndefined();
    expect((await log.checkpointAt(30)).note).toBe(latest?.note);
    await expect(log.checkpointAt(29)).rejects.toMatchObject({ code: 'log.checkpoint-not-found' });
    expect(log.verifierKey).toMatch(/^test\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
  });

  it('refuses proofs outside the log', async () => {
    await expect(log.inclusionProof(30, 30)).rejects.toMatchObject({ code: 'log.range-invalid' });
    await expect(log.inclusionProof(0, 31)).rejects.toMatchObject({ code: 'log.range-invalid' });
    await expect(log.consistencyProof(5, 4)).rejects.toMatchObject({ code: 'log.range-invalid' });
    await expect(log.leaves(30, 10)).rejects.toMatchObject({ code: 'log.entry-not-found' });
  });

  it('keeps personal data only sealed, and the citizen only as a keyed hash', async () => {
    await log.append({
      citizenId: CITIZEN,
      event: 'consent-given',
      purpose: '房屋貸款審核',
      consentId: 'consent:房貸-0001',
    });
    const rows = await sql<Record<string, unknown>>`select * from usage_log_entries`.execute(t.db);
    const dump = JSON.stringify(rows.rows);
    expect(dump).not.toContain(CITIZEN);
    expect(dump).not.toContain('房屋貸款審核');
    expect(dump).not.toContain('consent:');
    expect(
      rows.rows.every((r) => typeof r.citizen_ref === 'string' && (r.citizen_ref as string).length === 64),
    ).toBe(true);
  });

  it('rolls an entry back with the transaction it was appended in', async () => {
    const before = (await sql<{ n: number }>`select count(*)::int as n from usage_log_entries`.execute(t.db))
      .rows[0]?.n;
    await expect(
      t.db.transaction().execute(async (tx) => {
        await log.append({ citizenId: CITIZEN, event: 'download' }, tx);
        throw new Error('the download failed');
      }),
    ).rejects.toThrow('the download failed');
    const after = (await sql<{ n: number }>`select count(*)::int as n from usage_log_entries`.execute(t.db))
      .rows[0]?.n;
    expect(after).toBe(before);
  });

  it("lists a citizen's own entries with filters, each commitment re-checked and its inclusion proved", async () => {
    await log.sequenceAll();
    const cp = await log.publishCheckpoint();
    const leaves = await allLeaves();
    const all = await log.listCitizenEntries(CITIZEN);
    expect(all.items).toHaveLength(11);
    for (const item of all.items) {
      expect(item.commitmentValid).toBe(true);
      expect(item.entry.citizenRef).toBe(log.citizenRef(CITIZEN));
      expect(entryCommitment(Buffer.from(item.salt, 'base64'), item.entry).toString('base64')).toBe(
        item.commitment,
      );
      expect(item.inclusion?.treeSize).toBe(cp?.size);
      expect(item.inclusion?.hashes).toEqual(referencePath(item.index as number, leaves).map(b64));
    }
    const byService = await log.listCitizenEntries(CITIZEN, { serviceId: 'firstbank.loan' });
    expect(byService.items.map((i) => i.entry.serviceId)).toEqual(Array(5).fill('firstbank.loan'));
    const byDataset = await log.listCitizenEntries(CITIZEN, { dataset: 'mof-fia.income' });
    expect(byDataset.items).toHaveLength(10);
    const period = await log.listCitizenEntries(CITIZEN, {
      from: new Date(Date.UTC(2026, 10, 4)),
      to: new Date(Date.UTC(2026, 10, 10)),
    });
    expect(period.items.map((i) => i.entry.occurredAt)).toEqual([
      '2026-11-08T00:00:00.000Z',
      '2026-11-07T00:00:00.000Z',
      '2026-11-05T00:00:00.000Z',
      '2026-11-04T00:00:00.000Z',
    ]);
    expect((await log.listCitizenEntries('C345678901')).items).toEqual([]);
  });

  it('flags an entry whose stored columns or commitment were edited', async () => {
    const [victim] = (await log.listCitizenEntries(CITIZEN, { serviceId: 'firstbank.loan', limit: 1 })).items;
    await sql`update usage_log_entries set service_id = 'evilcorp.loan' where id = ${victim?.id}`.execute(
      t.db,
    );
    const edited = (await log.listCitizenEntries(CITIZEN, { serviceId: 'evilcorp.loan' })).items;
    expect(edited.map((i) => i.commitmentValid)).toEqual([false]);
  });

  it('erases an entry’s personal data while the tree, its root and every proof stay the same', async () => {
    const cp = await log.latestCheckpoint();
    const leavesBefore = await allLeaves();
    const [target] = (await log.listCitizenEntries(OTHER, { limit: 1 })).items;
    expect(await log.erase(target?.id as string)).toBe(true);
    expect(await log.erase(target?.id as string)).toBe(false);
    const row = (
      await sql<Record<string, unknown>>`select * from usage_log_entries where id = ${target?.id}`.execute(
        t.db,
      )
    ).rows[0];
    expect(row).toMatchObject({ sealed: null, citizen_ref: null, service_id: null, datasets: [] });
    expect((await log.listCitizenEntries(OTHER)).items.map((i) => i.id)).not.toContain(target?.id);
    expect(await allLeaves()).toEqual(leavesBefore);
    const proof = await log.inclusionProof(target?.index as number, cp?.size as number);
    expect(proof.hashes).toEqual(referencePath(target?.index as number, leavesBefore).map(b64));
    expect(await log.eraseCitizen(OTHER)).toBeGreaterThan(0);
    expect(b64(referenceRoot(await allLeaves()))).toBe(cp?.root);
  });

  it('keeps old entries readable after the at-rest key rotates, and seals new ones with the new key', async () => {
    const newKey = randomBytes(32);
    const rotated = createUsageLog({
      db: t.db,
      keys: {
        ...keys,
        atRest: { current: 'k-new', keys: { ...keys.atRest.keys, 'k-new': newKey } },
      },
      origin: 'test.example/log',
    });
    const { id } = await rotated.append({ citizenId: CITIZEN, event: 'sign-in' });
    const rows = await sql<{ id: string; sealed: string }>`
      select id, sealed from usage_log_entries where citizen_ref = ${log.citizenRef(CITIZEN)}`.execute(t.db);
    const keyIds = new Set(
      rows.rows.map((r) => (r.id === id ? `new:${r.sealed.split('.')[1]}` : r.sealed.split('.')[1])),
    );
    expect(keyIds).toEqual(new Set([keys.atRest.current, 'new:k-new']));
    const view = await rotated.listCitizenEntries(CITIZEN);
    expect(view.items.length).toBe(12);
    expect(view.items.find((i) => i.id === id)?.entry.event).toBe('sign-in');
    await expect(log.listCitizenEntries(CITIZEN)).rejects.toThrow(/no key "k-new"/);
    // Re-wrapping lets the old key retire without touching any entry's ciphertext or commitment.
    expect(await rotated.rewrapSealed(5)).toBe(5);
    while ((await rotated.rewrapSealed()) > 0);
    const retired = createUsageLog({
      db: t.db,
      keys: { ...keys, atRest: { current: 'k-new', keys: { 'k-new': newKey } } },
      origin: 'test.example/log',
    });
    const after = await retired.listCitizenEntries(CITIZEN);
    expect(after.items).toHaveLength(12);
    // Only the entry whose column was edited earlier is still flagged.
    expect(after.items.filter((i) => !i.commitmentValid)).toHaveLength(1);
  });

  it('never forks when many appenders sequence at the same time', async () => {
    const start = await log.sequenceAll();
    // On PostgreSQL, half the appenders use a pool of their own, as a second platform process would.
    const dbs: Db[] = [t.db];
    if (process.env.DATABASE_URL) {
      const name = (await sql<{ n: string }>`select current_database() as n`.execute(t.db)).rows[0]?.n;
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = `/${name}`;
      dbs.push(await openDatabase({ url: url.toString(), poolSize: 4, onConnectionError: () => {} }));
    }
    // Settled, not all: a failing appender must not leave others running on a pool being closed.
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, async (_, w) => {
        const db = dbs[w % dbs.length] as Db;
        const appender = createUsageLog({ db, keys, origin: 'test.example/log', batchSize: 5 });
        for (let i = 0; i < 12; i++) {
          await appender.append({ citizenId: `W${w}`, event: 'sign-in' });
          if (i % 3 === 2) await appender.sequence();
        }
        await appender.sequenceAll();
      }),
    );
    for (const db of dbs.slice(1)) await db.destroy();
    for (const r of results) if (r.status === 'rejected') throw r.reason;
    const size = await log.treeSize();
    expect(size).toBe(start + 96);
    const seqs = await sql<{ n: number; d: number; max: number }>`
      select count(*)::int as n, count(distinct seq)::int as d, max(seq)::int as max from usage_log_entries where seq is not null`.execute(
      t.db,
    );
    expect(seqs.rows[0]).toEqual({ n: size, d: size, max: size - 1 });
    const cp = await log.publishCheckpoint();
    expect(cp?.root).toBe(b64(referenceRoot(await allLeaves())));
  });
});
