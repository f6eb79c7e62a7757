/**
 * Exchange round trips per second on this machine: the platform signs a request, sends it over mutual
 * TLS to a demo agency built on the SDK, which verifies it, looks the record up and signs its answer;
 * the platform verifies signature, binding, freshness and payload schema and appends the attempt to
 * the hash-chained message log. Run: npx tsx bench/exchange.ts [seconds] [concurrency]
 * (DATABASE_URL=postgres://… to put the message log on a PostgreSQL server; in-memory PGlite otherwise).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createPopulation, DATASET_IDS, DEMO_SEED, demoCatalogue, startDemoAgencies } from '@mydata/demo';
import { generateSigningKey } from '@mydata/sdk';
import {
  createCatalogueRepo,
  createCertificateAuthority,
  createExchangeGateway,
  issueCertificate,
  migrateToLatest,
  openDatabase,
  spkiSha256,
} from '@mydata/server';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 16);
const PURPOSE = 'https://w3id.org/dpv#ServiceProvision';

const db = await openDatabase({ url: process.env.DATABASE_URL });
await migrateToLatest(db);
await createCatalogueRepo(db).importCatalogue(demoCatalogue);
const ca = await createCertificateAuthority('bench CA');
const platformClient = await issueCertificate(ca, { commonName: 'mydata-platform', usage: 'client' });
const platformKey = await generateSigningKey();
const population = createPopulation({ seed: DEMO_SEED, size: 10_000 });
const demo = await startDemoAgencies({
  population,
  only: ['moi-household', 'mof-fia', 'mvdis'],
  platformKeys: { keys: [platformKey.publicJwk] },
  clientCa: ca.cert,
  credentials: (id) => issueCertificate(ca, { commonName: id, usage: 'server' }),
});
const gateway = createExchangeGateway({
  db,
  platformId: 'mydata-platform',
  signingKey: platformKey.privateJwk,
  tls: { ...platformClient, ca: ca.cert },
});
for (const a of demo.agencies) {
  await gateway.registry.register({
    agencyId: a.agencyId,
    baseUrl: a.url,
    tlsSpkiSha256: [spkiSha256(a.cert)],
    jwks: { keys: [a.publicJwk as never] },
    maxConcurrency: 32,
  });
}
const ids: string[] = [];
for (let i = 0; ids.length < 500 && i < population.size; i++) {
  const id = population.citizen(i).nationalId;
  if (population.record(DATASET_IDS.income, id) && population.record(DATASET_IDS.drivingLicence, id))
    ids.push(id);
}

const results: Record<string, { fetchesPerSecond: number; p50: number; p99: number }> = {};
async function run(label: string, datasets: string[]) {
  let done = 0;
  let n = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const nationalId = ids[n++ % ids.length] as string;
        const t0 = performance.now();
        await gateway.fetch({ consentId: `bench-${n}`, purpose: PURPOSE, subject: { nationalId }, datasets });
        latencies.push(performance.now() - t0);
        done += 1;
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) => (latencies[Math.floor(p * (latencies.length - 1))] ?? 0).toFixed(1);
  const perSecond = done / seconds;
  results[label] = { fetchesPerSecond: Math.round(perSecond), p50: Number(q(0.5)), p99: Number(q(0.99)) };
  console.log(
    `${label.padEnd(44)} ${perSecond.toFixed(0).padStart(6)} fetches/s  ${(perSecond * datasets.length).toFixed(0).padStart(6)} round trips/s   p50 ${q(0.5)} ms  p99 ${q(0.99)} ms`,
  );
}

console.log(
  `Exchange round trips, ${seconds} s each, ${concurrency} concurrent fetches, ${cpus().length} cores, Node ${process.version}, log on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`,
);
await run('warm-up (1 dataset)', [DATASET_IDS.householdRegistration]);
await run('1 dataset per fetch', [DATASET_IDS.householdRegistration]);
await run('3 datasets from 3 agencies per fetch', [
  DATASET_IDS.householdRegistration,
  DATASET_IDS.income,
  DATASET_IDS.drivingLicence,
]);
if (process.env.BENCH_JSON) {
  const one = results['1 dataset per fetch'];
  writeFileSync(
    process.env.BENCH_JSON,
    JSON.stringify({ roundTripsPerSecond: one?.fetchesPerSecond, ...results }),
  );
}
gateway.close();
await demo.close();
await db.destroy();
