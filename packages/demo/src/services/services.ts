/**
 * The five online demo services (bank loan, county childcare subsidy, passport renewal, social
 * housing, and the disabled parking permit, a multi-person application), each its own web app on its
 * own port, with keys kept in the data directory.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalogue } from '@mydata/core';
import { generateServiceKeys, type ServiceKeys, serviceJwksOf } from '@mydata/sdk';
import { type RunningDemoService, startDemoService } from './app.ts';
import { DEMO_SERVICE_SPECS } from './specs.ts';

export interface DemoServicesOptions {
  /** The platform's issuer URL (its PUBLIC_URL). */
  platformUrl: string;
  /** Keys go to `<dataDir>/services/<service id>/keys.json` (mode 0600), created on first start. */
  dataDir: string;
  catalogue: Catalogue;
  /**
   * Ports: 0 or omitted picks free ones; a number is a base port (the services take it and the next
   * three); a map sets each service's port by service id.
   */
  ports?: number | Record<string, number>;
  host?: string;
  publicHost?: string;
}

/** Loads a service's keys from the data directory, or generates and stores them (mode 0600). */
export async function loadOrCreateServiceKeys(dir: string): Promise<ServiceKeys> {
  const file = join(dir, 'keys.json');
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Pick<
      ServiceKeys,
      'signingKey' | 'encryptionKey'
    >;
    return { ...stored, publicJwks: serviceJwksOf(stored) };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = await generateServiceKeys();
  writeFileSync(
    file,
    JSON.stringify({ signingKey: keys.signingKey, encryptionKey: keys.encryptionKey }, null, 2),
    {
      mode: 0o600,
    },
  );
  // writeFileSync's mode is filtered by the umask; the private keys must be the owner's only.
  chmodSync(file, 0o600);
  return keys;
}

/** Starts the demo services; register each with `platform.oauth.registerClient(...)`. */
export async function startDemoServices(options: DemoServicesOptions): Promise<RunningDemoService[]> {
  const started: RunningDemoService[] = [];
  try {
    for (const [i, spec] of DEMO_SERVICE_SPECS.entries()) {
      const port =
        typeof options.ports === 'number'
          ? options.ports === 0
            ? 0
            : options.ports + i
          : (options.ports?.[spec.serviceId] ?? 0);
      started.push(
        await startDemoService({
          spec,
          catalogue: options.catalogue,
          platformUrl: options.platformUrl,
          keys: await loadOrCreateServiceKeys(join(options.dataDir, 'services', spec.serviceId)),
          port,
          ...(options.host ? { host: options.host } : {}),
          ...(options.publicHost ? { publicHost: options.publicHost } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.all(started.map((s) => s.stop()));
    throw error;
  }
  return started;
}
