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
            keys: Type.Array(
              Type.Object(
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
              ),
            ),
          }),
        },
      },
    },
    async () => gateway.platformKeys as never,
  );
};
