export { type DemoAgenciesOptions, type RunningDemoAgency, startDemoAgencies } from './agencies/agencies.ts';
export { demoCatalogue, ORGANISATION_IDS, SERVICE_IDS } from './catalogue.ts';
export { type Mailbox, type MailboxMessage, startMailbox } from './mailbox/index.ts';
export * from './population/index.ts';
