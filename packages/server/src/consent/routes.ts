import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  type AssuranceLevel,
  CONSENT_STATUSES,
  ERROR_CATALOGUE,
  type ErrorCode,
  formatErrorDetail,
  JOSE_MEDIA_TYPE,
  LocalizedText,
  meetsAssurance,
  negotiateLanguage,
} from '@mydata/core';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { createSessionGuard } from '../identity/http.ts';
import type { IdentityService } from '../identity/service.ts';
import type { Parties } from './parties.ts';
import type { ConsentService, ConsentView as ServiceConsentView } from './service.ts';

export interface ConsentRoutesOptions {
  service: ConsentService;
  identity: Pick<IdentityService, 'session'> & Partial<Pick<IdentityService, 'stepUpOptions'>>;
  publicUrl: string;
  /** Multi-person applications: the invitee's routes (/invitations/:id). */
  parties?: Parties;
}

const Ref = Type.Object({ id: Type.String(), name: LocalizedText });
const ProblemObject = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String(),
  },
  { description: 'Why the last collection failed (problem+json), while the consent is pending' },
);
const ConsentView = Type.Object({
  id: Type.String(),
  status: Type.Enum(CONSENT_STATUSES),
  createdAt: Type.String({ format: 'date-time' }),
  statusChangedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  service: Ref,
  provider: Ref,
  purpose: Type.Object({ dpv: Type.String(), description: LocalizedText }),
  datasets: Type.Array(Type.Object({ id: Type.String(), name: LocalizedText, agency: Ref })),
  problem: Type.Optional(ProblemObject),
});
const Receipt = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The consent receipt record (docs/consent.md), as signed',
});
const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** The citizen's consents (list, detail, receipt, withdraw) and the public receipt check. See docs/consent.md. */
export const consentRoutes: FastifyPluginAsyncTypebox<ConsentRoutesOptions> = async (app, opts) => {
  const { service, publicUrl } = opts;
  const requireSession = createSessionGuard({ service: opts.identity, publicUrl });

  function problemObject(
    req: FastifyRequest,
    p: { code: ErrorCode; params: Record<string, string | number> },
  ) {
    const lang = negotiateLanguage(req.headers['accept-language']);
    const def = ERROR_CATALOGUE[p.code];
    return {
      type: `${publicUrl}/problems/${p.code}`,
      title: def.title[lang],
      status: def.status,
      detail: formatErrorDetail(p.code, p.params, lang),
      code: p.code,
    };
  }
  const present = (req: FastifyRequest, v: ServiceConsentView) => {
    const { problem, ...rest } = v;
    return problem ? { ...rest, problem: problemObject(req, problem) } : rest;
  };

  app.get(
    '/consents',
    {
      schema: {
        tags: ['consent'],
        summary: "The signed-in citizen's consents, newest first",
        querystring: Type.Object(
          { status: Type.Optional(Type.Enum(CONSENT_STATUSES)) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ConsentView) }) },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      const items = await service.list(session.citizenId, req.query.status);
      return { items: items.map((v) => present(req, v)) };
    },
  );

  app.post(
    '/consents/verify-receipt',
    {
      schema: {
        tags: ['consent'],
        summary: "Checks a consent receipt against the platform's signing key; anyone may ask",
        body: Type.Object(
          { receipt: Type.String({ minLength: 1, maxLength: 100_000, description: 'The compact JWS' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([
            Type.Object({ valid: Type.Literal(true), receipt: Receipt }),
            Type.Object({ valid: Type.Literal(false), reason: Type.String() }),
          ]),
        },
      },
    },
    async (req) => {
      const result = await service.verifyReceipt(req.body.receipt.trim());
      return result.valid
        ? { valid: true as const, receipt: result.receipt as unknown as Record<string, unknown> }
        : result;
    },
  );

  app.get(
    '/consents/:id',
    {
      schema: {
        tags: ['consent'],
        summary: 'One of the citizen’s consents, with its receipt',
        params: Params,
        response: { 200: Type.Object({ ...ConsentView.properties, receipt: Receipt }) },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      const { receipt, ...view } = await service.get(req.params.id, session.citizenId);
      return { ...present(req, view), receipt: receipt as unknown as Record<string, unknown> };
    },
  );

  app.get(
    '/consents/:id/receipt',
    {
      schema: {
        tags: ['consent'],
        summary: 'The signed consent receipt (compact JWS, application/jose) to keep or to verify',
        params: Params,
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      const jws = await service.receipt(req.params.id, session.citizenId);
      return reply
        .header('content-type', JOSE_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="consent-${req.params.id}.jws"`)
        .header('cache-control', 'no-store')
        .send(jws);
    },
  );

  app.post(
    '/consents/:id/withdraw',
    {
      schema: {
        tags: ['consent'],
        summary:
          'Withdraws a pending or active consent: the package is deleted and the service told. 409 consent.not-withdrawable once it is used, expired or withdrawn',
        params: Params,
        response: { 200: ConsentView },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      return present(req, await service.withdraw(req.params.id, session.citizenId, 'withdrawn'));
    },
  );

  const parties = opts.parties;
  if (!parties) return;
  const Invitation = Type.Object({}, { additionalProperties: true });

  /** The invitation with what the signed-in invitee's sign-in allows. */
  async function withAssurance(
    session: { assurance: string; citizenId: string },
    view: Awaited<ReturnType<Parties['invitation']>>,
  ) {
    const current = session.assurance as AssuranceLevel;
    const required = view.requiredAssurance;
    const candidates = opts.identity.stepUpOptions
      ? await opts.identity.stepUpOptions(session as never, required)
      : [];
    return {
      ...view,
      assurance: { current, required, sufficient: meetsAssurance(current, required), candidates },
    };
  }

  app.get(
    '/invitations',
    {
      schema: {
        tags: ['consent'],
        summary:
          "The invitations the signed-in citizen was sent by others' multi-person applications, newest first",
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return { items: await parties.mine(session.citizenId) };
    },
  );

  app.get(
    '/invitations/:id/receipt',
    {
      schema: {
        tags: ['consent'],
        summary: "The invitee's own signed consent receipt (compact JWS, application/jose)",
        params: Params,
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      const jws = await parties.receipt(req.params.id, session.citizenId);
      return reply
        .header('content-type', JOSE_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="consent-${req.params.id}.jws"`)
        .header('cache-control', 'no-store')
        .send(jws);
    },
  );

  app.get(
    '/invitations/:id',
    {
      schema: {
        tags: ['consent'],
        summary:
          'A multi-person application invitation, for the person it names only (anyone else: application.not-found)',
        params: Params,
        response: { 200: Invitation },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return withAssurance(session, await parties.invitation(req.params.id, session.citizenId));
    },
  );

  app.post(
    '/invitations/:id/decision',
    {
      schema: {
        tags: ['consent'],
        summary:
          "The invitee's answer: consent (their datasets are collected) or decline (the application ends for everyone)",
        params: Params,
        body: Type.Object(
          { decision: Type.Union([Type.Literal('consent'), Type.Literal('decline')]) },
          { additionalProperties: false },
        ),
        response: { 200: Invitation },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      if (req.body.decision === 'decline') {
        return withAssurance(session, await parties.decline(req.params.id, session));
      }
      const view = await parties.invitation(req.params.id, session.citizenId);
      const current = session.assurance as AssuranceLevel;
      if (!meetsAssurance(current, view.requiredAssurance)) {
        const candidates = opts.identity.stepUpOptions
          ? await opts.identity.stepUpOptions(session, view.requiredAssurance)
          : [];
        throw new AppError('identity.step-up-required', {
          required: view.requiredAssurance,
          current,
          candidates: candidates.join(', '),
        });
      }
      return withAssurance(
        session,
        await parties.accept(req.params.id, {
          citizenId: session.citizenId,
          assurance: current,
          methods: [...session.methods],
        }),
      );
    },
  );
};
