import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/config.ts';

describe('Exchange configuration', () => {
  it('defaults to the local CA, two retries, a five-failure breaker and 60 s clock window', () => {
    expect(loadConfig({}).exchange).toEqual({
      platformId: 'mydata-platform',
      clientCertFile: undefined,
      clientKeyFile: undefined,
      caFile: undefined,
      signingKeyFile: undefined,
      retries: 2,
      backoffMs: 100,
      breakerFailures: 5,
      breakerResetMs: 30_000,
      healthIntervalMs: 30_000,
      clockSkewSeconds: 60,
    });
  });

  it('reads real certificate files only as a complete set', () => {
    const files = {
      EXCHANGE_CLIENT_CERT_FILE: 'c.pem',
      EXCHANGE_CLIENT_KEY_FILE: 'k.pem',
      EXCHANGE_CA_FILE: 'ca.pem',
    };
    expect(loadConfig(files).exchange).toMatchObject({ clientCertFile: 'c.pem', caFile: 'ca.pem' });
    const error = (() => {
      try {
        loadConfig({ EXCHANGE_CLIENT_CERT_FILE: 'c.pem', EXCHANGE_RETRIES: 'many' });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.problems.join('\n')).toContain('set all three or none');
    expect(error?.problems.join('\n')).toContain('EXCHANGE_RETRIES="many"');
  });
});
