import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, ERROR_CATALOGUE, type ErrorCode } from '@mydata/core';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { Db } from '../db/database.ts';

const Status = Type.Object({ status: Type.String() });

/** Liveness, readiness (database reachable, not shutting down) and the problem-type descriptions. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; isDraining: () => boolean }> = async (
  app,
  { db, isDraining },
) => {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'The process is alive', response: { 200: Status } } },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'The platform can serve requests: its database answers and it is not shutting down',
        response: { 200: Status },
      },
    },
    async () => {
      if (isDraining()) throw new AppError('server.not-ready', { reason: 'shutting down' });
      try {
        await sql`select 1`.execute(db);
      } catch {
        throw new AppError('server.not-ready', { reason: 'database unreachable' });
      }
      return { status: 'ready' };
    },
  );

  app.get(
    '/problems/:code',
    {
      schema: {
        tags: ['operations'],
        summary: 'What a problem type means',
        params: Type.Object({ code: Type.String({ maxLength: 80 }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            code: Type.String(),
            status: Type.Integer(),
            title: Type.Object({ 'zh-TW': Type.String(), en: Type.String() }),
          }),
        },
      },
    },
    async (req, reply) => {
      const code = req.params.code as ErrorCode;
      const def = Object.hasOwn(ERROR_CATALOGUE, code) ? ERROR_CATALOGUE[code] : undefined;
      if (!def) return reply.callNotFound();
      return { code, status: def.status, title: def.title };
    },
  );
};
