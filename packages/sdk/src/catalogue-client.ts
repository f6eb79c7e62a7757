import type {
  DatasetView,
  Language,
  Organisation,
  ServiceMode,
  ServiceView,
  Statistics,
  Topic,
} from '@mydata/core';
import { readJson } from './problem.ts';

export interface CatalogueClientOptions {
  /** The platform's address, e.g. https://mydata.example.org */
  baseUrl: string;
  /** Language of error texts; codes are the same in every language. */
  language?: Language;
  fetch?: typeof fetch;
}

export interface Page<T> {
  items: T[];
  total: number;
}

type Query = Record<string, string | number | undefined>;

/** A client for the platform's public catalogue and statistics, for services and agencies. */
export function createCatalogueClient(options: CatalogueClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/$/, '');
  const get = async <T>(path: string, query: Query = {}): Promise<T> => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size > 0 ? `?${params}` : '';
    const res = await doFetch(`${base}/api/v1${path}${qs}`, {
      headers: { accept: 'application/json', 'accept-language': options.language ?? 'zh-TW' },
    });
    return readJson<T>(res);
  };
  const id = (value: string) => encodeURIComponent(value);

  return {
    /** Datasets, optionally by agency, topic or words in their names. */
    listDatasets: (q: { agency?: string; topic?: Topic; q?: string; limit?: number; offset?: number } = {}) =>
      get<Page<DatasetView>>('/datasets', q),
    /** One dataset with its payload schema and required assurance. */
    getDataset: (datasetId: string) => get<DatasetView>(`/datasets/${id(datasetId)}`),
    /** Services, optionally by mode, provider, a dataset they ask for, or words. */
    listServices: (
      q: {
        mode?: ServiceMode;
        provider?: string;
        dataset?: string;
        q?: string;
        limit?: number;
        offset?: number;
      } = {},
    ) => get<Page<ServiceView>>('/services', q),
    /** One service with what it asks for and why. */
    getService: (serviceId: string) => get<ServiceView>(`/services/${id(serviceId)}`),
    /** Agencies and businesses. */
    listOrganisations: (q: { role?: 'data-provider' | 'service-provider'; sector?: string } = {}) =>
      get<{ items: Organisation[] }>('/organisations', q).then((r) => r.items),
    /** The public usage figures. */
    statistics: () => get<Statistics>('/statistics'),
  };
}

export type CatalogueClient = ReturnType<typeof createCatalogueClient>;
