/**
 * `npm run bench`: every benchmark, each in a process of its own, then one report under bench/results/
 * (JSON, a markdown summary and an SVG chart). Figures, never assertions: nothing here fails a build.
 *
 *   DATABASE_URL=postgres://…   also run on PostgreSQL (scratch databases are made and dropped)
 *   BENCH_SECONDS=20            length of each throughput run
 *   BENCH_CONCURRENCY=16        transfers in flight
 *   BENCH_SCALE=1               add a run at national scale: 1,000,000 citizens and, on PostgreSQL, a
 *                               usage log already holding 10,000,000 entries (filled in SQL first, which
 *                               takes minutes); PGlite gets the citizens only. The log's own proof figures
 *                               at that size come from bench/log.ts on PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Figure, writeRun } from './lib/report.ts';

const seconds = process.env.BENCH_SECONDS ?? '20';
const concurrency = process.env.BENCH_CONCURRENCY ?? '16';
const pg = process.env.DATABASE_URL;
const tmp = mkdtempSync(join(tmpdir(), 'mydata-bench-results-'));
const root = join(import.meta.dirname, '..');

/** Runs one benchmark script with its environment; returns the JSON it wrote, or undefined if it failed. */
function bench(script: string, args: string[], env: Record<string, string | undefined>) {
  const out = join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  console.log(
    `\n▶ ${script} ${args.join(' ')} ${Object.entries(env)
      .map(([k, v]) => `${k}=${v ?? ''}`)
      .join(' ')}`,
  );
  const baseEnv = { ...process.env };
  delete baseEnv.DATABASE_URL;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('bench', script), ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...baseEnv, ...env, BENCH_JSON: out } as NodeJS.ProcessEnv,
  });
  if (r.status !== 0) {
    console.error(`${script} failed (exit ${r.status})`);
    return undefined;
  }
  return JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

const engines: { name: string; url: string | undefined }[] = [
  { name: 'PGlite', url: undefined },
  ...(pg ? [{ name: 'PostgreSQL', url: pg }] : []),
];
const figures: Figure[] = [];
const notes: string[] = [];
const transfers = new Map<string, number>();
for (const engine of engines) {
  const floor = bench('floor.ts', [seconds], { DATABASE_URL: engine.url });
  const run = bench('transfer.ts', [seconds, concurrency], { DATABASE_URL: engine.url });
  if (floor) {
    figures.push({
      name: `bare floor, ${engine.name}`,
      value: floor.transfersPerSecond as number,
      unit: 'transfers/s',
      details: { perTransfer: floor.perTransfer },
    });
  }
  if (run) {
    const tps = run.transfersPerSecond as number;
    transfers.set(engine.name, tps);
    figures.push({
      name: `complete transfers, ${engine.name}`,
      value: tps,
      unit: 'transfers/s',
      details: {
        latencyMs: run.latencyMs,
        platformCpuPerTransferMs: run.platformCpuPerTransferMs,
        platformPeakRssMiB: run.platformPeakRssMiB,
        failed: run.failed,
        cpuMsPerTransfer: run.cpuMsPerTransfer,
        stepMedianMs: run.stepMedianMs,
        sweep: run.sweep,
      },
    });
    const ceiling = run.machineCeilingTransfersPerSecond as number | undefined;
    const budget = run.cpuMsPerTransfer as Record<string, number> | undefined;
    if (ceiling && budget) {
      notes.push(
        `${engine.name}: each transfer costs the machine ${budget.total} ms of CPU (platform with demo agencies ${budget.platform}, load generator ${budget.generator}, database and the rest ${budget.databaseAndRest}); with every core busy this machine could do at most ${ceiling} transfers/s.`,
      );
    }
    const sweep = (run.sweep ?? []) as { concurrency: number; transfersPerSecond: number; p99: number }[];
    const within = sweep.filter((l) => l.p99 < 150).at(-1);
    if (sweep.length > 0) {
      notes.push(
        within
          ? `${engine.name}: p99 stays under 150 ms up to ${within.concurrency} in flight (${within.transfersPerSecond} transfers/s, p99 ${within.p99} ms).`
          : `${engine.name}: p99 is 150 ms or more even with ${sweep[0]?.concurrency} in flight.`,
      );
    }
    if (floor) {
      const ratio = tps / (floor.transfersPerSecond as number);
      notes.push(
        `${engine.name}: ${tps} transfers/s is ${(ratio * 100).toFixed(0)}% of the bare floor (${floor.transfersPerSecond}/s); target 40%.`,
      );
    }
    const p99 = (run.latencyMs as { p99: number }).p99;
    if (engine.name === 'PostgreSQL') {
      notes.push(
        `PostgreSQL: ${tps} transfers/s (target ≥ 300), p99 ${p99} ms (target < 150 ms): ${tps >= 300 && p99 < 150 ? 'met' : 'not met'}.`,
      );
    }
  }
}
if (!pg) notes.push('PostgreSQL not measured: set DATABASE_URL=postgres://… to include it.');

if (process.env.BENCH_SCALE) {
  const engine = engines.at(-1) as (typeof engines)[number];
  // The 10,000,000-entry log is filled in SQL, which only the PostgreSQL engine offers.
  const logEntries = engine.name === 'PostgreSQL' ? 10_000_000 : 0;
  const scale = logEntries ? '1,000,000 citizens and 10,000,000 log entries' : '1,000,000 citizens';
  const run = bench('transfer.ts', [seconds, concurrency], {
    DATABASE_URL: engine.url,
    DEMO_POPULATION: '1000000',
    ...(logEntries ? { BENCH_LOG_ENTRIES: String(logEntries) } : {}),
  });
  if (!logEntries) {
    notes.push(
      'Scale run without the 10,000,000-entry usage log: its prefill needs PostgreSQL (set DATABASE_URL=postgres://…).',
    );
  }
  if (run) {
    const tps = run.transfersPerSecond as number;
    figures.push({
      name: `complete transfers, ${engine.name}, ${logEntries ? '1M citizens, 10M log entries' : '1M citizens'}`,
      value: tps,
      unit: 'transfers/s',
      details: {
        latencyMs: run.latencyMs,
        platformPeakRssMiB: run.platformPeakRssMiB,
        logEntriesBefore: run.logEntriesBefore,
        logEntriesAfter: run.logEntriesAfter,
        platformStartupSeconds: run.platformStartupSeconds,
        failed: run.failed,
      },
    });
    const small = transfers.get(engine.name);
    if (small) {
      notes.push(
        `With ${scale}: ${tps} transfers/s, ${((tps / small) * 100).toFixed(0)}% of the small run (target ≥ 80%); platform peak RSS ${run.platformPeakRssMiB} MiB (target < 400).`,
      );
    }
  }
}

for (const engine of engines) {
  const ex = bench('exchange.ts', ['5', '16'], { DATABASE_URL: engine.url });
  if (ex)
    figures.push({
      name: `exchange round trips, ${engine.name}`,
      value: ex.roundTripsPerSecond as number,
      unit: 'round trips/s',
      details: ex,
    });
  const log = bench('log.ts', [], {
    DATABASE_URL: engine.url,
    BENCH_LOG_SIZE: '100000',
    BENCH_APPENDS: '2000',
  });
  if (log)
    figures.push({
      name: `usage-log appends, ${engine.name}`,
      value: log.appendsPerSecond as number,
      unit: 'appends/s',
      details: log,
    });
}
rmSync(tmp, { recursive: true, force: true });

const { dir } = writeRun('latest', { title: 'MyData platform benchmarks', figures, notes }, 'transfers/s');
console.log(`\n${notes.join('\n')}\n\nResults: ${dir}/latest.{json,md,svg}`);
