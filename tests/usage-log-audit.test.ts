import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type AuditState, audit, compareStates, main } from '@mydata/auditor';
import { buildApp, createUsageLog, generatePlatformKeys, loadConfig, type UsageLog } from '@mydata/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../packages/server/src/db/testing.ts';
import { createCheckpointSigner } from '../packages/server/src/log/checkpoint.ts';

/**
 * The auditor against a running platform over HTTP: it must pass an honest log and catch every
 * way an insider with database access could rewrite it.
 */
describe('The auditor against a running platform', () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let log: UsageLog;
  let url: string;
  let good: AuditState;
  const keys = generatePlatformKeys();
  const dir = mkdtempSync(join(tmpdir(), 'mydata-audit-'));

  const appendMany = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await log.append({
        citizenId: `A1234567${String(i % 100).padStart(2, '0')}`,
        event: 'download',
        datasets: ['x.y'],
      });
    }
    await log.sequenceAll();
    await log.publishCheckpoint();
  };
  const exec = (q: ReturnType<typeof sql>) => q.execute(t.db);
  /** Runs a tampering, checks the auditor (replaying every leaf) catches it, then undoes it. */
  const detects = async (tamper: () => Promise<void>, expected: RegExp) => {
    await exec(sql`create table entries_backup as select * from usage_log_entries`);
    await tamper();
    const report = await audit({ url, state: good, full: true });
    await exec(sql`delete from usage_log_entries`);
    await exec(sql`insert into usage_log_entries select * from entries_backup`);
    await exec(sql`drop table entries_backup`);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(expected);
    expect(report.state).toBe(good);
    expect((await audit({ url, state: good, full: true })).ok).toBe(true);
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    log = createUsageLog({ db: t.db, keys, origin: 'audit.test/log', batchSize: 16 });
    app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent' }), db: t.db, usageLog: log });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies an honest log, pins its key, and then checks only what was added', async () => {
    await appendMany(25);
    const first = await audit({ url });
    expect(first.problems).toEqual([]);
    expect(first.notes[0]).toContain('pinned');
    expect(first.state?.verifierKey).toBe(log.verifierKey);
    await appendMany(10);
    const second = await audit({ url, state: first.state });
    expect(second.problems).toEqual([]);
    expect(second.notes.join('\n')).toMatch(/consistent with the tree of 25[\s\S]*replayed leaves 25\.\.34/);
    good = second.state as AuditState;
    // Two auditors who saw different sizes of the same history agree.
    expect(await compareStates(first.state as AuditState, good, { url })).toEqual({ ok: true, problems: [] });
  });

  it('runs as a command that keeps its state in a file', async () => {
    const state = join(dir, 'state.json');
    const lines: string[] = [];
    expect(await main(['verify', url, '--state', state], (l) => lines.push(l))).toBe(0);
    expect(JSON.parse(readFileSync(state, 'utf8')).checkpoint.size).toBe(35);
    expect(lines.at(-1)).toContain('consistent at tree size 35');
    expect(await main(['compare', state, state], (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toContain('same history');
    expect(await main(['compare', state, join(dir, 'missing.json')], () => {})).toBe(2);
    expect(await main(['verify', 'not-a-url'], () => {})).toBe(2);
    expect(await main(['verify', 'http://127.0.0.1:9'], () => {})).toBe(2);
    // And through the installed bin, as an auditor would run it.
    const { stdout } = await promisify(execFile)(join('node_modules', '.bin', 'mydata-audit'), [
      'verify',
      url,
      '--state',
      state,
      '--json',
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, checkpoint: { size: 35 } });
  });

  it('detects an edited entry', () =>
    detects(
      () =>
        exec(sql`update usage_log_entries set commitment = ${randomBytes(32)} where seq = 3`).then(() => {}),
      /do not hash to the signed root/,
    ));

  it('detects a deleted entry', () =>
    detects(() => exec(sql`delete from usage_log_entries where seq = 5`).then(() => {}), /entries missing/));

  it('detects two entries swapped', () =>
    detects(async () => {
      await exec(sql`update usage_log_entries set seq = -1 where seq = 7`);
      await exec(sql`update usage_log_entries set seq = 7 where seq = 8`);
      await exec(sql`update usage_log_entries set seq = 8 where seq = -1`);
    }, /do not hash to the signed root/));

  it('refuses a checkpoint signed by another key', async () => {
    const forger = createCheckpointSigner('audit.test/log', generateKeyPairSync('ed25519'));
    const note = forger.sign(1000, randomBytes(32));
    await exec(
      sql`insert into usage_log_checkpoints (size, root, note) values (1000, ${randomBytes(32)}, ${note})`,
    );
    const report = await audit({ url, state: good });
    await exec(sql`delete from usage_log_checkpoints where size = 1000`);
    expect(report.ok).toBe(false);
    expect(report.problems.join()).toMatch(/carries no signature by audit\.test\/log/);
  });

  it('detects dropped history: the log cut back to an earlier size and re-signed', async () => {
    await exec(sql`delete from usage_log_entries where seq >= 30`);
    await exec(sql`delete from usage_log_nodes where (idx + 1) * (1::bigint << level) > 30`);
    await exec(sql`update usage_log_state set size = 30`);
    await exec(sql`delete from usage_log_checkpoints where size > 30`);
    await log.publishCheckpoint();
    const report = await audit({ url, state: good });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(/shrank from 35 to 30[\s\S]*no longer published/);
  });

  it('detects a rewritten history re-signed with the platform’s own key (a fork)', async () => {
    // An insider edits one old entry, rebuilds the whole tree, re-signs, and grows the log past
    // what the auditor saw, hoping a bigger tree hides the change.
    await exec(sql`update usage_log_entries set seq = null`);
    await exec(
      sql`update usage_log_entries set commitment = ${randomBytes(32)} where arrival = (select min(arrival) + 2 from usage_log_entries)`,
    );
    await exec(sql`delete from usage_log_nodes`);
    await exec(sql`update usage_log_state set size = 0`);
    await exec(sql`delete from usage_log_checkpoints`);
    await appendMany(6);
    const report = await audit({ url, state: good });
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toMatch(
      /history rewritten: tree 36 is not an extension of the verified tree 35/,
    );
    // A fresh auditor with no memory sees a self-consistent log: only remembered checkpoints catch a fork...
    const fresh = await audit({ url, key: log.verifierKey });
    expect(fresh.ok).toBe(true);
    // ...which is why auditors compare what they saw.
    const gossip = await compareStates(good, fresh.state as AuditState, { url });
    expect(gossip.problems).toEqual([
      'fork: the tree of 36 one auditor saw does not extend the tree of 35 the other saw',
    ]);
  });
});
