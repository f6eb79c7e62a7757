import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '@mydata/core';
import ajvFormats from 'ajv-formats';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { catalogueRoutes } from '../catalogue/routes.ts';
import type { Config } from '../config/config.ts';
import { type ConsentRoutesOptions, consentRoutes } from '../consent/routes.ts';
import { type CounterRoutesOptions, counterRoutes } from '../counter/routes.ts';
import { generatePlatformKeys } from '../crypto/keys.ts';
import type { Db } from '../db/database.ts';
import { developerGuideRoutes } from '../developers/routes.ts';
import { type DownloadRoutesOptions, downloadRoutes } from '../download/routes.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import { exchangeStatusRoutes } from '../exchange/routes.ts';
import { type IdentityRoutesOptions, identityRoutes } from '../identity/routes.ts';
import { defaultLogOrigin } from '../log/checkpoint.ts';
import { type CitizenUsageLogRoutesOptions, citizenUsageLogRoutes } from '../log/citizen-routes.ts';
import { createUsageLog, type UsageLog } from '../log/repository.ts';
import { usageLogRoutes } from '../log/routes.ts';
import { oauthRoutes } from '../oauth/routes.ts';
import { mountProvider, type OAuthHttp } from '../oauth/setup.ts';
import { type OnboardingRoutesOptions, onboardingRoutes } from '../onboarding/routes.ts';
import { createStatisticsRepo } from '../stats/repository.ts';
import { statisticsRoutes } from '../stats/routes.ts';
import { healthRoutes } from './health.ts';
import { sendPortalPage, servePortal, wantsPortalPage } from './portal.ts';
import { Problem, replyWithProblem, toAppError } from './problem.ts';

export interface AppOptions {
  config: Pick<Config, 'publicUrl' | 'bodyLimitBytes' | 'logLevel'>;
  db: Db;
  /** A logger to share; by default one is made at the configured level. */
  logger?: FastifyBaseLogger;
  /** The usage log whose public proofs are served; tests may omit it and get one with throw-away keys. */
  usageLog?: UsageLog;
  /** The exchange gateway, when the platform talks to agencies; adds GET /api/v1/status/agencies. */
  gateway?: ExchangeGateway;
  /** Citizen sign-in and sessions (identity/setup.ts); adds /api/v1/identity/*. */
  identity?: IdentityRoutesOptions;
  /** Folder of the built web portal (`vite build` output), served at `/`; no portal when unset. */
  webRoot?: string;
  /** The authorization server (oauth/setup.ts); adds /oauth/*, discovery and the consent and package routes. */
  oauth?: OAuthHttp;
  /** The citizen's consents (consent/setup.ts); adds /api/v1/consents/*. */
  consent?: ConsentRoutesOptions;
  /** The signed-in citizen's own usage log; adds GET /api/v1/log/mine. */
  citizenLog?: CitizenUsageLogRoutesOptions;
  /** The citizen's data download (download/setup.ts); adds /api/v1/downloads/*. */
  download?: DownloadRoutesOptions;
  /** Counter verification (counter/setup.ts); adds /api/v1/counter/*. */
  counter?: CounterRoutesOptions;
  /** Onboarding and the operator console (onboarding/setup.ts); adds /api/v1/onboarding/*, /api/v1/operator/*, /api/v1/sandbox/personas. */
  onboarding?: OnboardingRoutesOptions;
  /** The developer guide at /developers, rendered from the docs folder (default: the repository's `docs/`); false for none. */
  developerGuide?: { docsDir?: string } | false;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** Builds the platform's HTTP application without listening, so tests can inject requests. */
export async function buildApp({
  config,
  db,
  logger,
  gateway,
  usageLog,
  identity,
  webRoot,
  oauth,
  consent,
  citizenLog,
  download,
  counter,
  onboarding,
  developerGuide = {},
}: AppOptions) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: { level: config.logLevel } }),
    bodyLimit: config.bodyLimitBytes,
    // A caller's request id is kept so a trace spans systems, but only if it cannot forge log lines.
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    ajv: {
      // Unknown fields are an error, not silently dropped: a typo must not change what is asked for.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: true },
      plugins: [ajvFormats as never],
    },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The API speaks JSON only; a text body is refused with 415 instead of failing validation oddly.
  app.removeContentTypeParser('text/plain');

  // Every documented route also documents its errors, so clients generated from OpenAPI know the shape.
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    const problem = {
      description: 'RFC 9457 problem details',
      content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } },
    };
    route.schema.response = { ...response, '4XX': problem, '5XX': problem };
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // OAuth endpoints are oidc-provider's: it answers standard OAuth errors and parses its own bodies.
  if (oauth) mountProvider(app, oauth.provider);

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error, request, config.bodyLimitBytes);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code, detail: (error as Error).message }, 'request refused');
    return replyWithProblem(reply, appError, config.publicUrl);
  });
  app.setNotFoundHandler((request, reply) =>
    // The portal routes its own pages in the browser, so any page address gets its shell.
    webRoot && wantsPortalPage(request)
      ? sendPortalPage(reply)
      : replyWithProblem(
          reply,
          new AppError('request.not-found', { method: request.method, url: request.url.split('?')[0] ?? '' }),
          config.publicUrl,
        ),
  );

  await app.register(swagger, {
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MyData platform API',
        version: '0.1.0',
        description:
          '個人化資料自主運用平臺 API. Every error is application/problem+json (RFC 9457) with a stable `code`.',
      },
      servers: [{ url: config.publicUrl }],
      components: {},
      tags: [
        { name: 'catalogue', description: 'Datasets, organisations and services' },
        { name: 'statistics', description: 'Public usage figures' },
        {
          name: 'usage log',
          description: 'Signed checkpoints and Merkle proofs of the usage log, for auditors',
        },
        { name: 'operations', description: 'Health, readiness and error descriptions' },
        { name: 'identity', description: 'Citizen sign-in, step-up and sessions' },
        {
          name: 'consent',
          description: 'The consent screen of an online service request, and the citizen’s consents',
        },
        {
          name: 'download',
          description: 'The citizen downloads their own data: a zip signed by the agencies and the platform',
        },
        {
          name: 'counter',
          description:
            'Counter verification: the citizen shows a QR or short code, a clerk sees the consented data once',
        },
        {
          name: 'transfer',
          description: 'The data package a service fetches once with its DPoP-bound token',
        },
        {
          name: 'onboarding',
          description:
            'Organisations sign up, apply to offer services or data, manage staff and keys; sandbox personas',
        },
        { name: 'operator', description: 'The operator console: review, decisions, suspension, audit trail' },
      ],
    },
  });
  app.addSchema(Problem);

  let draining = false;
  await app.register(healthRoutes, { db, isDraining: () => draining });
  // The public catalogue leaves out sandbox services and organisations not yet approved.
  await app.register(catalogueRoutes, {
    prefix: '/api/v1',
    repo: createCatalogueRepo(db, { publicOnly: true }),
  });
  await app.register(statisticsRoutes, { prefix: '/api/v1', repo: createStatisticsRepo(db) });
  await app.register(usageLogRoutes, {
    prefix: '/api/v1',
    log:
      usageLog ??
      createUsageLog({ db, keys: generatePlatformKeys(), origin: defaultLogOrigin(config.publicUrl) }),
  });
  if (citizenLog) await app.register(citizenUsageLogRoutes, { prefix: '/api/v1', ...citizenLog });
  if (gateway) await app.register(exchangeStatusRoutes, { prefix: '/api/v1', gateway });
  if (identity) await app.register(identityRoutes, { prefix: '/api/v1', ...identity });
  if (oauth) await app.register(oauthRoutes, { prefix: '/api/v1', ...oauth.routes });
  if (consent) await app.register(consentRoutes, { prefix: '/api/v1', ...consent });
  if (download) await app.register(downloadRoutes, { prefix: '/api/v1', ...download });
  if (counter) await app.register(counterRoutes, { prefix: '/api/v1', ...counter });
  if (onboarding) await app.register(onboardingRoutes, { prefix: '/api/v1', ...onboarding });

  if (developerGuide) await app.register(developerGuideRoutes, developerGuide);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  if (webRoot) await servePortal(app, webRoot);

  return Object.assign(app, {
    /** Readiness turns false so a load balancer stops sending traffic before the server closes. */
    startDraining() {
      draining = true;
    },
  });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
