import { join, resolve } from 'node:path';
import type { AssuranceLevel } from '@mydata/core';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { parseKeyRing } from '../crypto/keys.ts';
import type { OidcProviderOptions } from '../identity/oidc.ts';

const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'TCP port of the platform' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'Address to listen on' }),
  PUBLIC_URL: Type.Optional(
    Type.String({ pattern: '^https?://[^/]+(/.*)?$', description: 'The address citizens and services use' }),
  ),
  DATABASE_URL: Type.Optional(
    Type.String({
      pattern: '^postgres(ql)?://',
      description: 'PostgreSQL server; embedded PGlite when unset',
    }),
  ),
  MYDATA_DATA_DIR: Type.String({
    minLength: 1,
    default: '.mydata',
    description: 'Folder for the embedded database and keys',
  }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    description: 'one of fatal, error, warn, info, debug, trace, silent',
  }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024, default: 1024 * 1024 }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  MYDATA_KEYS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'JSON key file (at-rest keys, checkpoint signing key, citizen HMAC key); created in <MYDATA_DATA_DIR>/keys when unset',
    }),
  ),
  MYDATA_AT_REST_KEYS: Type.Optional(
    Type.String({
      minLength: 2,
      description:
        'at-rest key ring as JSON {"current":"<id>","keys":{"<id>":"<base64 32 bytes>"}}; replaces the key file\'s',
    }),
  ),
  LOG_ORIGIN: Type.Optional(
    Type.String({
      pattern: '^[^\\s+]+$',
      description: 'origin line of usage-log checkpoints, no spaces or "+"',
    }),
  ),
  LOG_CHECKPOINT_INTERVAL_MS: Type.Integer({ minimum: 100, maximum: 86_400_000, default: 10_000 }),
  LOG_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
  SMTP_URL: Type.Optional(
    Type.String({
      pattern: '^smtps?://',
      description: 'SMTP server for e-mail, smtp://user:pass@host:587 or smtps://…',
    }),
  ),
  MAIL_FROM: Type.String({ minLength: 3, default: 'MyData <no-reply@mydata.localhost>' }),
  SMS_GATEWAY_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'HTTP gateway that takes POST {"id","to","text"} as JSON',
    }),
  ),
  NOTIFY_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 8 }),
  NOTIFY_POLL_INTERVAL_MS: Type.Integer({ minimum: 50, maximum: 3_600_000, default: 1000 }),
  EXCHANGE_PLATFORM_ID: Type.String({
    pattern: '^[a-z0-9]+(?:[.-][a-z0-9]+)*$',
    default: 'mydata-platform',
    description: "The platform's id on the exchange layer: iss of requests, CN of its client certificate",
  }),
  EXCHANGE_CLIENT_CERT_FILE: Type.Optional(
    Type.String({ minLength: 1, description: "PEM client certificate; the local CA's when unset" }),
  ),
  EXCHANGE_CLIENT_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM key of that certificate' }),
  ),
  EXCHANGE_CA_FILE: Type.Optional(
    Type.String({ minLength: 1, description: "PEM CA bundle agencies' certificates chain to" }),
  ),
  EXCHANGE_SIGNING_KEY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'private ES256 JWK for request signatures; generated when unset',
    }),
  ),
  EXCHANGE_RETRIES: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
  EXCHANGE_BACKOFF_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 100 }),
  EXCHANGE_BREAKER_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  EXCHANGE_BREAKER_RESET_MS: Type.Integer({ minimum: 10, maximum: 3_600_000, default: 30_000 }),
  EXCHANGE_HEALTH_INTERVAL_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 30_000,
    description: '0 turns periodic agency health checks off',
  }),
  EXCHANGE_CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 1, maximum: 600, default: 60 }),
  IDENTITY_SESSION_IDLE_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 86_400,
    default: 900,
    description: 'a citizen session ends after this long without a request',
  }),
  IDENTITY_SESSION_ABSOLUTE_SECONDS: Type.Integer({
    minimum: 300,
    maximum: 7 * 86_400,
    default: 43_200,
    description: 'a citizen session ends this long after sign-in, however active',
  }),
  IDENTITY_CHALLENGE_SECONDS: Type.Integer({ minimum: 10, maximum: 600, default: 120 }),
  APPLICATION_INVITATION_HOURS: Type.Integer({
    minimum: 1,
    maximum: 720,
    default: 72,
    description:
      'how long the other people named in a multi-person application have to answer before it ends',
  }),
  COUNTER_CODE_SECONDS: Type.Integer({
    minimum: 2,
    maximum: 600,
    default: 60,
    description:
      "how long each counter QR and short code is valid; the citizen's page shows a new one each period",
  }),
  OPERATOR_NATIONAL_IDS: Type.Optional(
    Type.String({
      pattern: '^\\s*[A-Za-z][0-9]{9}\\s*(,\\s*[A-Za-z][0-9]{9}\\s*)*$',
      description:
        'national IDs (comma-separated) made platform operator reviewers at start; they sign in like any citizen',
    }),
  ),
  IDENTITY_NATIONAL_CA_DIR: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'folder of the national test CA for citizen certificates; <MYDATA_DATA_DIR>/national-ca when unset',
    }),
  ),
  IDENTITY_OIDC_ISSUER: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'issuer URL of an OpenID Connect identity provider to federate with (method oidc)',
    }),
  ),
  IDENTITY_OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  IDENTITY_OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  IDENTITY_OIDC_PRIVATE_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'private JWK file for private_key_jwt instead of a secret' }),
  ),
  IDENTITY_OIDC_ASSURANCE: Type.Optional(
    Type.Union([Type.Literal('low'), Type.Literal('substantial'), Type.Literal('high')], {
      description: 'what a sign-in through the provider proves: low, substantial or high',
    }),
  ),
  IDENTITY_OIDC_NATIONAL_ID_CLAIM: Type.Optional(
    Type.String({ minLength: 1, description: 'the ID token claim that carries the national ID' }),
  ),
  IDENTITY_OIDC_NAME: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'the provider\'s name: one name, or zh-TW and English as "中文名|English name"',
    }),
  ),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  logLevel: Static<typeof Env>['LOG_LEVEL'];
  bodyLimitBytes: number;
  dbPoolSize: number;
  /** Where the platform's own keys come from (crypto/keys.ts). */
  keys: { file: string; createIfMissing: boolean; atRestKeyRing: string | undefined };
  usageLog: { origin: string | undefined; checkpointIntervalMs: number; batchSize: number };
  notify: {
    smtpUrl: string | undefined;
    mailFrom: string;
    smsGatewayUrl: string | undefined;
    maxAttempts: number;
    pollIntervalMs: number;
  };
  exchange: ExchangeConfig;
  identity: IdentityConfig;
  /** Counter verification (docs/counter.md). */
  counter: { codeSeconds: number };
  /** Multi-person applications (docs/multi-person.md): how long an invitation stays open. */
  applications: { invitationSeconds: number };
  /** Onboarding (docs/onboarding.md): national IDs ensured as operator reviewers at start. */
  onboarding: { operatorNationalIds: string[] };
}

export interface IdentityConfig {
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  challengeSeconds: number;
  /** The national test CA (certificate, key, revocations, CRL) for citizen-certificate sign-in. */
  nationalCaDir: string;
  /** An OpenID Connect identity provider to federate with (method `oidc`); undefined when not configured. */
  oidc: OidcProviderOptions | undefined;
}

export interface ExchangeConfig {
  platformId: string;
  /** Real certificates; all unset means the local CA in `<dataDir>/pki`. */
  clientCertFile: string | undefined;
  clientKeyFile: string | undefined;
  caFile: string | undefined;
  signingKeyFile: string | undefined;
  retries: number;
  backoffMs: number;
  breakerFailures: number;
  breakerResetMs: number;
  healthIntervalMs: number;
  clockSkewSeconds: number;
}

/** Raised at start when the environment is wrong; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the platform's configuration from environment variables. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(Env.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const converted = Value.Default(Env, Value.Convert(Env, raw)) as Record<string, unknown>;
  const problems: string[] = [];
  for (const e of Value.Errors(Env, converted)) {
    if (e.keyword === 'boolean') continue;
    const name = e.instancePath.slice(1);
    const schema = Env.properties[name as keyof typeof Env.properties] as
      | { description?: string }
      | undefined;
    problems.push(
      `${name}=${JSON.stringify(env[name])}: ${e.message}${schema?.description ? ` (${schema.description})` : ''}`,
    );
  }
  const tlsFiles = ['EXCHANGE_CLIENT_CERT_FILE', 'EXCHANGE_CLIENT_KEY_FILE', 'EXCHANGE_CA_FILE'];
  const tlsSet = tlsFiles.filter((k) => converted[k] !== undefined);
  if (tlsSet.length > 0 && tlsSet.length < tlsFiles.length) {
    problems.push(`${tlsFiles.join(', ')}: set all three or none (only ${tlsSet.join(', ')} is set)`);
  }
  if (typeof converted.MYDATA_AT_REST_KEYS === 'string') {
    try {
      parseKeyRing(converted.MYDATA_AT_REST_KEYS);
    } catch (error) {
      problems.push(`MYDATA_AT_REST_KEYS: ${(error as Error).message}`);
    }
  }
  const oidcVars = [
    'IDENTITY_OIDC_ISSUER',
    'IDENTITY_OIDC_CLIENT_ID',
    'IDENTITY_OIDC_ASSURANCE',
    'IDENTITY_OIDC_NATIONAL_ID_CLAIM',
    'IDENTITY_OIDC_NAME',
  ];
  const oidcSet = [...oidcVars, 'IDENTITY_OIDC_CLIENT_SECRET', 'IDENTITY_OIDC_PRIVATE_KEY_FILE'].filter(
    (k) => converted[k] !== undefined,
  );
  if (oidcSet.length > 0) {
    const missing = oidcVars.filter((k) => converted[k] === undefined);
    if (missing.length > 0) {
      problems.push(
        `${missing.join(', ')}: needed for federation with an identity provider (${oidcSet.join(', ')} is set)`,
      );
    }
    const auth = ['IDENTITY_OIDC_CLIENT_SECRET', 'IDENTITY_OIDC_PRIVATE_KEY_FILE'].filter(
      (k) => converted[k] !== undefined,
    );
    if (auth.length !== 1) {
      problems.push(
        'IDENTITY_OIDC_CLIENT_SECRET, IDENTITY_OIDC_PRIVATE_KEY_FILE: set exactly one, how the platform authenticates to the identity provider',
      );
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const v = converted as Static<typeof Env>;
  return {
    port: v.PORT,
    host: v.HOST,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/$/, ''),
    databaseUrl: v.DATABASE_URL,
    dataDir: resolve(v.MYDATA_DATA_DIR),
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    dbPoolSize: v.DB_POOL_SIZE,
    keys: {
      file: v.MYDATA_KEYS_FILE
        ? resolve(v.MYDATA_KEYS_FILE)
        : join(resolve(v.MYDATA_DATA_DIR), 'keys', 'platform-keys.json'),
      // A key file someone configured must exist; only the embedded default is made on first start.
      createIfMissing: v.MYDATA_KEYS_FILE === undefined,
      atRestKeyRing: v.MYDATA_AT_REST_KEYS,
    },
    usageLog: {
      origin: v.LOG_ORIGIN,
      checkpointIntervalMs: v.LOG_CHECKPOINT_INTERVAL_MS,
      batchSize: v.LOG_BATCH_SIZE,
    },
    notify: {
      smtpUrl: v.SMTP_URL,
      mailFrom: v.MAIL_FROM,
      smsGatewayUrl: v.SMS_GATEWAY_URL,
      maxAttempts: v.NOTIFY_MAX_ATTEMPTS,
      pollIntervalMs: v.NOTIFY_POLL_INTERVAL_MS,
    },
    exchange: {
      platformId: v.EXCHANGE_PLATFORM_ID,
      clientCertFile: v.EXCHANGE_CLIENT_CERT_FILE,
      clientKeyFile: v.EXCHANGE_CLIENT_KEY_FILE,
      caFile: v.EXCHANGE_CA_FILE,
      signingKeyFile: v.EXCHANGE_SIGNING_KEY_FILE,
      retries: v.EXCHANGE_RETRIES,
      backoffMs: v.EXCHANGE_BACKOFF_MS,
      breakerFailures: v.EXCHANGE_BREAKER_FAILURES,
      breakerResetMs: v.EXCHANGE_BREAKER_RESET_MS,
      healthIntervalMs: v.EXCHANGE_HEALTH_INTERVAL_MS,
      clockSkewSeconds: v.EXCHANGE_CLOCK_SKEW_SECONDS,
    },
    identity: {
      sessionIdleSeconds: v.IDENTITY_SESSION_IDLE_SECONDS,
      sessionAbsoluteSeconds: v.IDENTITY_SESSION_ABSOLUTE_SECONDS,
      challengeSeconds: v.IDENTITY_CHALLENGE_SECONDS,
      nationalCaDir: v.IDENTITY_NATIONAL_CA_DIR
        ? resolve(v.IDENTITY_NATIONAL_CA_DIR)
        : join(resolve(v.MYDATA_DATA_DIR), 'national-ca'),
      oidc: v.IDENTITY_OIDC_ISSUER ? oidcConfig(v) : undefined,
    },
    counter: { codeSeconds: v.COUNTER_CODE_SECONDS },
    applications: { invitationSeconds: v.APPLICATION_INVITATION_HOURS * 3600 },
    onboarding: {
      operatorNationalIds: (v.OPERATOR_NATIONAL_IDS ?? '')
        .split(',')
        .map((id) => id.trim().toUpperCase())
        .filter((id) => id.length > 0),
    },
  };
}

function oidcConfig(v: Static<typeof Env>): OidcProviderOptions {
  const [zh = '', en] = (v.IDENTITY_OIDC_NAME ?? '').split('|').map((n) => n.trim());
  return {
    issuer: v.IDENTITY_OIDC_ISSUER as string,
    clientId: v.IDENTITY_OIDC_CLIENT_ID as string,
    clientSecret: v.IDENTITY_OIDC_CLIENT_SECRET,
    privateKeyFile: v.IDENTITY_OIDC_PRIVATE_KEY_FILE ? resolve(v.IDENTITY_OIDC_PRIVATE_KEY_FILE) : undefined,
    assurance: v.IDENTITY_OIDC_ASSURANCE as AssuranceLevel,
    nationalIdClaim: v.IDENTITY_OIDC_NATIONAL_ID_CLAIM as string,
    name: { 'zh-TW': zh, en: en || zh },
  };
}
