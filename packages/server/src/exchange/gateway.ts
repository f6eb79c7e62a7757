import { randomUUID } from 'node:crypto';
import {
  AppError,
  checkResponseClaims,
  type Dataset,
  DEFAULT_CLOCK_SKEW_SECONDS,
  type ErrorCode,
  EXCHANGE_ALGORITHM,
  EXCHANGE_CHECK_PATH,
  EXCHANGE_HEALTH_PATH,
  EXCHANGE_QUERY_PATH,
  encodeIdentityCheck,
  encodeQuery,
  type FieldIssue,
  IDENTITY_CHECK_PURPOSE,
  parseResponseClaims,
  REQUEST_JWS_TYPE,
  REQUEST_SIGNATURE_HEADER,
  RESPONSE_JWS_TYPE,
  RESPONSE_SIGNATURE_HEADER,
  sha256Base64url,
} from '@mydata/core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { createLocalJWKSet, importJWK, type JWK, jwtVerify, SignJWT } from 'jose';
import type { Db } from '../db/database.ts';
import { createMessageLog, type MessageLogEntry } from './message-log.ts';
import {
  type AgencyRegistration,
  type AgencyRegistry,
  createAgencyRegistry,
  type StoredAgencyRegistration,
} from './registry.ts';
import { backoffDelay, CircuitBreaker, type CircuitState, ConcurrencyLimit } from './resilience.ts';
import { type AgencyTransport, type ClientTls, createAgencyTransport, TransportError } from './transport.ts';

/** What the consent/transfer engine asks for: one citizen's datasets, under one consent, for one purpose. */
export interface FetchRequest {
  consentId: string;
  /** The purpose as a DPV IRI, e.g. https://w3id.org/dpv#ServiceProvision. */
  purpose: string;
  subject: { nationalId: string };
  datasets: string[];
}

/** One dataset as delivered: the verified payload and the agency's own signed response, kept verbatim. */
export interface FetchedDataset {
  datasetId: string;
  agencyId: string;
  payload: unknown;
  /** The agency's response JWS; its claims bind `providerBody` (bodySha256) to `requestSignature`. */
  providerSignature: string;
  /** The exact response body the signature covers. */
  providerBody: string;
  /** The platform's request JWS this answer is bound to. */
  requestSignature: string;
  receivedAt: string;
}

export interface FetchResult {
  /** Id of this fetch in the message log (every attempt of every dataset carries it). */
  exchangeId: string;
  results: FetchedDataset[];
}

/** A connection test of an agency endpoint that is not registered (ExchangeGateway.probe). */
export interface ProbeRequest {
  /** Where the agency is and how to recognise it: base URL, SPKI pins, response-signing JWKS. */
  registration: Pick<AgencyRegistration, 'baseUrl' | 'tlsSpkiSha256' | 'jwks'> &
    Partial<Pick<AgencyRegistration, 'timeoutMs'>>;
  dataset: Pick<Dataset, 'id' | 'agencyId' | 'payloadSchema'>;
  nationalId: string;
  /** The purpose as a DPV IRI. */
  purpose: string;
}

export type ProbeResult =
  | { ok: true; latencyMs: number; payload: unknown }
  | { ok: false; latencyMs: number; error: AppError };

export interface AgencyStatus {
  agencyId: string;
  name: { 'zh-TW': string; en: string };
  /** From the latest health check or exchange: up, down, or unknown before the first. */
  state: 'up' | 'down' | 'unknown';
  circuit: CircuitState;
  checkedAt: string | null;
}

export interface GatewayOptions {
  db: Db;
  platformId: string;
  /** The platform's private ES256 request-signing key (a JWK with `kid`). */
  signingKey: JWK;
  tls: ClientTls;
  /** Retries after the first attempt, for transient failures only. */
  retries?: number;
  backoffBaseMs?: number;
  breaker?: { failureThreshold: number; resetAfterMs: number };
  clockSkewSeconds?: number;
  /** How long catalogue entries and registrations read by fetch() are reused; 2000 ms by default. */
  lookupCacheMs?: number;
  now?: () => number;
  /** Whether the operator has suspended an agency: the gateway then refuses to call it. */
  isSuspended?: (agencyId: string) => Promise<boolean>;
}

/** How an error names an agency: in Chinese, in English (`@en`, see formatErrorDetail), and by id. */
type AgencyParams = {
  agency: string;
  'agency@en': string;
  agencyId: string;
};

interface CatalogueEntry {
  dataset: Dataset;
  agencyName: { 'zh-TW': string; en: string };
}

const TRANSIENT: ReadonlySet<ErrorCode> = new Set([
  'exchange.agency-unreachable',
  'exchange.timeout',
  'exchange.agency-error',
]);

interface Channel {
  version: number;
  registration: StoredAgencyRegistration;
  transport: AgencyTransport;
  keys: ReturnType<typeof createLocalJWKSet>;
  limit: ConcurrencyLimit;
}

interface AgencyHealth {
  breaker: CircuitBreaker;
  state: 'up' | 'down' | 'unknown';
  checkedAt: Date | null;
}

type Attempt =
  | { ok: true; entry: MessageLogEntry; result: FetchedDataset }
  | { ok: false; entry: MessageLogEntry | undefined; error: AppError };

/**
 * The exchange gateway: fetches a citizen's datasets from the agencies that hold them over mutual TLS
 * with signed requests, verifies every signed response and its payload, logs every attempt in the
 * hash-chained message log, and returns all requested datasets or a coded error, never a part.
 */
export function createExchangeGateway(options: GatewayOptions) {
  const { db, platformId } = options;
  const storedRegistry = createAgencyRegistry(db);
  // Changes made through the gateway's own registry must not wait out the lookup cache.
  const registry: AgencyRegistry = {
    ...storedRegistry,
    async register(input) {
      registrationCache = undefined;
      try {
        return await storedRegistry.register(input);
      } finally {
        registrationCache = undefined;
      }
    },
    async remove(agencyId) {
      registrationCache = undefined;
      try {
        return await storedRegistry.remove(agencyId);
      } finally {
        registrationCache = undefined;
      }
    },
  };
  const log = createMessageLog(db);
  const now = options.now ?? Date.now;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const retries = options.retries ?? 2;
  const backoffBaseMs = options.backoffBaseMs ?? 100;
  const breakerOptions = options.breaker ?? { failureThreshold: 5, resetAfterMs: 30_000 };
  const kid = options.signingKey.kid;
  // Imported once: per-request key imports cost more than the signature (docs/architecture.md).
  const signingKey = importJWK(options.signingKey, EXCHANGE_ALGORITHM);

  const channels = new Map<string, Channel>();
  const health = new Map<string, AgencyHealth>();
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  (ajvFormats as unknown as (a: Ajv2020) => void)(ajv);
  const validators = new Map<string, { schema: object; source: string; validate: ValidateFunction }>();
  let healthTimer: NodeJS.Timeout | undefined;

  function healthOf(agencyId: string): AgencyHealth {
    let h = health.get(agencyId);
    if (!h) {
      h = {
        breaker: new CircuitBreaker({ ...breakerOptions, now }),
        state: 'unknown',
        checkedAt: null,
      };
      health.set(agencyId, h);
    }
    return h;
  }

  function channelFor(reg: StoredAgencyRegistration): Channel {
    const existing = channels.get(reg.agencyId);
    if (existing && existing.version === reg.version) return existing;
    // Requests still in flight on the old connections finish first: close them after the longest wait.
    if (existing)
      setTimeout(() => existing.transport.close(), existing.registration.timeoutMs + 1000).unref();
    const channel = openChannel(reg);
    channels.set(reg.agencyId, channel);
    return channel;
  }

  function openChannel(reg: StoredAgencyRegistration): Channel {
    return {
      version: reg.version,
      registration: reg,
      transport: createAgencyTransport({
        baseUrl: reg.baseUrl,
        tls: options.tls,
        spkiPins: reg.tlsSpkiSha256,
        maxSockets: reg.maxConcurrency,
      }),
      keys: createLocalJWKSet(reg.jwks as { keys: JWK[] }),
      limit: new ConcurrencyLimit(reg.maxConcurrency),
    };
  }

  /** Each schema is compiled once; it is recompiled only when the catalogue changes it. */
  function validatorFor(dataset: Dataset): ValidateFunction {
    const schema = dataset.payloadSchema;
    const cached = validators.get(dataset.id);
    if (cached?.schema === schema) return cached.validate;
    const source = JSON.stringify(schema);
    if (cached?.source === source) {
      cached.schema = schema;
      return cached.validate;
    }
    const validate = ajv.compile(schema);
    validators.set(dataset.id, { schema, source, validate });
    return validate;
  }

  async function signRequest(
    agencyId: string,
    datasetId: string,
    req: Pick<FetchRequest, 'consentId' | 'purpose'>,
    body: string,
    path: string = EXCHANGE_QUERY_PATH,
  ) {
    const jti = randomUUID();
    const jws = await new SignJWT({
      method: 'POST',
      path,
      bodySha256: sha256Base64url(body),
      consentId: req.consentId,
      purpose: req.purpose,
      datasetId,
    })
      .setProtectedHeader({ alg: EXCHANGE_ALGORITHM, typ: REQUEST_JWS_TYPE, ...(kid ? { kid } : {}) })
      .setIssuer(platformId)
      .setAudience(agencyId)
      .setIssuedAt(Math.floor(now() / 1000))
      .setJti(jti)
      .sign(await signingKey);
    return { jti, jws };
  }

  /**
   * Checks an answer's signature and its binding to the request; returns the response JWS, or the
   * coded reason it was refused. What the body says is the caller's to check.
   */
  async function verifySigned(
    channel: Channel,
    agency: AgencyParams,
    requestJws: string,
    res: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
  ): Promise<string | AppError> {
    const responseJws = res.headers[RESPONSE_SIGNATURE_HEADER];
    if (res.status >= 500) {
      return new AppError('exchange.agency-error', { ...agency, status: res.status });
    }
    if (typeof responseJws !== 'string' || responseJws === '') {
      return new AppError('exchange.bad-signature', { ...agency, reason: 'the response is not signed' });
    }
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(responseJws, channel.keys, {
        algorithms: [EXCHANGE_ALGORITHM],
        typ: RESPONSE_JWS_TYPE,
        currentDate: new Date(now()),
      }));
    } catch (e) {
      return new AppError('exchange.bad-signature', {
        ...agency,
        reason: `the signature does not verify with the registered keys (${(e as { code?: string }).code ?? 'invalid'})`,
      });
    }
    const claims = parseResponseClaims(payload);
    if (!claims) {
      return new AppError('exchange.bad-signature', {
        ...agency,
        reason: 'the signed claims are incomplete',
      });
    }
    const problem = checkResponseClaims(claims, {
      platformId,
      agencyId: channel.registration.agencyId,
      requestJws,
      bodySha256: sha256Base64url(res.body),
      status: res.status,
      nowSeconds: Math.floor(now() / 1000),
      skewSeconds: skew,
    });
    if (problem?.kind === 'wrong-request') return new AppError('exchange.wrong-request', agency);
    if (problem?.kind === 'stale') {
      return new AppError('exchange.stale-response', { ...agency, ageSeconds: problem.ageSeconds });
    }
    if (problem) {
      return new AppError('exchange.bad-signature', {
        ...agency,
        reason: `the signature does not cover this response (${problem.kind})`,
      });
    }
    return responseJws;
  }

  /** Checks one answer end to end; returns the verified result or the coded reason it was refused. */
  async function verify(
    channel: Channel,
    dataset: Dataset,
    agency: AgencyParams,
    requestJws: string,
    res: { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer },
  ): Promise<{ payload: unknown; responseJws: string } | AppError> {
    const responseJws = await verifySigned(channel, agency, requestJws, res);
    if (responseJws instanceof AppError) return responseJws;
    let body: { datasetId?: unknown; payload?: unknown; error?: unknown; message?: unknown };
    try {
      body = JSON.parse(res.body.toString('utf8'));
      if (typeof body !== 'object' || body === null) throw new TypeError('not an object');
    } catch {
      return new AppError('exchange.invalid-response', {
        ...agency,
        reason: 'the body is not a JSON object',
      });
    }
    const datasetId = dataset.id;
    if (res.status === 200) {
      if (body.datasetId !== datasetId || !('payload' in body)) {
        return new AppError('exchange.invalid-response', {
          ...agency,
          reason: `the answer is not a ${datasetId} record`,
        });
      }
      const validate = validatorFor(dataset);
      if (!validate(body.payload)) {
        const issues: FieldIssue[] = (validate.errors ?? []).map((e) => ({
          pointer: `/payload${e.instancePath}`,
          message: e.message ?? 'is not valid',
        }));
        const summary = issues
          .slice(0, 3)
          .map((i) => `${i.pointer} ${i.message}`)
          .join('; ');
        return new AppError('exchange.schema-violation', { ...agency, datasetId, summary }, issues);
      }
      return { payload: body.payload, responseJws };
    }
    const reason = typeof body.message === 'string' ? body.message.slice(0, 200) : `HTTP ${res.status}`;
    if (res.status === 404 && body.error === 'no-such-person') {
      return new AppError('exchange.no-such-person', { ...agency, datasetId });
    }
    if (res.status === 403 && body.error === 'not-permitted') {
      return new AppError('exchange.not-permitted', { ...agency, datasetId });
    }
    if (res.status === 401 || (res.status === 403 && body.error === 'client-not-allowed')) {
      return new AppError('exchange.request-refused', { ...agency, reason });
    }
    return new AppError('exchange.invalid-response', {
      ...agency,
      reason: `unexpected HTTP ${res.status}: ${reason}`,
    });
  }

  async function attempt(
    exchangeId: string,
    channel: Channel,
    dataset: Dataset,
    agency: AgencyParams,
    req: FetchRequest,
  ): Promise<Attempt> {
    const reg = channel.registration;
    const body = encodeQuery({ datasetId: dataset.id, subject: req.subject });
    const { jti, jws } = await signRequest(reg.agencyId, dataset.id, req, body);
    const entry: MessageLogEntry = {
      at: new Date(now()),
      exchangeId,
      requestId: jti,
      agencyId: reg.agencyId,
      datasetId: dataset.id,
      consentId: req.consentId,
      outcome: 'ok',
      httpStatus: null,
      requestJws: jws,
      responseJws: null,
      responseBodySha256: null,
    };
    const release = await channel.limit.acquire(reg.timeoutMs);
    if (!release) {
      return {
        ok: false,
        entry: { ...entry, outcome: 'exchange.timeout' },
        error: timeoutError(agency, reg),
      };
    }
    let res: Awaited<ReturnType<AgencyTransport['post']>>;
    try {
      res = await channel.transport.post(
        EXCHANGE_QUERY_PATH,
        { [REQUEST_SIGNATURE_HEADER]: jws },
        body,
        reg.timeoutMs,
      );
    } catch (e) {
      const error = transportError(e, agency, reg);
      return { ok: false, entry: { ...entry, outcome: error.code }, error };
    } finally {
      release();
    }
    const signature = res.headers[RESPONSE_SIGNATURE_HEADER];
    const answered: MessageLogEntry = {
      ...entry,
      httpStatus: res.status,
      responseJws: typeof signature === 'string' ? signature : null,
      responseBodySha256: sha256Base64url(res.body),
    };
    const verified = await verify(channel, dataset, agency, jws, res);
    if (verified instanceof AppError) {
      return { ok: false, entry: { ...answered, outcome: verified.code }, error: verified };
    }
    return {
      ok: true,
      entry: answered,
      result: {
        datasetId: dataset.id,
        agencyId: reg.agencyId,
        payload: verified.payload,
        providerSignature: verified.responseJws,
        providerBody: res.body.toString('utf8'),
        requestSignature: jws,
        receivedAt: new Date(now()).toISOString(),
      },
    };
  }

  /** Fetches one dataset with the breaker and retries around attempts; every attempt goes to `entries`. */
  async function fetchOne(
    exchangeId: string,
    channel: Channel,
    dataset: Dataset,
    agency: AgencyParams,
    req: FetchRequest,
    entries: MessageLogEntry[],
  ): Promise<FetchedDataset> {
    const h = healthOf(channel.registration.agencyId);
    let lastError: AppError | undefined;
    for (let n = 1; n <= retries + 1; n++) {
      if (n > 1) await new Promise((r) => setTimeout(r, backoffDelay(n - 1, backoffBaseMs)));
      const admitted = h.breaker.admit();
      if (!admitted.ok) {
        // A retry stopped by the breaker reports the failure that opened it, which says more.
        if (lastError) throw lastError;
        entries.push(
          unsent(exchangeId, channel.registration.agencyId, dataset.id, req, 'exchange.circuit-open'),
        );
        throw new AppError('exchange.circuit-open', {
          ...agency,
          retryAfterSeconds: Math.ceil(admitted.retryAfterMs / 1000),
        });
      }
      const outcome = await attempt(exchangeId, channel, dataset, agency, req);
      if (outcome.entry) entries.push(outcome.entry);
      h.checkedAt = new Date(now());
      if (outcome.ok) {
        h.breaker.success();
        h.state = 'up';
        return outcome.result;
      }
      lastError = outcome.error;
      if (!TRANSIENT.has(outcome.error.code)) {
        // The agency answered, or its TLS identity is wrong: retrying or opening the circuit would
        // only hide that behind a later exchange.circuit-open.
        if (outcome.error.code === 'exchange.tls-failure') {
          h.breaker.abandon();
          h.state = 'down';
        } else {
          h.breaker.success();
          h.state = 'up';
        }
        throw outcome.error;
      }
      h.breaker.failure();
      h.state = 'down';
    }
    throw lastError as AppError;
  }

  /** A log entry for a dataset the platform never asked for (unregistered agency, open circuit). */
  function unsent(
    exchangeId: string,
    agencyId: string,
    datasetId: string,
    req: FetchRequest,
    outcome: ErrorCode,
  ) {
    return {
      at: new Date(now()),
      exchangeId,
      requestId: randomUUID(),
      agencyId,
      datasetId,
      consentId: req.consentId,
      outcome,
      httpStatus: null,
      requestJws: '',
      responseJws: null,
      responseBodySha256: null,
    } satisfies MessageLogEntry;
  }

  // The catalogue and the registrations change rarely and are read on every fetch: a short cache
  // keeps the database for the message log. Registrations changed through this gateway's registry
  // take effect at once; changes made by another process within lookupCacheMs.
  const cacheMs = options.lookupCacheMs ?? 2000;
  const catalogueCache = new Map<string, CatalogueEntry & { expires: number }>();
  let registrationCache:
    | { expires: number; byId: Promise<Map<string, StoredAgencyRegistration>> }
    | undefined;

  async function catalogueEntries(ids: string[]): Promise<Map<string, CatalogueEntry>> {
    const t = now();
    const found = new Map<string, CatalogueEntry>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = catalogueCache.get(id);
      if (hit && hit.expires > t) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const rows = await db
      .selectFrom('datasets')
      .innerJoin('organisations', 'organisations.id', 'datasets.agency_id')
      .select(['datasets.id', 'datasets.agency_id', 'datasets.payload_schema', 'organisations.name'])
      .where('datasets.id', 'in', missing)
      .execute();
    for (const r of rows) {
      const entry = {
        dataset: { id: r.id, agencyId: r.agency_id, payloadSchema: r.payload_schema } as unknown as Dataset,
        agencyName: r.name,
      };
      catalogueCache.set(r.id, { ...entry, expires: t + cacheMs });
      found.set(r.id, entry);
    }
    return found;
  }

  function registrations(): Promise<Map<string, StoredAgencyRegistration>> {
    const t = now();
    if (!registrationCache || registrationCache.expires <= t) {
      const byId = storedRegistry.list().then((regs) => new Map(regs.map((r) => [r.agencyId, r])));
      registrationCache = { expires: t + cacheMs, byId };
      byId.catch(() => {
        registrationCache = undefined;
      });
    }
    return registrationCache.byId;
  }

  async function agencyNames(ids: string[]) {
    const rows = await db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  const { d: _private, ...publicJwk } = options.signingKey;

  return {
    registry,
    log,
    /** The platform's public request-signing keys (a JWKS), for agencies to verify requests with. */
    platformKeys: { keys: [publicJwk] } as { keys: JWK[] },

    /**
     * Fetches every requested dataset of one citizen. Resolves with all of them, or rejects with an
     * AppError: the failing dataset's own code when one failed, `exchange.failed` naming every
     * failing agency when several did. Nothing is returned partially.
     */
    async fetch(req: FetchRequest): Promise<FetchResult> {
      const ids = [...new Set(req.datasets)];
      if (ids.length === 0 || ids.length !== req.datasets.length) {
        throw new AppError('request.invalid', {
          summary: 'datasets must be a non-empty list without repeats',
        });
      }
      if (!/^https:\/\/w3id\.org\/dpv#[A-Za-z]+$/.test(req.purpose) || !req.consentId) {
        throw new AppError('request.invalid', {
          summary: 'purpose must be a DPV IRI and consentId non-empty',
        });
      }
      const [datasets, regById] = await Promise.all([catalogueEntries(ids), registrations()]);
      for (const id of ids) if (!datasets.has(id)) throw new AppError('catalogue.dataset-not-found', { id });
      const exchangeId = randomUUID();
      const entries: MessageLogEntry[] = [];

      const outcomes = await Promise.allSettled(
        ids.map(async (id) => {
          const { dataset, agencyName } = datasets.get(id) as CatalogueEntry;
          const agency = {
            agency: agencyName['zh-TW'],
            'agency@en': agencyName.en,
            agencyId: dataset.agencyId,
          };
          const reg = regById.get(dataset.agencyId);
          if (!reg) {
            entries.push(unsent(exchangeId, dataset.agencyId, id, req, 'exchange.agency-not-registered'));
            throw new AppError('exchange.agency-not-registered', agency);
          }
          if (await options.isSuspended?.(dataset.agencyId)) {
            entries.push(unsent(exchangeId, dataset.agencyId, id, req, 'exchange.agency-suspended'));
            throw new AppError('exchange.agency-suspended', agency);
          }
          return fetchOne(exchangeId, channelFor(reg), dataset, agency, req, entries);
        }),
      );
      // Logged before anything is returned or thrown: no data leaves without its record.
      await log.append(entries.sort((a, b) => a.at.getTime() - b.at.getTime()));

      const failures = outcomes.flatMap((o, i) =>
        o.status === 'rejected' ? [{ index: i, error: o.reason }] : [],
      );
      // Anything but a coded exchange error (the database, a bug) goes up as it is, for the HTTP edge to log.
      const unexpected = failures.find((f) => !(f.error instanceof AppError));
      if (unexpected) throw unexpected.error;
      if (failures.length === 0) {
        return {
          exchangeId,
          results: outcomes.map((o) => (o as PromiseFulfilledResult<FetchedDataset>).value),
        };
      }
      const issues = failures.map((f) => ({
        pointer: `/datasets/${f.index}`,
        message: `${f.error.code}: ${f.error.message}`,
      }));
      if (failures.length === 1) {
        const only = (failures[0] as { error: AppError }).error;
        throw new AppError(only.code, only.params, only.issues ?? issues);
      }
      const named = (f: { error: AppError }, lang: '' | '@en') =>
        String(f.error.params[`agency${lang}`] ?? f.error.params.agency ?? f.error.params.agencyId);
      const failing = (lang: '' | '@en') => [...new Set(failures.map((f) => named(f, lang)))];
      throw new AppError(
        'exchange.failed',
        { agencies: failing('').join('、'), 'agencies@en': failing('@en').join(', ') },
        issues,
      );
    },

    /**
     * Asks one agency whether details a citizen gave match its records (identity checks,
     * docs/identity.md): resolves true or false, or rejects with an exchange AppError when the agency
     * cannot answer. The claims travel only in the body; the message log keeps its salted hash.
     */
    async checkIdentity(req: {
      agencyId: string;
      check: string;
      nationalId: string;
      claims: Record<string, string>;
    }): Promise<boolean> {
      const names = await agencyNames([req.agencyId]);
      const agency = {
        agency: names.get(req.agencyId)?.['zh-TW'] ?? req.agencyId,
        'agency@en': names.get(req.agencyId)?.en ?? req.agencyId,
        agencyId: req.agencyId,
      };
      const reg = (await registrations()).get(req.agencyId);
      const exchangeId = randomUUID();
      const consentId = `identity-check:${exchangeId}`;
      const purpose = IDENTITY_CHECK_PURPOSE;
      if (!reg) {
        await log.append([
          unsent(
            exchangeId,
            req.agencyId,
            req.check,
            { consentId, purpose, subject: { nationalId: '' }, datasets: [] },
            'exchange.agency-not-registered',
          ),
        ]);
        throw new AppError('exchange.agency-not-registered', agency);
      }
      if (await options.isSuspended?.(req.agencyId)) throw new AppError('exchange.agency-suspended', agency);
      const channel = channelFor(reg);
      const h = healthOf(reg.agencyId);
      const admitted = h.breaker.admit();
      if (!admitted.ok) {
        throw new AppError('exchange.circuit-open', {
          ...agency,
          retryAfterSeconds: Math.ceil(admitted.retryAfterMs / 1000),
        });
      }
      const body = encodeIdentityCheck({
        check: req.check,
        subject: { nationalId: req.nationalId },
        claims: req.claims,
      });
      const { jti, jws } = await signRequest(
        reg.agencyId,
        req.check,
        { consentId, purpose },
        body,
        EXCHANGE_CHECK_PATH,
      );
      const entry: MessageLogEntry = {
        at: new Date(now()),
        exchangeId,
        requestId: jti,
        agencyId: reg.agencyId,
        datasetId: req.check,
        consentId,
        outcome: 'ok',
        httpStatus: null,
        requestJws: jws,
        responseJws: null,
        responseBodySha256: null,
      };
      const release = await channel.limit.acquire(reg.timeoutMs);
      if (!release) {
        await log.append([{ ...entry, outcome: 'exchange.timeout' }]);
        throw timeoutError(agency, reg);
      }
      let res: Awaited<ReturnType<AgencyTransport['post']>>;
      try {
        res = await channel.transport.post(
          EXCHANGE_CHECK_PATH,
          { [REQUEST_SIGNATURE_HEADER]: jws },
          body,
          reg.timeoutMs,
        );
      } catch (e) {
        const error = transportError(e, agency, reg);
        h.breaker.failure();
        h.state = 'down';
        await log.append([{ ...entry, outcome: error.code }]);
        throw error;
      } finally {
        release?.();
      }
      h.breaker.success();
      h.state = 'up';
      h.checkedAt = new Date(now());
      const signature = res.headers[RESPONSE_SIGNATURE_HEADER];
      const answered: MessageLogEntry = {
        ...entry,
        httpStatus: res.status,
        responseJws: typeof signature === 'string' ? signature : null,
        responseBodySha256: sha256Base64url(res.body),
      };
      const verified = await verifySigned(channel, agency, jws, res);
      let outcome: AppError | boolean;
      if (verified instanceof AppError) outcome = verified;
      else {
        let answer: { check?: unknown; match?: unknown; error?: unknown; message?: unknown } = {};
        try {
          answer = JSON.parse(res.body.toString('utf8'));
        } catch {
          // Refused below as an invalid response.
        }
        if (res.status === 200 && answer.check === req.check && typeof answer.match === 'boolean') {
          outcome = answer.match;
        } else if (res.status === 404 && answer.error === 'no-such-person') {
          outcome = false;
        } else if (res.status === 403 && answer.error === 'not-permitted') {
          outcome = new AppError('exchange.not-permitted', { ...agency, datasetId: req.check });
        } else {
          outcome = new AppError('exchange.invalid-response', {
            ...agency,
            reason: `unexpected answer to ${req.check} (HTTP ${res.status})`,
          });
        }
      }
      await log.append([{ ...answered, outcome: outcome instanceof AppError ? outcome.code : 'ok' }]);
      if (outcome instanceof AppError) throw outcome;
      return outcome;
    },

    /**
     * One test query to an agency that is not (or not yet) registered: a data-provider applicant's
     * connection test (docs/onboarding.md). The channel is built from the given registration and
     * closed afterwards; the query is signed, sent over mutual TLS and verified exactly like one
     * attempt of a real fetch (no retries, no circuit breaker), and logged with consentId
     * `sandbox-probe:<uuid>`. Answers the verified payload or the exchange error a fetch would give.
     */
    async probe(req: ProbeRequest): Promise<ProbeResult> {
      const agencyId = req.dataset.agencyId;
      const names = await agencyNames([agencyId]);
      const agency = {
        agency: names.get(agencyId)?.['zh-TW'] ?? agencyId,
        'agency@en': names.get(agencyId)?.en ?? agencyId,
        agencyId,
      };
      const exchangeId = randomUUID();
      const fetchReq: FetchRequest = {
        consentId: `sandbox-probe:${exchangeId}`,
        purpose: req.purpose,
        subject: { nationalId: req.nationalId },
        datasets: [req.dataset.id],
      };
      const started = now();
      if (await options.isSuspended?.(agencyId)) {
        await log.append([
          unsent(exchangeId, agencyId, req.dataset.id, fetchReq, 'exchange.agency-suspended'),
        ]);
        return { ok: false, latencyMs: 0, error: new AppError('exchange.agency-suspended', agency) };
      }
      const { baseUrl, tlsSpkiSha256, jwks, timeoutMs } = req.registration;
      const channel = openChannel({
        agencyId,
        baseUrl,
        tlsSpkiSha256,
        jwks,
        timeoutMs: timeoutMs ?? 5000,
        maxConcurrency: 1,
        version: 0,
      });
      try {
        const outcome = await attempt(exchangeId, channel, req.dataset as Dataset, agency, fetchReq);
        const latencyMs = Math.max(0, Math.round(now() - started));
        if (outcome.entry) await log.append([outcome.entry]);
        return outcome.ok
          ? { ok: true, latencyMs, payload: outcome.result.payload }
          : { ok: false, latencyMs, error: outcome.error };
      } finally {
        channel.transport.close();
      }
    },

    /** Asks every registered agency's health endpoint once; a success lets an open circuit try again. */
    async checkHealth(): Promise<void> {
      const regs = await registry.list();
      await Promise.all(
        regs.map(async (reg) => {
          const h = healthOf(reg.agencyId);
          try {
            const res = await channelFor(reg).transport.get(EXCHANGE_HEALTH_PATH, reg.timeoutMs);
            h.state = res.status === 200 ? 'up' : 'down';
          } catch {
            h.state = 'down';
          }
          h.checkedAt = new Date(now());
          if (h.state === 'up') h.breaker.probeSucceeded();
        }),
      );
    },

    /** Runs checkHealth every `intervalMs` until close(). */
    startHealthChecks(intervalMs: number): void {
      if (healthTimer) clearInterval(healthTimer);
      healthTimer = setInterval(() => void this.checkHealth().catch(() => {}), intervalMs);
      healthTimer.unref();
    },

    /** Each registered agency's name, health and circuit state; nothing about any citizen. */
    async status(): Promise<AgencyStatus[]> {
      const regs = await registry.list();
      const names = await agencyNames(regs.map((r) => r.agencyId));
      return regs.map((r) => {
        const h = healthOf(r.agencyId);
        return {
          agencyId: r.agencyId,
          name: names.get(r.agencyId) ?? { 'zh-TW': r.agencyId, en: r.agencyId },
          state: h.state,
          circuit: h.breaker.state,
          checkedAt: h.checkedAt?.toISOString() ?? null,
        };
      });
    },

    /** Stops health checks and closes every agency connection. */
    close(): void {
      if (healthTimer) clearInterval(healthTimer);
      for (const c of channels.values()) c.transport.close();
      channels.clear();
    },
  };
}

export type ExchangeGateway = ReturnType<typeof createExchangeGateway>;

function timeoutError(agency: AgencyParams, reg: StoredAgencyRegistration) {
  return new AppError('exchange.timeout', { ...agency, timeoutMs: reg.timeoutMs });
}

function transportError(e: unknown, agency: AgencyParams, reg: StoredAgencyRegistration): AppError {
  if (!(e instanceof TransportError)) {
    return new AppError('exchange.agency-unreachable', {
      ...agency,
      reason: String((e as Error)?.message ?? e),
    });
  }
  switch (e.kind) {
    case 'timeout':
      return timeoutError(agency, reg);
    case 'tls':
      return new AppError('exchange.tls-failure', { ...agency, reason: e.reason });
    case 'too-large':
      return new AppError('exchange.invalid-response', { ...agency, reason: e.reason });
    default:
      return new AppError('exchange.agency-unreachable', { ...agency, reason: e.reason });
  }
}
