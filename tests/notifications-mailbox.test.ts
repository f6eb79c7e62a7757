import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Mailbox, startMailbox } from '@mydata/demo';
import { loadConfig, openUsageLog, type PlatformUsageLog } from '@mydata/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../packages/server/src/db/testing.ts';

/** The embedded default: the platform's notifications land in the demo mailbox over real SMTP and HTTP. */
describe('Notifications into the demo mailbox', () => {
  let t: TestDatabase;
  let mailbox: Mailbox;
  let usage: PlatformUsageLog;
  const dir = mkdtempSync(join(tmpdir(), 'mydata-mailbox-'));

  beforeAll(async () => {
    t = await createTestDatabase();
    mailbox = await startMailbox();
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      MYDATA_DATA_DIR: dir,
      SMTP_URL: mailbox.smtpUrl,
      SMS_GATEWAY_URL: mailbox.smsUrl,
    });
    usage = openUsageLog({ config, db: t.db });
  });
  afterAll(async () => {
    await usage.stop();
    await mailbox.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers a counter redemption by e-mail and SMS, shown on the mailbox page', async () => {
    expect(usage.channels.sort()).toEqual(['email', 'sms']);
    await t.db.transaction().execute(async (tx) => {
      await usage.recorder.record(
        { citizenId: 'A123456789', event: 'counter-redemption', serviceId: 'x.counter', datasets: ['a.b'] },
        {
          tx,
          notify: { email: 'wang.xiaoming@example.org', sms: '0912345678', lang: 'zh-TW' },
          params: { service: '臺北市信義區戶政事務所', datasets: ['戶籍謄本'] },
        },
      );
    });
    expect(await usage.deliverNow()).toEqual({ sent: 2, retried: 0, dead: 0 });
    const got = mailbox.messages();
    expect(got.map((m) => [m.kind, m.to])).toEqual(
      expect.arrayContaining([
        ['email', 'wang.xiaoming@example.org'],
        ['sms', '0912345678'],
      ]),
    );
    expect(got.find((m) => m.kind === 'email')?.text).toContain('臺北市信義區戶政事務所');
    expect(got.find((m) => m.kind === 'sms')?.text).not.toContain('戶政');
    expect(await (await fetch(mailbox.url)).text()).toContain('MyData 通知：您的資料已於臨櫃核驗');
    await usage.publishNow();
    expect((await usage.log.latestCheckpoint())?.size).toBe(1);
  });
});
