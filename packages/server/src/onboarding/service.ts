/**
 * Onboarding and the operator console: organisations sign up, apply to offer a service or to
 * provide data, get a sandbox at once, and are reviewed by the platform operator, who approves
 * (publishing to the catalogue and registering the OAuth client or the agency), asks for changes,
 * rejects, suspends or reinstates. Every step is appended to the hash-chained audit trail.
 */
import { randomUUID } from 'node:crypto';
import {
  AppError,
  type ApplicationBody,
  type ApplicationDetail,
  type ApplicationSummary,
  type AuditAction,
  type AuditTrail,
  type ClientView,
  type Dataset,
  type DecisionEntry,
  type DecisionRequest,
  type MyRole,
  type OnboardingMe,
  type OnboardingOrganisation,
  type OrganisationDetail,
  type OrganisationSignUp,
  type OrganisationStaffRole,
  PLATFORM_OPERATOR_ID,
  type ReviewFlag,
  reviewFlags,
  type SandboxCredentials,
  type ServiceApplicationBody,
  sandboxServiceId,
} from '@mydata/core';
import type { Suspensions } from '../catalogue/suspension.ts';
import type { Db } from '../db/database.ts';
import type { ExchangeGateway } from '../exchange/gateway.ts';
import type { AgencyRegistrationInput } from '../exchange/registry.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import { revokeClients } from '../oauth/adapter.ts';
import type { ClientRegistry } from '../oauth/clients.ts';
import { maskNationalId, type StaffRepo, type StaffRole } from '../staff/repository.ts';
import type { SandboxPersona } from './gate.ts';
import { checkAgencyJwks, checkServiceJwks, describeKeys, fetchJwks, type PublicKeySet } from './jwks.ts';
import {
  canonicalDecision,
  chainHash,
  type DecisionRecord,
  GENESIS_HASH,
  type OnboardingRepo,
} from './repository.ts';

/** Who is acting: the session's citizen ref (roles are keyed by it) and national ID (for staff adds). */
export interface Actor {
  citizenRef: string;
  nationalId: string;
}

export interface OnboardingServiceOptions {
  db: Db;
  repo: OnboardingRepo;
  staff: StaffRepo;
  /** The keyed hash staff are stored under (the identity capability's citizen ref). */
  citizenRef: (nationalId: string) => string;
  suspensions: Pick<Suspensions, 'clear'>;
  clients: Pick<ClientRegistry, 'register' | 'get'>;
  registerAgency: (input: AgencyRegistrationInput) => Promise<unknown>;
  /** The exchange gateway's probe: data-provider applicants' connection tests. */
  probe?: ExchangeGateway['probe'];
  /** The shared attempt counters (identity repo), which rate-limit connection tests. */
  attempts?: Pick<IdentityRepo, 'countFailure' | 'lockedUntil'>;
  /** Connection tests per organisation and window (30 per 10 minutes by default). */
  testCallLimit?: { max: number; windowSeconds: number };
  /** Forget cached service environments (the consent gate) after publishing. */
  onCatalogueChange?: () => void;
  publicUrl: string;
  sandboxPersonas: readonly SandboxPersona[];
  /** Every audit entry, for the application log. */
  audit?: (entry: DecisionRecord) => void;
  now?: () => Date;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** The purpose a connection test's query carries. */
const TEST_CALL_PURPOSE = 'https://w3id.org/dpv#ServiceProvision';

/** What a connection test found: the record, or the exchange error a real fetch would have given. */
export interface TestCallOutcome {
  ok: boolean;
  latencyMs: number;
  datasetId: string;
  nationalIdHint: string;
  payload?: unknown;
  error?: AppError;
}
const iso = (d: Date) => d.toISOString();
const blank = (s: string | undefined) => !s || s.trim() === '';

function invalid(pointer: string, reason: string): never {
  throw new AppError('onboarding.invalid-application', { pointer, reason });
}

/** Builds the onboarding service. */
export function createOnboardingService(o: OnboardingServiceOptions) {
  const { db, repo, staff } = o;
  const now = o.now ?? (() => new Date());
  const personasUrl = `${o.publicUrl}/api/v1/sandbox/personas`;
  const personaIds = new Set(o.sandboxPersonas.map((p) => p.nationalId.toUpperCase()));
  const testCallLimit = o.testCallLimit ?? { max: 30, windowSeconds: 600 };

  async function rolesIn(actor: Actor, orgId: string): Promise<StaffRole[]> {
    return (await staff.rolesOf(actor.citizenRef))
      .filter((m) => m.organisationId === orgId)
      .map((m) => m.role);
  }

  async function labelOf(actor: Actor, orgId: string): Promise<string> {
    const members = await staff.list(orgId);
    return members.find((m) => m.citizenRef === actor.citizenRef)?.label ?? actor.citizenRef.slice(0, 8);
  }

  /** The organisation, or 404; then the actor must hold one of `roles` there (any role when omitted). */
  async function requireMember(actor: Actor, orgId: string, roles?: readonly StaffRole[]) {
    const org = orgId === PLATFORM_OPERATOR_ID ? undefined : await repo.getOrganisation(orgId);
    if (!org) throw new AppError('onboarding.organisation-not-found', { organisationId: orgId });
    const mine = await rolesIn(actor, orgId);
    if (roles ? !mine.some((r) => roles.includes(r)) : mine.length === 0) {
      throw new AppError('onboarding.forbidden', {
        organisationId: orgId,
        role: (roles ?? ['admin', 'developer', 'counter-clerk']).join(' / '),
      });
    }
    return org;
  }

  async function requireOperator(actor: Actor): Promise<void> {
    if (!(await staff.hasRole(actor.citizenRef, PLATFORM_OPERATOR_ID, ['operator']))) {
      throw new AppError('operator.forbidden', { role: 'operator' });
    }
  }

  const presentOrganisation = (
    org: NonNullable<Awaited<ReturnType<typeof repo.getOrganisation>>>,
  ): OnboardingOrganisation => ({
    id: org.id,
    name: org.name,
    sector: org.sector,
    ...(org.website ? { website: org.website } : {}),
    ...(org.securityContact ? { securityContact: org.securityContact } : {}),
    listed: org.listed,
    suspended: org.suspended ? { since: iso(org.suspended.since), reason: org.suspended.reason } : null,
  });

  const presentDecision = (d: DecisionRecord): DecisionEntry => ({
    seq: d.seq,
    organisationId: d.organisationId,
    applicationId: d.applicationId,
    action: d.action,
    reason: d.reason,
    actorLabel: d.actorLabel,
    at: iso(d.at),
    hash: d.hash,
  });

  async function append(
    q: Parameters<OnboardingRepo['appendDecision']>[0],
    entry: {
      organisationId: string;
      applicationId: string | null;
      action: AuditAction;
      reason: string;
      actor: Actor;
      label: string;
    },
  ): Promise<DecisionRecord> {
    return repo.appendDecision(q, {
      organisationId: entry.organisationId,
      applicationId: entry.applicationId,
      action: entry.action,
      reason: entry.reason,
      actorRef: entry.actor.citizenRef,
      actorLabel: entry.label,
      at: now(),
    });
  }

  const subjectOf = (body: ApplicationBody) =>
    body.kind === 'service' ? body.service.id : body.datasets.map((d) => d.id).join(',');

  /** The catalogue datasets an application's flags and checks need. */
  async function catalogueDatasets(ids: string[]): Promise<Dataset[]> {
    if (ids.length === 0) return [];
    const rows = await db
      .selectFrom('datasets')
      .select([
        'id',
        'agency_id',
        'name',
        'description',
        'topic',
        'fields',
        'payload_schema',
        'min_assurance',
        'sensitivity',
      ])
      .where('id', 'in', ids)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      agencyId: r.agency_id,
      name: r.name,
      description: r.description,
      topic: r.topic,
      fields: r.fields,
      payloadSchema: r.payload_schema,
      minAssurance: r.min_assurance,
      sensitivity: r.sensitivity,
    })) as Dataset[];
  }

  async function flagsOf(body: ApplicationBody): Promise<ReviewFlag[]> {
    const ids = body.kind === 'service' ? body.service.datasets.map((d) => d.datasetId) : [];
    return reviewFlags(body, { datasets: await catalogueDatasets(ids) });
  }

  function checkUri(value: string, pointer: string): URL {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return invalid(pointer, `"${value}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid(pointer, `"${value}" must use https`);
    if (url.hash) invalid(pointer, `"${value}" must not have a fragment`);
    if (url.username || url.password) invalid(pointer, `"${value}" must not carry credentials`);
    return url;
  }

  /**
   * Checks an application against the catalogue and fetches its keys. Answers the keys snapshot to
   * register (service: the client's JWKS; data provider: the agency's signing keys).
   */
  async function checkApplication(orgId: string, body: ApplicationBody): Promise<PublicKeySet | undefined> {
    if (body.jwks && body.jwksUrl) invalid('/jwksUrl', 'give either jwksUrl or jwks, not both');
    if (body.kind === 'service') {
      const s = body.service;
      if (!s.id.startsWith(`${orgId}.`) || s.id.endsWith('-sandbox')) {
        throw new AppError('onboarding.subject-taken', { id: s.id, organisationId: orgId });
      }
      const owner = await repo.serviceOwner(s.id);
      if (owner && owner.providerId !== orgId) {
        throw new AppError('onboarding.subject-taken', { id: s.id, organisationId: orgId });
      }
      if (blank(s.purpose.description['zh-TW']) || blank(s.purpose.description.en)) {
        throw new AppError('onboarding.justification-missing', {
          pointer: '/service/purpose/description',
          what: 'purpose',
        });
      }
      const ids = s.datasets.map((d) => d.datasetId);
      const known = new Map((await catalogueDatasets(ids)).map((d) => [d.id, d]));
      const seen = new Set<string>();
      s.datasets.forEach((d, i) => {
        const dataset = known.get(d.datasetId);
        if (!dataset) {
          throw new AppError('onboarding.dataset-not-found', {
            datasetId: d.datasetId,
            pointer: `/service/datasets/${i}/datasetId`,
          });
        }
        if (seen.has(d.datasetId))
          invalid(`/service/datasets/${i}/datasetId`, `"${d.datasetId}" is listed twice`);
        seen.add(d.datasetId);
        if (blank(d.justification['zh-TW']) || blank(d.justification.en)) {
          throw new AppError('onboarding.justification-missing', {
            pointer: `/service/datasets/${i}/justification`,
            what: `dataset ${d.datasetId}`,
          });
        }
        const fieldNames = new Set(dataset.fields.map((f) => f.name));
        d.fields.forEach((f, j) => {
          if (!fieldNames.has(f.name)) {
            invalid(`/service/datasets/${i}/fields/${j}/name`, `"${d.datasetId}" has no field "${f.name}"`);
          }
          if (blank(f.justification['zh-TW']) || blank(f.justification.en)) {
            throw new AppError('onboarding.justification-missing', {
              pointer: `/service/datasets/${i}/fields/${j}/justification`,
              what: `field ${f.name}`,
            });
          }
        });
      });
      if (!s.datasets.some((d) => d.required))
        invalid('/service/datasets', 'at least one dataset must be required');
      const redirectUris = body.redirectUris ?? [];
      if (s.mode === 'counter') {
        if (redirectUris.length > 0 || body.jwks || body.jwksUrl || body.webhookUrl) {
          invalid('/redirectUris', 'a counter service has no redirect URIs, keys or webhook: leave them out');
        }
        return undefined;
      }
      if (redirectUris.length === 0)
        invalid('/redirectUris', 'an online service needs at least one redirect URI');
      for (const [i, u] of redirectUris.entries()) checkUri(u, `/redirectUris/${i}`);
      if (body.webhookUrl) checkUri(body.webhookUrl, '/webhookUrl');
      if (!body.jwks && !body.jwksUrl) invalid('/jwksUrl', 'an online service needs keys: jwksUrl or jwks');
      return checkServiceJwks(body.jwksUrl ? await fetchJwks(body.jwksUrl) : body.jwks);
    }
    const seen = new Set<string>();
    const ids = body.datasets.map((d) => d.id);
    const owners = await repo.datasetOwners(ids);
    body.datasets.forEach((d, i) => {
      if (d.agencyId !== orgId)
        invalid(`/datasets/${i}/agencyId`, `must be the applying organisation "${orgId}"`);
      if (!d.id.startsWith(`${orgId}.`) || (owners.has(d.id) && owners.get(d.id) !== orgId)) {
        throw new AppError('onboarding.subject-taken', { id: d.id, organisationId: orgId });
      }
      if (seen.has(d.id)) invalid(`/datasets/${i}/id`, `"${d.id}" is listed twice`);
      seen.add(d.id);
      const names = new Set<string>();
      for (const f of d.fields) {
        if (names.has(f.name)) invalid(`/datasets/${i}/fields`, `field "${f.name}" is listed twice`);
        names.add(f.name);
      }
    });
    if (!body.jwks && !body.jwksUrl)
      invalid('/jwksUrl', 'a data provider needs its response-signing keys: jwksUrl or jwks');
    return checkAgencyJwks(body.jwksUrl ? await fetchJwks(body.jwksUrl) : body.jwks);
  }

  /** Creates or updates the sandbox twin of a service application, and its OAuth client. */
  async function setUpSandbox(
    orgId: string,
    applicationId: string,
    body: ServiceApplicationBody,
    keys: PublicKeySet | undefined,
  ): Promise<SandboxCredentials> {
    const id = sandboxServiceId(body.service.id);
    await db.transaction().execute(async (tx) => {
      await repo.upsertService(tx, {
        id,
        providerId: orgId,
        environment: 'sandbox',
        proposal: body.service,
        name: { 'zh-TW': `${body.service.name['zh-TW']}（沙盒）`, en: `${body.service.name.en} (sandbox)` },
      });
      await repo.upsertClient(tx, {
        clientId: id,
        organisationId: orgId,
        environment: 'sandbox',
        applicationId,
        jwksUrl: body.jwksUrl ?? null,
      });
    });
    o.onCatalogueChange?.();
    if (body.service.mode === 'online' && keys) {
      await o.clients.register({
        clientId: id,
        jwks: keys as never,
        redirectUris: body.redirectUris ?? [],
        webhookUrl: body.webhookUrl,
        allowHttpRedirects: true,
      });
    }
    return { serviceId: id, clientId: id, issuer: o.publicUrl, personasUrl };
  }

  async function sandboxOf(app: {
    organisationId: string;
    body: ApplicationBody;
  }): Promise<SandboxCredentials | null> {
    if (app.body.kind !== 'service') return null;
    const id = sandboxServiceId(app.body.service.id);
    const owner = await repo.serviceOwner(id);
    if (!owner) return null;
    return { serviceId: id, clientId: id, issuer: o.publicUrl, personasUrl };
  }

  async function summaryOf(
    apps: Awaited<ReturnType<OnboardingRepo['listApplications']>>,
  ): Promise<ApplicationSummary[]> {
    const orgs = new Map(
      (await repo.getOrganisations([...new Set(apps.map((a) => a.organisationId))])).map((x) => [x.id, x]),
    );
    return apps.map((a) => ({
      id: a.id,
      organisationId: a.organisationId,
      organisationName: orgs.get(a.organisationId)?.name ?? {
        'zh-TW': a.organisationId,
        en: a.organisationId,
      },
      kind: a.kind,
      subject: a.subject,
      status: a.status,
      submittedAt: iso(a.submittedAt),
      updatedAt: iso(a.updatedAt),
      flagCount: a.flagCount,
    }));
  }

  async function detailOf(
    app: NonNullable<Awaited<ReturnType<OnboardingRepo['getApplication']>>>,
  ): Promise<ApplicationDetail> {
    const org = await repo.getOrganisation(app.organisationId);
    return {
      id: app.id,
      organisationId: app.organisationId,
      organisationName: org?.name ?? { 'zh-TW': app.organisationId, en: app.organisationId },
      status: app.status,
      submittedAt: iso(app.submittedAt),
      updatedAt: iso(app.updatedAt),
      body: app.body,
      flags: await flagsOf(app.body),
      decisions: (await repo.decisionsOf(app.id)).map(presentDecision),
      sandbox: await sandboxOf(app),
    };
  }

  async function approve(
    app: NonNullable<Awaited<ReturnType<OnboardingRepo['getApplication']>>>,
    keysSnapshot: () => Promise<PublicKeySet | undefined>,
    tx: Parameters<OnboardingRepo['appendDecision']>[0],
  ): Promise<() => Promise<void>> {
    const body = app.body;
    if (body.kind === 'service') {
      for (const [i, uri] of (body.redirectUris ?? []).entries()) {
        const url = new URL(uri);
        if (url.protocol !== 'https:' && !LOCAL_HOSTS.has(url.hostname)) {
          throw new AppError('onboarding.redirect-not-https', { uri: `${uri} (/redirectUris/${i})` });
        }
      }
      await repo.upsertService(tx, {
        id: body.service.id,
        providerId: app.organisationId,
        environment: 'production',
        proposal: body.service,
        name: body.service.name,
      });
      await repo.publishOrganisation(tx, app.organisationId, 'service-provider');
      if (body.service.mode !== 'online') return async () => {};
      await repo.upsertClient(tx, {
        clientId: body.service.id,
        organisationId: app.organisationId,
        environment: 'production',
        applicationId: app.id,
        jwksUrl: body.jwksUrl ?? null,
      });
      const keys = await keysSnapshot();
      if (!keys) invalid('/jwksUrl', 'the application has no keys to register');
      // Registered after the catalogue commit: the registry checks the service exists in it.
      return async () => {
        await o.clients.register({
          clientId: body.service.id,
          jwks: keys as never,
          redirectUris: body.redirectUris ?? [],
          webhookUrl: body.webhookUrl,
        });
      };
    }
    await repo.upsertDatasets(tx, body.datasets);
    await repo.publishOrganisation(tx, app.organisationId, 'data-provider');
    const keys = await keysSnapshot();
    if (!keys) invalid('/jwksUrl', 'the application has no keys to register');
    return async () => {
      await o.registerAgency({
        agencyId: app.organisationId,
        baseUrl: body.endpoint.baseUrl,
        tlsSpkiSha256: body.endpoint.tlsSpkiSha256,
        jwks: keys as never,
      });
    };
  }

  return {
    /** The signed-in person's organisations and roles, and whether they are an operator. */
    async me(actor: Actor): Promise<OnboardingMe> {
      const memberships = await staff.rolesOf(actor.citizenRef);
      const orgIds = [
        ...new Set(memberships.map((m) => m.organisationId).filter((id) => id !== PLATFORM_OPERATOR_ID)),
      ];
      const orgs = await repo.getOrganisations(orgIds);
      return {
        organisations: orgs.map((org) => ({
          id: org.id,
          name: org.name,
          sector: org.sector,
          listed: org.listed,
          suspended: org.suspended ? { since: iso(org.suspended.since), reason: org.suspended.reason } : null,
          myRoles: memberships
            .filter((m) => m.organisationId === org.id && m.role !== 'operator')
            .map((m) => m.role as OrganisationStaffRole),
        })),
        operator: memberships.some((m) => m.organisationId === PLATFORM_OPERATOR_ID && m.role === 'operator'),
      };
    },

    /** Signs up an organisation: unlisted until approved; the creator becomes its admin. */
    async signUp(actor: Actor, input: OrganisationSignUp): Promise<OnboardingOrganisation> {
      if (input.id === PLATFORM_OPERATOR_ID) {
        throw new AppError('onboarding.organisation-id-unavailable', {
          organisationId: input.id,
          reason: 'it is reserved for the platform operator',
        });
      }
      await db.transaction().execute(async (tx) => {
        if (await repo.organisationExists(input.id, tx)) {
          throw new AppError('onboarding.organisation-id-unavailable', {
            organisationId: input.id,
            reason: 'another organisation has it',
          });
        }
        await repo.createOrganisation(tx, input);
      });
      await staff.add({
        organisationId: input.id,
        nationalId: actor.nationalId,
        role: 'admin',
        label: '',
        addedBy: actor.citizenRef,
      });
      const org = await repo.getOrganisation(input.id);
      return presentOrganisation(org as NonNullable<typeof org>);
    },

    /** An organisation as its staff see it: staff, applications and OAuth clients with key thumbprints. */
    async organisation(actor: Actor, orgId: string): Promise<OrganisationDetail> {
      const org = await requireMember(actor, orgId);
      const members = await staff.list(orgId);
      const clients = await repo.clientsOf(orgId);
      return {
        organisation: presentOrganisation(org),
        staff: members
          .filter((m) => m.role !== 'operator')
          .map((m) => ({
            citizenRef: m.citizenRef,
            label: m.label,
            nationalIdHint: m.nationalIdHint,
            role: m.role as OrganisationStaffRole,
            addedAt: iso(m.addedAt),
          })),
        applications: await summaryOf(await repo.listApplications({ organisationId: orgId })),
        clients: await Promise.all(
          clients.map(
            async (c): Promise<ClientView> => ({
              clientId: c.clientId,
              environment: c.environment as ClientView['environment'],
              redirectUris: (c.redirectUris as string[] | null) ?? [],
              webhookUrl: c.webhookUrl ?? null,
              jwksUrl: c.jwksUrl ?? null,
              keys: c.jwks ? await describeKeys(c.jwks as PublicKeySet) : [],
            }),
          ),
        ),
      };
    },

    async addStaff(
      actor: Actor,
      orgId: string,
      input: { nationalId: string; role: OrganisationStaffRole; label: string },
    ) {
      await requireMember(actor, orgId, ['admin']);
      const member = await staff.add({ organisationId: orgId, ...input, addedBy: actor.citizenRef });
      return {
        citizenRef: o.citizenRef(input.nationalId.trim().toUpperCase()),
        label: member.label,
        nationalIdHint: member.nationalIdHint,
        role: member.role as OrganisationStaffRole,
        addedAt: iso(member.addedAt),
      };
    },

    async removeStaff(
      actor: Actor,
      orgId: string,
      citizenRef: string,
      role: OrganisationStaffRole,
    ): Promise<void> {
      await requireMember(actor, orgId, ['admin']);
      await db.transaction().execute(async (tx) => {
        // Serialises removals in one organisation so two admins cannot remove each other at once.
        const admins = await tx
          .selectFrom('staff_members')
          .select('citizen_ref')
          .where('organisation_id', '=', orgId)
          .where('role', '=', 'admin')
          .forUpdate()
          .execute();
        if (role === 'admin' && admins.length === 1 && admins[0]?.citizen_ref === citizenRef) {
          throw new AppError('onboarding.last-admin', { organisationId: orgId });
        }
        const removed = await tx
          .deleteFrom('staff_members')
          .where('organisation_id', '=', orgId)
          .where('citizen_ref', '=', citizenRef)
          .where('role', '=', role)
          .executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) {
          throw new AppError('onboarding.staff-not-found', { organisationId: orgId, role });
        }
      });
    },

    /** Files an application (201), sets up its sandbox, answers its flags. */
    async submit(actor: Actor, orgId: string, body: ApplicationBody) {
      await requireMember(actor, orgId, ['admin', 'developer']);
      const keys = await checkApplication(orgId, body);
      const flags = await flagsOf(body);
      const id = randomUUID();
      const at = now();
      const label = await labelOf(actor, orgId);
      const entry = await db.transaction().execute(async (tx) => {
        await repo.insertApplication(tx, {
          id,
          organisationId: orgId,
          kind: body.kind,
          subject: subjectOf(body),
          status: 'submitted',
          body,
          jwksUrl: body.jwksUrl ?? null,
          flagCount: flags.length,
          submittedBy: actor.citizenRef,
          submittedAt: at,
        });
        return append(tx, {
          organisationId: orgId,
          applicationId: id,
          action: 'submit',
          reason: '',
          actor,
          label,
        });
      });
      o.audit?.(entry);
      const sandbox = body.kind === 'service' ? await setUpSandbox(orgId, id, body, keys) : null;
      return { id, status: 'submitted' as const, flags, sandbox };
    },

    /** Resubmits an application the operator sent back; only while changes are requested. */
    async resubmit(actor: Actor, orgId: string, appId: string, body: ApplicationBody) {
      await requireMember(actor, orgId, ['admin', 'developer']);
      const current = await repo.getApplication(appId);
      if (!current || current.organisationId !== orgId) {
        throw new AppError('onboarding.application-not-found', { applicationId: appId });
      }
      if (current.status !== 'changes-requested') {
        throw new AppError('onboarding.not-resubmittable', { applicationId: appId, status: current.status });
      }
      if (body.kind !== current.kind) invalid('/kind', `the application is a ${current.kind} application`);
      const keys = await checkApplication(orgId, body);
      const flags = await flagsOf(body);
      const label = await labelOf(actor, orgId);
      const entry = await db.transaction().execute(async (tx) => {
        const locked = await repo.getApplication(appId, tx, true);
        if (locked?.status !== 'changes-requested') {
          throw new AppError('onboarding.not-resubmittable', {
            applicationId: appId,
            status: locked?.status ?? 'unknown',
          });
        }
        await repo.updateApplication(tx, appId, {
          status: 'submitted',
          body,
          subject: subjectOf(body),
          jwksUrl: body.jwksUrl ?? null,
          flagCount: flags.length,
          submittedBy: actor.citizenRef,
          at: now(),
        });
        return append(tx, {
          organisationId: orgId,
          applicationId: appId,
          action: 'resubmit',
          reason: '',
          actor,
          label,
        });
      });
      o.audit?.(entry);
      const sandbox = body.kind === 'service' ? await setUpSandbox(orgId, appId, body, keys) : null;
      return { id: appId, status: 'submitted' as const, flags, sandbox };
    },

    /** One application as its organisation's staff see it. */
    async application(actor: Actor, orgId: string, appId: string): Promise<ApplicationDetail> {
      await requireMember(actor, orgId);
      const app = await repo.getApplication(appId);
      if (!app || app.organisationId !== orgId) {
        throw new AppError('onboarding.application-not-found', { applicationId: appId });
      }
      return detailOf(app);
    },

    /** Fetches a client's JWKS URL again and stores the new snapshot (key rotation). */
    async refreshKeys(actor: Actor, orgId: string, clientId: string): Promise<ClientView> {
      await requireMember(actor, orgId, ['admin', 'developer']);
      const client = (await repo.clientsOf(orgId)).find((c) => c.clientId === clientId);
      if (!client?.jwksUrl || !client.redirectUris) {
        throw new AppError('onboarding.client-not-found', { organisationId: orgId, clientId });
      }
      const keys = checkServiceJwks(await fetchJwks(client.jwksUrl));
      const registered = await o.clients.register({
        clientId,
        jwks: keys as never,
        redirectUris: client.redirectUris as string[],
        webhookUrl: client.webhookUrl ?? undefined,
        allowHttpRedirects: client.environment === 'sandbox',
      });
      return {
        clientId,
        environment: client.environment as ClientView['environment'],
        redirectUris: registered.redirectUris,
        webhookUrl: registered.webhookUrl ?? null,
        jwksUrl: client.jwksUrl,
        keys: await describeKeys(keys),
      };
    },

    /**
     * A connection test of a data-provider application (docs/onboarding.md): one signed query for
     * one of its datasets and one test persona, to the endpoint, pins and keys it gave, through the
     * exchange gateway's probe. Only test personas: an agency not yet reviewed is never asked about
     * a real citizen. Rate-limited per organisation.
     */
    async testCall(
      actor: Actor,
      orgId: string,
      appId: string,
      input: { datasetId: string; nationalId: string },
    ): Promise<TestCallOutcome> {
      await requireMember(actor, orgId, ['admin', 'developer']);
      const app = await repo.getApplication(appId);
      if (!app || app.organisationId !== orgId) {
        throw new AppError('onboarding.application-not-found', { applicationId: appId });
      }
      const body = app.body;
      if (body.kind !== 'data-provider') {
        throw new AppError('onboarding.test-call-unavailable', {
          applicationId: appId,
          reason: 'it is not a data-provider application / 不是資料提供申請',
        });
      }
      if (app.status === 'rejected') {
        throw new AppError('onboarding.test-call-unavailable', {
          applicationId: appId,
          reason: 'it was rejected / 申請已被駁回',
        });
      }
      const index = body.datasets.findIndex((d) => d.id === input.datasetId);
      const dataset = body.datasets[index];
      if (!dataset) {
        throw new AppError('onboarding.dataset-not-found', {
          datasetId: input.datasetId,
          pointer: '/datasetId',
        });
      }
      const nationalId = input.nationalId.trim().toUpperCase();
      if (!personaIds.has(nationalId)) throw new AppError('onboarding.test-persona-only');
      if (!o.probe || !o.attempts) {
        throw new AppError('onboarding.test-call-unavailable', {
          applicationId: appId,
          reason: 'the platform runs without an exchange gateway / 平臺未啟用資料交換閘道',
        });
      }
      const key = `onboarding-test-call:${orgId}`;
      const at = now();
      const limited = (until: Date) =>
        new AppError('onboarding.test-call-rate-limited', {
          organisationId: orgId,
          max: testCallLimit.max,
          windowMinutes: Math.round(testCallLimit.windowSeconds / 60),
          retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - at.getTime()) / 1000)),
        });
      const locked = await o.attempts.lockedUntil(key, at);
      if (locked) throw limited(locked);
      // Every test call counts (the counter locks when the window's max is reached).
      await o.attempts.countFailure(key, at, {
        max: testCallLimit.max,
        windowSeconds: testCallLimit.windowSeconds,
        lockSeconds: testCallLimit.windowSeconds,
      });
      const keys = checkAgencyJwks(body.jwksUrl ? await fetchJwks(body.jwksUrl) : body.jwks);
      const result = await o.probe({
        registration: {
          baseUrl: body.endpoint.baseUrl,
          tlsSpkiSha256: body.endpoint.tlsSpkiSha256,
          jwks: keys as never,
        },
        dataset: { id: dataset.id, agencyId: orgId, payloadSchema: dataset.payloadSchema },
        nationalId,
        purpose: TEST_CALL_PURPOSE,
      });
      const common = {
        latencyMs: result.latencyMs,
        datasetId: dataset.id,
        nationalIdHint: maskNationalId(nationalId),
      };
      return result.ok
        ? { ok: true, ...common, payload: result.payload }
        : { ok: false, ...common, error: result.error };
    },

    /** The review queue (operator). */
    async operatorApplications(actor: Actor, status?: ApplicationDetail['status']) {
      await requireOperator(actor);
      return { applications: await summaryOf(await repo.listApplications(status ? { status } : {})) };
    },

    async operatorApplication(actor: Actor, appId: string): Promise<ApplicationDetail> {
      await requireOperator(actor);
      const app = await repo.getApplication(appId);
      if (!app) throw new AppError('onboarding.application-not-found', { applicationId: appId });
      return detailOf(app);
    },

    /** Approves, asks for changes or rejects a submitted application (operator). */
    async decide(actor: Actor, appId: string, request: DecisionRequest): Promise<ApplicationDetail> {
      await requireOperator(actor);
      const reason = request.reason.trim();
      if (request.decision !== 'approve' && !reason) {
        throw new AppError('operator.reason-required', { decision: request.decision });
      }
      const label = await labelOf(actor, PLATFORM_OPERATOR_ID);
      const status = {
        approve: 'approved',
        'request-changes': 'changes-requested',
        reject: 'rejected',
      } as const;
      // Keys are read (or fetched) before the transaction: nothing slow or on another connection inside it.
      const before = await repo.getApplication(appId);
      if (!before) throw new AppError('onboarding.application-not-found', { applicationId: appId });
      const keys = request.decision === 'approve' ? await keysSnapshotOf(before) : undefined;
      const outcome = await db.transaction().execute(async (tx) => {
        const app = await repo.getApplication(appId, tx, true);
        if (!app) throw new AppError('onboarding.application-not-found', { applicationId: appId });
        if (app.status !== 'submitted') {
          throw new AppError('operator.already-decided', { applicationId: appId, status: app.status });
        }
        const after =
          request.decision === 'approve' ? await approve(app, async () => keys, tx) : async () => {};
        await repo.updateApplication(tx, appId, { status: status[request.decision], at: now() });
        const entry = await append(tx, {
          organisationId: app.organisationId,
          applicationId: appId,
          action: request.decision,
          reason,
          actor,
          label,
        });
        return { entry, after };
      });
      await outcome.after();
      o.onCatalogueChange?.();
      o.audit?.(outcome.entry);
      const app = await repo.getApplication(appId);
      return detailOf(app as NonNullable<typeof app>);
    },

    async operatorOrganisations(actor: Actor) {
      await requireOperator(actor);
      const orgs = await repo.listOrganisations();
      return {
        organisations: orgs.map((org) => ({
          id: org.id,
          name: org.name,
          sector: org.sector,
          listed: org.listed,
          suspended: org.suspended ? { since: iso(org.suspended.since), reason: org.suspended.reason } : null,
        })),
      };
    },

    /** Suspends at once: new consents and package hand-overs refused, tokens revoked, agency calls refused. */
    async suspend(actor: Actor, orgId: string, reason: string) {
      await requireOperator(actor);
      return changeSuspension(actor, orgId, reason.trim(), true);
    },

    async reinstate(actor: Actor, orgId: string, reason: string) {
      await requireOperator(actor);
      return changeSuspension(actor, orgId, reason.trim(), false);
    },

    /** The audit trail, newest first, with the result of checking the whole hash chain. */
    async decisions(actor: Actor): Promise<AuditTrail> {
      await requireOperator(actor);
      const all = await repo.allDecisions();
      return { entries: all.slice().reverse().slice(0, 1000).map(presentDecision), chain: verifyChain(all) };
    },

    /** The published test personas sandbox services accept (public). */
    personas: () => ({ personas: o.sandboxPersonas.map((p) => ({ ...p })) }),
  };

  async function keysSnapshotOf(app: { body: ApplicationBody }): Promise<PublicKeySet | undefined> {
    if (app.body.kind === 'service') {
      // What the sandbox client holds is the latest snapshot (refreshed keys included).
      const sandbox = await o.clients.get(sandboxServiceId(app.body.service.id));
      if (sandbox) return checkServiceJwks(sandbox.jwks);
      return app.body.jwks ? checkServiceJwks(app.body.jwks) : undefined;
    }
    return checkAgencyJwks(app.body.jwksUrl ? await fetchJwks(app.body.jwksUrl) : app.body.jwks);
  }

  async function changeSuspension(actor: Actor, orgId: string, reason: string, suspend: boolean) {
    if (!reason)
      throw new AppError('operator.reason-required', { decision: suspend ? 'suspend' : 'reinstate' });
    if (orgId === PLATFORM_OPERATOR_ID || !(await repo.getOrganisation(orgId))) {
      throw new AppError('onboarding.organisation-not-found', { organisationId: orgId });
    }
    const label = await labelOf(actor, PLATFORM_OPERATOR_ID);
    const entry = await db.transaction().execute(async (tx) => {
      const changed = await repo.setSuspension(tx, orgId, suspend ? { at: now(), reason } : null);
      if (!changed) {
        throw new AppError('operator.suspension-state', {
          organisationId: orgId,
          state: suspend ? 'already suspended / 已在停權中' : 'not suspended / 未被停權',
        });
      }
      if (suspend) await revokeClients(tx, await repo.serviceIdsOf(orgId, tx));
      return append(tx, {
        organisationId: orgId,
        applicationId: null,
        action: suspend ? 'suspend' : 'reinstate',
        reason,
        actor,
        label,
      });
    });
    o.suspensions.clear();
    o.audit?.(entry);
    const org = await repo.getOrganisation(orgId);
    return presentOrganisation(org as NonNullable<typeof org>);
  }
}

/** Recomputes every hash from the genesis; the first row that does not match breaks the chain. */
export function verifyChain(rows: DecisionRecord[]): AuditTrail['chain'] {
  let prev = GENESIS_HASH;
  for (const [i, r] of rows.entries()) {
    const expectedSeq = i + 1;
    if (r.seq !== expectedSeq || r.prevHash !== prev || chainHash(prev, canonicalDecision(r)) !== r.hash) {
      return { valid: false, checked: i, brokenAt: r.seq };
    }
    prev = r.hash;
  }
  return { valid: true, checked: rows.length };
}

export type OnboardingService = ReturnType<typeof createOnboardingService>;
export type { MyRole };
