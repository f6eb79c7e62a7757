import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Db, migrateToLatest, openDatabase } from './database.ts';

export interface ScratchDatabase {
  db: Db;
  /** Its connection URL, for a process of its own (a benchmark's platform). */
  url: string;
  /** Closes the connections and drops the database. */
  close(): Promise<void>;
}

/**
 * A new, migrated database on the PostgreSQL server at `serverUrl`, dropped on close: for tests and
 * benchmarks that must not share state with anything else on that server.
 */
export async function createScratchDatabase(
  serverUrl: string,
  options: { prefix?: string; poolSize?: number } = {},
): Promise<ScratchDatabase> {
  const name = `${options.prefix ?? 'mydata_scratch'}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Dropping the database ends connections that are still closing; that is expected here, not a fault.
  const db = await openDatabase({
    url: url.toString(),
    poolSize: options.poolSize ?? 4,
    onConnectionError: () => {},
  });
  await migrateToLatest(db);
  return {
    db,
    url: url.toString(),
    async close() {
      await db.destroy();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      try {
        await cleanup.query(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
