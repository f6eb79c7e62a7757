export {
  type AuditOptions,
  type AuditReport,
  type AuditState,
  AuditUnreachable,
  audit,
  compareStates,
} from './audit.ts';
export { main } from './cli.ts';
export { type AgencyKeys, type DownloadReport, type Jwks, verifyDownload, verifyEs256 } from './download.ts';
export { parseVerifierKey, type SignedCheckpoint, type VerifierKey, verifyCheckpoint } from './note.ts';
export {
  appendLeaf,
  type CompactRange,
  emptyRange,
  hashChildren,
  hashLeaf,
  rangeRoot,
  verifyConsistency,
  verifyInclusion,
} from './proofs.ts';
export { verifyDownloadMain } from './verify-download-cli.ts';
