/**
 * Calendar arithmetic on day numbers (days since 1970-01-01, UTC). The generator works in day
 * numbers because Date objects are slow to build by the million and carry time zones it must not have.
 */

/** The fixed "today" of the synthetic world, so generated data never depends on the clock. */
export const REFERENCE_DATE = '2026-01-01';

/** Day number of a calendar date (proleptic Gregorian; H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar date [year, month, day] of a day number. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** ISO 8601 `YYYY-MM-DD` of a day number. */
export function isoDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** Day number of an ISO `YYYY-MM-DD` date. */
export function parseIsoDate(iso: string): number {
  return daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

/** The same calendar day `years` later (29 February becomes 28 February in common years). */
export function addYears(days: number, years: number): number {
  const [y, m, d] = civilFromDays(days);
  const target = y + years;
  const leap = (target % 4 === 0 && target % 100 !== 0) || target % 400 === 0;
  return daysFromCivil(target, m, m === 2 && d === 29 && !leap ? 28 : d);
}

/** Completed years of age on a day, as the law counts them. */
export function ageOn(birthDays: number, onDays: number): number {
  const [by, bm, bd] = civilFromDays(birthDays);
  const [oy, om, od] = civilFromDays(onDays);
  return oy - by - (om < bm || (om === bm && od < bd) ? 1 : 0);
}

/** Day number of REFERENCE_DATE. */
export const TODAY = daysFromCivil(2026, 1, 1);
