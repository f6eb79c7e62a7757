import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** Runs `npm start`'s entry point as a child process, as a user (or an orchestrator) would. */
function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (pattern: RegExp, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const m = pattern.exec(output);
      if (m) return m;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`did not see ${pattern} in:\n${output}`);
  };
  return { child, exited, waitFor, output: () => output };
}

describe('npm start', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'mydata-start-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('starts, prints its addresses, serves, and on SIGTERM finishes cleanly with exit code 0', async () => {
    const run = start({ PORT: '0', MYDATA_DATA_DIR: tempDir() });
    children.push(run.child);
    const [, url] = (await run.waitFor(/Platform\s+(http:\/\/\S+)/)) as unknown as [string, string];
    expect(run.output()).toContain('/openapi.json');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const [, mailboxUrl] = (await run.waitFor(/Mailbox\s+(http:\/\/\S+)/)) as unknown as [string, string];
    expect(await (await fetch(mailboxUrl)).text()).toContain('示範信箱');
    expect((await fetch(`${url}/api/v1/log/key`)).status).toBe(200);
    const datasets = (await (await fetch(`${url}/api/v1/datasets`)).json()) as { total: number };
    expect(datasets.total).toBeGreaterThanOrEqual(12);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain('stopped');
  });

  it('refuses to start on a bad variable, naming it', async () => {
    const run = start({ PORT: 'eighty', MYDATA_DATA_DIR: tempDir() });
    children.push(run.child);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('PORT="eighty"');
  });
});
