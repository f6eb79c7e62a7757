import {
  formatMonth,
  LOCAL_GOVERNMENTS_TOTAL,
  type LocalizedText,
  parseMonth,
  type Statistics,
  type UsageKind,
  type UsageReport,
  type UsageRow,
} from '@mydata/core';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/database.ts';

export type { UsageKind } from '@mydata/core';

/** The dataset_id of the row that counts the use itself, beside one row per dataset it carried. */
const WHOLE_USE = '*';

/**
 * Sandbox services (`services.environment`) and organisations not yet approved
 * (`organisations.listed`) never appear in the public figures. SQL conditions on the aliases `s`
 * (services) and `o` (organisations).
 */
const production = sql.raw(`s.environment = 'production'`);
const listed = sql.raw('o.listed');

/**
 * Counter rows that belong in the public figures: not of a sandbox service nor of one whose provider
 * is not listed, and (per dataset) not of a dataset of an unlisted agency. A service no longer in the
 * catalogue keeps its history.
 */
const publicUse: RawBuilder<boolean> = sql<boolean>`
  not exists (
    select 1 from services s join organisations o on o.id = s.provider_id
    where s.id = u.service_id and not (${production} and ${listed}))
  and not exists (
    select 1 from datasets d join organisations o on o.id = d.agency_id
    where d.id = u.dataset_id and not ${listed})`;

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
      const { rows: catalogue } = await sql<{
        datasets: number;
        dataProviders: number;
        onlineServices: number;
        counterServices: number;
      }>`
        select
          (select count(*)::int from datasets d join organisations o on o.id = d.agency_id
            where ${listed}) as "datasets",
          (select count(*)::int from organisations o
            where o.roles @> '["data-provider"]'::jsonb and ${listed}) as "dataProviders",
          (select count(*)::int from services s join organisations o on o.id = s.provider_id
            where s.mode = 'online' and ${production} and ${listed}) as "onlineServices",
          (select count(*)::int from services s join organisations o on o.id = s.provider_id
            where s.mode = 'counter' and ${production} and ${listed}) as "counterServices"`.execute(db);
      const { rows: uses } = await sql<{ kind: string; n: number }>`
        select u.kind, coalesce(sum(u.count), 0)::int as n from usage_counters u
        where u.dataset_id = ${WHOLE_USE} and ${publicUse}
        group by u.kind`.execute(db);
      const { rows: sectors } = await sql<{ sector: string; n: number }>`
        select o.sector, count(*)::int as n from organisations o where ${listed}
        group by o.sector order by o.sector`.execute(db);
      // Integrated: a listed organisation with a published service or a dataset in the catalogue.
      const { rows: integrated } = await sql<{ sector: string; n: number }>`
        select o.sector, count(*)::int as n from organisations o
        where ${listed} and o.sector in ('local-government', 'financial') and (
          exists (select 1 from services s where s.provider_id = o.id and ${production})
          or exists (select 1 from datasets d where d.agency_id = o.id))
        group by o.sector`.execute(db);
      const use = (kind: UsageKind) => uses.find((u) => u.kind === kind)?.n ?? 0;
      const integratedIn = (sector: string) => integrated.find((r) => r.sector === sector)?.n ?? 0;
      const c = catalogue[0];
      return {
        datasets: c?.datasets ?? 0,
        dataProviders: c?.dataProviders ?? 0,
        onlineServices: c?.onlineServices ?? 0,
        counterServices: c?.counterServices ?? 0,
        downloads: use('download'),
        transfers: use('transfer'),
        counterRedemptions: use('counter-redemption'),
        organisationsBySector: Object.fromEntries(sectors.map((s) => [s.sector, s.n])),
        integration: {
          localGovernments: {
            integrated: integratedIn('local-government'),
            total: LOCAL_GOVERNMENTS_TOTAL,
          },
          financialInstitutions: { integrated: integratedIn('financial') },
        },
        asOf: now.toISOString(),
      };
    },

    /**
     * Uses between two months (inclusive, YYYY-MM, already validated), grouped by month, dataset or
     * service, optionally of one kind. By month and by service a use counts once however many
     * datasets it carried; by dataset each dataset it carried counts.
     */
    async usage(q: {
      from: string;
      to: string;
      by: 'month' | 'dataset' | 'service';
      kind?: UsageKind | undefined;
      now: Date;
    }): Promise<UsageReport> {
      const from = `${q.from}-01`;
      const to = `${formatMonth((parseMonth(q.to) as number) + 1)}-01`;
      const kind = q.kind ? sql`and u.kind = ${q.kind}` : sql``;
      const range = sql`u.month >= ${from}::date and u.month < ${to}::date`;
      let rows: UsageRow[];
      if (q.by === 'month') {
        const result = await sql<{ month: string; kind: UsageKind; count: number }>`
          select to_char(u.month, 'YYYY-MM') as month, u.kind, sum(u.count)::int as count
          from usage_counters u
          where u.dataset_id = ${WHOLE_USE} and ${range} ${kind} and ${publicUse}
          group by u.month, u.kind order by u.month, u.kind`.execute(db);
        rows = result.rows.map((r) => ({ month: r.month, kind: r.kind, count: r.count }));
      } else if (q.by === 'dataset') {
        const result = await sql<{ id: string; name: LocalizedText | null; kind: UsageKind; count: number }>`
          select u.dataset_id as id, min(d.name::text)::jsonb as name, u.kind, sum(u.count)::int as count
          from usage_counters u left join datasets d on d.id = u.dataset_id
          where u.dataset_id <> ${WHOLE_USE} and ${range} ${kind} and ${publicUse}
          group by u.dataset_id, u.kind order by count desc, u.dataset_id, u.kind`.execute(db);
        rows = result.rows.map((r) => ({
          datasetId: r.id,
          ...(r.name ? { name: r.name } : {}),
          kind: r.kind,
          count: r.count,
        }));
      } else {
        const result = await sql<{ id: string; name: LocalizedText | null; kind: UsageKind; count: number }>`
          select u.service_id as id, min(s.name::text)::jsonb as name, u.kind, sum(u.count)::int as count
          from usage_counters u left join services s on s.id = u.service_id
          where u.dataset_id = ${WHOLE_USE} and u.service_id <> '' and ${range} ${kind} and ${publicUse}
          group by u.service_id, u.kind order by count desc, u.service_id, u.kind`.execute(db);
        rows = result.rows.map((r) => ({
          serviceId: r.id,
          ...(r.name ? { name: r.name } : {}),
          kind: r.kind,
          count: r.count,
        }));
      }
      return {
        from: q.from,
        to: q.to,
        by: q.by,
        ...(q.kind ? { kind: q.kind } : {}),
        rows,
        asOf: q.now.toISOString(),
      };
    },
  };
}

export type StatisticsRepo = ReturnType<typeof createStatisticsRepo>;
