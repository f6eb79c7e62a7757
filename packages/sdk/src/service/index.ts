export {
  AGENCY_KEYS_PATH,
  createServiceClient,
  type PendingTransfer,
  type ServiceClient,
  type ServiceClientOptions,
  TRANSFER_PACKAGE_PATH,
  TRANSFER_PROGRESS_PATH,
  type TransferRequest,
  type WebhookEvent,
} from './client.ts';
export { TransferError, type TransferErrorCode } from './errors.ts';
export {
  generateServiceKeys,
  SERVICE_ENCRYPTION_ALGORITHM,
  SERVICE_SIGNING_ALGORITHM,
  type ServiceKeys,
  serviceJwksOf,
} from './keys.ts';
export {
  type ApplicationHandle,
  type ApplicationProgress,
  PACKAGE_JWS_TYPE,
  type PackageVerification,
  type PendingApplication,
  type TransferResult,
  type VerifiedDataset,
  type VerifiedParty,
  verifyPackage,
  WEBHOOK_JWS_TYPE,
} from './package.ts';
