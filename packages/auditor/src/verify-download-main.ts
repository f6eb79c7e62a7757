import { verifyDownloadMain } from './verify-download-cli.ts';

process.exitCode = await verifyDownloadMain(process.argv.slice(2));
