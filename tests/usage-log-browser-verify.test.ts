import { createUsageLog, generatePlatformKeys, type UsageLog } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../packages/server/src/db/testing.ts';
import { canonicalJson, checkEntry, verifyCheckpoint } from '../packages/web/src/verify/tlog.ts';

/** The portal's in-browser checks (WebCrypto) against what the platform's log really produces. */
describe("The portal's usage-log verification", () => {
  let log: UsageLog;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const t = await createTestDatabase();
    close = t.close;
    log = createUsageLog({ db: t.db, keys: generatePlatformKeys(), origin: 'localhost/mydata-usage-log' });
    for (let i = 0; i < 13; i++) {
      await log.append({
        citizenId: i % 3 === 0 ? 'A123456789' : 'B223456789',
        event: i % 2 ? 'sign-in' : 'transfer',
        datasets: ['b.two', 'a.one'],
        serviceId: 'firstbank.loan',
        purpose: '房屋貸款審核 "quoted" \u2028',
        details: { method: 'nhi-card', tries: 3, ok: true },
      });
    }
    await log.sequenceAll();
    await log.publishCheckpoint();
    await log.append({ citizenId: 'A123456789', event: 'download' });
  });
  afterAll(async () => close?.());

  it('verifies the signed checkpoint with WebCrypto Ed25519 and refuses a changed one', async () => {
    const latest = await log.latestCheckpoint();
    const note = latest?.note as string;
    const cp = await verifyCheckpoint(note, log.verifierKey);
    expect(cp).toEqual({ origin: 'localhost/mydata-usage-log', size: 13, root: latest?.root });
    await expect(verifyCheckpoint(note.replace('\n13\n', '\n12\n'), log.verifierKey)).rejects.toThrow(
      'does not verify',
    );
    const other = createUsageLog({
      db: undefined as never,
      keys: generatePlatformKeys(),
      origin: 'localhost/mydata-usage-log',
    });
    await expect(verifyCheckpoint(note, other.verifierKey)).rejects.toThrow('not signed by this key');
  });

  it('verifies every entry of a citizen, marks an unsequenced one pending, and catches tampering', async () => {
    const { checkpoint, items } = await log.listCitizenEntries('A123456789');
    const cp = await verifyCheckpoint(checkpoint?.note as string, log.verifierKey);
    const checks = await Promise.all(items.map((i) => checkEntry(i, cp)));
    expect(checks.filter((c) => c.status === 'verified')).toHaveLength(5);
    expect(checks.filter((c) => c.status === 'pending')).toHaveLength(1);
    for (const item of items)
      expect(canonicalJson(item.entry)).toBe(JSON.stringify(JSON.parse(canonicalJson(item.entry))));

    const item = items.find((i) => i.inclusion) as (typeof items)[number];
    expect(await checkEntry({ ...item, entry: { ...item.entry, serviceId: 'evil.corp' } }, cp)).toEqual({
      status: 'failed',
      reason: 'commitment',
    });
    expect(await checkEntry({ ...item, index: (item.index as number) + 1 }, cp)).toEqual({
      status: 'failed',
      reason: 'inclusion',
    });
    const hashes = [...(item.inclusion?.hashes ?? [])].reverse();
    expect(await checkEntry({ ...item, inclusion: { treeSize: 13, hashes } }, cp)).toMatchObject({
      status: 'failed',
    });
    expect(await checkEntry(item, { ...cp, size: 14 })).toEqual({ status: 'failed', reason: 'checkpoint' });
  });
});
