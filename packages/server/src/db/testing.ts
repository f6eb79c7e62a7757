import { readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { type Db, migrateToLatest, openDatabase } from './database.ts';
import { createScratchDatabase } from './scratch.ts';

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
    // Loading a ready-made empty image takes a fraction of the seconds PGlite spends on initdb per file.
    const path = inject('pgliteImage');
    if (path && !image) image = new Blob([readFileSync(path)]);
    const db = await openDatabase(image ? { image } : {});
    await migrateToLatest(db);
    return { db, close: () => db.destroy() };
  }
  return createScratchDatabase(serverUrl, { prefix: 'mydata_test' });
}
