export { type CounterRoutesOptions, counterRoutes } from './routes.ts';
export {
  type CounterCaseView,
  type CounterService,
  type CounterServiceOptions,
  type CounterSettings,
  createCounterService,
  DEFAULT_COUNTER_SETTINGS,
} from './service.ts';
export {
  type CounterSetupOptions,
  deriveCounterCodeKey,
  openCounter,
  type PlatformCounter,
} from './setup.ts';
