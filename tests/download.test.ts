/**
 * Data download over the real exchange gateway: demo agencies on loopback with mutual TLS and signed
 * answers, the platform's download routes, and the offline verifier a citizen runs on the zip.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyDownload, verifyDownloadMain } from '@mydata/auditor';
import { DATASET_IDS } from '@mydata/demo';
import { buildApp, loadConfig } from '@mydata/server';
import { unzipSync, zipSync } from 'fflate';
import { compactVerify, createLocalJWKSet, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogueRepo } from '../packages/server/src/catalogue/repository.ts';
import { createConsentFixture, ISSUER } from '../packages/server/src/consent/testing.ts';
import { createEnvelope } from '../packages/server/src/crypto/envelope.ts';
import { createDownloadService } from '../packages/server/src/download/service.ts';
import { csrfTokenFor } from '../packages/server/src/identity/http.ts';
import { createStatisticsRepo } from '../packages/server/src/stats/repository.ts';
import { citizenWith, closedPort, createHarness } from './exchange-harness.ts';

const HOUSEHOLD = DATASET_IDS.householdRegistration;
const INCOME = DATASET_IDS.income;
const VEHICLES = DATASET_IDS.vehicleRegistration;

/** RFC 4180 CSV, as a spreadsheet reads it (after the byte-order mark). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  return rows;
}

const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
const cellOf = (v: unknown) => (v === null || v === undefined ? '' : String(v));

describe('Data download', () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  let f: Awaited<ReturnType<typeof createConsentFixture>>;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let download: ReturnType<typeof createDownloadService>;
  let nationalId: string;
  let high: { cookie: string; csrf: string };
  let substantial: { cookie: string; csrf: string };
  let dir: string;
  let platformJwks: { keys: JWK[] };
  const agencies = ['moi-household', 'mof-fia', 'mvdis'];

  beforeAll(async () => {
    h = await createHarness({
      demoAgencies: agencies,
      gateway: { breaker: { failureThreshold: 100, resetAfterMs: 60_000 } },
    });
    f = await createConsentFixture({ database: h.database, gateway: h.gateway });
    nationalId = citizenWith(h.population, [HOUSEHOLD, INCOME, VEHICLES]);
    substantial = await f.signIn(nationalId);
    const { citizenId } = await f.signIn(nationalId);
    const session = await h.database.db.transaction().execute((tx) =>
      f.identity.repo.createSession(tx, {
        citizenId,
        assurance: 'high',
        methods: ['citizen-certificate'],
        at: new Date(),
      }),
    );
    high = { cookie: `mydata-session=${session.token}`, csrf: csrfTokenFor(session.token) };
    download = createDownloadService({
      db: h.database.db,
      catalogue: createCatalogueRepo(h.database.db),
      gateway: h.gateway,
      recorder: f.recorder,
      identityRepo: f.identity.repo,
      envelope: createEnvelope(f.keys.atRest),
      signingKey: f.keys.oauthSigning as unknown as JWK,
      issuer: ISSUER,
    });
    app = await buildApp({
      config: loadConfig({ LOG_LEVEL: 'silent', PUBLIC_URL: ISSUER }),
      db: h.database.db,
      gateway: h.gateway,
      download: { service: download, identity: f.identity.service, publicUrl: ISSUER },
    });
    const { d: _private, ...publicJwk } = f.keys.oauthSigning as unknown as JWK;
    platformJwks = { keys: [publicJwk] };
    dir = mkdtempSync(join(tmpdir(), 'mydata-download-test-'));
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    f?.identity.stop();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const ask = (datasets: string[], who: { cookie: string; csrf: string } | null = high) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/downloads',
      headers: who ? { cookie: who.cookie, 'x-csrf-token': who.csrf } : {},
      payload: { datasets },
    });
  const fetchFile = (href: string, who: { cookie: string } | null = high) =>
    app.inject({ method: 'GET', url: href, headers: who ? { cookie: who.cookie } : {} });
  const agencyKeys = async () =>
    (await app.inject({ method: 'GET', url: '/api/v1/exchange/agency-keys' })).json() as {
      items: { agencyId: string; jwks: { keys: JWK[] } }[];
    };

  /** Asks for a download and fetches its zip. */
  async function downloadZip(datasets: string[]): Promise<Uint8Array> {
    const created = await ask(datasets);
    expect(created.statusCode, created.body).toBe(201);
    const file = await fetchFile(created.json().href);
    expect(file.statusCode).toBe(200);
    return file.rawPayload;
  }

  it('refuses a visitor who is not signed in', async () => {
    const res = await ask([HOUSEHOLD], null);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('identity.not-signed-in');
    expect((await fetchFile('/api/v1/downloads/x/file', null)).json().code).toBe('identity.not-signed-in');
  });

  it('asks for a stronger sign-in when a dataset needs it, before asking any agency', async () => {
    const before = await h.database.db.selectFrom('exchange_message_log').select('seq').execute();
    const res = await ask([HOUSEHOLD, INCOME], substantial);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'identity.step-up-required' });
    expect(res.json().detail).toContain('high');
    const after = await h.database.db.selectFrom('exchange_message_log').select('seq').execute();
    expect(after.length).toBe(before.length);
    // What the session suffices for downloads as usual.
    expect((await ask([HOUSEHOLD], substantial)).statusCode).toBe(201);
  });

  it('delivers a zip whose hashes, signatures and data all check out, once, logged and notified', async () => {
    const created = await ask([HOUSEHOLD, INCOME, VEHICLES]);
    expect(created.statusCode, created.body).toBe(201);
    const view = created.json();
    expect(view.datasets.map((d: { id: string }) => d.id)).toEqual([HOUSEHOLD, INCOME, VEHICLES]);
    expect(view.datasets[1].agency.name['zh-TW']).toBe('財政部財政資訊中心');

    // At rest the waiting zip is sealed: neither the national ID nor the zip's bytes are readable.
    const row = await h.database.db
      .selectFrom('downloads')
      .selectAll()
      .where('id', '=', view.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('ready');
    expect(row.sealed).not.toContain(nationalId);
    expect(Buffer.from(row.sealed ?? '', 'base64').includes(Buffer.from(nationalId))).toBe(false);

    const file = await fetchFile(view.href);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/zip');
    expect(file.headers['content-disposition']).toBe(`attachment; filename="${view.fileName}"`);
    expect(file.headers['cache-control']).toBe('no-store');
    const zip = file.rawPayload;
    const files = unzipSync(zip);

    // The manifest lists every other file with its SHA-256, and the platform signed exactly its bytes.
    const manifest = JSON.parse(text(files['manifest.json']));
    expect(manifest).toMatchObject({ type: 'mydata-download', version: 1, iss: ISSUER, jti: view.id });
    expect(manifest.subject).toEqual({ nationalId });
    const others = Object.keys(files).filter((p) => p !== 'manifest.json' && p !== 'manifest.jws');
    expect(manifest.files.map((x: { path: string }) => x.path).sort()).toEqual(others.sort());
    for (const entry of manifest.files) {
      expect(
        createHash('sha256')
          .update(files[entry.path] as Uint8Array)
          .digest('hex'),
      ).toBe(entry.sha256);
    }
    const signed = await compactVerify(text(files['manifest.jws']), createLocalJWKSet(platformJwks));
    expect(signed.protectedHeader).toMatchObject({ alg: 'ES256', typ: 'mydata-download+jwt' });
    expect(Buffer.from(signed.payload).equals(Buffer.from(files['manifest.json'] as Uint8Array))).toBe(true);

    // Each dataset: JSON is the agency's record, CSV agrees with it, the agency's answer is kept.
    for (const d of manifest.datasets) {
      const record = h.population.record(d.datasetId, nationalId) as Record<string, unknown>;
      expect(JSON.parse(text(files[d.files.json]))).toEqual(record);
      expect(JSON.parse(text(files[d.files.responseBody])).payload).toEqual(record);
      expect(text(files[d.files.responseSignature]).split('.')).toHaveLength(3);
      const csvBytes = files[d.files.csv] as Uint8Array;
      expect([...csvBytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const [header, ...rows] = parseCsv(text(csvBytes).replace(/^\uFEFF/, ''));
      const list = Object.entries(record).find(([, v]) => Array.isArray(v)) as [
        string,
        Record<string, unknown>[],
      ];
      // One row per item of the record's list; the record's own fields on every row.
      expect(rows).toHaveLength(list[1].length);
      for (const [i, r] of rows.entries()) {
        const cells = Object.fromEntries((header as string[]).map((c, j) => [c, r[j]]));
        for (const [k, v] of Object.entries(record)) if (k !== list[0]) expect(cells[k]).toBe(cellOf(v));
        for (const [k, v] of Object.entries(list[1][i] as Record<string, unknown>))
          expect(cells[`${list[0]}.${k}`]).toBe(cellOf(v));
      }
    }
    const household = h.population.record(HOUSEHOLD, nationalId) as { name: string };
    const html = text(files['index.html']);
    expect(html).toContain('<html lang="zh-TW">');
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script|src=|href="http/i);
    expect(html).toContain(household.name);
    expect(html).toContain('戶籍資料');
    expect(html).toContain('Household registration');

    // The verifier agrees, with the agencies' keys as the platform publishes them.
    const report = verifyDownload(zip, {
      platform: platformJwks as never,
      agencies: (await agencyKeys()) as never,
    });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);

    // Fetched once: the sealed zip is gone, the download is in the usage log, notified.
    expect((await fetchFile(view.href)).json().code).toBe('download.gone');
    const after = await h.database.db
      .selectFrom('downloads')
      .selectAll()
      .where('id', '=', view.id)
      .executeTakeFirstOrThrow();
    expect(after).toMatchObject({ status: 'taken', sealed: null });
    const logged = (await f.recorder.citizenView(nationalId)).items.filter(
      (e) => e.entry.event === 'download' && e.entry.details?.downloadId === view.id,
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]?.entry).toMatchObject({
      outcome: 'success',
      datasets: [HOUSEHOLD, INCOME, VEHICLES].sort(),
      agencyIds: ['moi-household', 'mof-fia', 'mvdis'].sort(),
    });
    expect(logged[0]?.notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
    // Counted once in the public statistics.
    expect((await createStatisticsRepo(h.database.db).summary(new Date())).downloads).toBe(1);
    // Another citizen cannot fetch it, and nobody can fetch a download that does not exist.
    const someoneElse = h.population.citizen(h.population.citizen(0).nationalId === nationalId ? 1 : 0);
    const other = await f.signIn(someoneElse.nationalId);
    expect((await fetchFile(view.href, other)).json().code).toBe('download.not-found');
    expect((await fetchFile('/api/v1/downloads/no-such/file')).json().code).toBe('download.not-found');
  });

  it('delivers nothing when an agency is down, names it, and a retry succeeds once it is back', async () => {
    const running = h.demo.agencies.find((a) => a.agencyId === 'mof-fia');
    if (!running) throw new Error('no demo agency mof-fia');
    await h.register('mof-fia', `https://127.0.0.1:${await closedPort()}`, running.cert, running.publicJwk);
    const rows = async () => (await h.database.db.selectFrom('downloads').select('id').execute()).length;
    const before = await rows();
    try {
      const res = await ask([HOUSEHOLD, INCOME]);
      expect(res.statusCode).toBe(502);
      const problem = res.json();
      expect(problem).toMatchObject({ code: 'exchange.agency-unreachable', agencyIds: ['mof-fia'] });
      expect(problem.detail).toContain('財政部財政資訊中心');
      expect(await rows()).toBe(before);
      const failed = (await f.recorder.citizenView(nationalId)).items.filter(
        (e) => e.entry.event === 'download' && e.entry.outcome === 'failure',
      );
      expect(failed.at(-1)?.entry.agencyIds).toEqual(['mof-fia']);
      expect(failed.at(-1)?.notifications).toEqual([]);
    } finally {
      await h.register('mof-fia', running.url, running.cert, running.publicJwk);
    }
    const retried = await ask([HOUSEHOLD, INCOME]);
    expect(retried.statusCode, retried.body).toBe(201);
  });

  it('drops a zip nobody fetched within its lifetime', async () => {
    const created = (await ask([HOUSEHOLD])).json();
    expect(await download.expireDue(new Date(Date.now() + 601_000))).toBeGreaterThanOrEqual(1);
    expect((await fetchFile(created.href)).json().code).toBe('download.gone');
  });

  it('verifies a package offline with the command, and refuses a tampered one', async () => {
    const zip = await downloadZip([HOUSEHOLD, INCOME]);
    const good = join(dir, 'good.zip');
    const jwks = join(dir, 'jwks.json');
    const keys = join(dir, 'agency-keys.json');
    writeFileSync(good, zip);
    writeFileSync(jwks, JSON.stringify(platformJwks));
    writeFileSync(keys, JSON.stringify(await agencyKeys()));
    const run = async (file: string) => {
      const lines: string[] = [];
      const code = await verifyDownloadMain([file, '--jwks', jwks, '--agency-keys', keys], (l) =>
        lines.push(l),
      );
      return { code, out: lines.join('\n') };
    };
    const ok = await run(good);
    expect(ok.out).toContain('is intact and signed (2 datasets)');
    expect(ok.code).toBe(0);

    const files = unzipSync(readFileSync(good));
    const rezip = (name: string, change: (f: Record<string, Uint8Array>) => void) => {
      const copy = { ...files };
      change(copy);
      const path = join(dir, name);
      writeFileSync(path, zipSync(copy));
      return path;
    };
    // An edited record: its hash no longer matches, and it is not what the agency signed.
    const editedData = rezip('edited-data.zip', (c) => {
      const path = `data/${INCOME}.json`;
      const record = JSON.parse(text(c[path]));
      record.totalIncome += 1;
      c[path] = new TextEncoder().encode(JSON.stringify(record, null, 2));
    });
    const edited = await run(editedData);
    expect(edited.code).toBe(1);
    expect(edited.out).toContain(`data/${INCOME}.json: its SHA-256 does not match the manifest`);
    expect(edited.out).toContain('is not the data the agency signed');
    // An edited manifest (hashes made to fit): the platform's signature no longer covers it.
    const forged = rezip('forged-manifest.zip', (c) => {
      const path = `data/${INCOME}.csv`;
      c[path] = new TextEncoder().encode('\uFEFFtotalIncome\r\n0\r\n');
      const manifest = JSON.parse(text(c['manifest.json']));
      const entry = manifest.files.find((x: { path: string }) => x.path === path);
      entry.sha256 = createHashHex(c[path] as Uint8Array);
      entry.bytes = (c[path] as Uint8Array).length;
      c['manifest.json'] = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
    });
    const forgedRun = await run(forged);
    expect(forgedRun.code).toBe(1);
    expect(forgedRun.out).toContain('manifest.jws: it signs other bytes than manifest.json');
    // A file slipped in, and a signature file from another key.
    const extra = await run(
      rezip('extra.zip', (c) => (c['data/extra.json'] = new TextEncoder().encode('{}'))),
    );
    expect(extra.out).toContain('data/extra.json: not listed in the manifest');
    expect(await verifyDownloadMain([], () => {})).toBe(2);
  });
});

const createHashHex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
