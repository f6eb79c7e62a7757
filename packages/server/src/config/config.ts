import { resolve } from 'node:path';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';

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
  };
}
