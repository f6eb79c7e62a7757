export { type DemoAgenciesOptions, type RunningDemoAgency, startDemoAgencies } from './agencies/agencies.ts';
export { createDemoIdentityChecks, DEMO_IDENTITY_CHECKS, demoNhiPin } from './agencies/identity-checks.ts';
export * from './card/index.ts';
export { demoCatalogue, ORGANISATION_IDS, SERVICE_IDS } from './catalogue.ts';
export { type Mailbox, type MailboxMessage, startMailbox } from './mailbox/index.ts';
export * from './population/index.ts';
export * from './services/index.ts';
