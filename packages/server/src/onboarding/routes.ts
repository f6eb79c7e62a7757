import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  ApplicationBody,
  ApplicationCreated,
  ApplicationDetail,
  type AssuranceLevel,
  AuditTrail,
  ClientView,
  DecisionRequest,
  ERROR_CATALOGUE,
  formatErrorDetail,
  KeysRefreshRequest,
  meetsAssurance,
  negotiateLanguage,
  OnboardingMe,
  OnboardingOrganisation,
  OperatorApplications,
  OperatorApplicationsQuery,
  OperatorOrganisations,
  OrganisationDetail,
  OrganisationSignUp,
  OrganisationStaffRole,
  ReasonRequest,
  SandboxPersonas,
  StaffAddRequest,
  StaffEntry,
  TestCallRequest,
  TestCallResult,
} from '@mydata/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { createSessionGuard } from '../identity/http.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Actor, OnboardingService } from './service.ts';

export interface OnboardingRoutesOptions {
  service: OnboardingService;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  identityRepo: Pick<IdentityRepo, 'citizenRefOf' | 'nationalIdOf'>;
  publicUrl: string;
}

/** Operator and admin actions change who may receive citizens' data: a low-assurance session is not enough. */
const STAFF_ASSURANCE: AssuranceLevel = 'substantial';

const Id = Type.String({ minLength: 1, maxLength: 100 });
const OrgParams = Type.Object({ orgId: Id }, { additionalProperties: false });
const AppParams = Type.Object({ orgId: Id, appId: Id }, { additionalProperties: false });
const IdParams = Type.Object({ id: Id }, { additionalProperties: false });
const StaffParams = Type.Object(
  { orgId: Id, citizenRef: Type.String({ minLength: 1, maxLength: 200 }), role: OrganisationStaffRole },
  { additionalProperties: false },
);

/** Sign-up, applications, staff and keys of organisations; the operator console; the sandbox personas. See docs/onboarding.md. */
export const onboardingRoutes: FastifyPluginAsyncTypebox<OnboardingRoutesOptions> = async (app, opts) => {
  const { service } = opts;
  const requireSession = createSessionGuard({ service: opts.identity, publicUrl: opts.publicUrl });

  /** The caller as an actor; with `strong`, a session of at least substantial assurance. */
  async function actorOf(req: FastifyRequest, reply: FastifyReply, strong: boolean): Promise<Actor> {
    const session = await requireSession(req, reply);
    reply.header('cache-control', 'no-store');
    if (strong && !meetsAssurance(session.assurance as AssuranceLevel, STAFF_ASSURANCE)) {
      const candidates = await opts.identity.stepUpOptions(session, STAFF_ASSURANCE);
      throw new AppError('identity.step-up-required', {
        required: STAFF_ASSURANCE,
        current: session.assurance,
        candidates: candidates.join(', '),
      });
    }
    const [citizenRef, nationalId] = await Promise.all([
      opts.identityRepo.citizenRefOf(session.citizenId),
      opts.identityRepo.nationalIdOf(session.citizenId),
    ]);
    if (!citizenRef) throw new AppError('identity.not-signed-in', { reason: 'the account is gone' });
    return { citizenRef, nationalId };
  }

  const tags = ['onboarding'];
  const operatorTags = ['operator'];

  app.get(
    '/sandbox/personas',
    {
      schema: {
        tags,
        summary: 'The test personas that may consent to sandbox services (public)',
        response: { 200: SandboxPersonas },
      },
    },
    async () => service.personas(),
  );

  app.get(
    '/onboarding/me',
    {
      schema: {
        tags,
        summary: 'My organisations and roles, and whether I am a platform operator',
        response: { 200: OnboardingMe },
      },
    },
    async (req, reply) => service.me(await actorOf(req, reply, false)),
  );

  app.post(
    '/onboarding/organisations',
    {
      schema: {
        tags,
        summary: 'Signs up an organisation; it stays unlisted until an application of it is approved',
        body: OrganisationSignUp,
        response: { 201: OnboardingOrganisation },
      },
    },
    async (req, reply) => {
      const org = await service.signUp(await actorOf(req, reply, true), req.body);
      return reply.code(201).send(org);
    },
  );

  app.get(
    '/onboarding/organisations/:orgId',
    {
      schema: {
        tags,
        summary: 'An organisation as its staff see it: staff, applications, OAuth clients and keys',
        params: OrgParams,
        response: { 200: OrganisationDetail },
      },
    },
    async (req, reply) => service.organisation(await actorOf(req, reply, false), req.params.orgId),
  );

  app.post(
    '/onboarding/organisations/:orgId/staff',
    {
      schema: {
        tags,
        summary: 'Gives a person a role in the organisation (admin)',
        params: OrgParams,
        body: StaffAddRequest,
        response: { 201: StaffEntry },
      },
    },
    async (req, reply) => {
      const entry = await service.addStaff(await actorOf(req, reply, true), req.params.orgId, req.body);
      return reply.code(201).send(entry);
    },
  );

  app.delete(
    '/onboarding/organisations/:orgId/staff/:citizenRef/:role',
    {
      schema: {
        tags,
        summary: 'Takes a role away (admin); never the last admin',
        params: StaffParams,
      },
    },
    async (req, reply) => {
      const { orgId, citizenRef, role } = req.params;
      await service.removeStaff(await actorOf(req, reply, true), orgId, citizenRef, role);
      return reply.code(204).send();
    },
  );

  app.post(
    '/onboarding/organisations/:orgId/applications',
    {
      schema: {
        tags,
        summary: 'Applies to offer a service or provide datasets; a service gets its sandbox at once',
        params: OrgParams,
        body: ApplicationBody,
        response: { 201: ApplicationCreated },
      },
    },
    async (req, reply) => {
      const created = await service.submit(await actorOf(req, reply, true), req.params.orgId, req.body);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/onboarding/organisations/:orgId/applications/:appId',
    {
      schema: {
        tags,
        summary: 'An application with its flags, decisions and sandbox credentials',
        params: AppParams,
        response: { 200: ApplicationDetail },
      },
    },
    async (req, reply) =>
      service.application(await actorOf(req, reply, false), req.params.orgId, req.params.appId),
  );

  app.put(
    '/onboarding/organisations/:orgId/applications/:appId',
    {
      schema: {
        tags,
        summary: 'Resubmits an application the operator asked to change',
        params: AppParams,
        body: ApplicationBody,
        response: { 200: ApplicationCreated },
      },
    },
    async (req, reply) =>
      service.resubmit(await actorOf(req, reply, true), req.params.orgId, req.params.appId, req.body),
  );

  app.post(
    '/onboarding/organisations/:orgId/applications/:appId/test-call',
    {
      schema: {
        tags,
        summary:
          'Connection test of a data-provider application: one signed query to its endpoint for a test persona',
        params: AppParams,
        body: TestCallRequest,
        response: { 200: TestCallResult },
      },
    },
    async (req, reply): Promise<TestCallResult> => {
      const actor = await actorOf(req, reply, true);
      const { error, ...outcome } = await service.testCall(
        actor,
        req.params.orgId,
        req.params.appId,
        req.body,
      );
      if (!error) return outcome;
      // The failure as a problem document would tell it, in the caller's language.
      const lang = negotiateLanguage(req.headers['accept-language']);
      return {
        ...outcome,
        problem: {
          code: error.code,
          title: ERROR_CATALOGUE[error.code].title[lang],
          detail: formatErrorDetail(error.code, { requestId: req.id, ...error.params }, lang),
        },
      };
    },
  );

  app.post(
    '/onboarding/organisations/:orgId/keys/refresh',
    {
      schema: {
        tags,
        summary: "Fetches a client's JWKS URL again and stores the keys (rotation without downtime)",
        params: OrgParams,
        body: KeysRefreshRequest,
        response: { 200: ClientView },
      },
    },
    async (req, reply) =>
      service.refreshKeys(await actorOf(req, reply, true), req.params.orgId, req.body.clientId),
  );

  app.get(
    '/operator/applications',
    {
      schema: {
        tags: operatorTags,
        summary: 'The review queue, newest first',
        querystring: OperatorApplicationsQuery,
        response: { 200: OperatorApplications },
      },
    },
    async (req, reply) => service.operatorApplications(await actorOf(req, reply, true), req.query.status),
  );

  app.get(
    '/operator/applications/:id',
    {
      schema: {
        tags: operatorTags,
        summary: 'One application with its flags and decisions',
        params: IdParams,
        response: { 200: ApplicationDetail },
      },
    },
    async (req, reply) => service.operatorApplication(await actorOf(req, reply, true), req.params.id),
  );

  app.post(
    '/operator/applications/:id/decision',
    {
      schema: {
        tags: operatorTags,
        summary: 'Approves, asks for changes or rejects (a reason is required for the last two)',
        params: IdParams,
        body: DecisionRequest,
        response: { 200: ApplicationDetail },
      },
    },
    async (req, reply) => service.decide(await actorOf(req, reply, true), req.params.id, req.body),
  );

  app.get(
    '/operator/organisations',
    {
      schema: {
        tags: operatorTags,
        summary: 'Every organisation, listed or not, with its suspension',
        response: { 200: OperatorOrganisations },
      },
    },
    async (req, reply) => service.operatorOrganisations(await actorOf(req, reply, true)),
  );

  app.post(
    '/operator/organisations/:id/suspension',
    {
      schema: {
        tags: operatorTags,
        summary: 'Suspends an organisation at once',
        params: IdParams,
        body: ReasonRequest,
        response: { 200: OnboardingOrganisation },
      },
    },
    async (req, reply) => service.suspend(await actorOf(req, reply, true), req.params.id, req.body.reason),
  );

  app.post(
    '/operator/organisations/:id/reinstatement',
    {
      schema: {
        tags: operatorTags,
        summary: 'Lifts a suspension',
        params: IdParams,
        body: ReasonRequest,
        response: { 200: OnboardingOrganisation },
      },
    },
    async (req, reply) => service.reinstate(await actorOf(req, reply, true), req.params.id, req.body.reason),
  );

  app.get(
    '/operator/decisions',
    {
      schema: {
        tags: operatorTags,
        summary: 'The audit trail, newest first, with the hash-chain check',
        response: { 200: AuditTrail },
      },
    },
    async (req, reply) => service.decisions(await actorOf(req, reply, true)),
  );
};
