import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig } from '../config/config.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { openUsageLog } from './setup.ts';

describe('Usage-log configuration', () => {
  let t: TestDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'mydata-setup-'));
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('defaults to a key file in the data folder, made once with mode 0600, and sends nothing unconfigured', async () => {
    const config = loadConfig({ MYDATA_DATA_DIR: dir, PUBLIC_URL: 'https://mydata.example.gov.tw' });
    expect(config.keys).toEqual({
      file: join(dir, 'keys', 'platform-keys.json'),
      createIfMissing: true,
      atRestKeyRing: undefined,
    });
    const usage = openUsageLog({ config, db: t.db });
    expect(statSync(config.keys.file).mode & 0o777).toBe(0o600);
    expect(usage.log.origin).toBe('mydata.example.gov.tw/mydata-usage-log');
    expect(usage.channels).toEqual([]);
    const again = openUsageLog({ config, db: t.db });
    expect(again.log.verifierKey).toBe(usage.log.verifierKey);
    await usage.recorder.record(
      { citizenId: 'A123456789', event: 'download' },
      { notify: { email: 'a@example.org', sms: '0912345678' } },
    );
    // With no SMTP server or gateway configured, messages wait in the outbox rather than fail.
    expect(await usage.deliverNow()).toEqual({ sent: 0, retried: 0, dead: 0 });
    await usage.publishNow();
    expect((await usage.log.latestCheckpoint())?.note.split('\n')[0]).toBe(
      'mydata.example.gov.tw/mydata-usage-log',
    );
    usage.start();
    await usage.stop();
  });

  it('names a bad setting', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems.join('\n');
      }
      return '';
    };
    expect(bad({ MYDATA_AT_REST_KEYS: '{"current":"a","keys":{"a":"c2hvcnQ="}}' })).toMatch(
      /^MYDATA_AT_REST_KEYS: .*32 bytes/,
    );
    expect(bad({ SMTP_URL: 'mail.example.org' })).toMatch(/^SMTP_URL=/);
    expect(bad({ SMS_GATEWAY_URL: 'ftp://x' })).toMatch(/^SMS_GATEWAY_URL=/);
    expect(bad({ LOG_ORIGIN: 'has space' })).toMatch(/^LOG_ORIGIN=/);
    expect(bad({ LOG_CHECKPOINT_INTERVAL_MS: '5' })).toMatch(/^LOG_CHECKPOINT_INTERVAL_MS=/);
    expect(bad({ NOTIFY_MAX_ATTEMPTS: '0' })).toMatch(/^NOTIFY_MAX_ATTEMPTS=/);
    const ring = `{"current":"x","keys":{"x":"${randomBytes(32).toString('base64')}"}}`;
    expect(loadConfig({ MYDATA_AT_REST_KEYS: ring }).keys.atRestKeyRing).toBe(ring);
  });

  it('requires a key file that was configured explicitly', () => {
    const config = loadConfig({ MYDATA_KEYS_FILE: join(dir, 'nowhere.json') });
    expect(config.keys.createIfMissing).toBe(false);
    expect(() => openUsageLog({ config, db: t.db })).toThrow(/does not exist/);
  });
});
