import { join } from 'node:path';
import type { Catalogue } from '@mydata/core';
import { createCatalogueRepo } from './catalogue/repository.ts';
import { createSuspensions, type Suspensions } from './catalogue/suspension.ts';
import { type Config, ConfigError } from './config/config.ts';
import { openConsent, type PlatformConsent } from './consent/setup.ts';
import { openCounter, type PlatformCounter } from './counter/setup.ts';
import { type Db, migrateToLatest, openDatabase } from './db/database.ts';
import { openDownload, type PlatformDownload } from './download/setup.ts';
import { openExchange, type PlatformExchange } from './exchange/setup.ts';
import { type App, buildApp } from './http/app.ts';
import { createExchangeIdentityChecks } from './identity/agency-checks.ts';
import type { IdentityChecks } from './identity/documents.ts';
import { createSessionGuard } from './identity/http.ts';
import { type NationalCa, openNationalCa } from './identity/national-ca.ts';
import { openIdentity, type PlatformIdentity } from './identity/setup.ts';
import { openUsageLog, type PlatformUsageLog } from './log/setup.ts';
import { derivePairwiseKey, openOAuth, type PlatformOAuth } from './oauth/setup.ts';
import { createServiceGate, type SandboxPersona } from './onboarding/gate.ts';
import { openOnboarding, type PlatformOnboarding } from './onboarding/setup.ts';
import { createStaffRepo, type StaffRepo } from './staff/repository.ts';
import { createStatisticsRepo, type StatisticsRepo } from './stats/repository.ts';

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
  /** The authorization server for online services: `registerClient` admits a service's OAuth client. */
  oauth: PlatformOAuth;
  /** Consents, their receipts, packages, expiry and webhooks. */
  consent: PlatformConsent;
  /** The citizen's data download: signed zips of their own data, fetched once. */
  download: PlatformDownload;
  /** Counter verification: counter cases, their refreshing codes and the clerks' redemptions. */
  counter: PlatformCounter;
  /** The platform's database, for operator scripts and tests that seed what no API sets. */
  db: Db;
  /** Who may act for which organisation (admin, developer, counter clerk, operator). */
  staff: StaffRepo;
  /** Which organisations the operator has suspended. */
  suspensions: Suspensions;
  /** Organisation sign-up, applications and the operator console (docs/onboarding.md). */
  onboarding: PlatformOnboarding;
  /** The public usage counters (GET /api/v1/statistics); features count each use with `recordUse`. */
  statistics: StatisticsRepo;
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
  /** The test personas sandbox services accept (GET /api/v1/sandbox/personas); none by default. */
  sandboxPersonas?: readonly SandboxPersona[];
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
    // Read before anything acts for an organisation: the gateway refuses to call a suspended agency.
    const suspensions = createSuspensions(db);
    exchange = await openExchange({
      config,
      db,
      isSuspended: async (agencyId) => (await suspensions.ofOrganisation(agencyId)) !== undefined,
    });
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
      outbox: usage.outbox,
      // Mobile-number sign-in is offered only when its one-time codes can actually be sent.
      sms: usage.channels.includes('sms'),
      ...(config.identity.oidc ? { oidc: config.identity.oidc } : {}),
    });
    const staff = createStaffRepo({ db, citizenRef: usage.log.citizenRef });
    const gate = createServiceGate({ db, suspensions, sandboxPersonas: options.sandboxPersonas ?? [] });
    // One key for the pairwise subjects of ID tokens, receipts and packages, so they agree.
    const pairwiseKey = derivePairwiseKey(usage.keys.citizenRefKey);
    const oauth = openOAuth({
      db,
      publicUrl: config.publicUrl,
      cookieKeysFile: join(config.dataDir, 'keys', 'oauth-cookie-keys.json'),
      signingKey: usage.keys.oauthSigning,
      pairwiseKey,
      identity: identity.service,
      citizenRefOf: (citizenId) => identity.repo.citizenRefOf(citizenId),
      onError: (error, context) => app?.log.error({ err: error }, `${context} failed`),
    });
    const consent = openConsent({
      db,
      gateway: exchange.gateway,
      recorder: usage.recorder,
      outbox: usage.outbox,
      identityRepo: identity.repo,
      identity: identity.service,
      signingKey: usage.keys.oauthSigning,
      publicUrl: config.publicUrl,
      pairwiseKey,
      clients: { get: (clientId) => oauth.clients.directory(clientId) },
      gate,
      // Multi-person applications seal invitations and waiting data with the at-rest keys.
      atRest: usage.keys.atRest,
      invitationSeconds: config.applications.invitationSeconds,
      onError: (error, context) => app?.log.error({ err: error }, `${context} failed`),
    });
    oauth.useConsent(consent.service);
    const onboarding = openOnboarding({
      db,
      atRest: usage.keys.atRest,
      staff,
      citizenRef: usage.log.citizenRef,
      suspensions,
      clients: oauth.clients,
      registerAgency: (input) => (exchange as PlatformExchange).registerAgency(input),
      probe: (req) => (exchange as PlatformExchange).gateway.probe(req),
      identity: identity.service,
      identityRepo: identity.repo,
      publicUrl: config.publicUrl,
      sandboxPersonas: options.sandboxPersonas ?? [],
      gate,
      audit: (entry) =>
        app?.log.info(
          { audit: { ...entry, actorRef: undefined } },
          `onboarding ${entry.action} ${entry.organisationId}${entry.applicationId ? ` ${entry.applicationId}` : ''}`,
        ),
    });
    await onboarding.ensureOperators(config.onboarding?.operatorNationalIds ?? []);
    const download = openDownload({
      db,
      gateway: exchange.gateway,
      recorder: usage.recorder,
      identityRepo: identity.repo,
      identity: identity.service,
      atRest: usage.keys.atRest,
      signingKey: usage.keys.oauthSigning,
      publicUrl: config.publicUrl,
      onError: (error, context) => app?.log.error({ err: error }, `${context} failed`),
    });
    const counter = openCounter({
      db,
      gateway: exchange.gateway,
      recorder: usage.recorder,
      identityRepo: identity.repo,
      identity: identity.service,
      staff,
      suspensions,
      atRest: usage.keys.atRest,
      signingKey: usage.keys.oauthSigning,
      citizenRefKey: usage.keys.citizenRefKey,
      pairwiseKey,
      publicUrl: config.publicUrl,
      settings: { codeSeconds: config.counter.codeSeconds },
      onError: (error, context) => app?.log.error({ err: error }, `${context} failed`),
    });
    app = await buildApp({
      identity: identity.routes,
      oauth: oauth.http,
      consent: consent.routes,
      download: download.routes,
      counter: counter.routes,
      onboarding: onboarding.routes,
      citizenLog: {
        recorder: usage.recorder,
        verifierKey: usage.log.verifierKey,
        requireSession: createSessionGuard({ service: identity.service, publicUrl: config.publicUrl }),
        nationalIdOf: (citizenId) => identity.repo.nationalIdOf(citizenId),
      },
      config,
      db,
      gateway: exchange.gateway,
      usageLog: usage.log,
      ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    });
    await app.listen({ port: config.port, host: config.host });
    usage.start();
    identity.start(undefined, (error) => app?.log.error({ err: error }, 'identity purge failed'));
    oauth.start(undefined, (error) => app?.log.error({ err: error }, 'oauth purge failed'));
    consent.start(undefined, (error) => app?.log.error({ err: error }, 'consent expiry failed'));
    download.start(undefined, (error) => app?.log.error({ err: error }, 'download expiry failed'));
    counter.start(undefined, (error) => app?.log.error({ err: error }, 'counter expiry failed'));
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
      oauth,
      consent,
      download,
      counter,
      db,
      staff,
      suspensions,
      onboarding,
      statistics: createStatisticsRepo(db),
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      stop() {
        stopping ??= (async () => {
          running.app.startDraining();
          await identity.stop();
          await oauth.stop();
          await consent.stop();
          await download.stop();
          await counter.stop();
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
