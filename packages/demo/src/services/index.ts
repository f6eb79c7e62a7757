export type { DemoServiceOptions, ReceivedEvent, RunningDemoService } from './app.ts';
export { startDemoService } from './app.ts';
export { type DemoServicesOptions, loadOrCreateServiceKeys, startDemoServices } from './services.ts';
export { DEMO_SERVICE_SPECS, type DemoServiceSpec } from './specs.ts';
