export {
  type CatalogueClient,
  type CatalogueClientOptions,
  createCatalogueClient,
  type Page,
} from './catalogue-client.ts';
export { MyDataProblem, readJson } from './problem.ts';
