import type { Catalogue } from '@mydata/core';
import { createCatalogueRepo } from './catalogue/repository.ts';
import { type Config, ConfigError } from './config/config.ts';
import { migrateToLatest, openDatabase } from './db/database.ts';
import { openExchange, type PlatformExchange } from './exchange/setup.ts';
import { type App, buildApp } from './http/app.ts';
import { createExchangeIdentityChecks } from './identity/agency-checks.ts';
import type { IdentityChecks } from './identity/documents.ts';
import { type NationalCa, openNationalCa } from './identity/national-ca.ts';
import { openIdentity, type PlatformIdentity } from './identity/setup.ts';
import { openUsageLog, type PlatformUsageLog } from './log/setup.ts';

export interface Platform {
  app: App;
  /** The address the server listens on, with the port actually bound. */
  url: string;
  /** The exchange layer: gateway, the platform's keys and CA for agencies, agency registration. */
  exchange: PlatformExchange;
  /** The usage log, its notification outbox and the recorder features log through. */
  usage: PlatformUsageLog;
  /** Citizen sign-in: accounts, sessions, the configured methods. */
  identity: PlatformIdentity;
  /** The national test CA citizen certificates chain to (the demo issues cards from it). */
  nationalCa: NationalCa;
  /** Stops taking traffic, lets requests in flight finish, then closes the database. */
  stop(): Promise<void>;
}

/** Opens the database, applies migrations, publishes the given catalogue and starts listening. */
export async function startPlatform(options: {
  config: Config;
  catalogue?: Catalogue;
  /** Folder of the built web portal, served at `/`; the composition root decides where it is. */
  webRoot?: string;
  /** The checks behind NHI-card and two-documents sign-in; the agencies over the exchange layer by default. */
  identityChecks?: IdentityChecks;
}): Promise<Platform> {
  const { config } = options;
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
  });
  let exchange: PlatformExchange | undefined;
  let usage: PlatformUsageLog | undefined;
  try {
    await migrateToLatest(db);
    if (options.catalogue) await createCatalogueRepo(db).importCatalogue(options.catalogue);
    exchange = await openExchange({ config, db });
    let app: App | undefined;
    usage = openUsageLog({
      config,
      db,
      onError: (error, context) => app?.log.error({ err: error }, `${context} failed`),
    });
    // A log's origin names it for its whole life: auditors pin it, and every checkpoint is signed under it.
    const latest = await usage.log.latestCheckpoint();
    if (latest && !latest.note.startsWith(`${usage.log.origin}\n`)) {
      throw new ConfigError([
        `LOG_ORIGIN: this usage log was started as "${latest.note.split('\n')[0]}", but the platform now signs as "${usage.log.origin}". Set LOG_ORIGIN to the first, or PUBLIC_URL back to the address it had.`,
      ]);
    }
    // Auditors can begin at once: a new log publishes its empty checkpoint before the first request.
    await usage.publishNow();
    const nationalCa = await openNationalCa({ dir: config.identity.nationalCaDir });
    const identity = openIdentity({
      db,
      keys: usage.keys,
      usageLog: usage.log,
      recorder: usage.recorder,
      publicUrl: config.publicUrl,
      timeouts: {
        idleSeconds: config.identity.sessionIdleSeconds,
        absoluteSeconds: config.identity.sessionAbsoluteSeconds,
      },
      challengeSeconds: config.identity.challengeSeconds,
      nationalCa,
      checks: options.identityChecks ?? createExchangeIdentityChecks(exchange.gateway),
    });
    app = await buildApp({
      identity: identity.routes,
      config,
      db,
      gateway: exchange.gateway,
      usageLog: usage.log,
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
    await app.listen({ port: config.port, host: config.host });
    usage.start();
    identity.start(undefined, (error) => app?.log.error({ err: error }, 'identity purge failed'));
    const running = { app, usage };
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let stopping: Promise<void> | undefined;
    return {
      app,
      exchange,
      usage,
      identity,
      nationalCa,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      stop() {
        stopping ??= (async () => {
          running.app.startDraining();
          identity.stop();
          await running.app.close();
          await running.usage.stop();
          exchange?.gateway.close();
          await db.destroy();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await usage?.stop();
    exchange?.gateway.close();
    await db.destroy();
    throw error;
  }
}
