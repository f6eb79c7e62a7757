import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

const OID_INT8 = 20;
const OID_DATE = 1082;

/**
 * Both engines hand back the same JS values: bigint counts as numbers (they stay far below 2^53)
 * and DATE as its 'YYYY-MM-DD' text, since a JS Date would shift it by the server's time zone.
 */
const parsers: Record<number, (value: string) => unknown> = {
  [OID_INT8]: (v) => Number(v),
  [OID_DATE]: (v) => v,
};

export interface DatabaseOptions {
  /** postgres://… to use a PostgreSQL server; otherwise the embedded PGlite engine. */
  url?: string | undefined;
  /** Folder for the embedded engine's files; in memory when absent. */
  dataDir?: string | undefined;
  /** Connection pool size on PostgreSQL. */
  poolSize?: number;
  /**
   * Told when an idle PostgreSQL connection dies (a server restart, a failover, an administrator);
   * the pool replaces it. Without a listener such an error would end the process.
   */
  onConnectionError?: (error: Error) => void;
  /** An embedded database image to start from (a PGlite data-directory dump), instead of an empty one. */
  image?: Blob;
}

/** Opens the platform's database: a PostgreSQL server when a URL is given, embedded PGlite otherwise. */
export async function openDatabase(options: DatabaseOptions): Promise<Db> {
  if (options.url) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: {
        getTypeParser: ((oid: number, format?: 'text') =>
          parsers[oid] ?? pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    pool.on(
      'error',
      options.onConnectionError ??
        ((error) => process.emitWarning(`an idle database connection was lost: ${error.message}`)),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return db;
  }
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = join(options.dataDir, 'pgdata');
    mkdirSync(dataDir, { recursive: true });
  }
  const pglite = await PGlite.create(dataDir, {
    parsers,
    ...(options.image ? { loadDataDir: options.image } : {}),
  });
  return new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
}

/** Applies every pending migration; running it again, or from several processes at once, is harmless. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
    // Capabilities are built in parallel branches, so a lower-numbered migration may land after a
    // higher one already ran on a dev database; each migration only touches its own tables.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
