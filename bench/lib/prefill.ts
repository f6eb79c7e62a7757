/**
 * A large usage log made inside PostgreSQL, so benchmarks can run against a platform whose log
 * already holds millions of entries (filling 10,000,000 through the API takes about an hour).
 *
 * Filler entry i has the commitment sha256(int8(i)); leaf i of the tree is its RFC 9162 leaf hash,
 * so the platform's sequencer continues the tree at index N and its proofs cover the filler too.
 * The rows look like real ones where it matters for the database: sealed payloads of the length the
 * platform's envelope gives such entries (random-looking text, never opened), citizen references
 * spread over a pseudo population that real citizens' keyed hashes never meet, times spread over
 * the past years in index order, every entry sequenced.
 */
import { createHash, randomUUID } from 'node:crypto';
import { demoCatalogue } from '@mydata/demo';
import { createEnvelope, type Db, generatePlatformKeys, openDatabase } from '@mydata/server';
import { type RawBuilder, sql } from 'kysely';

/** Filler entry i's commitment in SQL; `fillerCommitment` is the same in JS, for checking proofs. */
const commitmentSql = (i: RawBuilder<unknown>) => sql`sha256(int8send(${i}))`;

export function fillerCommitment(i: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(i));
  return createHash('sha256').update(b).digest();
}

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

export interface TreeOptions {
  /** Leaves per statement. */
  chunk?: number;
  progress?: (line: string) => void;
  /** Where progress lines count elapsed time from (performance.now()); the call's start by default. */
  since?: number;
}

/**
 * Writes the Merkle tree nodes over the first `size` filler commitments into an empty
 * usage_log_nodes (leaves in chunks, then one ordered scan per level), all hashing done by PostgreSQL.
 */
export async function buildFillerTree(db: Db, size: number, options: TreeOptions = {}): Promise<void> {
  const chunk = options.chunk ?? 1_000_000;
  const progress = options.progress ?? (() => {});
  const t0 = options.since ?? performance.now();
  for (let start = 0; start < size; start += chunk) {
    const end = Math.min(size, start + chunk) - 1;
    await sql`insert into usage_log_nodes (level, idx, hash)
      select 0, i, sha256('\\x00'::bytea || ${commitmentSql(sql`i`)})
      from generate_series(${start}::bigint, ${end}::bigint) as i`.execute(db);
    progress(`tree leaves ${(end + 1).toLocaleString('en')}/${size.toLocaleString('en')} (${seconds(t0)})`);
  }
  let width = size;
  for (let level = 1; width >= 2; level++) {
    width = Math.floor(width / 2);
    // Each even node meets its right sibling through lead(); an odd last node waits for a sibling,
    // as the sequencer's own complete-subtree table does.
    await sql`insert into usage_log_nodes (level, idx, hash)
      select ${level}, idx / 2, sha256('\\x01'::bytea || hash || next)
      from (select idx, hash, lead(hash) over (order by idx) as next from usage_log_nodes where level = ${level - 1}) s
      where idx % 2 = 0 and next is not null`.execute(db);
  }
  progress(`tree levels built (${seconds(t0)})`);
}

export interface PrefillOptions extends TreeOptions {
  /** Distinct pseudo citizens the entries belong to. */
  citizens?: number;
  /** The entries' times run evenly over this many days before now, oldest first. */
  days?: number;
}

/** Sealed-payload lengths of real entries: each (event, service) sealed once by the platform's envelope. */
function sealedShapes() {
  const envelope = createEnvelope(generatePlatformKeys().atRest);
  const length = (entry: Record<string, unknown>) =>
    envelope.seal(
      JSON.stringify({ salt: Buffer.alloc(32).toString('base64'), entry }),
      `usage_log_entries:${randomUUID()}`,
    ).length;
  const base = {
    v: 1,
    citizenRef: 'f'.repeat(64),
    outcome: 'success',
    occurredAt: new Date().toISOString(),
  };
  // A transfer's trail: the sign-in, the consent, the transfer itself.
  return demoCatalogue.services.flatMap((s) => {
    const datasets = s.datasets.map((d) => d.datasetId).sort();
    const agencyIds = [...new Set(s.datasets.map((d) => d.datasetId.split('.')[0]))].sort();
    const shared = { datasets, serviceId: s.id, purpose: s.purpose.dpv, consentId: randomUUID() };
    return [
      {
        event: 'sign-in',
        service: null,
        datasets: [],
        length: length({
          ...base,
          event: 'sign-in',
          datasets: [],
          details: { method: 'citizen-certificate' },
        }),
      },
      {
        event: 'consent-given',
        service: s.id,
        datasets,
        length: length({ ...base, ...shared, event: 'consent-given' }),
      },
      {
        event: 'transfer',
        service: s.id,
        datasets,
        length: length({ ...base, ...shared, agencyIds, event: 'transfer' }),
      },
    ];
  });
}

/**
 * Fills an empty usage log with `entries` sequenced filler entries and their tree, then sets the
 * tree size. Secondary structures are dropped for the fill and made again from their own
 * definitions, so the end state has exactly the indexes and constraints the migrations made.
 * No checkpoint is written: the platform signs its first one, under its own origin, when it starts.
 */
export async function prefillUsageLog(
  target: Db | string,
  entries: number,
  options: PrefillOptions = {},
): Promise<void> {
  const owned = typeof target === 'string' ? await openDatabase({ url: target, poolSize: 1 }) : undefined;
  const db = owned ?? (target as Db);
  try {
    // One connection, so the session settings below hold for every statement.
    await db.connection().execute((conn) => fill(conn, entries, options));
  } finally {
    await owned?.destroy();
  }
}

async function fill(db: Db, entries: number, options: PrefillOptions) {
  const chunk = options.chunk ?? 1_000_000;
  const citizens = options.citizens ?? 1_000_000;
  const days = options.days ?? 730;
  const progress = options.progress ?? ((line: string) => console.log(`prefill: ${line}`));
  const t0 = performance.now();

  const used = await sql<{ n: string }>`select
    (select size from usage_log_state where id = 1) + (select count(*) from usage_log_entries)
      + (select count(*) from usage_log_nodes) + (select count(*) from usage_log_checkpoints) as n`.execute(
    db,
  );
  if (Number(used.rows[0]?.n) !== 0) throw new Error('prefillUsageLog: the usage log is not empty');

  // The fill is one job: a lost tail is redone, not recovered, so commits need not wait for the WAL.
  await sql`set synchronous_commit = off`.execute(db);
  await sql`set maintenance_work_mem = '1GB'`.execute(db);

  // The indexes and constraints on the entries, as the migrations made them. Building each once
  // from sorted data is several times faster than keeping random UUIDs and hashes in order row by row.
  const keys = (
    await sql<{ table: string; name: string; def: string }>`
      select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
      from pg_constraint
      where (conrelid = 'usage_log_entries'::regclass and contype in ('p', 'u'))
         or (confrelid = 'usage_log_entries'::regclass and contype = 'f')
      order by contype <> 'p', contype = 'f', conname`.execute(db)
  ).rows;
  const indexes = (
    await sql<{ name: string; def: string }>`
      select indexname as name, indexdef as def from pg_indexes
      where schemaname = current_schema() and tablename = 'usage_log_entries'
        and indexname not in (select conname from pg_constraint where conrelid = 'usage_log_entries'::regclass)
      order by indexname`.execute(db)
  ).rows;
  const shapeBefore = await entryIndexes(db);
  for (const k of [...keys].reverse())
    await sql`alter table ${sql.id(k.table)} drop constraint ${sql.id(k.name)}`.execute(db);
  for (const i of indexes) await sql`drop index ${sql.id(i.name)}`.execute(db);

  const shapes = sealedShapes();
  const span = days * 86_400_000_000; // microseconds
  const oldest = new Date(Date.now() - days * 86_400_000).toISOString();
  for (let start = 0; start < entries; start += chunk) {
    const end = Math.min(entries, start + chunk) - 1;
    // Citizen k's reference is a hex SHA-256 of a label: the same width as the platform's keyed
    // hashes, and never equal to one. Entry i's time is i's share of the span, so time follows seq.
    await sql`insert into usage_log_entries
        (id, arrival, seq, commitment, citizen_ref, event, occurred_at, service_id, datasets, sealed, created_at)
      select gen_random_uuid(), i + 1, i, ${commitmentSql(sql`i`)},
        encode(sha256(convert_to('mydata-bench-filler:' || (abs(hashint8(i)::int8) % ${citizens}), 'UTF8')), 'hex'),
        s.event, t.at, s.service, s.datasets,
        left('v1.filler.' || repeat(translate(encode(sha256(int8send(-1 - i)), 'base64'), '+/=', '-_'), 40), s.length),
        t.at
      from generate_series(${start}::bigint, ${end}::bigint) as i
      cross join lateral (select ${oldest}::timestamptz
        + ((i * ${span}::float8 / ${entries}) * interval '1 microsecond') as at) t
      join jsonb_to_recordset(${JSON.stringify(shapes.map((s, n) => ({ ...s, n })))}::jsonb)
          as s(n int, event text, service text, datasets jsonb, length int)
        on s.n = abs(hashint8(i + 1)::int8) % ${shapes.length}`.execute(db);
    progress(`entries ${(end + 1).toLocaleString('en')}/${entries.toLocaleString('en')} (${seconds(t0)})`);
  }
  await sql`select setval(pg_get_serial_sequence('usage_log_entries', 'arrival'), ${Math.max(1, entries)})`.execute(
    db,
  );

  await buildFillerTree(db, entries, { chunk, progress, since: t0 });
  await sql`update usage_log_state set size = ${entries} where id = 1`.execute(db);

  for (const k of keys)
    await sql`alter table ${sql.id(k.table)} add constraint ${sql.id(k.name)} ${sql.raw(k.def)}`.execute(db);
  for (const i of indexes) await sql.raw(i.def).execute(db);
  const shapeAfter = await entryIndexes(db);
  if (shapeAfter !== shapeBefore)
    throw new Error(`prefill changed the indexes:\n${shapeBefore}\n→\n${shapeAfter}`);
  progress(`indexes and constraints rebuilt (${seconds(t0)})`);

  // Vacuum as well as analyze: otherwise autovacuum takes on the fresh rows (and the first reads set
  // their hint bits) in the middle of the measured run.
  await sql`vacuum (analyze) usage_log_entries`.execute(db);
  await sql`vacuum (analyze) usage_log_nodes`.execute(db);
  await sql`analyze usage_log_state`.execute(db);
  progress(`${entries.toLocaleString('en')} entries ready (${seconds(t0)})`);
}

/** Every index and constraint touching the entries, in one comparable text. */
async function entryIndexes(db: Db): Promise<string> {
  const rows = await sql<{ d: string }>`
    select indexdef as d from pg_indexes where tablename = 'usage_log_entries'
    union all
    select conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) from pg_constraint
    where conrelid = 'usage_log_entries'::regclass or confrelid = 'usage_log_entries'::regclass
    order by 1`.execute(db);
  return rows.rows.map((r) => r.d).join('\n');
}
