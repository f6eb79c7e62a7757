import type { Catalogue } from '@mydata/core';
import { createCatalogueRepo } from './catalogue/repository.ts';
import type { Config } from './config/config.ts';
import { migrateToLatest, openDatabase } from './db/database.ts';
import { type App, buildApp } from './http/app.ts';

export interface Platform {
  app: App;
  /** The address the server listens on, with the port actually bound. */
  url: string;
  /** Stops taking traffic, lets requests in flight finish, then closes the database. */
  stop(): Promise<void>;
}

/** Opens the database, applies migrations, publishes the given catalogue and starts listening. */
export async function startPlatform(options: { config: Config; catalogue?: Catalogue }): Promise<Platform> {
  const { config } = options;
  const db = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
  });
  try {
    await migrateToLatest(db);
    if (options.catalogue) await createCatalogueRepo(db).importCatalogue(options.catalogue);
    const app = await buildApp({ config, db });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let stopping: Promise<void> | undefined;
    return {
      app,
      url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
      stop() {
        stopping ??= (async () => {
          app.startDraining();
          await app.close();
          await db.destroy();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await db.destroy();
    throw error;
  }
}
