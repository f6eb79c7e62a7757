import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { type AgencyKeys, type Jwks, verifyDownload } from './download.ts';

const USAGE = `usage: mydata-verify-download <file.zip> [--jwks <file or url>] [--agency-keys <file or url>] [--json]

Verifies a MyData data download offline: the platform's signature over manifest.json, every file's
SHA-256, and each agency's signed answer. --jwks is the platform's key set (its /oauth/jwks);
--agency-keys the agencies' keys (its /api/v1/exchange/agency-keys). Either may be a saved file;
without them they are read from the platform the package names. Exit code 0: the package is
intact and signed; 1: it is not; 2: bad usage or the keys could not be read.`;

async function load<T>(source: string): Promise<T> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`${source} answered HTTP ${response.status}`);
    return (await response.json()) as T;
  }
  return JSON.parse(readFileSync(source, 'utf8')) as T;
}

/** The issuer the (not yet verified) manifest names, to find keys when none were given. */
function issuerOf(zip: Uint8Array): string | undefined {
  try {
    const manifest = unzipSync(zip, { filter: (f) => f.name === 'manifest.json' })['manifest.json'];
    const iss = manifest
      ? (JSON.parse(new TextDecoder().decode(manifest)) as { iss?: unknown }).iss
      : undefined;
    return typeof iss === 'string' && /^https?:\/\//.test(iss) ? iss.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}
/** Runs the command line; returns the exit code. */
export async function verifyDownloadMain(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const [file, ...rest] = argv;
  let jwksSource: string | undefined;
  let agencySource: string | undefined;
  let asJson = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--jwks') jwksSource = rest[++i];
    else if (arg === '--agency-keys') agencySource = rest[++i];
    else if (arg === '--json') asJson = true;
    else {
      out(`unknown option ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (
    !file ||
    file.startsWith('--') ||
    (rest.includes('--jwks') && !jwksSource) ||
    (rest.includes('--agency-keys') && !agencySource)
  ) {
    out(USAGE);
    return 2;
  }
  let zip: Uint8Array;
  try {
    zip = readFileSync(file);
  } catch (error) {
    out(`cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  const issuer = issuerOf(zip);
  let platform: Jwks;
  let agencies: AgencyKeys | undefined;
  try {
    const jwksFrom = jwksSource ?? (issuer ? `${issuer}/oauth/jwks` : undefined);
    if (!jwksFrom) {
      out(`the package names no platform to read keys from; give --jwks\n${USAGE}`);
      return 2;
    }
    if (!jwksSource) out(`  reading the platform's keys from ${jwksFrom} (pin them with --jwks <file>)`);
    platform = await load<Jwks>(jwksFrom);
    const agencyFrom = agencySource ?? (issuer ? `${issuer}/api/v1/exchange/agency-keys` : undefined);
    agencies = agencyFrom ? await load<AgencyKeys>(agencyFrom) : undefined;
  } catch (error) {
    out(`cannot read the keys: ${(error as Error).message}`);
    return 2;
  }
  const report = verifyDownload(zip, { platform, ...(agencies ? { agencies } : {}) });
  if (asJson) out(JSON.stringify(report));
  else {
    for (const n of report.notes) out(`  ${n}`);
    for (const p of report.problems) out(`✗ ${p}`);
    out(
      report.ok
        ? `✓ download ${report.packageId} from ${report.issuer} is intact and signed (${report.datasets.length} datasets)`
        : '✗ the download FAILED verification',
    );
  }
  return report.ok ? 0 : 1;
}
