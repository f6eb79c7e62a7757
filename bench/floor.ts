/**
 * The bare floor of one complete transfer: the same cryptographic operations and the same number of
 * database commits and row writes a transfer of the passport-renewal service (3 datasets from 3
 * agencies) makes, in a tight loop on `node:crypto` and the database driver, with no HTTP, TLS, JSON
 * schema or framework. `npm run bench` divides the real throughput by this one.
 *
 * Per transfer (k = 3 datasets), counted from the code path:
 *   ES256 signatures   8 + 2k: 2 client assertions, 2 DPoP proofs, the certificate challenge,
 *                      k requests + k agency responses, the consent receipt, the ID token, the package
 *   ES256 verifies     8 + 3k: the same on the receiving side, the certificate chain, the package and
 *                      each agency signature again at the service
 *   ECDH-ES            2 (encrypt to the service, decrypt at the service) with AES-KW + AES-256-GCM
 *   HMAC / AES-GCM     the usage-log entries' keyed citizen references and sealed contents
 *   commits, rows      BENCH_FLOOR_COMMITS / BENCH_FLOOR_ROWS per transfer: 25 writing commits and
 *                      33 row writes, counted from the server's statement log of a transfer run
 *                      (BENCH_SQL_LOG=1 bench/transfer.ts); the 31 reads are not part of the floor
 *
 *   npx tsx bench/floor.ts [seconds=10]     (DATABASE_URL=postgres://… for PostgreSQL)
 */
import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createScratchDatabase, type Db, migrateToLatest, openDatabase } from '@mydata/server';
import { sql } from 'kysely';
import { drive, round } from './lib/measure.ts';

const seconds = Number(process.argv[2] ?? 10);
const K = 3;
const COMMITS = Number(process.env.BENCH_FLOOR_COMMITS ?? 25);
const ROWS = Number(process.env.BENCH_FLOOR_ROWS ?? 33);
const concurrency = process.env.DATABASE_URL ? 16 : 1;

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sign = (data: Buffer) =>
  createSign('sha256').update(data).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
const verify = (data: Buffer, sig: Buffer) =>
  createVerify('sha256').update(data).verify({ key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
const serviceEcdh = createECDH('prime256v1');
serviceEcdh.generateKeys();
const hmacKey = randomBytes(32);
const aesKey = randomBytes(32);
const record = Buffer.from(JSON.stringify({ household: 'x'.repeat(600), passport: 'y'.repeat(300) }));

function seal(plain: Buffer) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', aesKey, iv);
  return Buffer.concat([iv, c.update(plain), c.final(), c.getAuthTag()]);
}

/** Every cryptographic operation of one transfer. */
function cryptoOfOneTransfer() {
  const small = randomBytes(300);
  for (let i = 0; i < 5; i++) verify(small, sign(small)); // 2 assertions, 2 DPoP proofs, the challenge
  verify(small, sign(small)); // the certificate chain: one more verify (sign stands in for the CA's)
  const responses: Buffer[] = [];
  for (let d = 0; d < K; d++) {
    verify(small, sign(small)); // request
    const body = Buffer.concat([record, randomBytes(16)]);
    const s = sign(body); // agency response
    verify(body, s);
    responses.push(body);
  }
  const receipt = randomBytes(900);
  sign(receipt); // receipt
  sign(small); // ID token
  const pkg = Buffer.concat(responses);
  const pkgSig = sign(pkg);
  // JWE ECDH-ES+A256KW / A256GCM to the service, then the service decrypts.
  const eph = createECDH('prime256v1');
  eph.generateKeys();
  const z = eph.computeSecret(serviceEcdh.getPublicKey());
  const kek = createHash('sha256').update(z).digest();
  const cek = randomBytes(32);
  const wrap = createCipheriv('id-aes256-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
  const wrapped = Buffer.concat([wrap.update(cek), wrap.final()]);
  const iv = randomBytes(12);
  const enc = createCipheriv('aes-256-gcm', cek, iv);
  const ct = Buffer.concat([enc.update(pkg), enc.final()]);
  const tag = enc.getAuthTag();
  const z2 = serviceEcdh.computeSecret(eph.getPublicKey());
  const kek2 = createHash('sha256').update(z2).digest();
  const unwrap = createDecipheriv('id-aes256-wrap', kek2, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
  const cek2 = Buffer.concat([unwrap.update(wrapped), unwrap.final()]);
  const dec = createDecipheriv('aes-256-gcm', cek2, iv);
  dec.setAuthTag(tag);
  const plain = Buffer.concat([dec.update(ct), dec.final()]);
  verify(plain, pkgSig);
  for (const r of responses) verify(r, sign(r)); // the service checks each agency signature again
  for (let e = 0; e < 3; e++) {
    createHmac('sha256', hmacKey).update('A123456789').digest();
    seal(receipt);
  }
}

async function open(): Promise<{ db: Db; close(): Promise<void> }> {
  if (process.env.DATABASE_URL) {
    const s = await createScratchDatabase(process.env.DATABASE_URL, { prefix: 'mydata_floor', poolSize: 16 });
    return { db: s.db, close: s.close };
  }
  const db = await openDatabase({});
  await migrateToLatest(db);
  return { db, close: () => db.destroy() };
}

const { db, close } = await open();
await sql`create table bench_floor (id text primary key, body jsonb not null, created_at timestamptz not null default now())`.execute(
  db,
);
const payload = JSON.stringify({ blob: randomBytes(400).toString('base64') });

/** The transfer's database work: COMMITS transactions writing ROWS rows between them. */
async function writesOfOneTransfer() {
  const perCommit = Math.floor(ROWS / COMMITS);
  let extra = ROWS - perCommit * COMMITS;
  for (let c = 0; c < COMMITS; c++) {
    const n = perCommit + (extra-- > 0 ? 1 : 0);
    if (n <= 1) {
      await sql`insert into bench_floor (id, body) values (${randomUUID()}, ${payload}::jsonb)`.execute(db);
    } else {
      await db.transaction().execute(async (tx) => {
        for (let r = 0; r < n; r++)
          await sql`insert into bench_floor (id, body) values (${randomUUID()}, ${payload}::jsonb)`.execute(
            tx,
          );
      });
    }
  }
}

const once = async () => {
  cryptoOfOneTransfer();
  await writesOfOneTransfer();
};
await drive(2, concurrency, once);
const run = await drive(seconds, concurrency, once);
let t = performance.now();
for (let i = 0; i < 200; i++) cryptoOfOneTransfer();
const cryptoMs = (performance.now() - t) / 200;
t = performance.now();
for (let i = 0; i < 50; i++) await writesOfOneTransfer();
const writesMs = (performance.now() - t) / 50;
await close();

const figures = {
  engine: process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite',
  transfersPerSecond: round(run.done / run.elapsedSeconds),
  perTransfer: { cryptoMs: round(cryptoMs, 2), writesMs: round(writesMs, 2), commits: COMMITS, rows: ROWS },
  concurrency,
};
console.log(JSON.stringify(figures, null, 2));
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify(figures));
