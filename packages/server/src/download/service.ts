/**
 * Data download (資料下載): the citizen's own datasets fetched from the agencies through the exchange
 * gateway, packed into a zip with each agency's signed answer verbatim, a printable page and a
 * manifest of every file's SHA-256 signed by the platform (docs/download.md). The zip waits, sealed
 * with the at-rest envelope, until the citizen fetches it once; that hand-over and its notified
 * `download` usage-log entry commit in one transaction.
 */

import { createHash, randomUUID } from 'node:crypto';
import {
  AppError,
  type Dataset,
  DOWNLOAD_FORMAT_VERSION,
  DOWNLOAD_JWS_TYPE,
  DOWNLOAD_MANIFEST_TYPE,
  DOWNLOAD_PURPOSE,
  type DownloadManifest,
  type DownloadManifestDataset,
  downloadExchangeId,
  downloadPaths,
  INDEX_PATH,
  type LocalizedText,
  MANIFEST_PATH,
  MANIFEST_SIGNATURE_PATH,
  PLATFORM_SIGNING_ALGORITHM,
  toCsv,
} from '@mydata/core';
import { zipSync } from 'fflate';
import { CompactSign, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { createCatalogueRepo } from '../catalogue/repository.ts';
import type { Envelope } from '../crypto/envelope.ts';
import type { Db } from '../db/database.ts';
import { expireWaiting } from '../db/expire.ts';
import type { Database } from '../db/schema.ts';
import { failedAgencies } from '../exchange/failures.ts';
import type { ExchangeGateway, FetchedDataset } from '../exchange/gateway.ts';
import type { IdentityRepo } from '../identity/repository.ts';
import type { UsageRecorder } from '../log/record.ts';
import { createStatisticsRepo } from '../stats/repository.ts';
import { type PrintableDataset, renderDownloadHtml } from './html.ts';

type CatalogueRepo = ReturnType<typeof createCatalogueRepo>;
type Tx = Kysely<Database>;

export interface DownloadServiceOptions {
  db: Db;
  catalogue: Pick<CatalogueRepo, 'getOrganisation' | 'getDatasetsByIds'>;
  gateway: Pick<ExchangeGateway, 'fetch'>;
  recorder: UsageRecorder;
  identityRepo: Pick<IdentityRepo, 'nationalIdOf' | 'loggableOf'>;
  /** Seals the zip while it waits (the at-rest key ring). */
  envelope: Envelope;
  /** The platform's ES256 private JWK with kid (PlatformKeys.oauthSigning). */
  signingKey: JWK;
  /** PUBLIC_URL without a trailing slash. */
  issuer: string;
  /** How long a ready zip waits to be fetched (600 s). */
  ttlSeconds?: number;
  now?: () => Date;
  /** Told of failures that must not fail the citizen's request (counting the download in the statistics). */
  onError?: (error: unknown, context: string) => void;
}

/** A download ready to fetch, as its citizen sees it. */
export interface DownloadView {
  id: string;
  fileName: string;
  /** Hex SHA-256 and size of the zip. */
  sha256: string;
  bytes: number;
  createdAt: string;
  expiresAt: string;
  datasets: { id: string; name: LocalizedText; agency: { id: string; name: LocalizedText } }[];
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);
const sealContext = (id: string) => `download:${id}`;

export function createDownloadService(o: DownloadServiceOptions) {
  const { db, catalogue, gateway, recorder, identityRepo, envelope, issuer } = o;
  const now = o.now ?? (() => new Date());
  const onError = o.onError ?? (() => {});
  const stats = createStatisticsRepo(db);
  const ttlMs = (o.ttlSeconds ?? 600) * 1000;
  const kid = o.signingKey.kid;
  if (!kid) throw new Error('the platform signing key needs a kid');
  // Imported once: a key import costs more than the signature it makes.
  const signingKey = importJWK(o.signingKey, PLATFORM_SIGNING_ALGORITHM);

  /** The catalogue entries of the datasets asked for, in the order asked; unknown ids are refused. */
  async function datasetsOf(ids: string[]): Promise<Dataset[]> {
    if (ids.length === 0 || new Set(ids).size !== ids.length || ids.length > 50) {
      throw new AppError('request.invalid', { summary: 'datasets must be 1-50 dataset ids without repeats' });
    }
    const found = new Map((await catalogue.getDatasetsByIds(ids)).map((d) => [d.id, d]));
    return ids.map((id) => {
      const d = found.get(id);
      if (!d) throw new AppError('catalogue.dataset-not-found', { id });
      return d;
    });
  }

  async function agencyNames(datasets: Dataset[]): Promise<Map<string, LocalizedText>> {
    const ids = [...new Set(datasets.map((d) => d.agencyId))];
    const orgs = await Promise.all(ids.map((id) => catalogue.getOrganisation(id)));
    return new Map(orgs.map((g) => [g.id, g.name]));
  }

  /** Builds the zip: data as JSON and CSV, the agencies' signed answers, the page, the signed manifest. */
  async function pack(
    id: string,
    at: Date,
    nationalId: string,
    datasets: Dataset[],
    names: Map<string, LocalizedText>,
    results: FetchedDataset[],
  ): Promise<Uint8Array> {
    const byId = new Map(results.map((r) => [r.datasetId, r]));
    const files = new Map<string, Uint8Array>();
    const entries: DownloadManifestDataset[] = [];
    const printable: PrintableDataset[] = [];
    for (const d of datasets) {
      const r = byId.get(d.id);
      if (!r) throw new Error(`the gateway returned no ${d.id}`);
      const paths = downloadPaths(d.id);
      files.set(paths.json, utf8(`${JSON.stringify(r.payload, null, 2)}\n`));
      files.set(paths.csv, utf8(toCsv(r.payload)));
      files.set(paths.responseSignature, utf8(r.providerSignature));
      files.set(paths.responseBody, utf8(r.providerBody));
      files.set(paths.requestSignature, utf8(r.requestSignature));
      const agency = {
        id: d.agencyId,
        name: names.get(d.agencyId) ?? { 'zh-TW': d.agencyId, en: d.agencyId },
      };
      entries.push({ datasetId: d.id, name: d.name, agency, receivedAt: r.receivedAt, files: paths });
      printable.push({
        datasetId: d.id,
        name: d.name,
        agency,
        labels: new Map(d.fields.map((f) => [f.name, f.label])),
        payload: r.payload,
        receivedAt: r.receivedAt,
      });
    }
    const head: Omit<DownloadManifest, 'files'> = {
      type: DOWNLOAD_MANIFEST_TYPE,
      version: DOWNLOAD_FORMAT_VERSION,
      iss: issuer,
      jti: id,
      iat: Math.floor(at.getTime() / 1000),
      issuedAt: at.toISOString(),
      subject: { nationalId },
      purpose: DOWNLOAD_PURPOSE,
      datasets: entries,
    };
    files.set(INDEX_PATH, utf8(renderDownloadHtml(head, printable)));
    const manifest: DownloadManifest = {
      ...head,
      files: [...files].map(([path, bytes]) => ({ path, sha256: sha256Hex(bytes), bytes: bytes.length })),
    };
    const manifestBytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
    const jws = await new CompactSign(manifestBytes)
      .setProtectedHeader({ alg: PLATFORM_SIGNING_ALGORITHM, typ: DOWNLOAD_JWS_TYPE, kid })
      .sign(await signingKey);
    const mtime = at;
    const zipped: Record<string, [Uint8Array, { mtime: Date }]> = {
      [INDEX_PATH]: [files.get(INDEX_PATH) as Uint8Array, { mtime }],
      [MANIFEST_PATH]: [manifestBytes, { mtime }],
      [MANIFEST_SIGNATURE_PATH]: [utf8(jws), { mtime }],
    };
    for (const [path, bytes] of files) if (path !== INDEX_PATH) zipped[path] = [bytes, { mtime }];
    return zipSync(zipped, { level: 6 });
  }

  async function expireRow(tx: Tx, id: string): Promise<void> {
    await tx.updateTable('downloads').set({ status: 'expired', sealed: null }).where('id', '=', id).execute();
  }

  return {
    /** The longest lifetime of a ready download, in minutes (for texts). */
    ttlMinutes: Math.round(ttlMs / 60_000),

    /** The catalogue entries of the datasets asked for: the routes check the session's assurance against them. */
    datasetsOf,

    /**
     * Fetches the datasets from their agencies and packs the zip, sealed until fetched. If any
     * dataset fails, nothing is kept: the coded error names the agency (and a `download` entry with
     * outcome failure is logged, not notified), and the citizen may simply ask again.
     */
    async create(input: { citizenId: string; datasets: string[] }): Promise<DownloadView> {
      const datasets = await datasetsOf(input.datasets);
      const names = await agencyNames(datasets);
      const nationalId = await identityRepo.nationalIdOf(input.citizenId);
      const id = randomUUID();
      const ids = datasets.map((d) => d.id);
      let results: FetchedDataset[];
      try {
        ({ results } = await gateway.fetch({
          consentId: downloadExchangeId(id),
          purpose: DOWNLOAD_PURPOSE,
          subject: { nationalId },
          datasets: ids,
        }));
      } catch (error) {
        if (error instanceof AppError) {
          const agencyIds = failedAgencies(error, datasets);
          await recorder.record({
            citizenId: nationalId,
            event: 'download',
            datasets: ids,
            purpose: DOWNLOAD_PURPOSE,
            outcome: 'failure',
            occurredAt: now(),
            ...(agencyIds.length ? { agencyIds } : {}),
            details: {
              downloadId: id,
              code: error.code,
              agency: String(error.params.agency ?? error.params.agencies ?? error.params.agencyId ?? ''),
            },
          });
        }
        throw error;
      }
      const at = now();
      const zip = await pack(id, at, nationalId, datasets, names, results);
      const expiresAt = new Date(at.getTime() + ttlMs);
      const view: DownloadView = {
        id,
        fileName: `mydata-download-${at.toISOString().slice(0, 10)}-${id.slice(0, 8)}.zip`,
        sha256: sha256Hex(zip),
        bytes: zip.length,
        createdAt: at.toISOString(),
        expiresAt: expiresAt.toISOString(),
        datasets: datasets.map((d) => ({
          id: d.id,
          name: d.name,
          agency: { id: d.agencyId, name: names.get(d.agencyId) ?? { 'zh-TW': d.agencyId, en: d.agencyId } },
        })),
      };
      await db
        .insertInto('downloads')
        .values({
          id,
          citizen_id: input.citizenId,
          status: 'ready',
          datasets: JSON.stringify(ids),
          agency_ids: JSON.stringify([...new Set(datasets.map((d) => d.agencyId))]),
          file_name: view.fileName,
          sha256: view.sha256,
          bytes: view.bytes,
          sealed: envelope.seal(zip, sealContext(id)),
          created_at: at,
          expires_at: expiresAt,
          taken_at: null,
        })
        .execute();
      return view;
    },

    /**
     * Hands the zip over once: in one transaction the row is locked, the sealed zip dropped, and the
     * download logged (notified). A second fetch gets `download.gone`; another citizen's id
     * `download.not-found`.
     */
    async take(id: string, citizenId: string): Promise<{ fileName: string; zip: Buffer }> {
      const at = now();
      const first = await db
        .selectFrom('downloads')
        .select(['citizen_id', 'datasets'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!first || first.citizen_id !== citizenId) throw new AppError('download.not-found', { id });
      // Read before the transaction: an embedded database lends its one session to one caller at a time.
      const named = await catalogue.getDatasetsByIds(first.datasets as string[]);
      const taken = await db.transaction().execute(async (tx) => {
        const row = await tx
          .selectFrom('downloads')
          .selectAll()
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst();
        if (!row || row.citizen_id !== citizenId)
          return { error: new AppError('download.not-found', { id }) };
        if (row.status === 'ready' && new Date(row.expires_at) <= at) {
          await expireRow(tx, id);
          return { error: new AppError('download.gone', { id }) };
        }
        if (row.status !== 'ready' || !row.sealed) return { error: new AppError('download.gone', { id }) };
        await tx
          .updateTable('downloads')
          .set({ status: 'taken', sealed: null, taken_at: at })
          .where('id', '=', id)
          .execute();
        const datasets = row.datasets as string[];
        const { nationalId, notify } = await identityRepo.loggableOf(citizenId, tx);
        await recorder.record(
          {
            citizenId: nationalId,
            event: 'download',
            datasets,
            agencyIds: row.agency_ids as string[],
            purpose: DOWNLOAD_PURPOSE,
            outcome: 'success',
            occurredAt: at,
            details: { downloadId: id, sha256: row.sha256 },
          },
          {
            tx,
            ...(notify ? { notify } : {}),
            params: {
              datasets: datasets.map((d) => named.find((n) => n.id === d)?.name['zh-TW'] ?? d),
            },
          },
        );
        return { sealed: row.sealed, fileName: row.file_name };
      });
      if ('error' in taken) throw taken.error;
      // Counted for the public statistics after the hand-over committed; a failure here must not cost the citizen the file.
      await stats
        .recordUse({ kind: 'download', datasetIds: first.datasets as string[], at })
        .catch((error: unknown) => onError(error, `statistics of download ${id}`));
      return { fileName: taken.fileName, zip: envelope.open(taken.sealed, sealContext(id)) };
    },

    /** Drops every ready zip past its lifetime; returns how many. Safe to run from several processes. */
    async expireDue(at: Date = now()): Promise<number> {
      return expireWaiting(db, 'downloads', at, expireRow);
    },
  };
}

export type DownloadService = ReturnType<typeof createDownloadService>;
