export {
  type CatalogueClient,
  type CatalogueClientOptions,
  createCatalogueClient,
  type Page,
} from './catalogue-client.ts';
export { MyDataProblem, readJson } from './problem.ts';
export {
  generateSigningKey,
  type JWK,
  type Jwks,
  publicJwkOf,
  type SigningKeyPair,
} from './provider/keys.ts';
export {
  createDataProvider,
  createMemoryReplayCache,
  type DataProvider,
  type DataProviderOptions,
  type DatasetLookup,
  type IdentityCheck,
  type LookupContext,
  type ReplayCache,
} from './provider/provider.ts';
export * from './service/index.ts';
