/**
 * A consent service over a fresh test database with the fixture catalogue, a signed-in citizen and a
 * gateway stand-in the test steers, for the consent tests. The real gateway over mutual TLS is
 * exercised in tests/consent-transfer.test.ts.
 */
import { AppError } from '@mydata/core';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { fixtureCatalogue } from '../catalogue/fixtures.ts';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { generatePlatformKeys } from '../crypto/keys.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import type { ExchangeGateway, FetchRequest, FetchResult } from '../exchange/gateway.ts';
import { csrfTokenFor } from '../identity/http.ts';
import { openIdentity } from '../identity/setup.ts';
import { createUsageRecorder } from '../log/record.ts';
import { createUsageLog } from '../log/repository.ts';
import { createOutbox } from '../notify/outbox.ts';
import { createConsentService } from './service.ts';

export const SERVICE_ID = 'firstbank.loan';
export const INCOME = 'mof-fia.income';
export const HOUSEHOLD = 'moi-household.household-registration';
export const PURPOSE = 'https://w3id.org/dpv#CreditChecking';
export const ISSUER = 'http://localhost:8080';
export const NATIONAL_ID = 'A123456789';
export const WEBHOOK_URL = 'https://bank.example/mydata/webhook';

/** A stand-in gateway: answers with records shaped like the real one's, or with the error queued next. */
export function createGatewayStandIn() {
  const state = {
    failNext: [] as AppError[],
    calls: [] as FetchRequest[],
    /** Holds every fetch until released, to withdraw while the agencies answer. */
    hold: undefined as Promise<void> | undefined,
  };
  return {
    state,
    async fetch(req: FetchRequest): Promise<FetchResult> {
      state.calls.push(req);
      if (state.hold) await state.hold;
      const error = state.failNext.shift();
      if (error) throw error;
      return {
        exchangeId: `x-${state.calls.length}`,
        results: req.datasets.map((datasetId) => {
          const payload = datasetId === INCOME ? { total: 1_234_567 } : { name: '王小明', address: '臺北市' };
          const agencyId = datasetId.split('.')[0] as string;
          return {
            datasetId,
            agencyId,
            payload,
            providerSignature: `agency-jws-${datasetId}`,
            providerBody: JSON.stringify({ datasetId, payload }),
            requestSignature: `request-jws-${datasetId}`,
            receivedAt: new Date().toISOString(),
          };
        }),
      };
    },
  };
}

export const agencyDown = () =>
  new AppError('exchange.agency-unreachable', {
    agency: '財政部財政資訊中心',
    agencyId: 'mof-fia',
    reason: 'connection refused',
  });

/** A service's encryption key pair as the service holds it. */
export async function serviceEncryptionKey() {
  const pair = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  const publicJwk: JWK = {
    ...jwk,
    kid: await calculateJwkThumbprint(jwk),
    use: 'enc',
    alg: 'ECDH-ES+A256KW',
  };
  return { privateKey: pair.privateKey, publicJwk };
}

export async function createConsentFixture(
  options: {
    clock?: { now: Date };
    packageTtlSeconds?: number;
    /** A database that already holds its catalogue (the exchange harness's); a fresh one with the fixture catalogue otherwise. */
    database?: TestDatabase;
    /** The real gateway instead of the stand-in. */
    gateway?: Pick<ExchangeGateway, 'fetch'>;
    /** The service the client directory knows, with the stand-in's encryption key. */
    serviceId?: string;
  } = {},
) {
  const database = options.database ?? (await createTestDatabase());
  const { db } = database;
  if (!options.database) await createCatalogueRepo(db).importCatalogue(fixtureCatalogue());
  const keys = generatePlatformKeys();
  const now = options.clock ? () => new Date(options.clock?.now ?? Date.now()) : () => new Date();
  const log = createUsageLog({ db, keys, origin: 'localhost/mydata-usage-log' });
  const outbox = createOutbox({ db, keys, now });
  const recorder = createUsageRecorder({ log, outbox });
  const identity = openIdentity({
    db,
    keys,
    usageLog: log,
    recorder,
    publicUrl: ISSUER,
    timeouts: { idleSeconds: 3600, absoluteSeconds: 28_800 },
  });
  const standIn = createGatewayStandIn();
  const enc = await serviceEncryptionKey();
  const directory = new Map<string, { encryptionKey: JWK; webhookUrl?: string }>([
    [options.serviceId ?? SERVICE_ID, { encryptionKey: enc.publicJwk, webhookUrl: WEBHOOK_URL }],
  ]);
  const pairwiseKey = new Uint8Array(32).fill(7);
  const service = createConsentService({
    db,
    catalogue: createCatalogueRepo(db),
    gateway: options.gateway ?? standIn,
    recorder,
    outbox,
    identityRepo: identity.repo,
    signingKey: keys.oauthSigning as unknown as JWK,
    issuer: ISSUER,
    pairwiseKey,
    clients: { get: async (id) => directory.get(id) },
    ...(options.packageTtlSeconds ? { packageTtlSeconds: options.packageTtlSeconds } : {}),
    now,
  });

  /** A citizen account with contact details and a session; returns its id, cookie and CSRF token. */
  async function signIn(nationalId = NATIONAL_ID) {
    const at = new Date();
    const { citizenId, session } = await db.transaction().execute(async (tx) => {
      const { citizenId } = await identity.repo.recordVerification(tx, nationalId, ['nhi-card'], at);
      const session = await identity.repo.createSession(tx, {
        citizenId,
        assurance: 'substantial',
        methods: ['nhi-card'],
        at,
      });
      return { citizenId, session };
    });
    await identity.repo.setContact(citizenId, { email: 'citizen@example.org', mobile: '0912345678' });
    return {
      citizenId,
      cookie: `mydata-session=${session.token}`,
      csrf: csrfTokenFor(session.token),
    };
  }

  const request = (chosen: string[] = [INCOME, HOUSEHOLD]) => ({
    serviceId: SERVICE_ID,
    detail: { type: 'mydata' as const, datasets: [INCOME, HOUSEHOLD], purpose: PURPOSE, mode: 'online' },
    chosen,
    assurance: 'substantial' as const,
    methods: ['nhi-card'],
    interactionUid: 'uid-1',
  });

  return {
    database,
    db,
    keys,
    log,
    outbox,
    recorder,
    identity,
    gateway: standIn,
    enc,
    directory,
    pairwiseKey,
    service,
    signIn,
    request,
    close: () => database.close(),
  };
}
