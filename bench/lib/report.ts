/**
 * Writes a benchmark run to bench/results/: the figures as JSON, a short markdown summary, and an SVG
 * bar chart, so a run can be compared with the next without rerunning it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Figure {
  /** What was measured, e.g. "complete transfers, PostgreSQL". */
  name: string;
  value: number;
  unit: string;
  /** Anything else worth keeping: percentiles, CPU, RSS, sizes. */
  details?: Record<string, unknown>;
}

export interface Run {
  title: string;
  figures: Figure[];
  /** Lines of prose for the summary: targets met or missed, what bounds them. */
  notes: string[];
}

const escapeXml = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A horizontal bar chart of figures sharing one unit; plain SVG, readable without a browser. */
export function barChart(title: string, bars: { label: string; value: number }[], unit: string): string {
  const width = 760;
  const labelWidth = 330;
  const row = 28;
  const height = 50 + bars.length * row;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const y = 40 + i * row;
      const w = Math.max(1, ((width - labelWidth - 110) * b.value) / max);
      return `<text x="${labelWidth - 8}" y="${y + 14}" text-anchor="end">${escapeXml(b.label)}</text>
<rect x="${labelWidth}" y="${y}" width="${w.toFixed(1)}" height="20" fill="#1f5f99"/>
<text x="${labelWidth + w + 6}" y="${y + 14}">${b.value.toLocaleString('en')} ${escapeXml(unit)}</text>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13" role="img" aria-label="${escapeXml(title)}">
<title>${escapeXml(title)}</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>
${rows}
</svg>
`;
}

/** Writes `<name>.json`, `<name>.md` and `<name>.svg` (bars of the figures in `chartUnit`) under bench/results. */
export function writeRun(name: string, run: Run, chartUnit?: string): { dir: string } {
  const dir = join(import.meta.dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const machine = {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const at = new Date().toISOString();
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify({ ...run, machine, at }, null, 2)}\n`);
  const charted = run.figures.filter((f) => f.unit === chartUnit);
  if (chartUnit && charted.length > 0) {
    writeFileSync(
      join(dir, `${name}.svg`),
      barChart(
        run.title,
        charted.map((f) => ({ label: f.name, value: f.value })),
        chartUnit,
      ),
    );
  }
  const md = [
    `# ${run.title}`,
    '',
    `${at}, ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}.`,
    '',
    '| measured | value | details |',
    '|---|---:|---|',
    ...run.figures.map(
      (f) =>
        `| ${f.name} | ${f.value.toLocaleString('en')} ${f.unit} | ${Object.entries(f.details ?? {})
          .map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
          .join(', ')} |`,
    ),
    '',
    ...run.notes.map((n) => `- ${n}`),
    ...(chartUnit && charted.length > 0 ? ['', `![${run.title}](${name}.svg)`] : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${name}.md`), md);
  return { dir };
}
