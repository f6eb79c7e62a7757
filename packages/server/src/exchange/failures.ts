import type { AppError } from '@mydata/core';

/**
 * The agencies a failed gateway fetch is about: the one its error names, or, when several failed
 * (`exchange.failed`), the agencies of the datasets its issues point at (`/datasets/<index>`, in the
 * order the fetch asked for them). Consent, download and counter name these to the citizen.
 */
export function failedAgencies(error: AppError, requested: readonly { agencyId: string }[]): string[] {
  const ids = new Set<string>();
  if (typeof error.params.agencyId === 'string') ids.add(error.params.agencyId);
  for (const issue of error.issues ?? []) {
    const index = /^\/datasets\/(\d+)$/.exec(issue.pointer)?.[1];
    const agencyId = index === undefined ? undefined : requested[Number(index)]?.agencyId;
    if (agencyId) ids.add(agencyId);
  }
  return [...ids].sort();
}
