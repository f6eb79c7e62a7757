/**
 * Usage-log benchmark (`npx tsx bench/log.ts`): append and sequencing rates with batching, and proof
 * generation time at a large tree. Runs on PGlite in memory, or on PostgreSQL when DATABASE_URL is set
 * (a throw-away database is made and dropped). Figures, not a test.
 *
 *   BENCH_APPENDS     entries appended through the API       (default 5,000)
 *   BENCH_LOG_SIZE    size of the large tree for the proofs   (default 10,000,000 on PostgreSQL, 1,000,000 on PGlite)
 */
import { writeFileSync } from 'node:fs';
import { hashLeaf, verifyConsistency, verifyInclusion } from '@mydata/auditor';
import {
  createScratchDatabase,
  createUsageLog,
  type Db,
  generatePlatformKeys,
  migrateToLatest,
  openDatabase,
} from '@mydata/server';
import { sql } from 'kysely';
import { buildFillerTree, fillerCommitment } from './lib/prefill.ts';

const serverUrl = process.env.DATABASE_URL;
const appends = Number(process.env.BENCH_APPENDS ?? 5_000);
const largeSize = Number(process.env.BENCH_LOG_SIZE ?? (serverUrl ? 10_000_000 : 1_000_000));

async function freshDatabase(): Promise<{ db: Db; drop(): Promise<void> }> {
  if (!serverUrl) {
    const db = await openDatabase({});
    await migrateToLatest(db);
    return { db, drop: () => db.destroy() };
  }
  const scratch = await createScratchDatabase(serverUrl, { prefix: 'mydata_bench', poolSize: 8 });
  return { db: scratch.db, drop: scratch.close };
}

const results: Record<string, number> = {};
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms).toLocaleString('en')}/s`;
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const engine = serverUrl ? `PostgreSQL ${new URL(serverUrl).host}` : 'PGlite (in memory)';
console.log(`usage-log benchmark on ${engine}, Node ${process.version}`);

// 1. Appends through the API (each in its own transaction, as a feature's event would be), then sequencing.
{
  const { db, drop } = await freshDatabase();
  const log = createUsageLog({ db, keys: generatePlatformKeys(), origin: 'bench/log', batchSize: 1000 });
  const event = {
    event: 'transfer' as const,
    datasets: ['mof-fia.income'],
    serviceId: 'firstbank.loan',
    purpose: 'loan',
  };
  const writers = serverUrl ? 8 : 1;
  let t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < appends; i += writers)
        await log.append({ ...event, citizenId: `A${String(100000000 + i)}` });
    }),
  );
  const appendMs = performance.now() - t0;
  // The same appends grouped 100 to a transaction, as a batch job (or a busy event) would write them.
  t0 = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w * 100; i < appends; i += writers * 100) {
        await db.transaction().execute(async (tx) => {
          for (let j = i; j < Math.min(i + 100, appends); j++) {
            await log.append({ ...event, citizenId: `B${String(100000000 + j)}` }, tx);
          }
        });
      }
    }),
  );
  const groupedMs = performance.now() - t0;
  t0 = performance.now();
  const size = await log.sequenceAll();
  const sequenceMs = performance.now() - t0;
  t0 = performance.now();
  await log.publishCheckpoint();
  const checkpointMs = performance.now() - t0;
  console.log(
    `append (sealed entry + commitment, ${writers} writer(s)): ${appends} in ${appendMs.toFixed(0)} ms = ${rate(appends, appendMs)}`,
  );
  console.log(
    `append, 100 per transaction:                ${appends} in ${groupedMs.toFixed(0)} ms = ${rate(appends, groupedMs)}`,
  );
  console.log(
    `sequence into the tree (batches of 1000):   ${size} in ${sequenceMs.toFixed(0)} ms = ${rate(size, sequenceMs)}`,
  );
  console.log(
    `append + sequence end to end:               ${rate(2 * appends, appendMs + groupedMs + sequenceMs)}`,
  );
  console.log(`sign a checkpoint:                          ${checkpointMs.toFixed(1)} ms`);
  results.appendsPerSecond = Math.round((appends * 1000) / appendMs);
  results.groupedAppendsPerSecond = Math.round((appends * 1000) / groupedMs);
  results.checkpointMs = Number(checkpointMs.toFixed(1));
  await drop();
}

// 2. Proofs at a large tree (BENCH_LOG_SIZE=0 skips it). The nodes are built in SQL (sha256 inside the engine), which is the
// same table the sequencer fills; the proofs are then made by the platform's own code.
if (largeSize > 1) {
  const { db, drop } = await freshDatabase();
  const log = createUsageLog({ db, keys: generatePlatformKeys(), origin: 'bench/log' });
  const t0 = performance.now();
  // Leaf i is the filler commitment sha256(int8(i)), the same tree the transfer benchmark's prefilled log has.
  await buildFillerTree(db, largeSize);
  await sql`analyze usage_log_nodes`.execute(db);
  const buildMs = performance.now() - t0;
  const rows = (await sql<{ n: number }>`select count(*)::int as n from usage_log_nodes`.execute(db)).rows[0]
    ?.n;
  const bytes = (
    await sql<{ b: number }>`select pg_total_relation_size('usage_log_nodes')::bigint as b`.execute(db)
  ).rows[0]?.b;
  console.log(
    `built a tree of ${largeSize.toLocaleString('en')} leaves (${rows?.toLocaleString('en')} node rows, ${Math.round((bytes ?? 0) / 2 ** 20)} MiB with index) in ${(buildMs / 1000).toFixed(1)} s`,
  );

  // Checkpoints at a few earlier sizes, so consistency proofs can be checked against signed roots.
  const sizes = [Math.floor(largeSize / 7), Math.floor(largeSize / 3) + 1, largeSize - 1, largeSize];
  const roots = new Map<number, Buffer>();
  for (const size of sizes) {
    await sql`update usage_log_state set size = ${size}`.execute(db);
    const cp = await log.publishCheckpoint();
    roots.set(size, Buffer.from(cp?.root ?? '', 'base64'));
  }
  const root = roots.get(largeSize) as Buffer;
  for (const first of sizes.slice(0, -1)) {
    const proof = await log.consistencyProof(first, largeSize);
    const ok = verifyConsistency(
      first,
      largeSize,
      roots.get(first) as Buffer,
      root,
      proof.hashes.map((h) => Buffer.from(h, 'base64')),
    );
    if (!ok) throw new Error(`bad consistency proof ${first} → ${largeSize}`);
  }
  const inclusion: number[] = [];
  const consistency: number[] = [];
  for (let k = 0; k < 200; k++) {
    const index = Math.floor(Math.random() * largeSize);
    let t = performance.now();
    const proof = await log.inclusionProof(index, largeSize);
    inclusion.push(performance.now() - t);
    const hashes = proof.hashes.map((h) => Buffer.from(h, 'base64'));
    if (!verifyInclusion(hashLeaf(fillerCommitment(index)), index, largeSize, hashes, root)) {
      throw new Error('bad inclusion proof');
    }
    const first = 1 + Math.floor(Math.random() * (largeSize - 1));
    t = performance.now();
    await log.consistencyProof(first, largeSize);
    consistency.push(performance.now() - t);
  }
  console.log(
    `inclusion proof at ${largeSize.toLocaleString('en')}: median ${median(inclusion).toFixed(2)} ms, p99 ${inclusion.sort((a, b) => a - b)[197]?.toFixed(2)} ms (${(await log.inclusionProof(0, largeSize)).hashes.length} hashes; every proof verified with the auditor's code)`,
  );
  console.log(
    `consistency proof at ${largeSize.toLocaleString('en')}: median ${median(consistency).toFixed(2)} ms, p99 ${consistency.sort((a, b) => a - b)[197]?.toFixed(2)} ms`,
  );
  results.treeSize = largeSize;
  results.inclusionProofMedianMs = Number(median(inclusion).toFixed(2));
  results.consistencyProofMedianMs = Number(median(consistency).toFixed(2));
  await drop();
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(results));
