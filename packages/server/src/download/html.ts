/**
 * The printable page of a data download (index.html): the citizen's data as tables, zh-TW first with
 * English beside it, self-contained (one file, its own print styles, no scripts, nothing fetched).
 */
import type { DownloadManifest, LocalizedText } from '@mydata/core';

export interface PrintableDataset {
  datasetId: string;
  name: LocalizedText;
  agency: { id: string; name: LocalizedText };
  /** Labels of the record's own fields, from the catalogue. */
  labels: Map<string, LocalizedText>;
  payload: unknown;
  receivedAt: string;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Both languages of a text: zh-TW, then English in a smaller line marked lang="en". */
const bi = (zh: string, en: string) =>
  zh === en ? esc(zh) : `${esc(zh)}<span class="en" lang="en">${esc(en)}</span>`;
const biText = (t: LocalizedText) => bi(t['zh-TW'], t.en);

function taipeiTime(iso: string): string {
  const d = new Date(iso);
  const text = new Intl.DateTimeFormat('zh-TW', {
    timeZone: 'Asia/Taipei',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(d);
  return `${text}（UTC+8）`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '<span class="none">—</span>';
  if (typeof v === 'boolean') return v ? bi('是', 'yes') : bi('否', 'no');
  if (Array.isArray(v))
    return v.map((x) => (isRecord(x) ? esc(JSON.stringify(x)) : esc(String(x)))).join('、');
  return esc(String(v));
}

function label(key: string, labels: Map<string, LocalizedText>): string {
  const l = labels.get(key);
  return l ? `${biText(l)}<code>${esc(key)}</code>` : `<code>${esc(key)}</code>`;
}

/** A list of records as one table, a column per field. */
function recordTable(caption: string, items: Record<string, unknown>[]): string {
  const columns: string[] = [];
  for (const item of items) for (const k of Object.keys(item)) if (!columns.includes(k)) columns.push(k);
  const head = `<tr><th scope="col">#</th>${columns.map((c) => `<th scope="col"><code>${esc(c)}</code></th>`).join('')}</tr>`;
  const body = items
    .map(
      (item, i) =>
        `<tr><td>${i + 1}</td>${columns.map((c) => `<td>${isRecord(item[c]) ? esc(JSON.stringify(item[c])) : scalar(item[c])}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<table class="list"><caption>${caption}</caption><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

function renderRecord(payload: unknown, labels: Map<string, LocalizedText>): string {
  if (!isRecord(payload)) return `<p>${scalar(payload)}</p>`;
  const rows: string[] = [];
  const lists: string[] = [];
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (isRecord(v)) walk(v, key);
      else if (Array.isArray(v) && v.length > 0 && v.every(isRecord))
        lists.push(recordTable(label(key, labels), v as Record<string, unknown>[]));
      else rows.push(`<tr><th scope="row">${label(key, labels)}</th><td>${scalar(v)}</td></tr>`);
    }
  };
  walk(payload, '');
  const fields = rows.length
    ? `<table class="fields"><thead><tr><th scope="col">${bi('欄位', 'Field')}</th><th scope="col">${bi('內容', 'Value')}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
    : '';
  return fields + lists.join('');
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: "Noto Sans TC", "PingFang TC", "Microsoft JhengHei", system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #111; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .25rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #333; padding-bottom: .25rem; }
.en { display: block; font-size: .85em; color: #444; }
h1 .en, h2 .en { display: inline; margin-left: .5em; }
code { font-family: ui-monospace, Consolas, monospace; font-size: .8em; color: #444; margin-left: .4em; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; font-size: .95rem; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #eee; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.none { color: #666; }
.note { border-left: 4px solid #333; padding: .5rem 1rem; background: #f4f4f4; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; }
  section.dataset { break-before: page; }
  tr, caption { break-inside: avoid; }
  thead { display: table-header-group; }
  .note { background: none; }
}
@page { size: A4; margin: 15mm; }
`;

/** The printable page of the package. */
export function renderDownloadHtml(
  manifest: Omit<DownloadManifest, 'files'>,
  datasets: PrintableDataset[],
): string {
  const toc = datasets
    .map(
      (d) =>
        `<li><a href="#${esc(d.datasetId)}">${esc(d.name['zh-TW'])}</a>（${esc(d.agency.name['zh-TW'])}）<span class="en" lang="en">${esc(d.name.en)} (${esc(d.agency.name.en)})</span></li>`,
    )
    .join('');
  const sections = datasets
    .map(
      (d) => `<section class="dataset" id="${esc(d.datasetId)}" aria-labelledby="${esc(d.datasetId)}-title">
<h2 id="${esc(d.datasetId)}-title">${biText(d.name)}</h2>
<dl class="meta">
<dt>${bi('資料提供機關', 'Agency')}</dt><dd>${biText(d.agency.name)}</dd>
<dt>${bi('資料代碼', 'Dataset id')}</dt><dd><code>${esc(d.datasetId)}</code></dd>
<dt>${bi('取得時間', 'Received')}</dt><dd>${esc(taipeiTime(d.receivedAt))}</dd>
</dl>
${renderRecord(d.payload, d.labels)}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="zh-TW">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>MyData 資料下載 Data download ${esc(manifest.jti)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${bi('MyData 個人資料下載', 'MyData personal data download')}</h1>
<dl class="meta">
<dt>${bi('身分證統一編號', 'National ID')}</dt><dd>${esc(manifest.subject.nationalId)}</dd>
<dt>${bi('下載編號', 'Package id')}</dt><dd><code>${esc(manifest.jti)}</code></dd>
<dt>${bi('產製時間', 'Issued')}</dt><dd>${esc(taipeiTime(manifest.issuedAt))}</dd>
<dt>${bi('產製平臺', 'Issued by')}</dt><dd><code>${esc(manifest.iss)}</code></dd>
</dl>
</header>
<main>
<p class="note">${bi(
    '這是您本人的資料，由各資料提供機關簽章後提供，並由 MyData 平臺簽章。此頁方便閱讀與列印；機器可讀的資料在 data 資料夾（JSON、CSV），簽章在 agency 資料夾與 manifest.jws，可用 mydata-verify-download 離線驗證。',
    'This is your own data, signed by each agency that holds it and by the MyData platform. This page is for reading and printing; the machine-readable data is in the data folder (JSON, CSV), the signatures in the agency folder and manifest.jws, which mydata-verify-download checks offline.',
  )}</p>
<h2>${bi('內容', 'Contents')}</h2>
<ol>${toc}</ol>
${sections}
</main>
</body>
</html>
`;
}
