import type { DatasetView, ErrorCode, Organisation, ServiceView, Statistics } from '@mydata/core';

/** An answer of the platform in problem+json: the stable code is what the portal translates. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`HTTP ${status}${code ? ` ${code}` : ''}`);
    this.name = 'ApiProblem';
  }
}

/** The platform could not be reached at all (offline, DNS, the server down): no HTTP answer came. */
export class PlatformUnreachable extends Error {
  constructor(cause: unknown) {
    super('the platform could not be reached', { cause });
    this.name = 'PlatformUnreachable';
  }
}

export interface Page<T> {
  items: T[];
  total: number;
}

async function get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) query.set(k, v);
  const url = `/api/v1${path}${query.size ? `?${query}` : ''}`;
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw new PlatformUnreachable(error);
  }
  if (response.ok) return (await response.json()) as T;
  // A proxy or load balancer in front of a stopped platform answers 502/503 without problem+json.
  const body = (await response.json().catch(() => undefined)) as
    | { code?: ErrorCode; requestId?: string }
    | undefined;
  if (!body?.code && response.status >= 502)
    throw new PlatformUnreachable(new Error(`HTTP ${response.status}`));
  throw new ApiProblem(response.status, body?.code, body?.requestId);
}

/** Whether a failed request is worth one more try: only when no answer or a temporary one came. */
export function isTransient(error: unknown): boolean {
  return error instanceof PlatformUnreachable || (error instanceof ApiProblem && error.status >= 502);
}

export const api = {
  datasets: (filter: { q?: string; agency?: string; topic?: string }) =>
    get<Page<DatasetView>>('/datasets', { ...filter, limit: '500' }),
  dataset: (id: string) => get<DatasetView>(`/datasets/${encodeURIComponent(id)}`),
  services: (filter: { q?: string; mode?: string; dataset?: string }) =>
    get<Page<ServiceView>>('/services', { ...filter, limit: '500' }),
  service: (id: string) => get<ServiceView>(`/services/${encodeURIComponent(id)}`),
  organisations: (role?: 'data-provider' | 'service-provider') =>
    get<{ items: Organisation[] }>('/organisations', { role }),
  statistics: () => get<Statistics>('/statistics'),
};
