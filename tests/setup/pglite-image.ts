import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';

/**
 * Makes one empty PGlite database image per test run; each test file loads it instead of running
 * PGlite's initdb again. Migrations still run per file, so the image never hides a migration change.
 */
export default async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide('pgliteImage', undefined);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mydata-pglite-'));
  const pglite = await PGlite.create();
  const dump = await pglite.dumpDataDir('none');
  await pglite.close();
  const path = join(dir, 'image.tar');
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteImage', path);
  return () => rmSync(dir, { recursive: true, force: true });
}
