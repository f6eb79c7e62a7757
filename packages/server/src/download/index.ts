export { type DownloadRoutesOptions, downloadRoutes } from './routes.ts';
export {
  createDownloadService,
  type DownloadService,
  type DownloadServiceOptions,
  type DownloadView,
} from './service.ts';
export { type DownloadSetupOptions, openDownload, type PlatformDownload } from './setup.ts';
