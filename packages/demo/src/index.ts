export { demoCatalogue, ORGANISATION_IDS, SERVICE_IDS } from './catalogue.ts';
export * from './population/index.ts';
