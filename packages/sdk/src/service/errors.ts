import { MyDataProblem } from '../problem.ts';

/**
 * Why a transfer did not give the service any data, as the SDK decides it on the service's side:
 * - `transfer.declined`: the citizen declined, or cancelled after an agency failed (OAuth `access_denied`);
 * - `transfer.authorization-failed`: the platform ended the authorization with another OAuth error;
 * - `transfer.invalid-callback`: the callback is not the answer to this service's request (state, `iss`, code);
 * - `transfer.token-failed`: the code could not be exchanged for an access token;
 * - `transfer.package-refused`: the data package failed verification and must not be used.
 * Errors the platform answers itself (e.g. `transfer.package-gone`) keep the platform's code.
 */
export type TransferErrorCode =
  | 'transfer.declined'
  | 'transfer.authorization-failed'
  | 'transfer.invalid-callback'
  | 'transfer.token-failed'
  | 'transfer.package-refused';

const STATUS: Record<TransferErrorCode, number> = {
  'transfer.declined': 403,
  'transfer.authorization-failed': 400,
  'transfer.invalid-callback': 400,
  'transfer.token-failed': 502,
  'transfer.package-refused': 502,
};

/** A transfer that ended without verified data; `code` says why, `detail` says it in English for logs. */
export class TransferError extends MyDataProblem {
  /** The OAuth `error` of the authorization or token answer, when there was one. */
  readonly oauthError: string | undefined;
  /** The agency whose data or signature was refused, when one was. */
  readonly agencyId: string | undefined;
  /** The dataset concerned, when one was. */
  readonly datasetId: string | undefined;

  constructor(
    code: TransferErrorCode,
    detail: string,
    extra: { oauthError?: string; agencyId?: string; datasetId?: string; cause?: unknown } = {},
  ) {
    super({ code, detail, status: STATUS[code] }, STATUS[code]);
    this.name = 'TransferError';
    this.oauthError = extra.oauthError;
    this.agencyId = extra.agencyId;
    this.datasetId = extra.datasetId;
    if (extra.cause !== undefined) this.cause = extra.cause;
  }
}
