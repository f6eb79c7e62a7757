import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, startPlatform } from '@mydata/server';
import { afterAll, describe, expect, it } from 'vitest';

describe('The usage log origin', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-origin-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = (env: Record<string, string>) =>
    loadConfig({
      PORT: '0',
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      EXCHANGE_HEALTH_INTERVAL_MS: '0',
      ...env,
    });

  it('publishes a checkpoint at start, keeps its name across ports, and refuses to sign as another log', async () => {
    const first = await startPlatform({ config: config({ PUBLIC_URL: 'http://localhost:8080' }) });
    const checkpoint = await fetch(`${first.url}/api/v1/log/checkpoint`);
    expect(checkpoint.status).toBe(200);
    expect(await checkpoint.text()).toMatch(/^localhost\/mydata-usage-log\n0\n/);
    await first.stop();

    const movedPort = await startPlatform({ config: config({ PUBLIC_URL: 'http://localhost:9090' }) });
    await movedPort.stop();

    const error = await startPlatform({ config: config({ PUBLIC_URL: 'https://mydata.example.org' }) }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toContain('LOG_ORIGIN');
    expect(String(error)).toContain('localhost/mydata-usage-log');
  });
});
