import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  type AssuranceLevel,
  JOSE_MEDIA_TYPE,
  LocalizedText,
  meetsAssurance,
  strongestAssurance,
} from '@mydata/core';
import { Type } from 'typebox';
import { failedAgencies } from '../exchange/failures.ts';
import { replyWithProblem } from '../http/problem.ts';
import { createSessionGuard } from '../identity/http.ts';
import type { IdentityService } from '../identity/service.ts';
import type { CounterService } from './service.ts';

export interface CounterRoutesOptions {
  service: CounterService;
  identity: Pick<IdentityService, 'session' | 'stepUpOptions'>;
  publicUrl: string;
}

const Ref = Type.Object({ id: Type.String(), name: LocalizedText });
const Purpose = Type.Object({ dpv: Type.String(), description: LocalizedText });
const CaseView = Type.Object({
  id: Type.String(),
  status: Type.Enum(['ready', 'redeemed', 'expired', 'cancelled'] as const),
  service: Ref,
  provider: Ref,
  purpose: Purpose,
  datasets: Type.Array(Type.Object({ id: Type.String(), name: LocalizedText, agency: Ref })),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  redeemedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  codeSeconds: Type.Integer({ description: 'How long each code lives' }),
});
const Screen = Type.Object({
  service: Type.Object({
    id: Type.String(),
    name: LocalizedText,
    description: LocalizedText,
    retentionDays: Type.Integer(),
    provider: Type.Object({ id: Type.String(), name: LocalizedText, sector: Type.String() }),
  }),
  purpose: Purpose,
  datasets: Type.Array(
    Type.Object({
      id: Type.String(),
      name: LocalizedText,
      description: LocalizedText,
      agency: Ref,
      fields: Type.Array(Type.Object({ name: Type.String(), label: LocalizedText })),
      required: Type.Boolean(),
      justification: LocalizedText,
      minAssurance: Type.String(),
      sensitivity: Type.String(),
    }),
  ),
  oneTime: Type.Literal(true),
});
const Code = Type.Object({
  token: Type.String({ description: 'What the QR code carries: <case id>.<expiry>.<nonce>.<MAC>' }),
  shortCode: Type.String({ description: 'The same code to type: 8 characters, shown as XXXX-XXXX' }),
  expiresAt: Type.String({ format: 'date-time' }),
  seconds: Type.Integer(),
});
const Redemption = Type.Object({
  caseId: Type.String(),
  service: Ref,
  provider: Ref,
  purpose: Purpose,
  redeemedAt: Type.String({ format: 'date-time' }),
  viewExpiresAt: Type.String({
    format: 'date-time',
    description: 'The clerk’s page forgets the data then; it cannot be fetched again',
  }),
  receiptSha256: Type.String(),
  datasets: Type.Array(
    Type.Object({
      id: Type.String(),
      name: LocalizedText,
      agency: Ref,
      receivedAt: Type.String(),
      signatureVerified: Type.Literal(true),
      fields: Type.Array(Type.Object({ name: Type.String(), label: LocalizedText, value: Type.String() })),
    }),
  ),
});
const Desk = Type.Object({
  organisations: Type.Array(Ref),
  services: Type.Array(Type.Object({ id: Type.String(), name: LocalizedText, providerId: Type.String() })),
});
const CaseParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const ServiceId = Type.String({ minLength: 1, maxLength: 120 });

/** Counter verification (docs/counter.md): the citizen's cases and codes, and the clerk's redemption. */
export const counterRoutes: FastifyPluginAsyncTypebox<CounterRoutesOptions> = async (app, opts) => {
  const { service, identity, publicUrl } = opts;
  const requireSession = createSessionGuard({ service: identity, publicUrl });

  app.get(
    '/counter/services/:serviceId',
    {
      schema: {
        tags: ['counter'],
        summary: 'What a counter service asks for, as the citizen reviews it before consenting',
        params: Type.Object({ serviceId: ServiceId }),
        response: { 200: Screen },
      },
    },
    async (req) => service.describe(req.params.serviceId),
  );

  app.post(
    '/counter/cases',
    {
      schema: {
        tags: ['counter'],
        summary:
          'Consents to a counter service: the chosen datasets are collected and kept sealed for a clerk',
        description:
          'All datasets or none: when an agency fails, the problem names it (`agencyIds`) and nothing is kept; ask again to retry. 403 identity.step-up-required when a dataset needs a stronger sign-in.',
        body: Type.Object(
          {
            serviceId: ServiceId,
            datasets: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), {
              minItems: 1,
              maxItems: 50,
              uniqueItems: true,
            }),
          },
          { additionalProperties: false },
        ),
        response: { 201: CaseView },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      const screen = await service.chosenScreen(req.body.serviceId, req.body.datasets);
      const required = strongestAssurance(screen.datasets.map((d) => d.minAssurance));
      if (!meetsAssurance(session.assurance as AssuranceLevel, required)) {
        const candidates = await identity.stepUpOptions(session, required);
        throw new AppError('identity.step-up-required', {
          required,
          current: session.assurance,
          candidates: candidates.join(', '),
        });
      }
      reply.header('cache-control', 'no-store');
      try {
        const view = await service.create({
          citizenId: session.citizenId,
          serviceId: req.body.serviceId,
          chosen: req.body.datasets,
          assurance: session.assurance as AssuranceLevel,
          methods: session.methods,
        });
        return reply.code(201).send(view);
      } catch (error) {
        if (!(error instanceof AppError) || !error.code.startsWith('exchange.')) throw error;
        req.log.info({ code: error.code }, 'counter collection failed');
        // Sent as is: the route's problem schema would drop the agencyIds member.
        reply.serializer((body: unknown) => JSON.stringify(body));
        return replyWithProblem(reply, error, publicUrl, {
          agencyIds: failedAgencies(
            error,
            screen.datasets.map((d) => ({ agencyId: d.agency.id })),
          ),
        });
      }
    },
  );

  app.get(
    '/counter/cases',
    {
      schema: {
        tags: ['counter'],
        summary: "The signed-in citizen's counter cases, newest first",
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['ready', 'redeemed', 'expired', 'cancelled'] as const)),
        }),
        response: { 200: Type.Object({ items: Type.Array(CaseView) }) },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return { items: await service.list(session.citizenId, req.query.status) };
    },
  );

  app.get(
    '/counter/cases/:id',
    {
      schema: {
        tags: ['counter'],
        summary: 'One counter case: whether a clerk has redeemed it yet',
        params: CaseParams,
        response: { 200: CaseView },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return service.get(req.params.id, session.citizenId);
    },
  );

  app.get(
    '/counter/cases/:id/receipt',
    {
      schema: {
        tags: ['counter'],
        summary:
          'The signed consent receipt of a counter case (compact JWS, verifiable at POST /api/v1/consents/verify-receipt)',
        params: CaseParams,
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      const jws = await service.receipt(req.params.id, session.citizenId);
      return reply
        .header('content-type', JOSE_MEDIA_TYPE)
        .header('content-disposition', `attachment; filename="counter-receipt-${req.params.id}.jws"`)
        .send(jws);
    },
  );

  app.post(
    '/counter/cases/:id/codes',
    {
      schema: {
        tags: ['counter'],
        summary: 'A new QR and short code for a ready case; every older code of the case stops working',
        params: CaseParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 201: Code },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      return reply.code(201).send(await service.issueCode(req.params.id, session.citizenId));
    },
  );

  app.post(
    '/counter/cases/:id/cancellation',
    {
      schema: {
        tags: ['counter'],
        summary: 'Ends a ready case: the collected data is dropped and no code works any more',
        params: CaseParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: CaseView },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      return service.cancel(req.params.id, session.citizenId);
    },
  );

  app.get(
    '/counter/desk',
    {
      schema: {
        tags: ['counter'],
        summary:
          "The clerk's desk: the organisations they are a counter clerk of and those organisations' counter services",
        response: { 200: Desk },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      return service.desk(session.citizenId);
    },
  );

  app.post(
    '/counter/redemptions',
    {
      schema: {
        tags: ['counter'],
        summary: 'A counter clerk redeems a scanned QR token or a typed short code, once, and sees the data',
        description:
          'Exactly one of token or code. Refusals: counter.not-a-clerk, counter.rate-limited, counter.code-forged, counter.code-unknown, counter.other-organisation, counter.wrong-service, counter.provider-suspended, counter.code-expired, counter.code-used.',
        body: Type.Union([
          Type.Object(
            { serviceId: ServiceId, token: Type.String({ minLength: 1, maxLength: 200 }) },
            { additionalProperties: false },
          ),
          Type.Object(
            { serviceId: ServiceId, code: Type.String({ minLength: 1, maxLength: 20 }) },
            { additionalProperties: false },
          ),
        ]),
        response: { 200: Redemption },
      },
    },
    async (req, reply) => {
      const session = await requireSession(req, reply);
      reply.header('cache-control', 'no-store');
      const body = req.body as { serviceId: string; token?: string; code?: string };
      return service.redeem({
        clerkCitizenId: session.citizenId,
        serviceId: body.serviceId,
        token: body.token,
        code: body.code,
      });
    },
  );
};
