/**
 * Storage of onboarding: sign-ups (catalogue organisations not yet listed), applications (sealed),
 * the hash-chained audit trail of decisions, and which OAuth clients each organisation owns.
 */
import { createHash } from 'node:crypto';
import type {
  ApplicationBody,
  ApplicationStatus,
  AuditAction,
  Dataset,
  LocalizedText,
  Sector,
  SecurityContact,
  ServiceProposal,
} from '@mydata/core';
import { type Kysely, sql } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import type { Database } from '../db/schema.ts';

type Q = Kysely<Database>;

export const GENESIS_HASH = '0'.repeat(64);

export interface OrganisationRecord {
  id: string;
  name: LocalizedText;
  sector: Sector;
  website: string | undefined;
  roles: string[];
  listed: boolean;
  suspended: { since: Date; reason: string } | null;
  securityContact: SecurityContact | undefined;
}

export interface ApplicationRecord {
  id: string;
  organisationId: string;
  kind: ApplicationBody['kind'];
  subject: string;
  status: ApplicationStatus;
  body: ApplicationBody;
  jwksUrl: string | null;
  flagCount: number;
  submittedBy: string;
  submittedAt: Date;
  updatedAt: Date;
}

export interface DecisionRecord {
  seq: number;
  organisationId: string;
  applicationId: string | null;
  action: AuditAction;
  reason: string;
  actorRef: string;
  actorLabel: string;
  at: Date;
  prevHash: string;
  hash: string;
}

/** The bytes a decision's hash covers: every column but the hashes, in a fixed order. */
export function canonicalDecision(d: Omit<DecisionRecord, 'hash' | 'prevHash'>): string {
  return JSON.stringify([
    d.seq,
    d.organisationId,
    d.applicationId,
    d.action,
    d.reason,
    d.actorRef,
    d.actorLabel,
    d.at.toISOString(),
  ]);
}

export const chainHash = (prevHash: string, canonical: string) =>
  createHash('sha256').update(prevHash).update(canonical).digest('hex');

const json = (v: unknown) => JSON.stringify(v);

export function createOnboardingRepo({ db, envelope }: { db: Db; envelope: Envelope }) {
  const contactContext = (orgId: string) => `onboarding:security-contact:${orgId}`;
  const bodyContext = (appId: string) => `onboarding:application:${appId}`;

  const toOrganisation = (r: {
    id: string;
    name: LocalizedText;
    sector: string;
    website: string | null;
    roles: string[];
    listed: boolean;
    suspended_at: Date | string | null;
    suspension_reason: string | null;
    security_contact_sealed: string | null;
  }): OrganisationRecord => ({
    id: r.id,
    name: r.name,
    sector: r.sector as Sector,
    website: r.website ?? undefined,
    roles: r.roles,
    listed: r.listed,
    suspended: r.suspended_at ? { since: new Date(r.suspended_at), reason: r.suspension_reason ?? '' } : null,
    securityContact: r.security_contact_sealed
      ? (JSON.parse(envelope.openText(r.security_contact_sealed, contactContext(r.id))) as SecurityContact)
      : undefined,
  });
  const orgColumns = [
    'id',
    'name',
    'sector',
    'website',
    'roles',
    'listed',
    'suspended_at',
    'suspension_reason',
    'security_contact_sealed',
  ] as const;

  const toApplication = (r: {
    id: string;
    organisation_id: string;
    kind: string;
    subject: string;
    status: string;
    body_sealed: string;
    jwks_url: string | null;
    flag_count: number;
    submitted_by: string;
    submitted_at: Date | string;
    updated_at: Date | string;
  }): ApplicationRecord => ({
    id: r.id,
    organisationId: r.organisation_id,
    kind: r.kind as ApplicationBody['kind'],
    subject: r.subject,
    status: r.status as ApplicationStatus,
    body: JSON.parse(envelope.openText(r.body_sealed, bodyContext(r.id))) as ApplicationBody,
    jwksUrl: r.jwks_url,
    flagCount: r.flag_count,
    submittedBy: r.submitted_by,
    submittedAt: new Date(r.submitted_at),
    updatedAt: new Date(r.updated_at),
  });

  const toDecision = (r: {
    seq: string | number | bigint;
    organisation_id: string;
    application_id: string | null;
    action: string;
    reason: string;
    actor_ref: string;
    actor_label: string;
    at: Date | string;
    prev_hash: string;
    hash: string;
  }): DecisionRecord => ({
    seq: Number(r.seq),
    organisationId: r.organisation_id,
    applicationId: r.application_id,
    action: r.action as AuditAction,
    reason: r.reason,
    actorRef: r.actor_ref,
    actorLabel: r.actor_label,
    at: new Date(r.at),
    prevHash: r.prev_hash,
    hash: r.hash,
  });

  return {
    /** Whether an id is used by any organisation, listed or not. */
    async organisationExists(id: string, q: Q = db): Promise<boolean> {
      const row = await q.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst();
      return row !== undefined;
    },

    /** Inserts a sign-up: unlisted, no roles until an application is approved. */
    async createOrganisation(
      q: Q,
      o: {
        id: string;
        name: LocalizedText;
        sector: Sector;
        website?: string | undefined;
        securityContact: SecurityContact;
      },
    ): Promise<void> {
      await q
        .insertInto('organisations')
        .values({
          id: o.id,
          name: json(o.name),
          sector: o.sector,
          roles: json([]),
          website: o.website ?? null,
          listed: false,
          security_contact_sealed: envelope.seal(json(o.securityContact), contactContext(o.id)),
        })
        .execute();
    },

    async getOrganisation(id: string, q: Q = db): Promise<OrganisationRecord | undefined> {
      const row = await q
        .selectFrom('organisations')
        .select(orgColumns)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toOrganisation(row);
    },

    async getOrganisations(ids: string[]): Promise<OrganisationRecord[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('organisations')
        .select(orgColumns)
        .where('id', 'in', ids)
        .orderBy('id')
        .execute();
      return rows.map(toOrganisation);
    },

    async listOrganisations(): Promise<OrganisationRecord[]> {
      const rows = await db.selectFrom('organisations').select(orgColumns).orderBy('id').execute();
      return rows.map(toOrganisation);
    },

    /** Lists an organisation publicly and gives it a catalogue role (on approval). */
    async publishOrganisation(q: Q, id: string, role: 'service-provider' | 'data-provider'): Promise<void> {
      const row = await q
        .selectFrom('organisations')
        .select('roles')
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const roles = [...new Set([...(row.roles as string[]), role])].sort();
      await q
        .updateTable('organisations')
        .set({ listed: true, roles: json(roles), updated_at: sql`now()` })
        .where('id', '=', id)
        .execute();
    },

    /** Sets or clears a suspension; answers false when it was already in that state. */
    async setSuspension(q: Q, id: string, suspension: { at: Date; reason: string } | null): Promise<boolean> {
      const result = await q
        .updateTable('organisations')
        .set({
          suspended_at: suspension?.at ?? null,
          suspension_reason: suspension?.reason ?? null,
        })
        .where('id', '=', id)
        .where('suspended_at', suspension ? 'is' : 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Service ids an organisation provides, in any environment: its OAuth client ids. */
    async serviceIdsOf(orgId: string, q: Q = db): Promise<string[]> {
      const rows = await q.selectFrom('services').select('id').where('provider_id', '=', orgId).execute();
      return rows.map((r) => r.id);
    },

    async serviceOwner(
      serviceId: string,
      q: Q = db,
    ): Promise<{ providerId: string; environment: string } | undefined> {
      const row = await q
        .selectFrom('services')
        .select(['provider_id', 'environment'])
        .where('id', '=', serviceId)
        .executeTakeFirst();
      return row && { providerId: row.provider_id, environment: row.environment };
    },

    async datasetOwners(ids: string[], q: Q = db): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await q
        .selectFrom('datasets')
        .select(['id', 'agency_id'])
        .where('id', 'in', ids)
        .execute();
      return new Map(rows.map((r) => [r.id, r.agency_id]));
    },

    /** Creates or replaces a service in the catalogue with its datasets, in the given environment. */
    async upsertService(
      q: Q,
      s: {
        id: string;
        providerId: string;
        environment: 'sandbox' | 'production';
        proposal: ServiceProposal;
        name: LocalizedText;
      },
    ): Promise<void> {
      const values = {
        provider_id: s.providerId,
        name: json(s.name),
        description: json(s.proposal.description),
        mode: s.proposal.mode,
        purpose: json(s.proposal.purpose),
        retention_days: s.proposal.retentionDays,
        environment: s.environment,
      };
      await q
        .insertInto('services')
        .values({ id: s.id, ...values })
        .onConflict((c) => c.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
        .execute();
      await q.deleteFrom('service_datasets').where('service_id', '=', s.id).execute();
      await q
        .insertInto('service_datasets')
        .values(
          s.proposal.datasets.map((d, position) => ({
            service_id: s.id,
            dataset_id: d.datasetId,
            position,
            required: d.required,
            justification: json(d.justification),
          })),
        )
        .execute();
    },

    /** Creates or replaces datasets of an agency (data-provider approval). */
    async upsertDatasets(q: Q, datasets: Dataset[]): Promise<void> {
      const now = new Date();
      for (const d of datasets) {
        const values = {
          agency_id: d.agencyId,
          name: json(d.name),
          description: json(d.description),
          topic: d.topic,
          fields: json(d.fields),
          payload_schema: json(d.payloadSchema),
          min_assurance: d.minAssurance,
          sensitivity: d.sensitivity,
        };
        await q
          .insertInto('datasets')
          .values({ id: d.id, ...values })
          .onConflict((c) => c.column('id').doUpdateSet({ ...values, updated_at: now }))
          .execute();
      }
    },

    async insertApplication(q: Q, a: Omit<ApplicationRecord, 'updatedAt'>): Promise<void> {
      await q
        .insertInto('integration_applications')
        .values({
          id: a.id,
          organisation_id: a.organisationId,
          kind: a.kind,
          subject: a.subject,
          status: a.status,
          body_sealed: envelope.seal(json(a.body), bodyContext(a.id)),
          jwks_url: a.jwksUrl,
          flag_count: a.flagCount,
          submitted_by: a.submittedBy,
          submitted_at: a.submittedAt,
          updated_at: a.submittedAt,
        })
        .execute();
    },

    async updateApplication(
      q: Q,
      id: string,
      change: {
        status: ApplicationStatus;
        body?: ApplicationBody;
        subject?: string;
        jwksUrl?: string | null;
        flagCount?: number;
        submittedBy?: string;
        at: Date;
      },
    ): Promise<void> {
      await q
        .updateTable('integration_applications')
        .set({
          status: change.status,
          updated_at: change.at,
          ...(change.body ? { body_sealed: envelope.seal(json(change.body), bodyContext(id)) } : {}),
          ...(change.subject !== undefined ? { subject: change.subject } : {}),
          ...(change.jwksUrl !== undefined ? { jwks_url: change.jwksUrl } : {}),
          ...(change.flagCount !== undefined ? { flag_count: change.flagCount } : {}),
          ...(change.submittedBy !== undefined
            ? { submitted_by: change.submittedBy, submitted_at: change.at }
            : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    /** One application, locked for update inside a transaction when `forUpdate`. */
    async getApplication(id: string, q: Q = db, forUpdate = false): Promise<ApplicationRecord | undefined> {
      let query = q.selectFrom('integration_applications').selectAll().where('id', '=', id);
      if (forUpdate) query = query.forUpdate();
      const row = await query.executeTakeFirst();
      return row && toApplication(row);
    },

    async listApplications(filter: {
      organisationId?: string;
      status?: ApplicationStatus;
    }): Promise<ApplicationRecord[]> {
      let q = db
        .selectFrom('integration_applications')
        .selectAll()
        .orderBy('submitted_at', 'desc')
        .orderBy('id');
      if (filter.organisationId) q = q.where('organisation_id', '=', filter.organisationId);
      if (filter.status) q = q.where('status', '=', filter.status);
      const rows = await q.limit(500).execute();
      return rows.map(toApplication);
    },

    /**
     * Appends to the audit trail. The table is locked for the rest of the transaction so that two
     * appends cannot both chain onto the same previous row.
     */
    async appendDecision(
      q: Q,
      d: Omit<DecisionRecord, 'seq' | 'hash' | 'prevHash'>,
    ): Promise<DecisionRecord> {
      await sql`lock table integration_decisions in share row exclusive mode`.execute(q);
      const last = await q
        .selectFrom('integration_decisions')
        .select(['seq', 'hash'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const seq = last ? Number(last.seq) + 1 : 1;
      const prevHash = last?.hash ?? GENESIS_HASH;
      // Stored at millisecond precision, as the canonical form writes it, so verification agrees.
      const at = new Date(d.at.getTime());
      const record = { ...d, at, seq };
      const hash = chainHash(prevHash, canonicalDecision(record));
      await q
        .insertInto('integration_decisions')
        .values({
          seq,
          organisation_id: d.organisationId,
          application_id: d.applicationId,
          action: d.action,
          reason: d.reason,
          actor_ref: d.actorRef,
          actor_label: d.actorLabel,
          at,
          prev_hash: prevHash,
          hash,
        })
        .execute();
      return { ...record, prevHash, hash };
    },

    async decisionsOf(applicationId: string): Promise<DecisionRecord[]> {
      const rows = await db
        .selectFrom('integration_decisions')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('seq')
        .execute();
      return rows.map(toDecision);
    },

    /** The whole trail, oldest first (for verification). */
    async allDecisions(): Promise<DecisionRecord[]> {
      const rows = await db.selectFrom('integration_decisions').selectAll().orderBy('seq').execute();
      return rows.map(toDecision);
    },

    async upsertClient(
      q: Q,
      c: {
        clientId: string;
        organisationId: string;
        environment: 'sandbox' | 'production';
        applicationId: string;
        jwksUrl: string | null;
      },
    ): Promise<void> {
      const values = {
        organisation_id: c.organisationId,
        environment: c.environment,
        application_id: c.applicationId,
        jwks_url: c.jwksUrl,
        updated_at: new Date(),
      };
      await q
        .insertInto('onboarding_clients')
        .values({ client_id: c.clientId, ...values })
        .onConflict((oc) => oc.column('client_id').doUpdateSet(values))
        .execute();
    },

    async clientsOf(orgId: string) {
      return db
        .selectFrom('onboarding_clients')
        .leftJoin('oauth_clients', 'oauth_clients.client_id', 'onboarding_clients.client_id')
        .select([
          'onboarding_clients.client_id as clientId',
          'onboarding_clients.environment',
          'onboarding_clients.jwks_url as jwksUrl',
          'onboarding_clients.application_id as applicationId',
          'oauth_clients.jwks',
          'oauth_clients.redirect_uris as redirectUris',
          'oauth_clients.webhook_url as webhookUrl',
        ])
        .where('onboarding_clients.organisation_id', '=', orgId)
        .orderBy('onboarding_clients.client_id')
        .execute();
    },
  };
}

export type OnboardingRepo = ReturnType<typeof createOnboardingRepo>;
