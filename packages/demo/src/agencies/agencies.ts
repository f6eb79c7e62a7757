/**
 * The demo data-provider agencies: one HTTPS server per data-provider organisation of the demo
 * catalogue, each answering from the synthetic population. Built only on the public SDK, as a real
 * agency would be.
 */
import type { Catalogue } from '@mydata/core';
import {
  createDataProvider,
  type DataProvider,
  type DatasetLookup,
  generateSigningKey,
  type JWK,
  type Jwks,
  publicJwkOf,
} from '@mydata/sdk';
import { demoCatalogue } from '../catalogue.ts';
import type { Population } from '../population/population.ts';
import { DEMO_IDENTITY_CHECKS, demoAgencyChecks } from './identity-checks.ts';

/** One running demo agency and what the platform needs to register it. */
export interface RunningDemoAgency {
  agencyId: string;
  url: string;
  datasetIds: string[];
  /** Its server certificate (PEM), to pin. */
  cert: string;
  /** Its public response-signing key. */
  publicJwk: JWK;
}

export interface DemoAgenciesOptions {
  population: Population;
  /** Which catalogue's data providers to run; the demo catalogue by default. */
  catalogue?: Catalogue;
  /** Only these agencies (ids); all data providers with datasets or identity checks by default. */
  only?: string[];
  platformId?: string;
  platformKeys: Jwks;
  /** CA that issued the platform's client certificate. */
  clientCa: string;
  /** The server certificate and key of each agency. */
  credentials: (agencyId: string) => Promise<{ cert: string; key: string }>;
  /**
   * Each agency's private response-signing key. Keeping them across restarts keeps the registered keys
   * stable; a fresh key per start by default.
   */
  signingKeys?: (agencyId: string) => Promise<JWK>;
  host?: string;
}

/** Starts the demo agencies on ephemeral ports; resolves once all listen. */
export async function startDemoAgencies(
  options: DemoAgenciesOptions,
): Promise<{ agencies: RunningDemoAgency[]; close(): Promise<void> }> {
  const catalogue = options.catalogue ?? demoCatalogue;
  const byAgency = new Map<string, string[]>();
  for (const d of catalogue.datasets) byAgency.set(d.agencyId, [...(byAgency.get(d.agencyId) ?? []), d.id]);
  // An agency that only answers identity checks (the telecom operator) runs too.
  for (const o of catalogue.organisations) {
    if (o.roles.includes('data-provider') && o.id in DEMO_IDENTITY_CHECKS && !byAgency.has(o.id)) {
      byAgency.set(o.id, []);
    }
  }
  const ids = [...byAgency.keys()].filter((id) => !options.only || options.only.includes(id)).sort();
  const providers: DataProvider[] = [];
  const agencies: RunningDemoAgency[] = [];
  try {
    for (const agencyId of ids) {
      const datasetIds = byAgency.get(agencyId) ?? [];
      const { cert, key } = await options.credentials(agencyId);
      const privateJwk = options.signingKeys
        ? await options.signingKeys(agencyId)
        : (await generateSigningKey()).privateJwk;
      const datasets: Record<string, DatasetLookup> = {};
      for (const id of datasetIds) datasets[id] = (nationalId) => options.population.record(id, nationalId);
      const provider = createDataProvider({
        agencyId,
        ...(options.platformId ? { platformId: options.platformId } : {}),
        datasets,
        checks: demoAgencyChecks(agencyId, options.population),
        tls: { cert, key, ca: options.clientCa },
        signingKey: privateJwk,
        platformKeys: options.platformKeys,
      });
      providers.push(provider);
      const url = await provider.listen({ host: options.host ?? '127.0.0.1' });
      agencies.push({ agencyId, url, datasetIds, cert, publicJwk: publicJwkOf(privateJwk) });
    }
  } catch (error) {
    await Promise.all(providers.map((p) => p.close()));
    throw error;
  }
  return {
    agencies,
    close: async () => {
      await Promise.all(providers.map((p) => p.close()));
    },
  };
}
