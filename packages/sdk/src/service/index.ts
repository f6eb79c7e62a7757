export {
  AGENCY_KEYS_PATH,
  createServiceClient,
  type PendingTransfer,
  type ServiceClient,
  type ServiceClientOptions,
  TRANSFER_PACKAGE_PATH,
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
  PACKAGE_JWS_TYPE,
  type PackageVerification,
  type TransferResult,
  type VerifiedDataset,
  verifyPackage,
  WEBHOOK_JWS_TYPE,
} from './package.ts';
