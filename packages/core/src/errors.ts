import type { Language } from './i18n.ts';

interface ErrorDefinition {
  status: number;
  title: Record<Language, string>;
  /** What happened and what the person can do, with `{param}` placeholders filled from the error's params. */
  detail: Record<Language, string>;
}

/**
 * Every error the platform can answer with. The code is the contract (clients and the web portal
 * branch on it and translate it); the text is for people and may change.
 */
export const ERROR_CATALOGUE = {
  'request.invalid': {
    status: 400,
    title: { 'zh-TW': '請求內容不正確', en: 'The request is not valid' },
    detail: {
      'zh-TW': '請求中有欄位不符合規格：{summary}。請依 errors 列出的位置修正後再送出。',
      en: 'Some fields of the request do not match the specification: {summary}. Fix the places listed in errors and send it again.',
    },
  },
  'request.malformed-json': {
    status: 400,
    title: { 'zh-TW': 'JSON 格式錯誤', en: 'Malformed JSON' },
    detail: {
      'zh-TW': '請求本文不是有效的 JSON（{reason}）。請檢查括號、引號與逗號後再送出。',
      en: 'The request body is not valid JSON ({reason}). Check brackets, quotes and commas and send it again.',
    },
  },
  'request.body-too-large': {
    status: 413,
    title: { 'zh-TW': '請求本文過大', en: 'Request body too large' },
    detail: {
      'zh-TW': '請求本文超過上限 {limit} 位元組。請縮減內容或分批送出。',
      en: 'The request body exceeds the limit of {limit} bytes. Send less data or split it into several requests.',
    },
  },
  'request.unsupported-media-type': {
    status: 415,
    title: { 'zh-TW': '不支援的內容類型', en: 'Unsupported media type' },
    detail: {
      'zh-TW': '此端點只接受 application/json，收到的是 {contentType}。',
      en: 'This endpoint accepts application/json only; it received {contentType}.',
    },
  },
  'request.not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此網址', en: 'No such address' },
    detail: {
      'zh-TW': '{method} {url} 不存在。可用的端點請見 /openapi.json。',
      en: '{method} {url} does not exist. The available endpoints are listed in /openapi.json.',
    },
  },
  'catalogue.organisation-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此機關或業者', en: 'Organisation not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的機關或業者。請由 /api/v1/organisations 查詢正確代碼。',
      en: 'The catalogue has no organisation with id "{id}". Look up the right id at /api/v1/organisations.',
    },
  },
  'catalogue.dataset-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此資料項目', en: 'Dataset not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的資料項目。請由 /api/v1/datasets 查詢正確代碼。',
      en: 'The catalogue has no dataset with id "{id}". Look up the right id at /api/v1/datasets.',
    },
  },
  'catalogue.service-not-found': {
    status: 404,
    title: { 'zh-TW': '找不到此服務', en: 'Service not found' },
    detail: {
      'zh-TW': '目錄中沒有代碼為「{id}」的服務。請由 /api/v1/services 查詢正確代碼。',
      en: 'The catalogue has no service with id "{id}". Look up the right id at /api/v1/services.',
    },
  },
  'catalogue.invalid': {
    status: 422,
    title: { 'zh-TW': '目錄內容不一致', en: 'The catalogue is inconsistent' },
    detail: {
      'zh-TW': '目錄有 {count} 個問題，第一個是：{first}。全部問題列於 errors。',
      en: 'The catalogue has {count} problem(s); the first is: {first}. All are listed in errors.',
    },
  },
  'server.not-ready': {
    status: 503,
    title: { 'zh-TW': '服務暫時無法使用', en: 'Service temporarily unavailable' },
    detail: {
      'zh-TW': '平臺正在啟動或關閉（{reason}），請稍後再試。',
      en: 'The platform is starting or shutting down ({reason}). Try again shortly.',
    },
  },
  'server.internal': {
    status: 500,
    title: { 'zh-TW': '系統發生錯誤', en: 'Internal error' },
    detail: {
      'zh-TW':
        '平臺處理請求時發生非預期的錯誤，我們已記錄。請稍後再試；若持續發生，請提供請求編號 {requestId} 給客服。',
      en: 'The platform met an unexpected error and has logged it. Try again later; if it persists, give the request id {requestId} to support.',
    },
  },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** One field-level problem inside an error, located by a JSON Pointer (RFC 6901). */
export interface FieldIssue {
  pointer: string;
  message: string;
}

/** A domain error with a stable code; the HTTP edge turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: Record<string, string | number>;
  readonly issues: FieldIssue[] | undefined;

  constructor(code: ErrorCode, params: Record<string, string | number> = {}, issues?: FieldIssue[]) {
    super(formatErrorDetail(code, params, 'en'));
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CATALOGUE[code].status;
    this.params = params;
    this.issues = issues;
  }
}

/** The person-readable detail of an error in one language, with its params filled in. */
export function formatErrorDetail(
  code: ErrorCode,
  params: Record<string, string | number>,
  lang: Language,
): string {
  return ERROR_CATALOGUE[code].detail[lang].replace(/\{(\w+)\}/g, (_, k: string) =>
    k in params ? String(params[k]) : `{${k}}`,
  );
}
