import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  AppError,
  csvCell,
  formatMonth,
  monthOf,
  parseMonth,
  Statistics,
  USAGE_MAX_MONTHS,
  UsageQuery,
  UsageReport,
} from '@mydata/core';
import type { StatisticsRepo } from './repository.ts';

/** The months of a usage query, checked: each a real YYYY-MM, in order, at most USAGE_MAX_MONTHS long. */
export function usagePeriod(q: { from?: string | undefined; to?: string | undefined }, now: Date) {
  const month = (param: 'from' | 'to', value: string) => {
    const index = parseMonth(value);
    if (index === undefined) throw new AppError('statistics.invalid-month', { param, value });
    return index;
  };
  const to = q.to === undefined ? (parseMonth(monthOf(now)) as number) : month('to', q.to);
  const from = q.from === undefined ? to - 11 : month('from', q.from);
  if (from > to) {
    throw new AppError('statistics.range-reversed', { from: formatMonth(from), to: formatMonth(to) });
  }
  const months = to - from + 1;
  if (months > USAGE_MAX_MONTHS) {
    throw new AppError('statistics.range-too-long', { months, max: USAGE_MAX_MONTHS });
  }
  return { from: formatMonth(from), to: formatMonth(to) };
}

/** The report as CSV (RFC 4180, CRLF) with a byte-order mark, so a spreadsheet reads Chinese names. */
export function usageCsv(report: UsageReport): string {
  const key = report.by === 'month' ? 'month' : report.by === 'dataset' ? 'datasetId' : 'serviceId';
  const header = [
    report.by === 'month' ? 'month' : report.by === 'dataset' ? 'dataset_id' : 'service_id',
    ...(report.by === 'month' ? [] : ['name_zh_tw', 'name_en']),
    'kind',
    'count',
  ];
  const lines = [
    header.join(','),
    ...report.rows.map((r) =>
      [
        r[key] ?? '',
        ...(report.by === 'month' ? [] : [r.name?.['zh-TW'] ?? '', r.name?.en ?? '']),
        r.kind,
        r.count,
      ]
        .map((cell) => csvCell(cell))
        .join(','),
    ),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

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
        summary:
          'Datasets, services, integration shares and all-time downloads, transfers and counter redemptions',
        response: { 200: Statistics },
      },
    },
    async () => repo.summary(new Date()),
  );

  app.get(
    '/statistics/usage',
    {
      schema: {
        tags: ['statistics'],
        summary: 'Uses per month, dataset or service over a period of at most 36 months',
        description:
          "JSON by default; `Accept: text/csv` or `format=csv` answers CSV (UTF-8 with a byte-order mark; text a spreadsheet would run as a formula is prefixed with ').",
        querystring: UsageQuery,
        response: {
          200: {
            description: 'The usage report',
            content: {
              'application/json': { schema: UsageReport },
              'text/csv': { schema: { type: 'string' } },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const now = new Date();
      const q = request.query;
      const period = usagePeriod(q, now);
      const report = await repo.usage({ ...period, by: q.by ?? 'month', kind: q.kind, now });
      const accept = request.headers.accept ?? '';
      const csv = q.format === 'csv' || (q.format === undefined && /\btext\/csv\b/.test(accept));
      reply.header('vary', 'accept');
      if (!csv) return reply.type('application/json; charset=utf-8').send(report);
      const name = `mydata-usage-${report.by}-${report.from}-${report.to}${report.kind ? `-${report.kind}` : ''}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(usageCsv(report));
    },
  );
};
