/**
 * Multi-person applications (docs/multi-person.md): a service whose catalogue entry names parties
 * is applied for by its initiator, who names every other party (national ID and a contact). Each
 * named person is invited, signs in as themselves, and consents to their own datasets or declines.
 * The package is made only when every party has consented; a decline or an expired invitation ends
 * the whole application. The initiator's consent row is the one the service's token names.
 */

import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  type ApplicationProgress,
  type AssuranceLevel,
  isValidNationalId,
  type LocalizedText,
  type MydataAuthorizationDetail,
  meetsAssurance,
  type PackageDataset,
  type PackageParty,
  type PartyStatus,
  pairwiseSubject,
  type Service,
  strongestAssurance,
} from '@mydata/core';
import type { Kysely, Selectable } from 'kysely';
import type { createCatalogueRepo } from '../catalogue/repository.ts';
import { createEnvelope, type KeyRing } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { UsageRecorder } from '../log/record.ts';
import type { Outbox } from '../notify/outbox.ts';
import { APPLICATION_ENDED_TEMPLATE, APPLICATION_INVITATION_TEMPLATE } from '../notify/templates.ts';
import { receiptOf } from './receipt.ts';
import type { ConsentService, PartyNomination } from './service.ts';
import type { ConsentPartiesTable, ConsentSummary, ConsentsTable } from './tables.ts';

type Tx = Kysely<Database>;
type PartyRow = Selectable<ConsentPartiesTable>;
type ConsentRow = Selectable<ConsentsTable>;
type CatalogueRepo = ReturnType<typeof createCatalogueRepo>;

/** The invitations' lifetime: three days to reach a family member and have them consent. */
export const DEFAULT_INVITATION_SECONDS = 72 * 3600;
/** What the token and the package outlive the invitations by, so a last-minute consent can still be fetched. */
const GRACE_MS = 10 * 60_000;

const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
const MOBILE = /^09[0-9]{8}$/;

export interface PartiesOptions {
  db: Db;
  consent: ConsentService;
  catalogue: Pick<CatalogueRepo, 'getService' | 'getDatasetsByIds'>;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  outbox: Pick<Outbox, 'enqueue'>;
  identityRepo: Pick<
    IdentityRepo,
    'nationalIdOf' | 'recipientsOf' | 'loggableOf' | 'citizenRef' | 'countFailure' | 'lockedUntil'
  >;
  /** PlatformKeys.atRest: seals contacts, what the invitee sees of the initiator, and waiting data. */
  atRest: KeyRing;
  pairwiseKey: Uint8Array;
  publicUrl: string;
  invitationSeconds?: number;
  /** The initiator's name as their own household record gives it; only the masked ID when omitted. */
  nameOf?: (nationalId: string, consentId: string) => Promise<string | undefined>;
  now?: () => Date;
  onError?: (error: unknown, context: string) => void;
}

/** What an invitee sees of an invitation. */
export interface InvitationView {
  id: string;
  status: PartyStatus | 'ended';
  expiresAt: string;
  role: { role: string; name: LocalizedText };
  inviter: { name: string | null; maskedNationalId: string; role: LocalizedText };
  service: { id: string; name: LocalizedText; description: LocalizedText; retentionDays: number };
  provider: { id: string; name: LocalizedText };
  purpose: { dpv: string; description: LocalizedText };
  datasets: {
    id: string;
    name: LocalizedText;
    description: LocalizedText;
    agency: { id: string; name: LocalizedText };
    fields: { name: string; label: LocalizedText }[];
    justification: LocalizedText;
    minAssurance: AssuranceLevel;
  }[];
  requiredAssurance: AssuranceLevel;
}

/** One invitation in the invitee's list. */
export interface InvitationSummary {
  id: string;
  status: PartyStatus | 'ended';
  role: { role: string; name: LocalizedText };
  service: { id: string; name: LocalizedText };
  provider: { id: string; name: LocalizedText };
  datasets: string[];
  invitedAt: string;
  statusChangedAt: string;
  expiresAt: string;
  /** A consented invitation has the invitee's own receipt (GET /api/v1/invitations/:id/receipt). */
  hasReceipt: boolean;
}

/** Who answers an invitation: the signed-in citizen and how strongly they signed in. */
export interface Invitee {
  citizenId: string;
  assurance: AssuranceLevel;
  methods: string[];
}

/** `A123456789` → `A12*****89`: enough for the invitee to recognise a relative, not to use the ID. */
export function maskNationalId(id: string): string {
  return `${id.slice(0, 3)}*****${id.slice(-2)}`;
}

/** Builds the multi-person application capability and wires it into the consent service. */
export function createParties(o: PartiesOptions) {
  const { db, consent, catalogue, gateway, recorder, outbox, identityRepo } = o;
  const now = o.now ?? (() => new Date());
  const onError = o.onError ?? (() => {});
  const invitationMs = (o.invitationSeconds ?? DEFAULT_INVITATION_SECONDS) * 1000;
  const envelope = createEnvelope(o.atRest);
  const inner = consent.internals;
  const ctx = (id: string, what: string) => `consent_parties:${id}:${what}`;
  // Wrong-person look-ups per account, counted in the shared attempt counters so every process sees them:
  // invitation ids are random, but naming people is not a game.
  const missKey = (citizenId: string) => `invitation-lookup:${citizenId}`;
  const MISS_POLICY = { max: 20, windowSeconds: 600, lockSeconds: 600 };

  async function partiesOf(consentId: string, q: Tx = db): Promise<PartyRow[]> {
    return q
      .selectFrom('consent_parties')
      .selectAll()
      .where('consent_id', '=', consentId)
      .orderBy('initiator', 'desc')
      .orderBy('role')
      .execute();
  }

  function progressOf(row: Pick<ConsentRow, 'status'>, parties: PartyRow[]): ApplicationProgress {
    const others = parties.filter((p) => !p.initiator);
    const status =
      row.status === 'pending'
        ? 'waiting'
        : row.status === 'active' || row.status === 'used'
          ? 'ready'
          : 'ended';
    const expiresAt = others.find((p) => p.invited_at)?.expires_at;
    return {
      status,
      parties: others.map((p) => ({
        role: p.role,
        // A party still waiting when the application ended never answered: the application ended for them.
        status: (p.status === 'ended' ? 'expired' : p.status) as PartyStatus,
      })),
      ...(expiresAt ? { expiresAt: new Date(expiresAt).toISOString() } : {}),
    };
  }

  const serviceLine = (summary: ConsentSummary) =>
    `${summary.service.name['zh-TW']}（${summary.provider.name['zh-TW']}）`;

  async function sendTo(
    tx: Tx,
    to: { email?: string | null; sms?: string | null },
    template: typeof APPLICATION_INVITATION_TEMPLATE | typeof APPLICATION_ENDED_TEMPLATE,
    params: Record<string, string>,
    at: Date,
  ) {
    const base = { template, lang: 'zh-TW' as const, params: { ...params, at: at.toISOString() } };
    if (to.email) await outbox.enqueue({ ...base, channel: 'email', to: to.email }, tx);
    if (to.sms) await outbox.enqueue({ ...base, channel: 'sms', to: to.sms }, tx);
  }

  const contactOfParty = (p: PartyRow): { email?: string; sms?: string } => {
    if (!p.contact_sealed) return {};
    const c = JSON.parse(
      envelope.openText(p.contact_sealed, ctx(p.id, 'contact')),
    ) as PartyNomination['contact'];
    return 'email' in c ? { email: c.email } : { sms: c.mobile };
  };

  /**
   * Ends an application (a party declined or an invitation expired): the initiator's consent ends,
   * any package is deleted, waiting parties stop waiting, the service and everyone involved are told.
   */
  async function endApplication(
    tx: Tx,
    row: ConsentRow,
    reason: 'party-declined' | 'party-expired',
    at: Date,
    webhookUrl: string | undefined,
  ): Promise<ConsentRow> {
    await tx.deleteFrom('consent_packages').where('consent_id', '=', row.id).execute();
    const status = reason === 'party-expired' ? 'expired' : 'withdrawn';
    const ended = await inner.changeStatus(tx, row, status, at, { end_reason: reason });
    await tx
      .updateTable('consent_parties')
      .set({
        status: reason === 'party-expired' ? 'expired' : 'ended',
        status_changed_at: at,
        collected_sealed: null,
      })
      .where('consent_id', '=', row.id)
      .where('status', '=', 'waiting')
      .execute();
    // Collected data of those who consented is dropped with the application.
    await tx
      .updateTable('consent_parties')
      .set({ collected_sealed: null })
      .where('consent_id', '=', row.id)
      .execute();
    const parties = await partiesOf(row.id, tx);
    const summary = row.summary as ConsentSummary;
    const params = { service: serviceLine(summary), reason };
    const initiatorContact = await identityRepo.recipientsOf(row.citizen_id, tx);
    if (initiatorContact) await sendTo(tx, initiatorContact, APPLICATION_ENDED_TEMPLATE, params, at);
    for (const p of parties) {
      if (p.initiator) continue;
      const registered = p.citizen_id ? await identityRepo.recipientsOf(p.citizen_id, tx) : undefined;
      await sendTo(tx, registered ?? contactOfParty(p), APPLICATION_ENDED_TEMPLATE, params, at);
    }
    await inner.queueWebhook(tx, ended, 'application.ended', webhookUrl, at, {
      progress: progressOf(ended, parties),
    });
    return ended;
  }

  /**
   * Makes the package once every party has consented: the initiator's data plus each party's under
   * its role. Sealed before the transaction (the client directory reads on its own connection);
   * the transaction then checks nothing changed, so two last consents at once release it once.
   */
  async function releaseIfComplete(consentId: string): Promise<boolean> {
    const row = await db.selectFrom('consents').selectAll().where('id', '=', consentId).executeTakeFirst();
    const parties = await partiesOf(consentId);
    if (row?.status !== 'pending') return false;
    if (parties.some((p) => p.status !== 'consented' || !p.collected_sealed)) return false;
    const open = (p: PartyRow) =>
      JSON.parse(envelope.openText(p.collected_sealed ?? '', ctx(p.id, 'collected'))) as PackageDataset[];
    const initiator = parties.find((p) => p.initiator);
    if (!initiator) throw new Error(`application ${row.id} has no initiator`);
    const others: PackageParty[] = parties
      .filter((p) => !p.initiator)
      .map((p) => ({
        role: p.role,
        sub: p.subject,
        receiptSha256: p.receipt_sha256 ?? '',
        datasets: open(p),
      }));
    const at = now();
    const jwe = await inner.sealPackage(row, open(initiator), at, { role: initiator.role, parties: others });
    const webhookUrl = await inner.webhookUrlOf(row.client_id);
    return db.transaction().execute(async (tx) => {
      const current = await inner.lockConsent(tx, consentId);
      if (current?.status !== 'pending') return false;
      const now2 = await partiesOf(consentId, tx);
      if (now2.some((p) => p.status !== 'consented' || !p.collected_sealed)) return false;
      await tx
        .insertInto('consent_packages')
        .values({ consent_id: consentId, jwe, created_at: at })
        .execute();
      const active = await inner.changeStatus(tx, current, 'active', at, { problem: null });
      await tx
        .updateTable('consent_parties')
        .set({ collected_sealed: null })
        .where('consent_id', '=', consentId)
        .execute();
      await inner.queueWebhook(tx, active, 'application.ready', webhookUrl, at, {
        progress: progressOf(active, now2),
      });
      return true;
    });
  }

  /** The invitation a signed-in citizen may answer; anyone else gets the same not-found. */
  async function ownInvitation(id: string, citizenId: string): Promise<PartyRow> {
    const at = now();
    const locked = await identityRepo.lockedUntil(missKey(citizenId), at);
    if (locked) {
      throw new AppError('application.rate-limited', {
        retryAfter: Math.ceil((locked.getTime() - at.getTime()) / 1000),
      });
    }
    const row = await db.selectFrom('consent_parties').selectAll().where('id', '=', id).executeTakeFirst();
    if (row && !row.initiator && row.invited_at) {
      const ref = identityRepo.citizenRef(await identityRepo.nationalIdOf(citizenId));
      if (ref === row.citizen_ref) return row;
    }
    await identityRepo.countFailure(missKey(citizenId), at, MISS_POLICY);
    throw new AppError('application.not-found', { id });
  }

  const hooks = {
    lifetimeMs: () => invitationMs + GRACE_MS,

    check(
      service: Service,
      _detail: MydataAuthorizationDetail,
      parties: PartyNomination[] | undefined,
      nationalId: string,
    ) {
      const others = (service.parties ?? []).filter((p) => !p.initiator);
      const given = parties ?? [];
      for (const p of given) {
        if (!others.some((r) => r.role === p.role)) {
          throw new AppError('application.party-invalid', {
            role: p.role,
            reason: 'the service has no such role',
          });
        }
      }
      for (const role of others) {
        const named = given.filter((p) => p.role === role.role);
        if (named.length === 0)
          throw new AppError('application.parties-required', {
            role: role.name.en,
            'role@zh-TW': role.name['zh-TW'],
            'role@en': role.name.en,
          });
        if (named.length > 1)
          throw new AppError('application.party-invalid', {
            role: role.role,
            reason: 'named more than once',
          });
        const p = named[0] as PartyNomination;
        const reason = (zh: string, en: string) =>
          new AppError('application.party-invalid', {
            role: role.name.en,
            'role@zh-TW': role.name['zh-TW'],
            'role@en': role.name.en,
            'reason@zh-TW': zh,
            'reason@en': en,
            reason: en,
          });
        if (!isValidNationalId(p.nationalId))
          throw reason('身分證號格式或檢查碼不正確', 'the national ID is not valid');
        if (p.nationalId === nationalId)
          throw reason('不能填寫申請人本人', 'it must be someone other than the applicant');
        const c = p.contact as Record<string, unknown>;
        const email = typeof c.email === 'string' ? c.email : undefined;
        const mobile = typeof c.mobile === 'string' ? c.mobile : undefined;
        if ((email === undefined) === (mobile === undefined))
          throw reason('請填寫電子郵件或手機其中一項', 'give an e-mail address or a mobile number');
        if (email !== undefined && !EMAIL.test(email))
          throw reason('電子郵件格式不正確', 'the e-mail address is not valid');
        if (mobile !== undefined && !MOBILE.test(mobile))
          throw reason('手機號碼須為 09 開頭的 10 碼', 'the mobile number must be 10 digits starting 09');
      }
      const ids = given.map((p) => p.nationalId);
      if (new Set(ids).size !== ids.length) {
        throw new AppError('application.party-invalid', {
          role: '-',
          reason: 'one person is named for two roles',
        });
      }
    },

    async nominate(
      tx: Tx,
      row: ConsentRow,
      service: Service,
      detail: MydataAuthorizationDetail,
      parties: PartyNomination[],
      nationalId: string,
      at: Date,
    ) {
      const expiresAt = new Date(at.getTime() + invitationMs);
      for (const party of service.parties ?? []) {
        const id = randomUUID();
        const named = party.initiator ? undefined : parties.find((p) => p.role === party.role);
        const personId = party.initiator ? nationalId : (named?.nationalId ?? '');
        const ref = identityRepo.citizenRef(personId);
        await tx
          .insertInto('consent_parties')
          .values({
            id,
            consent_id: row.id,
            role: party.role,
            initiator: party.initiator === true,
            citizen_ref: ref,
            subject: pairwiseSubject(o.pairwiseKey, ref, service.id),
            datasets: JSON.stringify(party.datasets.filter((d) => detail.datasets.includes(d))),
            status: 'waiting',
            contact_sealed: named ? envelope.seal(JSON.stringify(named.contact), ctx(id, 'contact')) : null,
            inviter_sealed: null,
            collected_sealed: null,
            citizen_id: party.initiator ? row.citizen_id : null,
            receipt: party.initiator ? row.receipt : null,
            receipt_sha256: party.initiator ? row.receipt_sha256 : null,
            created_at: at,
            invited_at: null,
            status_changed_at: at,
            expires_at: expiresAt,
          })
          .execute();
      }
    },

    async collected(row: ConsentRow, datasets: PackageDataset[], nationalId: string) {
      const summary = row.summary as ConsentSummary;
      const name = await (o.nameOf?.(nationalId, row.id) ?? Promise.resolve(undefined)).catch(
        (error: unknown) => {
          onError(error, `name of the applicant of ${row.id}`);
          return undefined;
        },
      );
      const service = await catalogue.getService(row.client_id);
      const initiatorRole = service.parties?.find((p) => p.initiator)?.name ?? {
        'zh-TW': '申請人',
        en: 'Applicant',
      };
      const webhookUrl = await inner.webhookUrlOf(row.client_id);
      const at = now();
      const expiresAt = new Date(at.getTime() + invitationMs);
      const outcome = await db.transaction().execute(async (tx) => {
        const current = await inner.lockConsent(tx, row.id);
        if (current?.status !== 'pending') return { row: current, ok: false as const };
        const parties = await partiesOf(row.id, tx);
        for (const p of parties) {
          if (p.initiator) {
            await tx
              .updateTable('consent_parties')
              .set({
                status: 'consented',
                status_changed_at: at,
                collected_sealed: envelope.seal(JSON.stringify(datasets), ctx(p.id, 'collected')),
              })
              .where('id', '=', p.id)
              .execute();
            continue;
          }
          // Invited once: a retry after a failed collection does not invite again.
          if (p.invited_at) continue;
          const inviter = {
            name: name ?? null,
            maskedNationalId: maskNationalId(nationalId),
            role: initiatorRole,
          };
          await tx
            .updateTable('consent_parties')
            .set({
              invited_at: at,
              expires_at: expiresAt,
              inviter_sealed: envelope.seal(JSON.stringify(inviter), ctx(p.id, 'inviter')),
            })
            .where('id', '=', p.id)
            .execute();
          await sendTo(
            tx,
            contactOfParty(p),
            APPLICATION_INVITATION_TEMPLATE,
            {
              service: serviceLine(summary),
              link: `${o.publicUrl}/invitations/${p.id}`,
              expiresAt: expiresAt.toISOString(),
            },
            at,
          );
        }
        // The initiator's consent now waits as long as the invitations, plus the grace to fetch.
        const waitUntil = new Date(expiresAt.getTime() + GRACE_MS);
        await tx
          .updateTable('consents')
          .set({ problem: null, expires_at: waitUntil })
          .where('id', '=', row.id)
          .execute();
        const waiting = { ...current, problem: null, expires_at: waitUntil } as ConsentRow;
        const after = await partiesOf(row.id, tx);
        await inner.queueWebhook(tx, waiting, 'application.progress', webhookUrl, at, {
          progress: progressOf(waiting, after),
        });
        return { row: waiting, ok: true as const };
      });
      if (outcome.ok) return { consent: inner.toView(outcome.row), ready: true as const };
      const status = outcome.row?.status ?? 'withdrawn';
      return {
        consent: inner.toView(outcome.row ?? row),
        ready: false as const,
        error: new AppError('consent.not-withdrawable', { id: row.id, status }),
      };
    },

    async taken(tx: Tx, row: ConsentRow, at: Date) {
      const summary = row.summary as ConsentSummary;
      for (const p of await partiesOf(row.id, tx)) {
        if (p.initiator || !p.citizen_id) continue;
        const datasets = p.datasets as string[];
        const { nationalId, notify } = await identityRepo.loggableOf(p.citizen_id, tx);
        const named = (p.summary as { datasets: ConsentSummary['datasets'] } | null)?.datasets ?? [];
        const screen = { datasets: named };
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'transfer',
            datasets,
            serviceId: row.client_id,
            agencyIds: [...new Set(screen.datasets.map((d) => d.agency.id))],
            purpose: row.purpose,
            consentId: p.id,
            outcome: 'success',
            occurredAt: at,
            details: { role: p.role, application: row.id },
          },
          {
            tx,
            ...(notify ? { notify } : {}),
            params: { service: serviceLine(summary), datasets: screen.datasets.map((d) => d.name['zh-TW']) },
          },
        );
      }
    },

    async progress(consentId: string): Promise<ApplicationProgress | undefined> {
      const row = await db.selectFrom('consents').selectAll().where('id', '=', consentId).executeTakeFirst();
      if (!row) return undefined;
      // A one-person consent has no other parties: it stands where its consent stands.
      if (!(row.summary as ConsentSummary).role) return progressOf(row, []);
      return progressOf(row, await partiesOf(consentId));
    },
  };
  consent.useApplications(hooks);
  // The initiator withdrew or cancelled while others were still asked: their invitations end too.
  consent.onWithdrawn(async ({ id, clientId }) => {
    const webhookUrl = await inner.webhookUrlOf(clientId);
    const at = now();
    await db.transaction().execute(async (tx) => {
      const row = await tx.selectFrom('consents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || !(row.summary as ConsentSummary).role) return;
      const changed = await tx
        .updateTable('consent_parties')
        .set({ status: 'ended', status_changed_at: at, collected_sealed: null })
        .where('consent_id', '=', id)
        .where('status', '=', 'waiting')
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) === 0) return;
      await inner.queueWebhook(tx, row, 'application.ended', webhookUrl, at, {
        progress: progressOf(row, await partiesOf(id, tx)),
      });
    });
  });

  return {
    /** The invitation as its invitee sees it (only the named person may see it). */
    async invitation(id: string, citizenId: string): Promise<InvitationView> {
      const p = await ownInvitation(id, citizenId);
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('id', '=', p.consent_id)
        .executeTakeFirstOrThrow();
      const service = await catalogue.getService(row.client_id);
      const screen = await inner.summaryOf(service, p.datasets as string[]);
      const role = service.parties?.find((r) => r.role === p.role);
      const inviter = p.inviter_sealed
        ? (JSON.parse(envelope.openText(p.inviter_sealed, ctx(p.id, 'inviter'))) as InvitationView['inviter'])
        : { name: null, maskedNationalId: '', role: { 'zh-TW': '申請人', en: 'Applicant' } };
      const expired = p.status === 'waiting' && new Date(p.expires_at) <= now();
      return {
        id: p.id,
        status: (expired ? 'expired' : p.status) as InvitationView['status'],
        expiresAt: new Date(p.expires_at).toISOString(),
        role: { role: p.role, name: role?.name ?? { 'zh-TW': p.role, en: p.role } },
        inviter,
        service: {
          id: screen.service.id,
          name: screen.service.name,
          description: screen.service.description,
          retentionDays: screen.service.retentionDays,
        },
        provider: { id: screen.service.provider.id, name: screen.service.provider.name },
        purpose: screen.purpose,
        datasets: screen.datasets.map((d) => ({
          id: d.id,
          name: d.name,
          description: d.description,
          agency: d.agency,
          fields: d.fields,
          justification: d.justification,
          minAssurance: d.minAssurance,
        })),
        requiredAssurance: strongestAssurance(screen.datasets.map((d) => d.minAssurance)),
      };
    },

    /**
     * The invitee consents: their datasets are collected (a failing agency is named and they may
     * try again), their own signed receipt and usage-log entry are written, and when they were the
     * last party the package is made.
     */
    async accept(id: string, who: Invitee): Promise<InvitationView> {
      const p = await ownInvitation(id, who.citizenId);
      await assertOpenInvitation(p);
      const row = await db
        .selectFrom('consents')
        .selectAll()
        .where('id', '=', p.consent_id)
        .executeTakeFirstOrThrow();
      const service = await catalogue.getService(row.client_id);
      const datasets = p.datasets as string[];
      const screen = await inner.summaryOf(service, datasets);
      const required = strongestAssurance(screen.datasets.map((d) => d.minAssurance));
      if (!meetsAssurance(who.assurance, required)) {
        throw new AppError('identity.step-up-required', { required, current: who.assurance, candidates: '' });
      }
      const nationalId = await identityRepo.nationalIdOf(who.citizenId);
      // A suspended provider gets nobody's data, whoever consents.
      await inner.assertOpen(service, nationalId);
      // Bound to the application's consent id: every agency answer in the package names the same consent.
      const fetched = await gateway.fetch({
        consentId: row.id,
        purpose: row.purpose,
        subject: { nationalId },
        datasets,
      });
      const byId = new Map(fetched.results.map((r) => [r.datasetId, r]));
      const collected: PackageDataset[] = datasets.map((d) => {
        const r = byId.get(d);
        if (!r) throw new Error(`the gateway returned no ${d}`);
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
      const at = now();
      const receipt = receiptOf({
        id: p.id,
        at,
        issuer: o.publicUrl,
        screen,
        subject: p.subject,
        mode: service.mode,
        validUntil: new Date(p.expires_at),
        assurance: { level: who.assurance, methods: who.methods },
      });
      const receiptJws = await inner.signReceipt(receipt);
      const webhookUrl = await inner.webhookUrlOf(row.client_id);
      await db.transaction().execute(async (tx) => {
        const current = await inner.lockConsent(tx, row.id);
        const party = await tx
          .selectFrom('consent_parties')
          .selectAll()
          .where('id', '=', p.id)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (current?.status !== 'pending' || party.status !== 'waiting') {
          throw new AppError('application.not-open', {
            status: party.status === 'waiting' ? 'ended' : party.status,
          });
        }
        await tx
          .updateTable('consent_parties')
          .set({
            status: 'consented',
            status_changed_at: at,
            citizen_id: who.citizenId,
            receipt: receiptJws,
            receipt_sha256: createHash('sha256').update(receiptJws).digest('base64url'),
            collected_sealed: envelope.seal(JSON.stringify(collected), ctx(p.id, 'collected')),
            summary: JSON.stringify({
              datasets: screen.datasets.map((d) => ({ id: d.id, name: d.name, agency: d.agency })),
            }),
          })
          .where('id', '=', p.id)
          .execute();
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'consent-given',
            datasets,
            serviceId: service.id,
            purpose: service.purpose.dpv,
            consentId: p.id,
            occurredAt: at,
            details: { assurance: who.assurance, role: p.role, application: row.id },
          },
          { tx },
        );
        const after = await partiesOf(row.id, tx);
        if (after.some((x) => x.status !== 'consented')) {
          await inner.queueWebhook(tx, current, 'application.progress', webhookUrl, at, {
            progress: progressOf(current, after),
          });
        }
      });
      await releaseIfComplete(row.id);
      return this.invitation(id, who.citizenId);
    },

    /** The invitee declines: the whole application ends and everyone is told. */
    async decline(id: string, who: Pick<Invitee, 'citizenId'>): Promise<InvitationView> {
      const p = await ownInvitation(id, who.citizenId);
      await assertOpenInvitation(p);
      const at = now();
      const webhookUrl = await inner.webhookUrlOf(
        (
          await db
            .selectFrom('consents')
            .select('client_id')
            .where('id', '=', p.consent_id)
            .executeTakeFirstOrThrow()
        ).client_id,
      );
      await db.transaction().execute(async (tx) => {
        const current = await inner.lockConsent(tx, p.consent_id);
        const party = await tx
          .selectFrom('consent_parties')
          .selectAll()
          .where('id', '=', p.id)
          .forUpdate()
          .executeTakeFirstOrThrow();
        if (
          !current ||
          (current.status !== 'pending' && current.status !== 'active') ||
          party.status !== 'waiting'
        ) {
          throw new AppError('application.not-open', {
            status: party.status === 'waiting' ? 'ended' : party.status,
          });
        }
        await tx
          .updateTable('consent_parties')
          .set({ status: 'declined', status_changed_at: at, citizen_id: who.citizenId })
          .where('id', '=', p.id)
          .execute();
        await endApplication(tx, current, 'party-declined', at, webhookUrl);
      });
      const row = await db
        .selectFrom('consents')
        .select(['grant_id', 'id', 'client_id'])
        .where('id', '=', p.consent_id)
        .executeTakeFirstOrThrow();
      await inner.runWithdrawnListeners(row as ConsentRow);
      return this.invitation(id, who.citizenId);
    },

    /** Ends every application with an invitation past its expiry; returns how many. Safe to run from several processes. */
    async expireDue(at: Date = now()): Promise<number> {
      const due = await db
        .selectFrom('consent_parties')
        .innerJoin('consents', 'consents.id', 'consent_parties.consent_id')
        .select(['consent_parties.consent_id as consent_id', 'consents.client_id as client_id'])
        .distinct()
        .where('consent_parties.status', '=', 'waiting')
        .where('consent_parties.initiator', '=', false)
        .where('consent_parties.invited_at', 'is not', null)
        .where('consent_parties.expires_at', '<=', at)
        .limit(1000)
        .execute();
      let ended = 0;
      for (const d of due) {
        const webhookUrl = await inner.webhookUrlOf(d.client_id);
        const done = await db.transaction().execute(async (tx) => {
          const row = await inner.lockConsent(tx, d.consent_id);
          if (row?.status !== 'pending') {
            // Already over some other way: the invitation just stops waiting.
            await tx
              .updateTable('consent_parties')
              .set({ status: 'expired', status_changed_at: at, collected_sealed: null })
              .where('consent_id', '=', d.consent_id)
              .where('status', '=', 'waiting')
              .execute();
            return undefined;
          }
          return endApplication(tx, row, 'party-expired', at, webhookUrl);
        });
        if (done) {
          ended += 1;
          await inner.runWithdrawnListeners(done);
        }
      }
      return ended;
    },

    /** The invitations a citizen was sent, newest first: what they answered and for whom, for "My consents". */
    async mine(citizenId: string): Promise<InvitationSummary[]> {
      const ref = identityRepo.citizenRef(await identityRepo.nationalIdOf(citizenId));
      const rows = await db
        .selectFrom('consent_parties')
        .innerJoin('consents', 'consents.id', 'consent_parties.consent_id')
        .select([
          'consent_parties.id',
          'consent_parties.role',
          'consent_parties.status',
          'consent_parties.datasets',
          'consent_parties.receipt',
          'consent_parties.invited_at',
          'consent_parties.status_changed_at',
          'consent_parties.expires_at',
          'consents.summary',
        ])
        .where('consent_parties.citizen_ref', '=', ref)
        .where('consent_parties.initiator', '=', false)
        .where('consent_parties.invited_at', 'is not', null)
        .orderBy('consent_parties.invited_at', 'desc')
        .limit(100)
        .execute();
      const at = now();
      return Promise.all(
        rows.map(async (r) => {
          const summary = r.summary as ConsentSummary;
          const service = await catalogue.getService(summary.service.id).catch(() => undefined);
          const role = service?.parties?.find((x) => x.role === r.role);
          const expired = r.status === 'waiting' && new Date(r.expires_at) <= at;
          return {
            id: r.id,
            status: (expired ? 'expired' : r.status) as InvitationSummary['status'],
            role: { role: r.role, name: role?.name ?? { 'zh-TW': r.role, en: r.role } },
            service: summary.service,
            provider: summary.provider,
            datasets: r.datasets as string[],
            invitedAt: new Date(r.invited_at as Date).toISOString(),
            statusChangedAt: new Date(r.status_changed_at).toISOString(),
            expiresAt: new Date(r.expires_at).toISOString(),
            hasReceipt: r.receipt !== null,
          };
        }),
      );
    },

    /** The invitee's own signed receipt, once they consented. */
    async receipt(id: string, citizenId: string): Promise<string> {
      const p = await ownInvitation(id, citizenId);
      if (!p.receipt) throw new AppError('application.not-open', { status: p.status });
      return p.receipt;
    },

    /** Where the application of a consent stands (for the service, through its token). */
    progress: hooks.progress,
  };

  async function assertOpenInvitation(p: PartyRow) {
    if (p.status !== 'waiting') throw new AppError('application.not-open', { status: p.status });
    if (new Date(p.expires_at) <= now()) throw new AppError('application.not-open', { status: 'expired' });
  }
}

export type Parties = ReturnType<typeof createParties>;
