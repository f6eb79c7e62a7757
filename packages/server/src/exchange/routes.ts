import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LocalizedText } from '@mydata/core';
import { Type } from 'typebox';
import type { ExchangeGateway } from './gateway.ts';

const AgencyStatus = Type.Object(
  {
    agencyId: Type.String(),
    name: LocalizedText,
    state: Type.Enum(['up', 'down', 'unknown'] as const, {
      description: 'From the latest health check or exchange; unknown before the first',
    }),
    circuit: Type.Enum(['closed', 'open', 'half-open'] as const, {
      description: 'open: requests to the agency are paused after repeated failures',
    }),
    checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);

const PublicEcJwk = Type.Object(
  {
    kty: Type.String(),
    crv: Type.String(),
    x: Type.String(),
    y: Type.String(),
    kid: Type.Optional(Type.String()),
    alg: Type.Optional(Type.String()),
    use: Type.Optional(Type.String()),
  },
  // The response schema strips anything else, so a private part could never be served.
  { additionalProperties: false },
);

/** Public, read-only exchange status: agency names and availability only, never anything about a citizen. */
export const exchangeStatusRoutes: FastifyPluginAsyncTypebox<{ gateway: ExchangeGateway }> = async (
  app,
  { gateway },
) => {
  app.get(
    '/status/agencies',
    {
      schema: {
        tags: ['operations'],
        summary: 'Data-provider agencies registered for exchange: up, down, and circuit-breaker state',
        response: { 200: Type.Object({ items: Type.Array(AgencyStatus) }) },
      },
    },
    async () => ({ items: await gateway.status() }),
  );

  app.get(
    '/exchange/platform-keys',
    {
      schema: {
        tags: ['operations'],
        summary: "The platform's public keys (JWKS) that sign its requests to agencies (docs/exchange.md)",
        response: {
          200: Type.Object({
            keys: Type.Array(PublicEcJwk),
          }),
        },
      },
    },
    async () => gateway.platformKeys as never,
  );

  app.get(
    '/exchange/agency-keys',
    {
      schema: {
        tags: ['operations'],
        summary:
          "Each registered agency's public response-signing keys (JWKS): services verify the agency signatures inside a data package with them (docs/package.md)",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                agencyId: Type.String(),
                jwks: Type.Object({ keys: Type.Array(PublicEcJwk) }),
              }),
            ),
          }),
        },
      },
    },
    async (_req, reply) => {
      const regs = await gateway.registry.list();
      // Keys change only with a registration; a short cache spares the registry the verifiers' polling.
      reply.header('cache-control', 'public, max-age=60');
      return {
        items: regs
          .map((r) => ({ agencyId: r.agencyId, jwks: { keys: r.jwks.keys } }))
          .sort((a, b) => (a.agencyId < b.agencyId ? -1 : a.agencyId > b.agencyId ? 1 : 0)),
      };
    },
  );
};
