import { fixtureCatalogue } from '../catalogue/fixtures.ts';
import { createCatalogueRepo } from '../catalogue/repository.ts';
import { loadConfig } from '../config/config.ts';
import { createTestDatabase, type TestDatabase } from '../db/testing.ts';
import { type App, buildApp } from './app.ts';

/** The platform's app over a fresh test database holding the fixture catalogue, for inject()-based tests. */
export async function createTestApp(
  env: Record<string, string> = {},
): Promise<{ app: App; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase();
  await createCatalogueRepo(database.db).importCatalogue(fixtureCatalogue());
  const app = await buildApp({ config: loadConfig({ LOG_LEVEL: 'silent', ...env }), db: database.db });
  return {
    app,
    database,
    async close() {
      await app.close();
      await database.close();
    },
  };
}
