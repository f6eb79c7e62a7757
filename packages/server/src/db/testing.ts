import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { type Db, migrateToLatest, openDatabase } from './database.ts';

export interface TestDatabase {
  db: Db;
  close(): Promise<void>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of a migrated PGlite image made once per test run (tests/setup/pglite-image.ts). */
    pgliteImage: string | undefined;
  }
}

let image: Blob | undefined;

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a throw-away
 * database on the PostgreSQL server named by DATABASE_URL, so the same suite runs on both engines.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    // Loading a migrated image takes a fraction of the seconds PGlite's own initdb takes per file.
    const path = inject('pgliteImage');
    if (path && !image) image = new Blob([readFileSync(path)]);
    const db = await openDatabase(image ? { image } : {});
    await migrateToLatest(db);
    return { db, close: () => db.destroy() };
  }
  const name = `mydata_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 4 });
  await migrateToLatest(db);
  return {
    db,
    async close() {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
