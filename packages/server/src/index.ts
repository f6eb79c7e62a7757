export { createCatalogueRepo } from './catalogue/repository.ts';
export { type Config, ConfigError, loadConfig } from './config/config.ts';
export { type Db, migrateToLatest, openDatabase } from './db/database.ts';
export { buildApp } from './http/app.ts';
export { type Platform, startPlatform } from './platform.ts';
