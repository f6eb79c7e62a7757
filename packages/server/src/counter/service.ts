/**
 * Counter verification (臨櫃核驗, docs/counter.md): the citizen consents to a counter service, the
 * platform collects the datasets through the exchange gateway (all or nothing) and keeps them sealed
 * as a case with a signed consent receipt. The citizen's page shows a QR code and a short code that
 * change every period; a counter clerk of the service's provider scans or types one, once, and sees
 * the data. The redemption, its notified usage-log entry and the dropping of the sealed data commit
 * in one transaction.
 */

import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  type AssuranceLevel,
  type ClerkDesk,
  type CounterCode,
  type CounterRedemption,
  checkChoice,
  counterTokenMessage,
  formatCounterCode,
  formatCounterToken,
  type LocalizedText,
  normaliseCounterCode,
  pairwiseSubject,
  parseCounterToken,
  randomCounterCode,
  type Service,
} from '@mydata/core';
import type { JWK } from 'jose';
import type { Kysely, Selectable } from 'kysely';
import type { createCatalogueRepo } from '../catalogue/repository.ts';
import { describeService, type ServiceScreen } from '../catalogue/screen.ts';
import type { Suspensions } from '../catalogue/suspension.ts';
import { createReceiptSigner, receiptOf } from '../consent/receipt.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { expireWaiting } from '../db/expire.ts';
import type { Database } from '../db/schema.ts';
import { failedAgencies } from '../exchange/failures.ts';
import type { ExchangeGateway, FetchedDataset } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { StaffRepo } from '../staff/repository.ts';
import { createStatisticsRepo } from '../stats/repository.ts';
import type { CounterCasesTable } from './tables.ts';

type CatalogueRepo = ReturnType<typeof createCatalogueRepo>;
type Tx = Kysely<Database>;
type CaseRow = Selectable<CounterCasesTable>;

/** How long things live; tests shorten them. */
export interface CounterSettings {
  /** A QR and short code (COUNTER_CODE_SECONDS, 60 s). */
  codeSeconds: number;
  /** A case never redeemed (30 min). */
  caseSeconds: number;
  /** The clerk's view of the data after redemption (10 min). */
  viewSeconds: number;
  /** Wrong typed codes or forged QR codes a clerk may send per window before a pause (10 per 10 min). */
  maxWrongCodes: number;
  wrongCodeWindowSeconds: number;
}

export const DEFAULT_COUNTER_SETTINGS: CounterSettings = {
  codeSeconds: 60,
  caseSeconds: 30 * 60,
  viewSeconds: 10 * 60,
  maxWrongCodes: 10,
  wrongCodeWindowSeconds: 10 * 60,
};

export interface CounterServiceOptions {
  db: Db;
  catalogue: Pick<CatalogueRepo, 'getService' | 'getOrganisation' | 'getDatasetsByIds' | 'listServices'>;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  identityRepo: Pick<
    IdentityRepo,
    'nationalIdOf' | 'loggableOf' | 'citizenRef' | 'citizenRefOf' | 'countFailure' | 'lockedUntil'
  >;
  staff: Pick<StaffRepo, 'rolesOf'>;
  suspensions: Pick<Suspensions, 'ofOrganisation'>;
  /** Seals the collected data while the case waits (the at-rest key ring). */
  envelope: Envelope;
  /** The platform's ES256 private JWK with kid (PlatformKeys.oauthSigning): signs the receipts. */
  signingKey: JWK;
  /** PUBLIC_URL without a trailing slash. */
  issuer: string;
  /** Key of the pairwise subjects, the same the consents use. */
  pairwiseKey: Uint8Array;
  /** MAC key of the QR tokens and short-code hashes, derived from the platform keys. */
  codeKey: Uint8Array;
  settings?: Partial<CounterSettings>;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

/** What the citizen reviews before consenting: the same content as the online consent screen. */
export type CounterScreen = ServiceScreen;

interface CaseSummary {
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: {
    id: string;
    name: LocalizedText;
    agency: { id: string; name: LocalizedText };
    fields: { name: string; label: LocalizedText }[];
  }[];
}

/** A counter case as its citizen sees it. */
export interface CounterCaseView {
  id: string;
  status: CounterCasesTable['status'];
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
  createdAt: string;
  expiresAt: string;
  redeemedAt: string | null;
  /** How long each code lives, so the page knows when to ask for the next. */
  codeSeconds: number;
}

const b64urlSha256 = (text: string) => createHash('sha256').update(text).digest('base64url');
const iso = (d: Date | string) => new Date(d).toISOString();
const sealContext = (id: string) => `counter:${id}`;
const localized = (name: string, text: LocalizedText) => ({
  [name]: text['zh-TW'],
  [`${name}@zh-TW`]: text['zh-TW'],
  [`${name}@en`]: text.en,
});

/** A payload value as a line of text for the clerk; nested records one per line. */
function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(display).join('\n');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join(', ');
  }
  return String(value);
}

/** Builds the counter service. */
export function createCounterService(o: CounterServiceOptions) {
  const { db, catalogue, gateway, recorder, identityRepo, staff, suspensions, envelope, issuer } = o;
  const settings: CounterSettings = { ...DEFAULT_COUNTER_SETTINGS, ...o.settings };
  const now = o.now ?? (() => new Date());
  const onError = o.onError ?? (() => {});
  const stats = createStatisticsRepo(db);
  const signReceipt = createReceiptSigner(o.signingKey);
  const mac = (label: string, text: string) =>
    createHmac('sha256', o.codeKey).update(`${label}\n${text}`).digest('base64url');
  const codeHash = (code: string) => mac('short-code', code);
  const failureKey = (clerkRef: string) => `counter-code:${clerkRef}`;

  async function counterService(serviceId: string): Promise<Service> {
    let service: Service;
    try {
      service = await catalogue.getService(serviceId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'catalogue.service-not-found') {
        throw new AppError('counter.service-not-found', { serviceId });
      }
      throw error;
    }
    if (service.mode !== 'counter') throw new AppError('counter.service-not-found', { serviceId });
    return service;
  }

  async function orgName(id: string): Promise<LocalizedText> {
    try {
      return (await catalogue.getOrganisation(id)).name;
    } catch {
      return { 'zh-TW': id, en: id };
    }
  }

  async function assertNotSuspended(providerId: string): Promise<void> {
    if (await suspensions.ofOrganisation(providerId)) {
      throw new AppError('counter.provider-suspended', localized('provider', await orgName(providerId)));
    }
  }

  const screenOf = (service: Service, datasetIds: string[]): Promise<CounterScreen> =>
    describeService(catalogue, service, datasetIds);

  async function chosenScreen(serviceId: string, chosen: string[]): Promise<CounterScreen> {
    const service = await counterService(serviceId);
    const all = service.datasets.map((d) => d.datasetId);
    const ordered = checkChoice(
      { type: 'mydata', datasets: all, purpose: service.purpose.dpv, mode: service.mode },
      service,
      chosen,
    );
    return screenOf(service, ordered);
  }

  function toView(row: CaseRow): CounterCaseView {
    const summary = row.summary as CaseSummary;
    return {
      id: row.id,
      status: row.status,
      service: summary.service,
      provider: summary.provider,
      purpose: summary.purpose,
      datasets: summary.datasets.map((d) => ({ id: d.id, name: d.name, agency: d.agency })),
      createdAt: iso(row.created_at),
      expiresAt: iso(row.expires_at),
      redeemedAt: row.redeemed_at ? iso(row.redeemed_at) : null,
      codeSeconds: settings.codeSeconds,
    };
  }

  async function ownCase(caseId: string, citizenId: string): Promise<CaseRow> {
    const row = await db
      .selectFrom('counter_cases')
      .selectAll()
      .where('id', '=', caseId)
      .where('citizen_id', '=', citizenId)
      .executeTakeFirst();
    if (!row) throw new AppError('counter.case-not-found', { caseId });
    return row;
  }

  async function expireCase(tx: Tx, id: string): Promise<void> {
    await tx
      .updateTable('counter_cases')
      .set({ status: 'expired', sealed: null })
      .where('id', '=', id)
      .where('status', '=', 'ready')
      .execute();
    await tx.updateTable('counter_codes').set({ status: 'superseded' }).where('case_id', '=', id).execute();
  }

  /** The clerk's keyed reference and the organisations they are a counter clerk of; `counter.not-a-clerk` otherwise. */
  async function clerkOf(citizenId: string): Promise<{ ref: string; orgs: Map<string, string> }> {
    const ref = await identityRepo.citizenRefOf(citizenId);
    const roles = ref ? (await staff.rolesOf(ref)).filter((r) => r.role === 'counter-clerk') : [];
    if (!ref || roles.length === 0) throw new AppError('counter.not-a-clerk');
    return { ref, orgs: new Map(roles.map((r) => [r.organisationId, r.label])) };
  }

  /** Counts a wrong code against the clerk and answers the error to send. */
  async function wrong(clerkRef: string, error: AppError): Promise<never> {
    await identityRepo.countFailure(failureKey(clerkRef), now(), {
      max: settings.maxWrongCodes,
      windowSeconds: settings.wrongCodeWindowSeconds,
      lockSeconds: settings.wrongCodeWindowSeconds,
    });
    throw error;
  }

  /** Leaves a trace in the citizen's usage log that a clerk was refused, without telling them at once. */
  async function recordDenied(row: CaseRow, clerkLabel: string, code: string): Promise<void> {
    try {
      await recorder.record({
        citizenId: await identityRepo.nationalIdOf(row.citizen_id),
        event: 'counter-redemption',
        datasets: row.datasets as string[],
        serviceId: row.service_id,
        agencyIds: row.agency_ids as string[],
        consentId: row.id,
        clerkId: clerkLabel,
        outcome: 'denied',
        occurredAt: now(),
        details: { code },
      });
    } catch (error) {
      onError(error, `usage log of a refused redemption of ${row.id}`);
    }
  }

  return {
    settings,

    /** What a counter service asks for, as the citizen reviews it. */
    async describe(serviceId: string): Promise<CounterScreen> {
      const service = await counterService(serviceId);
      return screenOf(
        service,
        service.datasets.map((d) => d.datasetId),
      );
    },

    /** The catalogue entries of a choice, checked against the service: the routes check the session's assurance against them. */
    chosenScreen,

    /**
     * Records the consent and collects the chosen datasets. All or nothing: when an agency fails,
     * nothing is kept, the coded error names it, and the citizen may ask again.
     */
    async create(input: {
      citizenId: string;
      serviceId: string;
      chosen: string[];
      assurance: AssuranceLevel;
      methods: string[];
    }): Promise<CounterCaseView> {
      const service = await counterService(input.serviceId);
      await assertNotSuspended(service.providerId);
      const screen = await chosenScreen(input.serviceId, input.chosen);
      const ids = screen.datasets.map((d) => d.id);
      const agencyIds = [...new Set(screen.datasets.map((d) => d.agency.id))];
      const nationalId = await identityRepo.nationalIdOf(input.citizenId);
      const id = randomUUID();
      let results: FetchedDataset[];
      try {
        ({ results } = await gateway.fetch({
          consentId: `counter:${id}`,
          purpose: service.purpose.dpv,
          subject: { nationalId },
          datasets: ids,
        }));
      } catch (error) {
        if (error instanceof AppError) {
          const failing = failedAgencies(
            error,
            screen.datasets.map((d) => ({ agencyId: d.agency.id })),
          );
          await recorder.record({
            citizenId: nationalId,
            event: 'consent-given',
            datasets: ids,
            serviceId: service.id,
            purpose: service.purpose.dpv,
            consentId: id,
            outcome: 'failure',
            occurredAt: now(),
            ...(failing.length ? { agencyIds: failing } : {}),
            details: { mode: 'counter', code: error.code },
          });
        }
        throw error;
      }
      const at = now();
      const expiresAt = new Date(at.getTime() + settings.caseSeconds * 1000);
      const subject = pairwiseSubject(o.pairwiseKey, identityRepo.citizenRef(nationalId), service.id);
      const receiptJws = await signReceipt(
        receiptOf({
          id,
          at,
          issuer,
          screen,
          subject,
          mode: 'counter',
          validUntil: expiresAt,
          assurance: { level: input.assurance, methods: input.methods },
        }),
      );
      const summary: CaseSummary = {
        service: { id: service.id, name: service.name },
        provider: { id: screen.service.provider.id, name: screen.service.provider.name },
        purpose: screen.purpose,
        datasets: screen.datasets.map((d) => ({
          id: d.id,
          name: d.name,
          agency: d.agency,
          fields: d.fields,
        })),
      };
      const values = {
        id,
        citizen_id: input.citizenId,
        service_id: service.id,
        provider_id: service.providerId,
        subject,
        status: 'ready' as const,
        datasets: JSON.stringify(ids),
        agency_ids: JSON.stringify(agencyIds),
        summary: JSON.stringify(summary),
        receipt: receiptJws,
        receipt_sha256: b64urlSha256(receiptJws),
        sealed: envelope.seal(JSON.stringify(results), sealContext(id)),
        created_at: at,
        expires_at: expiresAt,
        redeemed_at: null,
        clerk_ref: null,
        clerk_label: null,
      };
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('counter_cases').values(values).execute();
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'consent-given',
            datasets: ids,
            serviceId: service.id,
            purpose: service.purpose.dpv,
            consentId: id,
            occurredAt: at,
            details: { assurance: input.assurance, mode: 'counter' },
          },
          { tx },
        );
      });
      return toView({ ...values, datasets: ids, agency_ids: agencyIds, summary } as unknown as CaseRow);
    },

    /** One of the citizen's cases; a ready one past its lifetime is expired on the way. */
    async get(caseId: string, citizenId: string): Promise<CounterCaseView> {
      const row = await ownCase(caseId, citizenId);
      if (row.status === 'ready' && new Date(row.expires_at) <= now()) {
        await db.transaction().execute((tx) => expireCase(tx, caseId));
        return toView({ ...row, status: 'expired', sealed: null });
      }
      return toView(row);
    },

    /** The citizen's cases, newest first (at most 20), optionally of one status. */
    async list(citizenId: string, status?: CounterCasesTable['status']): Promise<CounterCaseView[]> {
      let q = db.selectFrom('counter_cases').selectAll().where('citizen_id', '=', citizenId);
      if (status) q = q.where('status', '=', status);
      if (status === 'ready') q = q.where('expires_at', '>', now());
      const rows = await q.orderBy('created_at', 'desc').limit(20).execute();
      return rows.map(toView);
    },

    /** The signed consent receipt of one of the citizen's cases. */
    async receipt(caseId: string, citizenId: string): Promise<string> {
      return (await ownCase(caseId, citizenId)).receipt;
    },

    /**
     * A new code for a ready case: every older code of the case dies at once, so only what the
     * citizen's screen shows now can be redeemed.
     */
    async issueCode(caseId: string, citizenId: string): Promise<CounterCode> {
      const at = now();
      const result = await db.transaction().execute(async (tx) => {
        const row = await tx
          .selectFrom('counter_cases')
          .selectAll()
          .where('id', '=', caseId)
          .where('citizen_id', '=', citizenId)
          .forUpdate()
          .executeTakeFirst();
        if (!row) return { error: new AppError('counter.case-not-found', { caseId }) };
        if (row.status === 'ready' && new Date(row.expires_at) <= at) {
          await expireCase(tx, caseId);
          return { error: new AppError('counter.case-closed', { status: 'expired' }) };
        }
        if (row.status !== 'ready')
          return { error: new AppError('counter.case-closed', { status: row.status }) };
        await tx
          .updateTable('counter_codes')
          .set({ status: 'superseded' })
          .where('case_id', '=', caseId)
          .where('status', '=', 'live')
          .execute();
        const expiresAt = new Date(
          Math.min(at.getTime() + settings.codeSeconds * 1000, new Date(row.expires_at).getTime()),
        );
        const nonce = randomBytes(16).toString('base64url');
        // A clash with a stored code is astronomically rare; a fresh draw settles it.
        for (let attempt = 0; ; attempt++) {
          const shortCode = randomCounterCode();
          const inserted = await tx
            .insertInto('counter_codes')
            .values({
              nonce,
              case_id: caseId,
              code_hash: codeHash(shortCode),
              status: 'live',
              created_at: at,
              expires_at: expiresAt,
            })
            .onConflict((c) => c.column('code_hash').doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 1n) > 0 || attempt > 5) {
            const exp = Math.floor(expiresAt.getTime() / 1000);
            const message = { caseId, expiresAt: exp, nonce };
            return {
              code: {
                token: formatCounterToken({ ...message, mac: mac('token', counterTokenMessage(message)) }),
                shortCode: formatCounterCode(shortCode),
                expiresAt: expiresAt.toISOString(),
                seconds: settings.codeSeconds,
              },
            };
          }
        }
      });
      if ('error' in result) throw result.error;
      return result.code;
    },

    /** Ends a ready case at the citizen's word: the sealed data is dropped and no code works any more. */
    async cancel(caseId: string, citizenId: string): Promise<CounterCaseView> {
      const row = await ownCase(caseId, citizenId);
      if (row.status !== 'ready') throw new AppError('counter.case-closed', { status: row.status });
      const at = now();
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('counter_cases')
          .set({ status: 'cancelled', sealed: null })
          .where('id', '=', caseId)
          .where('status', '=', 'ready')
          .execute();
        await tx
          .updateTable('counter_codes')
          .set({ status: 'superseded' })
          .where('case_id', '=', caseId)
          .execute();
        await recorder.record(
          {
            citizenId: await identityRepo.nationalIdOf(citizenId, tx),
            event: 'consent-withdrawn',
            datasets: row.datasets as string[],
            serviceId: row.service_id,
            purpose: (row.summary as CaseSummary).purpose.dpv,
            consentId: caseId,
            occurredAt: at,
            details: { reason: 'cancelled', mode: 'counter' },
          },
          { tx },
        );
      });
      return toView({ ...row, status: 'cancelled', sealed: null });
    },

    /** The organisations a signed-in person is a counter clerk of, and their counter services. */
    async desk(citizenId: string): Promise<ClerkDesk> {
      const clerk = await clerkOf(citizenId);
      const organisations = await Promise.all(
        [...clerk.orgs.keys()].map(async (id) => ({ id, name: await orgName(id) })),
      );
      const services = (
        await Promise.all(
          organisations.map((g) =>
            catalogue.listServices({ mode: 'counter', provider: g.id, limit: 100, offset: 0 }),
          ),
        )
      ).flatMap((page) => page.items.map((s) => ({ id: s.id, name: s.name, providerId: s.providerId })));
      return { organisations, services };
    },

    /**
     * A clerk redeems a code (the scanned QR token or the typed short code) for the service they
     * serve. Refused, each with its own code: not a clerk, too many wrong codes, a forged or unknown
     * code, another organisation's or another service's code, a suspended provider, an expired
     * code, a case already redeemed. Otherwise the case is marked used and its data handed over once.
     */
    async redeem(input: {
      clerkCitizenId: string;
      serviceId: string;
      token?: string | undefined;
      code?: string | undefined;
    }): Promise<CounterRedemption> {
      const clerk = await clerkOf(input.clerkCitizenId);
      const at = now();
      const locked = await identityRepo.lockedUntil(failureKey(clerk.ref), at);
      if (locked) throw new AppError('counter.rate-limited', { until: locked.toISOString() });

      let nonce: string;
      if (input.token !== undefined) {
        const token = parseCounterToken(input.token);
        if (!token)
          return wrong(
            clerk.ref,
            new AppError('counter.code-forged', { reason: 'not a MyData counter code' }),
          );
        const expected = Buffer.from(mac('token', counterTokenMessage(token)));
        const given = Buffer.from(token.mac);
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          return wrong(
            clerk.ref,
            new AppError('counter.code-forged', { reason: 'the signature does not match' }),
          );
        }
        nonce = token.nonce;
      } else {
        const typed = input.code ?? '';
        const code = normaliseCounterCode(typed);
        const max = settings.maxWrongCodes;
        const shown = typed.slice(0, 20);
        if (!code) return wrong(clerk.ref, new AppError('counter.code-unknown', { code: shown, max }));
        const found = await db
          .selectFrom('counter_codes')
          .select('nonce')
          .where('code_hash', '=', codeHash(code))
          .executeTakeFirst();
        if (!found)
          return wrong(
            clerk.ref,
            new AppError('counter.code-unknown', { code: formatCounterCode(code), max }),
          );
        nonce = found.nonce;
      }
      const codeRow = await db
        .selectFrom('counter_codes')
        .selectAll()
        .where('nonce', '=', nonce)
        .executeTakeFirst();
      if (!codeRow)
        return wrong(clerk.ref, new AppError('counter.code-forged', { reason: 'no such code was issued' }));
      const first = await db
        .selectFrom('counter_cases')
        .selectAll()
        .where('id', '=', codeRow.case_id)
        .executeTakeFirstOrThrow();
      const summary = first.summary as CaseSummary;

      // Whose service it is comes before the case's state: a clerk of another organisation, or at
      // another service's desk, learns nothing about it.
      const selected = await catalogue.getService(input.serviceId).catch(() => undefined);
      const clerkLabel = selected ? clerk.orgs.get(selected.providerId) : undefined;
      if (!selected || clerkLabel === undefined) {
        const provider = selected
          ? await orgName(selected.providerId)
          : { 'zh-TW': input.serviceId, en: input.serviceId };
        throw new AppError('counter.other-organisation', localized('provider', provider));
      }
      if (selected.id !== first.service_id) {
        await recordDenied(first, clerkLabel, 'counter.wrong-service');
        throw new AppError('counter.wrong-service', {
          ...localized('service', summary.service.name),
          ...localized('selected', selected.name),
        });
      }
      if (await suspensions.ofOrganisation(first.provider_id)) {
        await recordDenied(first, clerkLabel, 'counter.provider-suspended');
        throw new AppError('counter.provider-suspended', localized('provider', summary.provider.name));
      }
      const named = await catalogue.getDatasetsByIds(first.datasets as string[]);
      const viewExpiresAt = new Date(at.getTime() + settings.viewSeconds * 1000);

      const outcome = await db
        .transaction()
        .execute(async (tx): Promise<{ sealed: string } | { error: AppError }> => {
          const row = await tx
            .selectFrom('counter_cases')
            .selectAll()
            .where('id', '=', first.id)
            .forUpdate()
            .executeTakeFirstOrThrow();
          const code = await tx
            .selectFrom('counter_codes')
            .selectAll()
            .where('nonce', '=', nonce)
            .forUpdate()
            .executeTakeFirstOrThrow();
          if (row.status === 'redeemed' || code.status === 'used') {
            return {
              error: new AppError('counter.code-used', {
                redeemedAt: row.redeemed_at ? iso(row.redeemed_at) : iso(code.created_at),
              }),
            };
          }
          if (row.status === 'ready' && new Date(row.expires_at) <= at) await expireCase(tx, row.id);
          if (
            row.status !== 'ready' ||
            !row.sealed ||
            new Date(row.expires_at) <= at ||
            code.status !== 'live' ||
            new Date(code.expires_at) <= at
          ) {
            return { error: new AppError('counter.code-expired', { seconds: settings.codeSeconds }) };
          }
          await tx
            .updateTable('counter_cases')
            .set({
              status: 'redeemed',
              sealed: null,
              redeemed_at: at,
              clerk_ref: clerk.ref,
              clerk_label: clerkLabel,
            })
            .where('id', '=', row.id)
            .execute();
          await tx.updateTable('counter_codes').set({ status: 'used' }).where('nonce', '=', nonce).execute();
          await tx
            .updateTable('counter_codes')
            .set({ status: 'superseded' })
            .where('case_id', '=', row.id)
            .where('status', '=', 'live')
            .execute();
          const { nationalId, notify } = await identityRepo.loggableOf(row.citizen_id, tx);
          await recorder.record(
            {
              citizenId: nationalId,
              event: 'counter-redemption',
              datasets: row.datasets as string[],
              serviceId: row.service_id,
              agencyIds: row.agency_ids as string[],
              clerkId: clerkLabel,
              purpose: summary.purpose.dpv,
              consentId: row.id,
              outcome: 'success',
              occurredAt: at,
            },
            {
              tx,
              ...(notify ? { notify } : {}),
              params: {
                service: `${summary.service.name['zh-TW']}（${summary.provider.name['zh-TW']}）`,
                datasets: (row.datasets as string[]).map(
                  (d) => named.find((n) => n.id === d)?.name['zh-TW'] ?? d,
                ),
              },
            },
          );
          return { sealed: row.sealed };
        });
      if ('error' in outcome) throw outcome.error;
      // Counted once the redemption committed; a lost count must not cost the clerk the view.
      await stats
        .recordUse({
          kind: 'counter-redemption',
          serviceId: first.service_id,
          datasetIds: first.datasets as string[],
          at,
        })
        .catch((error: unknown) => onError(error, `statistics of counter redemption ${first.id}`));
      const results = JSON.parse(
        envelope.openText(outcome.sealed, sealContext(first.id)),
      ) as FetchedDataset[];
      const byId = new Map(results.map((r) => [r.datasetId, r]));
      return {
        caseId: first.id,
        service: summary.service,
        provider: summary.provider,
        purpose: summary.purpose,
        redeemedAt: at.toISOString(),
        viewExpiresAt: viewExpiresAt.toISOString(),
        receiptSha256: first.receipt_sha256,
        datasets: summary.datasets.map((d) => {
          const r = byId.get(d.id);
          const payload = (r?.payload ?? {}) as Record<string, unknown>;
          return {
            id: d.id,
            name: d.name,
            agency: d.agency,
            receivedAt: r?.receivedAt ?? '',
            signatureVerified: true as const,
            fields: d.fields.map((f) => ({ name: f.name, label: f.label, value: display(payload[f.name]) })),
          };
        }),
      };
    },

    /** Drops the data of every case past its lifetime and forgets codes long dead; returns how many cases expired. */
    async expireDue(at: Date = now()): Promise<number> {
      const expired = await expireWaiting(db, 'counter_cases', at, expireCase);
      await db
        .deleteFrom('counter_codes')
        .where('expires_at', '<=', new Date(at.getTime() - 3600_000))
        .where('status', '!=', 'used')
        .execute();
      return expired;
    },
  };
}

export type CounterService = ReturnType<typeof createCounterService>;
