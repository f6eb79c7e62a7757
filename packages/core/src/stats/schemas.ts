import { type Static, Type } from 'typebox';
import { LocalizedText } from '../i18n.ts';

/**
 * Taiwan's local governments: 6 special municipalities, 13 counties and 3 provincial cities. The
 * integration share of local government is reported against this number, not against how many
 * happen to be in the catalogue, so that the figure shows how far the rollout still has to go.
 */
export const LOCAL_GOVERNMENTS_TOTAL = 22;

/** The longest period one usage query may span; longer reports are asked for in parts. */
export const USAGE_MAX_MONTHS = 36;

export const USAGE_KINDS = ['download', 'transfer', 'counter-redemption'] as const;
export const UsageKind = Type.Enum(USAGE_KINDS, {
  description:
    'download: a citizen downloaded their data; transfer: an online service received a package; counter-redemption: a clerk viewed consented data at a counter',
});
export type UsageKind = (typeof USAGE_KINDS)[number];

export const USAGE_GROUPINGS = ['month', 'dataset', 'service'] as const;

/** A calendar month as YYYY-MM; checked by the route so that a bad one gets a statistics.* error. */
const MonthParam = (description: string) => Type.String({ maxLength: 20, description });

export const UsageQuery = Type.Object(
  {
    from: Type.Optional(MonthParam('First month, YYYY-MM (default: eleven months before `to`)')),
    to: Type.Optional(MonthParam('Last month, YYYY-MM, inclusive (default: the current month)')),
    by: Type.Optional(
      Type.Enum(USAGE_GROUPINGS, { default: 'month', description: 'How the counts are grouped' }),
    ),
    kind: Type.Optional(UsageKind),
    format: Type.Optional(
      Type.Enum(['json', 'csv'], { description: 'csv answers text/csv, as does Accept: text/csv' }),
    ),
  },
  { additionalProperties: false },
);
export type UsageQuery = Static<typeof UsageQuery>;

export const UsageRow = Type.Object(
  {
    month: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}$' })),
    datasetId: Type.Optional(Type.String()),
    serviceId: Type.Optional(Type.String()),
    name: Type.Optional(LocalizedText),
    kind: UsageKind,
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type UsageRow = Static<typeof UsageRow>;

export const UsageReport = Type.Object(
  {
    from: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    to: Type.String({ pattern: '^\\d{4}-\\d{2}$' }),
    by: Type.Enum(USAGE_GROUPINGS),
    kind: Type.Optional(UsageKind),
    rows: Type.Array(UsageRow, {
      description:
        'by=month: uses per month and kind (one use however many datasets it carried); by=dataset: uses of each dataset; by=service: uses by each service. Only non-zero counts.',
    }),
    asOf: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type UsageReport = Static<typeof UsageReport>;

export const IntegrationShares = Type.Object(
  {
    localGovernments: Type.Object(
      {
        integrated: Type.Integer({
          description: 'Listed local governments with a published service or dataset',
        }),
        total: Type.Integer({ description: 'All local governments of Taiwan (22)' }),
      },
      { additionalProperties: false },
    ),
    financialInstitutions: Type.Object(
      {
        integrated: Type.Integer({
          description: 'Listed financial institutions with a published service or dataset',
        }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type IntegrationShares = Static<typeof IntegrationShares>;

/** The YYYY-MM of `date` in UTC, as the usage counters bucket it. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** Parses YYYY-MM to a month index (year * 12 + month - 1), or undefined when it is not a real month. */
export function parseMonth(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (year < 2000 || month < 1 || month > 12) return undefined;
  return year * 12 + month - 1;
}

/** The YYYY-MM of a month index made by parseMonth. */
export function formatMonth(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
