/**
 * The data-download package (資料下載): a zip of the citizen's own data in JSON and CSV, each agency's
 * signed answer kept verbatim, a printable page, and a manifest of every file's SHA-256 signed by the
 * platform (docs/download.md). Only the pure parts live here: names, the manifest's shape and the CSV.
 */
import type { LocalizedText } from '../i18n.ts';

/** JOSE `typ` of the platform's signature over the manifest. */
export const DOWNLOAD_JWS_TYPE = 'mydata-download+jwt';
/** `type` of the manifest. */
export const DOWNLOAD_MANIFEST_TYPE = 'mydata-download';
export const DOWNLOAD_FORMAT_VERSION = 1;
/** The purpose the platform states to the agencies when a citizen downloads their own data. */
export const DOWNLOAD_PURPOSE = 'https://w3id.org/dpv#ServiceProvision';
/** The `consentId` of the exchange requests of one download: there is no consent, the citizen asks. */
export const downloadExchangeId = (downloadId: string) => `download:${downloadId}`;

export const MANIFEST_PATH = 'manifest.json';
export const MANIFEST_SIGNATURE_PATH = 'manifest.jws';
export const INDEX_PATH = 'index.html';
export const DOWNLOAD_MEDIA_TYPE = 'application/zip';

/** Where one dataset's files are in the zip. */
export function downloadPaths(datasetId: string) {
  return {
    json: `data/${datasetId}.json`,
    csv: `data/${datasetId}.csv`,
    responseSignature: `agency/${datasetId}/response.jws`,
    responseBody: `agency/${datasetId}/response-body.json`,
    requestSignature: `agency/${datasetId}/request.jws`,
  };
}
export type DownloadDatasetFiles = ReturnType<typeof downloadPaths>;

/** One dataset in the manifest. */
export interface DownloadManifestDataset {
  datasetId: string;
  name: LocalizedText;
  agency: { id: string; name: LocalizedText };
  /** When the platform received the agency's answer. */
  receivedAt: string;
  files: DownloadDatasetFiles;
}

/** manifest.json: what the package holds; manifest.jws signs exactly these bytes. */
export interface DownloadManifest {
  type: typeof DOWNLOAD_MANIFEST_TYPE;
  version: typeof DOWNLOAD_FORMAT_VERSION;
  /** The platform (its public URL). */
  iss: string;
  /** The package id. */
  jti: string;
  /** Seconds since the epoch, and the same instant in ISO 8601. */
  iat: number;
  issuedAt: string;
  /** The citizen the data is about: their own national ID, nothing more. */
  subject: { nationalId: string };
  purpose: string;
  datasets: DownloadManifestDataset[];
  /** Every other file of the zip (all but manifest.json and manifest.jws), with its hex SHA-256. */
  files: { path: string; sha256: string; bytes: number }[];
}

type Scalar = string | number | boolean | null;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isRecordList = (v: unknown): v is Record<string, unknown>[] =>
  Array.isArray(v) && v.length > 0 && v.every(isRecord);

/** Flattens nested objects into dotted columns; lists of values become one cell joined with "; ". */
function flattenRecord(value: Record<string, unknown>, prefix: string, into: Map<string, Scalar>): void {
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isRecord(v)) flattenRecord(v, path, into);
    else if (isRecordList(v)) {
      for (const [i, item] of v.entries()) flattenRecord(item, `${path}.${i + 1}`, into);
    } else if (Array.isArray(v))
      into.set(path, v.map((x) => (isRecord(x) ? JSON.stringify(x) : String(x))).join('; '));
    else into.set(path, v as Scalar);
  }
}

/**
 * One record as a table. A record with one list of records (household members, income items,
 * vehicles…) gives one row per item: the item's fields as `<list>.<field>` columns, the record's own
 * fields repeated on every row, as a spreadsheet filter expects. Without such a list it is one row;
 * with several lists, the items are numbered columns (`items.1.amount`). Nested objects become
 * dotted columns (`address.city`), lists of values one cell joined with "; ", null an empty cell.
 */
export function tabulate(payload: unknown): { columns: string[]; rows: Scalar[][] } {
  if (!isRecord(payload)) {
    if (isRecordList(payload)) return tabulate({ items: payload });
    return {
      columns: ['value'],
      rows: [[Array.isArray(payload) ? payload.join('; ') : (payload as Scalar)]],
    };
  }
  const lists = Object.entries(payload).filter(([, v]) => isRecordList(v));
  const columns: string[] = [];
  const add = (m: Map<string, Scalar>) => {
    for (const k of m.keys()) if (!columns.includes(k)) columns.push(k);
  };
  if (lists.length !== 1) {
    const row = new Map<string, Scalar>();
    flattenRecord(payload, '', row);
    add(row);
    return { columns, rows: [columns.map((c) => row.get(c) ?? null)] };
  }
  const [listKey, items] = lists[0] as [string, Record<string, unknown>[]];
  const base = new Map<string, Scalar>();
  flattenRecord(Object.fromEntries(Object.entries(payload).filter(([k]) => k !== listKey)), '', base);
  const itemRows = items.map((item) => {
    const m = new Map<string, Scalar>();
    flattenRecord(item, listKey, m);
    return m;
  });
  add(base);
  for (const m of itemRows) add(m);
  return {
    columns,
    rows: itemRows.map((m) => columns.map((c) => (base.has(c) ? (base.get(c) ?? null) : (m.get(c) ?? null)))),
  };
}

/** The text of one CSV cell: null is empty; text a spreadsheet would run as a formula starts with '. */
export function csvCell(value: Scalar): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record as CSV (RFC 4180, CRLF), UTF-8 with a byte-order mark so Excel reads Chinese correctly. */
export function toCsv(payload: unknown): string {
  const { columns, rows } = tabulate(payload);
  const lines = [columns.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
