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
      APPLICATION_INVITATION_HOURS: '24',
    });
    expect(c.applications.invitationSeconds).toBe(24 * 3600);
    expect(loadConfig({}).applications.invitationSeconds).toBe(72 * 3600);
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
      loadConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        BODY_LIMIT_BYTES: '1',
        APPLICATION_INVITATION_HOURS: '0',
      });
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
    expect(problems).toContain('APPLICATION_INVITATION_HOURS="0"');
  });

  it('reads the identity provider to federate with, all of it or none', () => {
    expect(loadConfig({}).identity.oidc).toBeUndefined();
    const oidc = {
      IDENTITY_OIDC_ISSUER: 'https://idp.example',
      IDENTITY_OIDC_CLIENT_ID: 'mydata',
      IDENTITY_OIDC_CLIENT_SECRET: 's3cret',
      IDENTITY_OIDC_ASSURANCE: 'substantial',
      IDENTITY_OIDC_NATIONAL_ID_CLAIM: 'national_id',
      IDENTITY_OIDC_NAME: '範例身分提供者|Example IdP',
    };
    expect(loadConfig(oidc).identity.oidc).toMatchObject({
      issuer: 'https://idp.example',
      clientSecret: 's3cret',
      assurance: 'substantial',
      nationalIdClaim: 'national_id',
      name: { 'zh-TW': '範例身分提供者', en: 'Example IdP' },
    });
    expect(() => loadConfig({ ...oidc, IDENTITY_OIDC_NATIONAL_ID_CLAIM: undefined })).toThrow(
      /IDENTITY_OIDC_NATIONAL_ID_CLAIM/,
    );
    expect(() => loadConfig({ ...oidc, IDENTITY_OIDC_ASSURANCE: 'medium' })).toThrow(
      /IDENTITY_OIDC_ASSURANCE/,
    );
    expect(() => loadConfig({ ...oidc, IDENTITY_OIDC_PRIVATE_KEY_FILE: 'key.json' })).toThrow(
      /set exactly one/,
    );
  });
});
