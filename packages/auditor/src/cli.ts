import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type AuditState, AuditUnreachable, audit, compareStates } from './audit.ts';

const USAGE = `usage: mydata-audit verify <platform url> [--state <file>] [--key <verifier key>] [--full] [--samples <n>] [--json]
       mydata-audit compare <state file> <other auditor's state file> [<platform url>]

Verifies the MyData usage log over its public endpoints. Exit code 0: consistent; 1: tampering or
a fork was found; 2: bad usage or the platform could not be read.`;

/** Runs the command line; returns the exit code. */
export async function main(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  const [command, url, ...rest] = argv;
  if (command === 'compare') return compare(argv.slice(1), out);
  if (command !== 'verify' || !url || !/^https?:\/\//.test(url)) {
    out(USAGE);
    return 2;
  }
  let statePath: string | undefined;
  let key: string | undefined;
  let full = false;
  let asJson = false;
  let samples = 8;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (arg === '--state') statePath = rest[++i];
    else if (arg === '--key') key = rest[++i];
    else if (arg === '--full') full = true;
    else if (arg === '--json') asJson = true;
    else if (arg === '--samples') samples = Number(rest[++i]);
    else {
      out(`unknown option ${arg}\n${USAGE}`);
      return 2;
    }
  }
  if (!Number.isInteger(samples) || samples < 0) {
    out(`--samples must be a whole number\n${USAGE}`);
    return 2;
  }
  const state =
    statePath && existsSync(statePath)
      ? (JSON.parse(readFileSync(statePath, 'utf8')) as AuditState)
      : undefined;
  try {
    const report = await audit({ url, state, key, full, samples });
    if (report.ok && statePath && report.state) {
      writeFileSync(`${statePath}.tmp`, `${JSON.stringify(report.state, null, 2)}\n`);
      renameSync(`${statePath}.tmp`, statePath);
    }
    if (asJson)
      out(
        JSON.stringify({
          ok: report.ok,
          problems: report.problems,
          notes: report.notes,
          checkpoint: report.checkpoint,
        }),
      );
    else {
      for (const n of report.notes) out(`  ${n}`);
      for (const p of report.problems) out(`✗ ${p}`);
      out(
        report.ok
          ? `✓ the usage log is consistent at tree size ${report.checkpoint?.size}`
          : '✗ the usage log FAILED the audit',
      );
    }
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof AuditUnreachable) {
      out(`cannot audit: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

async function compare([first, second, url]: string[], out: (line: string) => void): Promise<number> {
  if (!first || !second || !existsSync(first) || !existsSync(second)) {
    out(USAGE);
    return 2;
  }
  const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as AuditState;
  try {
    const result = await compareStates(read(first), read(second), url ? { url } : {});
    for (const p of result.problems) out(`✗ ${p}`);
    if (result.ok) out('✓ both auditors saw the same history');
    return result.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof AuditUnreachable) {
      out(`cannot compare: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
