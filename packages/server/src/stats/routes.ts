import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Statistics } from '@mydata/core';
import type { StatisticsRepo } from './repository.ts';

/** The public figures the ministry reports; nothing in them is about one citizen. */
export const statisticsRoutes: FastifyPluginAsyncTypebox<{ repo: StatisticsRepo }> = async (
  app,
  { repo },
) => {
  app.get(
    '/statistics',
    {
      schema: {
        tags: ['statistics'],
        summary: 'Datasets, services and all-time downloads, transfers and counter redemptions',
        response: { 200: Statistics },
      },
    },
    async () => repo.summary(new Date()),
  );
};
