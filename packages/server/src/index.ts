export { createCatalogueRepo } from './catalogue/repository.ts';
export { type Config, ConfigError, loadConfig } from './config/config.ts';
export { createEnvelope, type Envelope, type KeyRing } from './crypto/envelope.ts';
export {
  generatePlatformKeys,
  loadPlatformKeys,
  type PlatformKeys,
  parseKeyRing,
  rotateAtRestKey,
} from './crypto/keys.ts';
export { type Db, migrateToLatest, openDatabase } from './db/database.ts';
export { createScratchDatabase, type ScratchDatabase } from './db/scratch.ts';
export {
  type AgencyStatus,
  createExchangeGateway,
  type ExchangeGateway,
  type FetchedDataset,
  type FetchRequest,
  type FetchResult,
  type GatewayOptions,
} from './exchange/gateway.ts';
export {
  createMessageLog,
  type MessageLogEntry,
  type MessageLogVerification,
  verifyMessageLog,
} from './exchange/message-log.ts';
export {
  type CertificateAuthority,
  type CertifiedKey,
  createCertificateAuthority,
  ensureLocalPki,
  issueCertificate,
  spkiSha256,
} from './exchange/pki.ts';
export {
  type AgencyRegistrationInput,
  type AgencyRegistry,
  createAgencyRegistry,
  type StoredAgencyRegistration,
} from './exchange/registry.ts';
export { loadOrCreateSigningKey, openExchange, type PlatformExchange } from './exchange/setup.ts';
export { buildApp } from './http/app.ts';
export { createExchangeIdentityChecks } from './identity/agency-checks.ts';
export type { AttemptPolicy, Authenticator } from './identity/authenticators.ts';
export { createCertificateAuthenticator } from './identity/certificate.ts';
export type { IdentityChecks } from './identity/documents.ts';
export { type NationalCa, openNationalCa } from './identity/national-ca.ts';
export { OIDC_CALLBACK_PATH, type OidcProviderOptions } from './identity/oidc.ts';
export { createIdentityRepo, type IdentityRepo } from './identity/repository.ts';
export { createIdentityService, type IdentityService } from './identity/service.ts';
export { openIdentity, type PlatformIdentity } from './identity/setup.ts';
export { createUsageRecorder, type Recipients, type UsageRecorder } from './log/record.ts';
export {
  type Checkpoint,
  type CitizenEntry,
  type CitizenEntryFilter,
  createUsageLog,
  entryCommitment,
  type Proof,
  type UsageEvent,
  type UsageLog,
} from './log/repository.ts';
export { createCheckpointPublisher, openUsageLog, type PlatformUsageLog } from './log/setup.ts';
export { createOutbox, createOutboxWorker, type Delivery, type Outbox } from './notify/outbox.ts';
export {
  createSmsGatewaySender,
  createSmtpSender,
  PermanentSendError,
  type Sender,
} from './notify/senders.ts';
export type { ClientRegistrationInput, RegisteredClient } from './oauth/clients.ts';
export type { ConsentPort, MydataAuthorizationDetail } from './oauth/consent-port.ts';
export { ACR_VALUES, OAUTH_ROUTES } from './oauth/provider.ts';
export { PACKAGE_PATH } from './oauth/routes.ts';
export { derivePairwiseKey, openOAuth, type PlatformOAuth } from './oauth/setup.ts';
export { type Platform, startPlatform } from './platform.ts';
