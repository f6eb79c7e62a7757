export { type ConsentRoutesOptions, consentRoutes } from './routes.ts';
export {
  type AcceptInput,
  type ClientDirectory,
  type CollectResult,
  type ConsentScreen,
  type ConsentService,
  type ConsentServiceOptions,
  type ConsentView,
  createConsentService,
  type ReceiptVerification,
  type WithdrawnListener,
} from './service.ts';
export { type ConsentSetupOptions, openConsent, type PlatformConsent } from './setup.ts';
