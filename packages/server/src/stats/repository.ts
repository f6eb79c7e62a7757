import type { Statistics } from '@mydata/core';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';

export type UsageKind = 'download' | 'transfer' | 'counter-redemption';

/** The dataset_id of the row that counts the use itself, beside one row per dataset it carried. */
const WHOLE_USE = '*';

/** Aggregate usage counts for the public statistics; they never identify a citizen. */
export function createStatisticsRepo(db: Db) {
  return {
    /** Counts one download, transfer or counter redemption, and one use of each dataset it carried. */
    async recordUse(use: {
      kind: UsageKind;
      serviceId?: string;
      datasetIds: string[];
      at: Date;
    }): Promise<void> {
      if (use.datasetIds.length === 0) return;
      const month = `${use.at.toISOString().slice(0, 7)}-01`;
      await db
        .insertInto('usage_counters')
        .values(
          [WHOLE_USE, ...use.datasetIds].map((datasetId) => ({
            month,
            kind: use.kind,
            service_id: use.serviceId ?? '',
            dataset_id: datasetId,
            count: 1,
          })),
        )
        .onConflict((c) =>
          c
            .columns(['month', 'kind', 'service_id', 'dataset_id'])
            .doUpdateSet({ count: sql`usage_counters.count + 1` } as never),
        )
        .execute();
    },

    /** The headline figures: catalogue size and all-time uses (one use = one download, transfer or redemption, however many datasets it carried). */
    async summary(now: Date): Promise<Statistics> {
      const catalogue = await db
        .selectNoFrom((eb) => [
          eb.selectFrom('datasets').select(sql<number>`count(*)::int`.as('n')).as('datasets'),
          eb
            .selectFrom('organisations')
            .select(sql<number>`count(*)::int`.as('n'))
            .where(sql<boolean>`roles @> '["data-provider"]'::jsonb`)
            .as('dataProviders'),
          eb
            .selectFrom('services')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('mode', '=', 'online')
            .as('onlineServices'),
          eb
            .selectFrom('services')
            .select(sql<number>`count(*)::int`.as('n'))
            .where('mode', '=', 'counter')
            .as('counterServices'),
        ])
        .executeTakeFirstOrThrow();
      const uses = await db
        .selectFrom('usage_counters')
        .select(['kind', sql<number>`coalesce(sum(count), 0)::int`.as('n')])
        .where('dataset_id', '=', WHOLE_USE)
        .groupBy('kind')
        .execute();
      const sectors = await db
        .selectFrom('organisations')
        .select(['sector', sql<number>`count(*)::int`.as('n')])
        .groupBy('sector')
        .execute();
      const use = (kind: UsageKind) => uses.find((u) => u.kind === kind)?.n ?? 0;
      return {
        datasets: catalogue.datasets ?? 0,
        dataProviders: catalogue.dataProviders ?? 0,
        onlineServices: catalogue.onlineServices ?? 0,
        counterServices: catalogue.counterServices ?? 0,
        downloads: use('download'),
        transfers: use('transfer'),
        counterRedemptions: use('counter-redemption'),
        organisationsBySector: Object.fromEntries(sectors.map((s) => [s.sector, s.n])),
        asOf: now.toISOString(),
      };
    },
  };
}

export type StatisticsRepo = ReturnType<typeof createStatisticsRepo>;
