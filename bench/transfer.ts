/**
 * Complete online-service transfers per second, end to end over HTTP, from a process of its own:
 * PAR → authorization → citizen-certificate sign-in (the challenge signed here, as the card tool does)
 * → consent → code → token → one package fetch → decryption and verification down to each agency's
 * signature. The platform runs as `npm start` runs it (a child process with demo agencies and
 * services); this process plays the citizens' browsers and the passport-renewal service's backend,
 * with that service's own keys from the data directory. No back door into the server is used.
 *
 *   npx tsx bench/transfer.ts [seconds=20] [concurrency=16]
 *   DATABASE_URL=postgres://…   run the platform on PostgreSQL (a scratch database is made and dropped)
 *   DEMO_POPULATION=1000000     the population the demo agencies serve
 *   BENCH_LOG_ENTRIES=10000000  PostgreSQL only: the usage log already holds this many entries (filled in
 *                               SQL before the platform starts, bench/lib/prefill.ts), and after the run
 *                               the log's growth is checked through its public proofs
 *   BENCH_SWEEP=1,2,4,8         after the main run, the same stack at these lighter loads (half as long
 *                               each): the latency a less busy platform gives
 *   BENCH_JSON=<file>           also write the figures as JSON to this file
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashLeaf, parseVerifierKey, verifyCheckpoint, verifyInclusion } from '@mydata/auditor';
import {
  createPopulation,
  DEMO_SEED,
  demoCatalogue,
  demoNhiPin,
  type OpenedCard,
  openCard,
  signInWithCard,
  writePkcs12,
} from '@mydata/demo';
import { createServiceClient } from '@mydata/sdk';
import { createScratchDatabase, openNationalCa } from '@mydata/server';
import pg from 'pg';
import { drive, latency, machineTicks, type ProcessSample, round, sampleProcess } from './lib/measure.ts';
import { prefillUsageLog } from './lib/prefill.ts';

const seconds = Number(process.argv[2] ?? 20);
const concurrency = Number(process.argv[3] ?? 16);
/** Lighter loads measured after the main run, on the same stack (BENCH_SWEEP=1,2,4,8; empty for none). */
const sweepLevels = (process.env.BENCH_SWEEP ?? '1,2,4,8').split(',').filter(Boolean).map(Number);
const sweepSeconds = Math.max(5, Math.round(seconds / 2));
const SERVICE_ID = 'boca.passport-renewal';
/** Distinct citizens the transfers cycle through. */
const CITIZENS = Number(process.env.BENCH_CITIZENS ?? 200);
const service = demoCatalogue.services.find((s) => s.id === SERVICE_ID);
if (!service) throw new Error(`no service ${SERVICE_ID} in the demo catalogue`);
const datasets = service.datasets.map((d) => d.datasetId);
const purpose = service.purpose.dpv;

/** The stack as `npm start` runs it, on a port and data directory of its own. */
async function startStack(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mydata-bench-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  // BENCH_CPU_PROF=<dir>: the platform writes a V8 CPU profile there when it stops.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'scripts/start.ts'], {
    cwd: join(import.meta.dirname, '..'),
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      PUBLIC_URL: `http://localhost:${port}`,
      MYDATA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  await new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`the platform exited (${code}) before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      if (banner.includes('is ready in')) resolve();
    });
  });
  child.stdout?.resume();
  const url = `http://localhost:${port}`;
  const serviceUrl = new RegExp(`${SERVICE_ID.replace('.', '\\.')}\\s+(\\S+)`).exec(banner)?.[1];
  if (!serviceUrl) throw new Error(`the banner names no ${SERVICE_ID} service:\n${banner}`);
  return {
    url,
    serviceUrl,
    dataDir,
    child,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser's cookies for the platform's origin (the bench never follows redirects itself). */
class Browser {
  private jar = new Map<string, string>();
  csrf = '';
  constructor(readonly origin: string) {}
  keep(setCookies: string[]) {
    for (const c of setCookies) {
      const [pair = ''] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(c)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }
  get cookie() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async request(url: string, init: { method?: string; body?: unknown } = {}) {
    const res = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.cookie,
        origin: this.origin,
        ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    this.keep(res.headers.getSetCookie());
    return res;
  }
}

async function expectStatus(res: Response, status: number, step: string) {
  if (res.status !== status) throw new Error(`${step}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

const populationSize = Number(process.env.DEMO_POPULATION ?? 10_000);
const logEntriesBefore = Number(process.env.BENCH_LOG_ENTRIES ?? 0);
if (!Number.isSafeInteger(logEntriesBefore) || logEntriesBefore < 0)
  throw new Error(`BENCH_LOG_ENTRIES must be a whole number, not ${process.env.BENCH_LOG_ENTRIES}`);
if (logEntriesBefore > 0 && !process.env.DATABASE_URL) {
  // PGlite keeps the database in this machine's memory and fills it row by row: not a scale figure.
  console.error('BENCH_LOG_ENTRIES needs PostgreSQL: set DATABASE_URL=postgres://… as well');
  process.exit(2);
}
const scratch = process.env.DATABASE_URL
  ? await createScratchDatabase(process.env.DATABASE_URL, { prefix: 'mydata_bench', poolSize: 1 })
  : undefined;
if (scratch && logEntriesBefore > 0) {
  const t0 = performance.now();
  await prefillUsageLog(scratch.db, logEntriesBefore);
  console.log(
    `usage log prefilled with ${logEntriesBefore.toLocaleString('en')} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
const startedAt = performance.now();
const stack = await startStack({
  DEMO_POPULATION: String(populationSize),
  ...(scratch ? { DATABASE_URL: scratch.url } : {}),
});
const population = createPopulation({ seed: DEMO_SEED, size: populationSize });
const startupSeconds = round((performance.now() - startedAt) / 1000);
console.log(
  `platform at ${stack.url} (pid ${stack.child.pid}, ready in ${startupSeconds} s); ${concurrency} concurrent transfers for ${seconds} s`,
);

// The passport-renewal service's backend, with the keys the demo service keeps in the data directory.
const keys = JSON.parse(readFileSync(join(stack.dataDir, 'services', SERVICE_ID, 'keys.json'), 'utf8'));
const client = createServiceClient({
  issuer: stack.url,
  clientId: SERVICE_ID,
  signingKey: keys.signingKey,
  encryptionKey: keys.encryptionKey,
  redirectUri: `${stack.serviceUrl.replace(/\/$/, '')}/callback`,
});

// Citizens who hold all three records, each with a citizen-certificate card issued by the national
// test CA in the data directory (as the demo issues the personas' cards); each citizen's first use
// (certificate + NHI card) is done before measuring, so every measured transfer is one sign-in.
const nationalCa = await openNationalCa({ dir: join(stack.dataDir, 'national-ca') });
const citizens: { nationalId: string; card: OpenedCard }[] = [];
for (let i = 0; citizens.length < CITIZENS && i < population.size; i++) {
  const { nationalId } = population.citizen(i);
  if (!datasets.every((d) => population.record(d, nationalId))) continue;
  const issued = await nationalCa.issue({ nationalId });
  citizens.push({
    nationalId,
    card: openCard(writePkcs12({ cert: issued.cert, key: issued.key, password: '123456' }), '123456'),
  });
}
for (const c of citizens) {
  const b = new Browser(stack.url);
  const first = await signInWithCard({ platformUrl: stack.url, card: c.card });
  b.keep(first.cookies);
  if ((first.body as { status?: string }).status !== 'second-method-required') continue;
  const nhi = await b.request(`${stack.url}/api/v1/identity/verify/nhi-card`, {
    method: 'POST',
    body: {
      nationalId: c.nationalId,
      cardNumber: population.findByNationalId(c.nationalId)?.nhiCardNumber,
      pin: demoNhiPin(DEMO_SEED, c.nationalId),
    },
  });
  if (nhi.status !== 200)
    throw new Error(`first use of ${c.nationalId}: HTTP ${nhi.status} ${await nhi.text()}`);
}
const ready = citizens;

/** Each step's durations (ms) during the measured run: where a transfer's time goes. */
const steps = new Map<string, number[]>();
let timing = false;
async function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const result = await work();
  if (timing) {
    const list = steps.get(name) ?? [];
    list.push(performance.now() - t0);
    steps.set(name, list);
  }
  return result;
}

/** One complete transfer, as a citizen and the service would make it. */
async function transfer(i: number) {
  const citizen = ready[i % ready.length] as (typeof ready)[number];
  const browser = new Browser(stack.url);
  const { url, pending } = await step('PAR', () => client.startTransfer({ datasets, purpose }));
  const authorize = await step('authorize', async () =>
    expectStatus(await browser.request(url), 303, 'authorize'),
  );
  const uid = /\/consent\/([^/?#]+)/.exec(authorize.headers.get('location') ?? '')?.[1];
  if (!uid) throw new Error(`authorize sent the browser to ${authorize.headers.get('location')}`);
  const signIn = await step('sign-in (certificate)', () =>
    signInWithCard({ platformUrl: stack.url, card: citizen.card, cookie: browser.cookie }),
  );
  if (signIn.status !== 200) throw new Error(`sign-in: HTTP ${signIn.status} ${JSON.stringify(signIn.body)}`);
  browser.keep(signIn.cookies);
  browser.csrf = (signIn.body as { csrfToken: string }).csrfToken;
  await step('consent screen', async () =>
    expectStatus(
      await browser.request(`${stack.url}/api/v1/oauth/interactions/${uid}`),
      200,
      'consent screen',
    ),
  );
  const decision = await step('agree (collects from 3 agencies)', async () =>
    expectStatus(
      await browser.request(`${stack.url}/api/v1/oauth/interactions/${uid}/decision`, {
        method: 'POST',
        body: { decision: 'accept', datasets },
      }),
      200,
      'consent',
    ),
  );
  const { redirectTo } = (await decision.json()) as { redirectTo: string };
  const resume = await step('resume to callback', () => browser.request(new URL(redirectTo, stack.url).href));
  if (resume.status !== 303 && resume.status !== 302) throw new Error(`resume: HTTP ${resume.status}`);
  const callback = resume.headers.get('location') ?? '';
  const result = await step('token, package, decrypt and verify', () =>
    client.finishTransfer(callback, pending),
  );
  if (result.datasets.length !== datasets.length) throw new Error('the package misses datasets');
}

/** BENCH_SQL_LOG=1: the server logs every statement of the measured run (to count a transfer's queries). */
async function statementLog(on: boolean) {
  if (!scratch || !process.env.BENCH_SQL_LOG) return;
  const c = new pg.Client({ connectionString: scratch.url });
  await c.connect();
  try {
    await c.query(`alter system set log_statement = '${on ? 'all' : 'none'}'`);
    await c.query('select pg_reload_conf()');
  } finally {
    await c.end();
  }
}

/** Commits and row writes so far in the platform's database (PostgreSQL only): the floor's workload. */
async function databaseWork(): Promise<{ commits: number; rows: number } | undefined> {
  if (!scratch) return undefined;
  // The statistics collector publishes a backend's counts within about a second.
  await new Promise((r) => setTimeout(r, 1500));
  const c = new pg.Client({ connectionString: scratch.url });
  await c.connect();
  try {
    const r = await c.query(
      'select xact_commit::int8 as commits, (tup_inserted + tup_updated + tup_deleted)::int8 as rows from pg_stat_database where datname = current_database()',
    );
    return { commits: Number(r.rows[0].commits), rows: Number(r.rows[0].rows) };
  } finally {
    await c.end();
  }
}

/**
 * After a run over a prefilled log: the platform has sequenced the run's entries after the filler and
 * proves the first of them against its newest signed checkpoint, through the public log API only.
 */
async function checkLogGrowth(): Promise<number> {
  const api = `${stack.url}/api/v1/log`;
  const get = async (path: string) => {
    const res = await fetch(`${api}${path}`);
    if (!res.ok) throw new Error(`GET ${api}${path}: HTTP ${res.status} ${await res.text()}`);
    return res;
  };
  const key = parseVerifierKey(await (await get('/key')).text());
  // The checkpoint publisher runs on an interval; wait for one that covers the run's entries.
  for (let attempt = 0; ; attempt++) {
    const { origin, size, root } = verifyCheckpoint(await (await get('/checkpoint')).text(), key);
    if (size > logEntriesBefore) {
      const entry = (await (await get(`/entries/${logEntriesBefore}`)).json()) as { commitment: string };
      const proof = (await (await get(`/proof/inclusion?index=${logEntriesBefore}&size=${size}`)).json()) as {
        hashes: string[];
      };
      const ok = verifyInclusion(
        hashLeaf(Buffer.from(entry.commitment, 'base64')),
        logEntriesBefore,
        size,
        proof.hashes.map((h) => Buffer.from(h, 'base64')),
        root,
      );
      if (!ok)
        throw new Error(`entry ${logEntriesBefore} is not proved in ${origin}'s checkpoint at ${size}`);
      return size;
    }
    if (attempt >= 60) throw new Error(`the log's checkpoint stayed at ${size} after the run`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// Warm up (JIT, pools, caches) for half the run, as a server that has been up a while, then measure.
await drive(Math.max(3, Math.round(seconds / 2)), concurrency, transfer);
const workBefore = await databaseWork();
const before = sampleProcess(stack.child.pid as number) as ProcessSample;
const machineBefore = machineTicks();
const generatorBefore = process.cpuUsage();
await statementLog(true);
timing = true;
const run = await drive(seconds, concurrency, transfer);
timing = false;
await statementLog(false);
const generator = process.cpuUsage(generatorBefore);
const machineAfter = machineTicks();
const after = sampleProcess(stack.child.pid as number) as ProcessSample;
const workAfter = await databaseWork();
const logEntriesAfter = logEntriesBefore > 0 ? await checkLogGrowth() : undefined;

// Lighter loads on the same stack: how latency falls as fewer transfers are in flight.
const sweep: { concurrency: number; transfersPerSecond: number; p50: number; p99: number }[] = [];
for (const level of sweepLevels.filter((c) => c < concurrency)) {
  await drive(2, level, transfer);
  const r = await drive(sweepSeconds, level, transfer);
  const l = latency(r.latencies);
  sweep.push({
    concurrency: level,
    transfersPerSecond: round(r.done / r.elapsedSeconds),
    p50: l.p50,
    p99: l.p99,
  });
  console.log(
    `  ${level} in flight: ${sweep.at(-1)?.transfersPerSecond} transfers/s, p50 ${l.p50} ms, p99 ${l.p99} ms`,
  );
}
await stack.stop();
await scratch?.close();

const lat = latency(run.latencies);
const cores = cpus().length;
const machineBusy =
  machineBefore && machineAfter
    ? (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)
    : undefined;
const tps = run.done / run.elapsedSeconds;
const platformMs = ((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, run.done);
const generatorMs = (generator.user + generator.system) / 1000 / Math.max(1, run.done);
// Everything else the machine spent per transfer: the database server above all.
const restMs =
  machineBusy !== undefined ? (machineBusy * cores * 1000) / tps - platformMs - generatorMs : undefined;
const figures = {
  engine: process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite',
  logEntriesBefore,
  ...(logEntriesAfter !== undefined ? { logEntriesAfter } : {}),
  platformStartupSeconds: startupSeconds,
  transfersPerSecond: round(run.done / run.elapsedSeconds),
  failed: run.failed,
  errors: run.errors,
  latencyMs: lat,
  // Median of each step; at low concurrency this is close to the step's own cost.
  stepMedianMs: Object.fromEntries([...steps].map(([name, xs]) => [name, latency(xs).p50])),
  platformCpuPerTransferMs: round(((after.cpuSeconds - before.cpuSeconds) * 1000) / Math.max(1, run.done), 2),
  platformCpuCores: round((after.cpuSeconds - before.cpuSeconds) / run.elapsedSeconds, 2),
  platformPeakRssMiB: after.peakRssMiB,
  // The load generator (this process: browsers and the service backend, SDK crypto included).
  generatorCpuCores: round((generator.user + generator.system) / 1e6 / run.elapsedSeconds, 2),
  machineBusy: machineBusy !== undefined ? round(machineBusy, 2) : undefined,
  // The machine's CPU time per transfer, whoever spent it; its cores divided by the total is the most
  // transfers per second this machine could do with every core busy, whatever the software above it.
  ...(restMs !== undefined
    ? {
        cpuMsPerTransfer: {
          platform: round(platformMs),
          generator: round(generatorMs),
          databaseAndRest: round(restMs),
          total: round(platformMs + generatorMs + restMs),
        },
        machineCeilingTransfersPerSecond: round((cores * 1000) / (platformMs + generatorMs + restMs)),
      }
    : {}),
  ...(workBefore && workAfter
    ? {
        // Includes the statistics queries themselves and background work (sequencer, outbox): an upper bound.
        commitsPerTransfer: round((workAfter.commits - workBefore.commits) / Math.max(1, run.done)),
        rowWritesPerTransfer: round((workAfter.rows - workBefore.rows) / Math.max(1, run.done)),
      }
    : {}),
  citizens: ready.length,
  datasetsPerTransfer: datasets.length,
  concurrency,
  seconds,
  sweep,
};
console.log(JSON.stringify(figures, null, 2));
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(figures));
