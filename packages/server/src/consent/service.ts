/**
 * The consent service: records a citizen's consent with its signed receipt, collects the chosen
 * datasets through the exchange gateway, seals them into a package only the service can open, and
 * hands that package over exactly once. Every state change commits together with its usage-log
 * record, its notifications and its webhook (docs/consent.md).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  type ApplicationProgress,
  type AssuranceLevel,
  type ConsentReceipt,
  type ConsentStatus,
  canonicalReceipt,
  checkAuthorizationDetail,
  checkChoice,
  type ErrorCode,
  initiatorOf,
  initiatorView,
  isConsentReceipt,
  type LocalizedText,
  type MydataAuthorizationDetail,
  ONLINE_MODE,
  PACKAGE_CONTENT_TYPE,
  PACKAGE_ENCRYPTION,
  PACKAGE_JWS_TYPE,
  PACKAGE_KEY_ALGORITHM,
  type PackageDataset,
  PLATFORM_SIGNING_ALGORITHM,
  pairwiseSubject,
  RECEIPT_JWS_TYPE,
  type Service,
  WEBHOOK_JWS_TYPE,
  type WebhookEvent,
} from '@mydata/core';
import { CompactEncrypt, compactVerify, createLocalJWKSet, importJWK, type JWK, SignJWT } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { createCatalogueRepo } from '../catalogue/repository.ts';
import { describeService, type ServiceScreen } from '../catalogue/screen.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import { failedAgencies } from '../exchange/failures.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { Outbox } from '../notify/outbox.ts';
import { createStatisticsRepo } from '../stats/repository.ts';
import { createReceiptSigner, receiptOf } from './receipt.ts';
import type { ConsentSummary, ConsentsTable } from './tables.ts';

type CatalogueRepo = ReturnType<typeof createCatalogueRepo>;
type Tx = Kysely<Database>;
type ConsentRow = Selectable<ConsentsTable>;

/** What the consent service needs of a registered OAuth client. */
export interface ClientDirectory {
  get(clientId: string): Promise<{ encryptionKey: JWK; webhookUrl?: string | undefined } | undefined>;
}

/** The part of the consent screen that describes the request: who asks, why, for which datasets. */
export interface ConsentScreen extends ServiceScreen {
  /** Multi-person services: the initiator's role (whose datasets `datasets` are) and the other parties. */
  role?: { role: string; name: LocalizedText };
  parties?: {
    role: string;
    name: LocalizedText;
    datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  }[];
}

/** The person the initiator names for another party of a multi-person service. */
export interface PartyNomination {
  role: string;
  nationalId: string;
  contact: { email: string } | { mobile: string };
}

/**
 * What consent/parties.ts adds for multi-person services: the other parties are nominated with the
 * initiator's consent, invited once the initiator's data is collected, and the package is made when
 * all have consented.
 */
export interface ApplicationHooks {
  /** How long the initiator's consent waits for the other parties (their invitations' lifetime + 10 min). */
  lifetimeMs(): number;
  /** Refuses nominations that do not fit the service, before anything is stored. */
  check(
    service: Service,
    detail: MydataAuthorizationDetail,
    parties: PartyNomination[] | undefined,
    nationalId: string,
  ): void;
  nominate(
    tx: Tx,
    consent: ConsentRow,
    service: Service,
    detail: MydataAuthorizationDetail,
    parties: PartyNomination[],
    nationalId: string,
    at: Date,
  ): Promise<void>;
  /** The initiator's data arrived: it waits sealed and the invitations go out. */
  collected(consent: ConsentRow, datasets: PackageDataset[], nationalId: string): Promise<CollectResult>;
  /** The package was handed over: the other parties' transfer entries. */
  taken(tx: Tx, consent: ConsentRow, at: Date): Promise<void>;
  progress(consentId: string): Promise<ApplicationProgress | undefined>;
}

/** A consent as its citizen sees it. */
export interface ConsentView extends ConsentSummary {
  id: string;
  status: ConsentStatus;
  createdAt: string;
  statusChangedAt: string;
  expiresAt: string;
  /** Why the last collection failed, while the consent is pending. */
  problem?: { code: ErrorCode; params: Record<string, string | number> };
}

export type CollectResult =
  | { consent: ConsentView; ready: true }
  | { consent: ConsentView; ready: false; error: AppError };

export interface AcceptInput {
  /** The citizen's account id (the session's citizenId). */
  citizenId: string;
  serviceId: string;
  detail: MydataAuthorizationDetail;
  /** The datasets the citizen chose, a subset of the request holding every required one. */
  chosen: string[];
  assurance: AssuranceLevel;
  methods: string[];
  interactionUid?: string;
  /** Multi-person services: who the initiator names for each other party. */
  parties?: PartyNomination[];
}

export type WithdrawnListener = (consent: {
  id: string;
  clientId: string;
  grantId?: string;
}) => Promise<void>;

/**
 * Whether a service may deal with citizens now: the operator console refuses a suspended provider
 * (`consent.service-suspended`) and a sandbox service for anyone but a test persona.
 */
export interface ServiceGate {
  assertOpen(service: { id: string; providerId: string }, nationalId?: string): Promise<void>;
}

export type ReceiptVerification = { valid: true; receipt: ConsentReceipt } | { valid: false; reason: string };

export interface ConsentServiceOptions {
  db: Db;
  catalogue: Pick<CatalogueRepo, 'getService' | 'getOrganisation' | 'getDatasetsByIds'>;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  /** The notification outbox; webhooks are queued in it. */
  outbox: Pick<Outbox, 'enqueueWebhook'>;
  identityRepo: Pick<IdentityRepo, 'nationalIdOf' | 'loggableOf' | 'citizenRef'>;
  /** The platform's ES256 private JWK with kid (PlatformKeys.oauthSigning). */
  signingKey: JWK;
  /** The issuer: PUBLIC_URL without a trailing slash. */
  issuer: string;
  /** Key of the pairwise subjects, the same the ID tokens use. */
  pairwiseKey: Uint8Array;
  clients: ClientDirectory;
  /** Checked on every consent screen, consent and package hand-over; none when omitted. */
  gate?: ServiceGate;
  /** How long a consent may wait for its package to be fetched (600 s). */
  packageTtlSeconds?: number;
  now?: () => Date;
  /** Told of failures that must not fail the citizen's request (a withdrawal listener). */
  onError?: (error: unknown, context: string) => void;
}

const b64urlSha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const iso = (d: Date | string) => new Date(d).toISOString();
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

/** Builds the consent service. */
export function createConsentService(o: ConsentServiceOptions) {
  const { db, catalogue, gateway, recorder, outbox, identityRepo, issuer, clients } = o;
  const now = o.now ?? (() => new Date());
  const ttlMs = (o.packageTtlSeconds ?? 600) * 1000;
  const onError = o.onError ?? (() => {});
  const stats = createStatisticsRepo(db);
  const kid = o.signingKey.kid;
  if (!kid) throw new Error('the platform signing key needs a kid');
  // Imported once: a key import costs more than the signature it makes.
  const signingKey = importJWK(o.signingKey, PLATFORM_SIGNING_ALGORITHM);
  const signReceipt = createReceiptSigner(o.signingKey);
  const { d: _private, ...publicJwk } = o.signingKey;
  const verifyKeys = createLocalJWKSet({ keys: [publicJwk] });
  const encryptionKeys = new Map<string, ReturnType<typeof importJWK>>();
  const listeners: WithdrawnListener[] = [];
  let applications: ApplicationHooks | undefined;

  function encryptionKeyOf(jwk: JWK) {
    const cacheKey = `${jwk.kid ?? ''}:${jwk.x ?? ''}:${jwk.y ?? ''}`;
    let key = encryptionKeys.get(cacheKey);
    if (!key) {
      key = importJWK({ ...jwk, alg: PACKAGE_KEY_ALGORITHM }, PACKAGE_KEY_ALGORITHM);
      // A key that fails to import is not kept: the next request tries again.
      key.catch(() => encryptionKeys.delete(cacheKey));
      encryptionKeys.set(cacheKey, key);
    }
    return key;
  }

  async function clientOf(clientId: string) {
    const client = await clients.get(clientId);
    if (!client) throw new Error(`service ${clientId} has no registered OAuth client`);
    return client;
  }

  function toView(row: ConsentRow): ConsentView {
    const summary = row.summary as ConsentSummary;
    const problem = row.problem as ConsentView['problem'] | null;
    return {
      id: row.id,
      status: row.status as ConsentStatus,
      createdAt: iso(row.created_at),
      statusChangedAt: iso(row.status_changed_at),
      expiresAt: iso(row.expires_at),
      service: summary.service,
      provider: summary.provider,
      purpose: summary.purpose,
      datasets: summary.datasets,
      ...(problem && row.status === 'pending' ? { problem } : {}),
    };
  }

  async function lockConsent(tx: Tx, id: string) {
    return tx.selectFrom('consents').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  /** Queues a signed event for the service's webhook, in the caller's transaction. */
  async function queueWebhook(
    tx: Tx,
    row: ConsentRow,
    event: WebhookEvent,
    webhookUrl: string | undefined,
    at: Date,
    extra: { progress?: ApplicationProgress } = {},
  ): Promise<void> {
    if (!webhookUrl) return;
    const body = await new SignJWT({ event, consentId: row.id, ...extra })
      .setProtectedHeader({ alg: PLATFORM_SIGNING_ALGORITHM, typ: WEBHOOK_JWS_TYPE, kid })
      .setIssuer(issuer)
      .setAudience(row.client_id)
      .setSubject(row.subject)
      .setIssuedAt(seconds(at))
      .setJti(randomUUID())
      .sign(await signingKey);
    await outbox.enqueueWebhook({ url: webhookUrl, body, event }, tx);
  }

  async function changeStatus(
    tx: Tx,
    row: ConsentRow,
    status: ConsentStatus,
    at: Date,
    extra: { end_reason?: string; problem?: null } = {},
  ): Promise<ConsentRow> {
    await tx
      .updateTable('consents')
      .set({ status, status_changed_at: at, ...extra })
      .where('id', '=', row.id)
      .execute();
    return { ...row, status, status_changed_at: at, ...extra } as ConsentRow;
  }

  const summaryOf = (service: Service, datasetIds: string[]): Promise<ConsentScreen> =>
    describeService(catalogue, service, datasetIds);

  /** Collects the consent's datasets and, when all arrived, stores the package and makes it active. */
  async function collect(row: ConsentRow, nationalId: string): Promise<CollectResult> {
    const client = await clientOf(row.client_id);
    const datasets = row.datasets as string[];
    const summary = row.summary as ConsentSummary;
    const logged = {
      citizenId: nationalId,
      datasets,
      serviceId: row.client_id,
      purpose: row.purpose,
      consentId: row.id,
    };
    let fetched: Awaited<ReturnType<ExchangeGateway['fetch']>>;
    try {
      fetched = await gateway.fetch({
        consentId: row.id,
        purpose: row.purpose,
        subject: { nationalId },
        datasets,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const at = now();
      const failed = await db.transaction().execute(async (tx) => {
        const current = await lockConsent(tx, row.id);
        if (current?.status !== 'pending') return current;
        const problem = { code: error.code, params: error.params };
        await tx
          .updateTable('consents')
          .set({ problem: JSON.stringify(problem) })
          .where('id', '=', row.id)
          .execute();
        const agencyIds = failedAgencies(
          error,
          datasets.map((id) => ({ agencyId: summary.datasets.find((d) => d.id === id)?.agency.id ?? '' })),
        );
        await recorder.record(
          {
            ...logged,
            event: 'transfer',
            outcome: 'failure',
            occurredAt: at,
            ...(agencyIds.length ? { agencyIds } : {}),
            details: {
              code: error.code,
              agency: String(error.params.agency ?? error.params.agencies ?? error.params.agencyId ?? ''),
            },
          },
          { tx },
        );
        await queueWebhook(tx, current, 'transfer.failed', client.webhookUrl, at);
        return { ...current, problem } as ConsentRow;
      });
      return { consent: toView(failed ?? row), ready: false, error };
    }

    const at = now();
    const byId = new Map(fetched.results.map((r) => [r.datasetId, r]));
    const packaged: PackageDataset[] = datasets.map((id) => {
      const r = byId.get(id);
      if (!r) throw new Error(`the gateway returned no ${id}`);
      return {
        datasetId: r.datasetId,
        agencyId: r.agencyId,
        data: r.payload,
        agency: {
          responseSignature: r.providerSignature,
          responseBody: r.providerBody,
          requestSignature: r.requestSignature,
        },
        receivedAt: r.receivedAt,
      };
    });
    if (summary.role && applications) return applications.collected(row, packaged, nationalId);
    const jwe = await sealPackage(row, packaged, at, {});

    const stored = await db.transaction().execute(async (tx) => {
      const current = await lockConsent(tx, row.id);
      if (current?.status !== 'pending') return { row: current, ok: false as const };
      await tx.insertInto('consent_packages').values({ consent_id: row.id, jwe, created_at: at }).execute();
      return { row: await changeStatus(tx, current, 'active', at, { problem: null }), ok: true as const };
    });
    if (stored.ok) return { consent: toView(stored.row), ready: true };
    // Withdrawn or expired while the agencies answered: the data is dropped, never stored.
    const status = stored.row?.status ?? 'withdrawn';
    return {
      consent: stored.row ? toView(stored.row) : toView(row),
      ready: false,
      error: new AppError('consent.not-withdrawable', { id: row.id, status }),
    };
  }

  /** Signs a package for the consent's service and encrypts it to the service's key (docs/package.md). */
  async function sealPackage(
    row: ConsentRow,
    packaged: PackageDataset[],
    at: Date,
    extra: { role?: string; parties?: unknown[] },
  ): Promise<string> {
    const client = await clientOf(row.client_id);
    const expiresAt = new Date(row.expires_at);
    const jws = await new SignJWT({
      consent: { id: row.id, receiptSha256: row.receipt_sha256 },
      service: row.client_id,
      purpose: row.purpose,
      mode: ONLINE_MODE,
      datasets: packaged,
      ...extra,
    })
      .setProtectedHeader({ alg: PLATFORM_SIGNING_ALGORITHM, typ: PACKAGE_JWS_TYPE, kid })
      .setIssuer(issuer)
      .setAudience(row.client_id)
      .setSubject(row.subject)
      .setJti(randomUUID())
      .setIssuedAt(seconds(at))
      .setExpirationTime(seconds(expiresAt))
      .sign(await signingKey);
    const encKey = client.encryptionKey;
    const jwe = await new CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({
        alg: PACKAGE_KEY_ALGORITHM,
        enc: PACKAGE_ENCRYPTION,
        cty: PACKAGE_CONTENT_TYPE,
        ...(encKey.kid ? { kid: encKey.kid } : {}),
      })
      .encrypt(await encryptionKeyOf(encKey));
    return jwe;
  }

  async function ownConsent(id: string, citizenId: string, q: Tx = db): Promise<ConsentRow> {
    const row = await q
      .selectFrom('consents')
      .selectAll()
      .where('id', '=', id)
      .where('citizen_id', '=', citizenId)
      .executeTakeFirst();
    if (!row) throw new AppError('consent.not-found', { id });
    return row;
  }

  /** Ends a consent that ran past its lifetime: package deleted, service told. */
  async function expireRow(tx: Tx, row: ConsentRow, at: Date, webhookUrl: string | undefined) {
    await tx.deleteFrom('consent_packages').where('consent_id', '=', row.id).execute();
    const ended = await changeStatus(tx, row, 'expired', at, { end_reason: 'expired' });
    await queueWebhook(tx, ended, 'consent.expired', webhookUrl, at);
    return ended;
  }

  return {
    /** What a request asks for, as the consent screen shows it; throws the consent.* codes when the request is not acceptable. */
    async describeRequest(detail: MydataAuthorizationDetail, serviceId: string): Promise<ConsentScreen> {
      const service = await catalogue.getService(serviceId);
      await o.gate?.assertOpen(service);
      const checked = checkAuthorizationDetail(detail, service);
      const initiator = initiatorOf(service);
      if (!initiator) return summaryOf(service, checked.datasets);
      // A multi-person service: the initiator consents to their own datasets and names the others.
      const own = checked.datasets.filter((id) => initiator.datasets.includes(id));
      const all = await summaryOf(service, checked.datasets);
      const others = (service.parties ?? []).filter((p) => !p.initiator);
      return {
        ...all,
        datasets: all.datasets.filter((d) => own.includes(d.id)),
        role: { role: initiator.role, name: initiator.name },
        parties: others.map((p) => ({
          role: p.role,
          name: p.name,
          datasets: all.datasets
            .filter((d) => p.datasets.includes(d.id))
            .map((d) => ({ id: d.id, name: d.name, agency: d.agency })),
        })),
      };
    },

    /**
     * Records the citizen's consent (pending, with its signed receipt and a `consent-given` log
     * entry), then collects the data. Ready when the package is stored; otherwise the coded error
     * naming the agency, and the consent stays pending for a retry.
     */
    async accept(input: AcceptInput): Promise<CollectResult> {
      const full = await catalogue.getService(input.serviceId);
      const detail = checkAuthorizationDetail(input.detail, full);
      // The initiator of a multi-person service consents only to their own datasets.
      const initiator = initiatorOf(full);
      const service = initiatorView(full);
      const chosen = checkChoice(detail, service, input.chosen);
      if (initiator && !applications) throw new Error('multi-person services need consent/parties.ts wired');
      await clientOf(service.id);
      const screen = await summaryOf(service, chosen);
      const nationalId = await identityRepo.nationalIdOf(input.citizenId);
      // Refused before anything is stored: nothing half-given to a suspended or sandbox service.
      await o.gate?.assertOpen(service, nationalId);
      if (initiator) applications?.check(full, detail, input.parties, nationalId);
      const subject = pairwiseSubject(o.pairwiseKey, identityRepo.citizenRef(nationalId), service.id);
      const id = randomUUID();
      const at = now();
      const expiresAt = new Date(
        at.getTime() + (initiator && applications ? applications.lifetimeMs() : ttlMs),
      );
      const receiptJws = await signReceipt(
        receiptOf({
          id,
          at,
          issuer,
          screen,
          subject,
          mode: service.mode,
          validUntil: expiresAt,
          assurance: { level: input.assurance, methods: input.methods },
        }),
      );
      const summary: ConsentSummary = {
        service: { id: service.id, name: service.name },
        provider: { id: screen.service.provider.id, name: screen.service.provider.name },
        purpose: screen.purpose,
        datasets: screen.datasets.map((d) => ({ id: d.id, name: d.name, agency: d.agency })),
        ...(initiator ? { role: initiator.role } : {}),
      };
      const row = await db.transaction().execute(async (tx) => {
        const values = {
          id,
          citizen_id: input.citizenId,
          client_id: service.id,
          subject,
          status: 'pending',
          purpose: service.purpose.dpv,
          datasets: JSON.stringify(chosen),
          summary: JSON.stringify(summary),
          receipt: receiptJws,
          receipt_sha256: b64urlSha256(receiptJws),
          interaction_uid: input.interactionUid ?? null,
          grant_id: null,
          problem: null,
          end_reason: null,
          created_at: at,
          status_changed_at: at,
          expires_at: expiresAt,
        };
        await tx.insertInto('consents').values(values).execute();
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'consent-given',
            datasets: chosen,
            serviceId: service.id,
            purpose: service.purpose.dpv,
            consentId: id,
            occurredAt: at,
            details: { assurance: input.assurance },
          },
          { tx },
        );
        const row = { ...values, datasets: chosen, summary, problem: null } as unknown as ConsentRow;
        if (initiator && applications) {
          await applications.nominate(tx, row, full, detail, input.parties ?? [], nationalId, at);
        }
        return row;
      });
      return collect(row, nationalId);
    },

    /** Collects a pending consent's data again after a failure; an active one is ready as it is. */
    async retry(consentId: string, citizenId: string): Promise<CollectResult> {
      const row = await ownConsent(consentId, citizenId);
      const at = now();
      if ((row.status === 'pending' || row.status === 'active') && new Date(row.expires_at) <= at) {
        // Past its lifetime but not swept yet: it ends now, as the sweeper would end it.
        const client = await clients.get(row.client_id);
        const status = await db.transaction().execute(async (tx) => {
          const current = await lockConsent(tx, consentId);
          if (current?.status !== 'pending' && current?.status !== 'active')
            return current?.status ?? 'expired';
          await expireRow(tx, current, at, client?.webhookUrl);
          return 'expired';
        });
        throw new AppError('consent.not-withdrawable', { id: consentId, status });
      }
      if (row.status === 'active') return { consent: toView(row), ready: true };
      if (row.status !== 'pending') {
        throw new AppError('consent.not-withdrawable', { id: consentId, status: row.status });
      }
      const nationalId = await identityRepo.nationalIdOf(citizenId);
      await o.gate?.assertOpen(await catalogue.getService(row.client_id), nationalId);
      return collect(row, nationalId);
    },

    /**
     * Ends a pending or active consent at the citizen's word: the package is deleted, the usage log
     * records `consent-withdrawn` (and the citizen is notified), the service's webhook is queued,
     * all in one transaction; then the withdrawal listeners run (the OAuth grant is revoked).
     */
    async withdraw(
      consentId: string,
      citizenId: string,
      reason: 'withdrawn' | 'cancelled' = 'withdrawn',
    ): Promise<ConsentView> {
      const existing = await ownConsent(consentId, citizenId);
      const client = await clients.get(existing.client_id);
      const at = now();
      const ended = await db.transaction().execute(async (tx) => {
        const row = await lockConsent(tx, consentId);
        if (!row) throw new AppError('consent.not-found', { id: consentId });
        if (row.status !== 'pending' && row.status !== 'active') {
          throw new AppError('consent.not-withdrawable', { id: consentId, status: row.status });
        }
        await tx.deleteFrom('consent_packages').where('consent_id', '=', consentId).execute();
        const done = await changeStatus(tx, row, 'withdrawn', at, { end_reason: reason });
        const summary = row.summary as ConsentSummary;
        const { nationalId, notify } = await identityRepo.loggableOf(citizenId, tx);
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'consent-withdrawn',
            datasets: row.datasets as string[],
            serviceId: row.client_id,
            purpose: row.purpose,
            consentId,
            occurredAt: at,
            details: { reason, previousStatus: row.status },
          },
          {
            tx,
            ...(notify ? { notify } : {}),
            params: {
              service: `${summary.service.name['zh-TW']}（${summary.provider.name['zh-TW']}）`,
              datasets: summary.datasets.map((d) => d.name['zh-TW']),
            },
          },
        );
        await queueWebhook(tx, done, 'consent.withdrawn', client?.webhookUrl, at);
        return done;
      });
      for (const listener of listeners) {
        try {
          await listener({
            id: ended.id,
            clientId: ended.client_id,
            ...(ended.grant_id ? { grantId: ended.grant_id } : {}),
          });
        } catch (error) {
          onError(error, `withdrawal listener for consent ${consentId}`);
        }
      }
      return toView(ended);
    },

    /** Wires the multi-person applications (consent/parties.ts). */
    useApplications(hooks: ApplicationHooks): void {
      applications = hooks;
    },

    /** Where the application of a consent stands: a one-person consent has no parties; undefined when there is no such consent. */
    async applicationProgress(consentId: string): Promise<ApplicationProgress | undefined> {
      return applications?.progress(consentId);
    },

    /**
     * How long the access token of a consent may live, in seconds: a multi-person application's
     * token waits for the other parties (until the consent's end); undefined means the default.
     */
    async accessTokenSeconds(consentId: string): Promise<number | undefined> {
      const row = await db
        .selectFrom('consents')
        .select(['summary', 'expires_at', 'status'])
        .where('id', '=', consentId)
        .executeTakeFirst();
      if (!row || !(row.summary as ConsentSummary).role) return undefined;
      return Math.max(1, Math.ceil((new Date(row.expires_at).getTime() - now().getTime()) / 1000));
    },

    /** What consent/parties.ts shares with this service: package sealing, webhooks, receipts, listeners. */
    internals: {
      toView,
      lockConsent,
      changeStatus,
      sealPackage,
      queueWebhook,
      /** The operator console's suspension and sandbox checks, for the other parties' consents too. */
      async assertOpen(service: Service, nationalId?: string) {
        await o.gate?.assertOpen(service, nationalId);
      },
      /** Looked up before a transaction: the directory may read the database on its own connection. */
      async webhookUrlOf(clientId: string): Promise<string | undefined> {
        return (await clients.get(clientId))?.webhookUrl;
      },
      signReceipt,
      summaryOf,
      async runWithdrawnListeners(row: ConsentRow) {
        for (const listener of listeners) {
          try {
            await listener({
              id: row.id,
              clientId: row.client_id,
              ...(row.grant_id ? { grantId: row.grant_id } : {}),
            });
          } catch (error) {
            onError(error, `withdrawal listener for consent ${row.id}`);
          }
        }
      },
    },

    /** Registers a listener called after each withdrawal commits (the OAuth layer revokes the grant). */
    onWithdrawn(listener: WithdrawnListener): void {
      listeners.push(listener);
    },

    /** Remembers the OAuth grant made for a consent, so a withdrawal can revoke it. */
    async attachGrant(consentId: string, grantId: string): Promise<void> {
      await db.updateTable('consents').set({ grant_id: grantId }).where('id', '=', consentId).execute();
    },

    /**
     * Hands the package to its service exactly once: the package row is deleted and the consent
     * becomes used in one transaction, with a notified `transfer` log entry. A second take, even a
     * concurrent one, gets `transfer.package-gone`; a pending consent `transfer.package-not-ready`.
     */
    async takePackage(consentId: string, clientId: string): Promise<string> {
      // Withheld, not deleted, while the provider is suspended: reinstated in time, it can still fetch.
      if (o.gate) await o.gate.assertOpen(await catalogue.getService(clientId));
      const client = await clients.get(clientId);
      const at = now();
      const outcome = await db
        .transaction()
        .execute(async (tx): Promise<{ jwe: string; datasets: string[] } | { error: AppError }> => {
          const row = await lockConsent(tx, consentId);
          if (!row || row.client_id !== clientId) return { error: new AppError('transfer.invalid-token') };
          if ((row.status === 'pending' || row.status === 'active') && new Date(row.expires_at) <= at) {
            await expireRow(tx, row, at, client?.webhookUrl);
            return { error: new AppError('transfer.package-gone', { status: 'expired' }) };
          }
          if (row.status === 'pending') return { error: new AppError('transfer.package-not-ready') };
          if (row.status !== 'active')
            return { error: new AppError('transfer.package-gone', { status: row.status }) };
          const taken = await tx
            .deleteFrom('consent_packages')
            .where('consent_id', '=', consentId)
            .returning('jwe')
            .executeTakeFirst();
          if (!taken) return { error: new AppError('transfer.package-gone', { status: row.status }) };
          await changeStatus(tx, row, 'used', at);
          const summary = row.summary as ConsentSummary;
          const { nationalId, notify } = await identityRepo.loggableOf(row.citizen_id, tx);
          await recorder.record(
            {
              citizenId: nationalId,
              event: 'transfer',
              datasets: row.datasets as string[],
              serviceId: row.client_id,
              agencyIds: [...new Set(summary.datasets.map((d) => d.agency.id))],
              purpose: row.purpose,
              consentId,
              outcome: 'success',
              occurredAt: at,
            },
            {
              tx,
              ...(notify ? { notify } : {}),
              params: {
                service: `${summary.service.name['zh-TW']}（${summary.provider.name['zh-TW']}）`,
                datasets: summary.datasets.map((d) => d.name['zh-TW']),
              },
            },
          );
          if (summary.role && applications) await applications.taken(tx, row, at);
          return { jwe: taken.jwe, datasets: row.datasets as string[] };
        });
      if ('error' in outcome) throw outcome.error;
      // Counted for the public statistics once the hand-over committed, outside it so that busy
      // months' counter rows never hold a transfer's locks; losing a count must not cost the package.
      await stats
        .recordUse({ kind: 'transfer', serviceId: clientId, datasetIds: outcome.datasets, at })
        .catch((error: unknown) => onError(error, `statistics of transfer ${consentId}`));
      return outcome.jwe;
    },

    /** Expires every pending or active consent past its lifetime; returns how many. Safe to run from several processes. */
    async expireDue(at: Date = now()): Promise<number> {
      const due = await db
        .selectFrom('consents')
        .select(['id', 'client_id'])
        .where('status', 'in', ['pending', 'active'])
        .where('expires_at', '<=', at)
        .orderBy('expires_at')
        .limit(1000)
        .execute();
      let expired = 0;
      for (const d of due) {
        const client = await clients.get(d.client_id);
        const done = await db.transaction().execute(async (tx) => {
          const row = await lockConsent(tx, d.id);
          if (!row || (row.status !== 'pending' && row.status !== 'active')) return false;
          if (new Date(row.expires_at) > at) return false;
          await expireRow(tx, row, at, client?.webhookUrl);
          return true;
        });
        if (done) expired += 1;
      }
      return expired;
    },

    /** The citizen's consents, newest first, optionally of one status. */
    async list(citizenId: string, status?: ConsentStatus): Promise<ConsentView[]> {
      let q = db.selectFrom('consents').selectAll().where('citizen_id', '=', citizenId);
      if (status) q = q.where('status', '=', status);
      const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(500).execute();
      return rows.map(toView);
    },

    /** One of the citizen's consents with its receipt record; `consent.not-found` otherwise. */
    async get(consentId: string, citizenId: string): Promise<ConsentView & { receipt: ConsentReceipt }> {
      const row = await ownConsent(consentId, citizenId);
      const payload = JSON.parse(Buffer.from(row.receipt.split('.')[1] ?? '', 'base64url').toString('utf8'));
      return { ...toView(row), receipt: payload as ConsentReceipt };
    },

    /** The signed receipt (compact JWS) of one of the citizen's consents. */
    async receipt(consentId: string, citizenId: string): Promise<string> {
      return (await ownConsent(consentId, citizenId)).receipt;
    },

    /**
     * Checks a receipt: signed by this platform's key with the receipt `typ`, its payload the
     * canonical form of a receipt record. Anyone may ask; nothing is looked up about the citizen.
     */
    async verifyReceipt(jws: string): Promise<ReceiptVerification> {
      let payload: Uint8Array;
      try {
        const verified = await compactVerify(jws, verifyKeys, { algorithms: [PLATFORM_SIGNING_ALGORITHM] });
        if (verified.protectedHeader.typ !== RECEIPT_JWS_TYPE) {
          return {
            valid: false,
            reason: `not a consent receipt (typ ${String(verified.protectedHeader.typ)})`,
          };
        }
        payload = verified.payload;
      } catch (error) {
        return {
          valid: false,
          reason: `the signature does not verify with the platform's keys (${(error as Error).message})`,
        };
      }
      const text = new TextDecoder().decode(payload);
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch {
        return { valid: false, reason: 'the payload is not JSON' };
      }
      if (!isConsentReceipt(record)) return { valid: false, reason: 'the payload is not a consent receipt' };
      if (canonicalReceipt(record) !== text) {
        return { valid: false, reason: 'the payload is not in canonical form (RFC 8785)' };
      }
      return { valid: true, receipt: record };
    },

    /** The platform's public signing key, as published in the OAuth JWKS. */
    publicJwk: publicJwk as JWK,
  };
}

export type ConsentService = ReturnType<typeof createConsentService>;
