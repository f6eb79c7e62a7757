import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('Configuration from the environment', () => {
  it('has defaults that run the embedded database on port 8080', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 8080,
      databaseUrl: undefined,
      publicUrl: 'http://localhost:8080',
      logLevel: 'info',
    });
    expect(c.dataDir).toMatch(/\.mydata$/);
  });

  it('reads and converts values, treating empty variables as unset', () => {
    const c = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgres://u@h/db',
      PUBLIC_URL: 'https://mydata.example.org/',
      LOG_LEVEL: '',
    });
    expect(c).toMatchObject({
      port: 9000,
      databaseUrl: 'postgres://u@h/db',
      publicUrl: 'https://mydata.example.org',
      logLevel: 'info',
    });
  });

  it('names every bad variable and what it should be', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BODY_LIMIT_BYTES: '1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('PORT="eighty"');
    expect(problems).toContain('DATABASE_URL="mysql://x"');
    expect(problems).toContain('LOG_LEVEL="loud"');
    expect(problems).toContain('one of fatal, error');
    expect(problems).toContain('BODY_LIMIT_BYTES="1"');
  });
});
